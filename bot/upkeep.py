"""The bot's background upkeep, decided without Telegram: a tick every REFRESH_SECONDS picks
up changes made elsewhere (cekklaim import) by rebuilding the index off the event loop, and
says which slower jobs are due on this tick. bot/telegram/app.py runs the loop and does the
sending (citizens now answered, fast-growing clusters, new feed drafts)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import citizens
from bot.core import Core

REFRESH_SECONDS = 3.0  # how soon a change made elsewhere (cekklaim import) reaches the bot
ALERT_EVERY_TICKS = 20  # fast-growing clusters are looked for once a minute
PURGE_EVERY_TICKS = 1200  # settings of groups that removed the bot long ago: hourly


@dataclass(frozen=True, slots=True)
class Due:
    """What the adapter does after this tick."""

    changed: bool  # the statements changed: tell the citizens they now answer
    alerts: bool  # look for fast-growing clusters
    feeds: bool  # start a poll of SOURCE_FEEDS (unless one still runs)


def feeds_due(tick: int, every_minutes: float, tick_seconds: float = REFRESH_SECONDS) -> bool:
    """A feed poll on the first tick, then every `every_minutes`."""
    every = max(1, round(every_minutes * 60 / tick_seconds))
    return tick == 1 or tick % every == 0


async def tick(core: Core, n: int, *, feed_minutes: float | None) -> Due:
    """Tick `n` (from 1): the index rebuilt if the base changed (answers go on meanwhile),
    old removed groups forgotten hourly; what is due besides. `feed_minutes` None: no feeds."""
    changed = await core.refresh_async()
    if n % PURGE_EVERY_TICKS == 0:
        citizens.forget_removed_groups(core)
    feeds = feed_minutes is not None and feeds_due(n, feed_minutes)
    return Due(changed, n % ALERT_EVERY_TICKS == 0, feeds)
