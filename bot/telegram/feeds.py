"""The scheduled poll of SOURCE_FEEDS, run from the bot's background upkeep loop.

The poll runs as its own task, so a slow feed never delays the index refresh that shares
the loop, and at most one poll runs at a time. New drafts are announced once in the
moderators' chat; nothing is published without a moderator (see /draf).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError

from bot import upkeep
from bot.replies.texts import text
from bot.sources.feeds import poll_feeds
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


async def poll_and_announce(bot: Bot, rt: Runtime) -> int:
    """Poll every feed once; tell the moderators' chat how many drafts are new."""
    results = await poll_feeds(rt.core.db, rt.settings.source_feeds, rt.fetch_policy)
    new = sum(len(r.new) for r in results)
    log.info("feeds polled: %d new drafts", new)
    if new and rt.settings.moderator_chat_id is not None:
        try:
            await bot.send_message(
                rt.settings.moderator_chat_id, text("id", "feeds_new", count=new)
            )
        except TelegramError:
            log.warning("could not announce new drafts in the moderators' chat")
    return new


def start(bot: Bot, rt: Runtime) -> None:
    """Start a poll (when bot/upkeep.py says one is due), unless one still runs."""
    if rt.feed_poll is not None and not rt.feed_poll.done():
        return
    rt.feed_poll = asyncio.create_task(_guarded(bot, rt))


async def _guarded(bot: Bot, rt: Runtime) -> None:
    try:
        await poll_and_announce(bot, rt)
    except Exception:  # a bug must not kill the loop that schedules the next poll
        log.exception("feed poll failed")


async def stop(rt: Runtime) -> None:
    task, rt.feed_poll = rt.feed_poll, None
    await upkeep.cancel(task)
