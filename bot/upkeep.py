"""The bot's background upkeep, decided without Telegram: a tick every REFRESH_SECONDS picks
up changes made elsewhere (cekklaim import) by rebuilding the index off the event loop, and
says which slower jobs are due on this tick, and does them through the adapter's callbacks:
bot/telegram/app.py starts the loop and does the sending (citizens now answered,
fast-growing clusters, new feed drafts)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import storage
from bot import citizens
from bot.core import Core
from bot.site.publisher import Publisher
from storage.db import today_wib

log = logging.getLogger(__name__)

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
    core.wrote()  # the log's growth from writes other than claims (inbox, moderators)
    if n % PURGE_EVERY_TICKS == 0:
        citizens.forget_removed_groups(core)
    feeds = feed_minutes is not None and feeds_due(n, feed_minutes)
    return Due(changed, n % ALERT_EVERY_TICKS == 0, feeds)


async def run(
    core: Core,
    *,
    feed_minutes: float | None,
    changed: Callable[[], Awaitable[object]],
    alerts: Callable[[], Awaitable[object]],
    feeds: Callable[[], object],
    site: Publisher | None = None,
) -> None:
    """Tick every REFRESH_SECONDS until cancelled, doing what each tick says is due: the
    statements `changed` (citizens told), fast-growing clusters looked for (`alerts`), a
    feed poll started (`feeds`: it runs in its own task), the public pages rewritten in a
    worker thread when the statements or the day changed (`site`). A failure is logged and
    the bot keeps serving with the old index; the next tick tries again."""
    ticks = 0
    if site is not None:  # the pages at start; a failure here is the ticks' to retry
        with contextlib.suppress(Exception):
            site.poke(storage.data_version(core.db), today_wib())
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        ticks += 1
        try:
            due = await tick(core, ticks, feed_minutes=feed_minutes)
            if due.changed:
                log.info("statements changed: index rebuilt (%d)", len(core.snapshot.statements))
                await changed()
            if due.alerts:
                await alerts()
            if due.feeds:
                feeds()
            if site is not None:  # a one-row read; the writing is off the loop
                site.poke(storage.data_version(core.db), today_wib())
        except Exception:  # keep serving with the old index; try again next tick
            log.exception("background upkeep failed")


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Stop a background task (the upkeep loop, a feed poll) and wait until it has."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
