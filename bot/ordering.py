"""Turns in arrival order per key: work under the same key runs one at a time, in the order
it asked, while work under other keys runs at the same time.

The bot serves each chat and each user in order (a guided /tambah, a citizen's two messages
answered in the order sent) while serving different people concurrently
(bot/botapi/concurrency.py holds python-telegram-bot's side). Nothing here knows Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Key:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting; the key is dropped when no one needs it


class KeyedOrder:
    """One FIFO lock per key, made on demand and dropped when idle (memory stays bounded by
    the work in progress, however many chats and users have been seen)."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: dict[Hashable, _Key] = {}

    @asynccontextmanager
    async def turn(self, keys: Sequence[Hashable]) -> AsyncIterator[None]:
        """Wait for the turn of every key in `keys`, taken in the order given (callers give
        them in one fixed order, so two can never wait for each other), then hold them all.

        asyncio locks are FIFO: whoever asked first under a key goes first.
        """
        entries = [self._enter(key) for key in keys]
        held: list[asyncio.Lock] = []
        try:
            for entry in entries:
                await entry.lock.acquire()
                held.append(entry.lock)
            yield
        finally:
            for lock in reversed(held):
                lock.release()
            for key, entry in zip(keys, entries, strict=True):
                entry.users -= 1
                if entry.users == 0:
                    del self._keys[key]

    def _enter(self, key: Hashable) -> _Key:
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = _Key()
        entry.users += 1
        return entry

    def __len__(self) -> int:
        """Keys held or waited for now."""
        return len(self._keys)
