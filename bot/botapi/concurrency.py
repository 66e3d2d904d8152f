"""Handle updates concurrently across chats, but strictly in order within a chat and a user.

python-telegram-bot either handles one update at a time (then the bot waits on every HTTP
round trip and every fsync: about 90 updates/s on the 2-core bench machine) or, with
`concurrent_updates`, all at once with no order at all. The second breaks what needs order:
the moderators' `/tambah` ConversationHandler (keyed by chat and user; PTB warns about exactly
this), `user_data` drafts, and a citizen who sends two messages and should get two answers in
that order. Updates of one chat and of one user therefore take turns (bot/ordering.py),
while different people are served at the same time.

Every update passes through `do_process_update`, which makes it the one place that times
each update and writes its log line (bot/updatelog.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import updatelog
from bot.ordering import KeyedOrder

#: Updates in progress at once (handling or waiting for an earlier update of the same chat).
DEFAULT_CONCURRENT_UPDATES = 256
_UPDATE_TYPES = tuple(Update.ALL_TYPES)


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent between chats and users, sequential within one chat and within one user.

    An update takes the turn of its chat, then of its user (always in that order). Updates
    reach their turns in the order getUpdates returned them, so each chat and user sees its
    updates handled in Telegram's order. `max_concurrent_updates=1` is PTB's sequential mode.
    """

    __slots__ = ("_order",)

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._order = KeyedOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        trace = updatelog.begin()
        started = False
        try:
            async with self._order.turn(_order_keys(update)):
                trace.waited()
                started = True
                await coroutine
        except asyncio.CancelledError:  # shutting down while waiting: never started
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()
            raise
        finally:
            updatelog.end(getattr(update, "update_id", "-"), *update_kind(update), trace)

    async def initialize(self) -> None:
        """Nothing to set up: turns are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: turns go with the updates that took them."""


def _order_keys(update: object) -> list[tuple[str, int]]:
    if not isinstance(update, Update):
        return []
    keys = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return keys


def update_kind(update: object) -> tuple[str, str]:
    """("message", "private"), ("callback_query", "group"), ("inline_query", "-"), ..."""
    if not isinstance(update, Update):
        return type(update).__name__, "-"
    kind = next((name for name in _UPDATE_TYPES if getattr(update, name) is not None), "other")
    chat = update.effective_chat
    return kind, chat.type if chat is not None else "-"
