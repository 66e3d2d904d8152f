"""Handle updates concurrently across chats, but strictly in order within a chat and a user.

python-telegram-bot either handles one update at a time (then the bot waits on every HTTP
round trip and every fsync: about 90 updates/s on the 2-core bench machine) or, with
`concurrent_updates`, all at once with no order at all. The second breaks what needs order:
the moderators' `/tambah` ConversationHandler (keyed by chat and user; PTB warns about exactly
this), `user_data` drafts, and a citizen who sends two messages and should get two answers in
that order. Updates of one chat and of one user are therefore chained behind each other here,
while different people are served at the same time.

Every update passes through `do_process_update`, which makes it the one place that times
each update and writes its log line (bot/telegram/updatelog.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram import updatelog

#: Updates in progress at once (handling or waiting for an earlier update of the same chat).
DEFAULT_CONCURRENT_UPDATES = 256


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent between chats and users, sequential within one chat and within one user.

    An update takes the lock of its chat, then the lock of its user (always in that order,
    so two updates can never wait for each other). asyncio locks are FIFO and updates reach
    them in the order getUpdates returned them, so each chat and user sees its updates
    handled in Telegram's order. `max_concurrent_updates=1` is PTB's sequential mode.
    """

    __slots__ = ("_locks",)

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # key -> [lock, updates holding or waiting for it]; dropped when no one needs it
        self._locks: dict[tuple[str, int], list[Any]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        trace = updatelog.begin()
        keys = _order_keys(update)
        entries = [self._enter(key) for key in keys]
        held: list[asyncio.Lock] = []
        try:
            for entry in entries:
                await entry[0].acquire()
                held.append(entry[0])
            trace.waited()
            await coroutine
        except asyncio.CancelledError:  # shutting down while waiting: never started
            if len(held) < len(entries) and asyncio.iscoroutine(coroutine):
                coroutine.close()
            raise
        finally:
            for lock in reversed(held):
                lock.release()
            for key, entry in zip(keys, entries, strict=True):
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]
            updatelog.end(update, trace)

    def _enter(self, key: tuple[str, int]) -> list[Any]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        return entry

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: locks go with the updates that held them."""


def _order_keys(update: object) -> list[tuple[str, int]]:
    if not isinstance(update, Update):
        return []
    keys = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return keys
