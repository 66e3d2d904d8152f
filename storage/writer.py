"""Writes run in a thread of their own, on a connection of their own to the same file.

A citizen's claim is committed with synchronous=FULL: its COMMIT syncs the write-ahead log
to disk. On the bot's event loop that sync waited for the disk while `cekklaim import` or a
checkpoint wrote beside it, and nobody was answered meanwhile (30-80 ms, found with
bench/index_changes.py and a stack sampler). A `Writer` runs such writes one at a time, in
order, in one thread; the loop is told of each result (bot/commits.py) and answers others
while the disk syncs. SQLite's own wait for another writer's lock (busy_timeout)
happens there too, never on the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import sqlite_utils

from storage.db import connect, database_file

T = TypeVar("T")


class Writer:
    """One thread, one connection: `submit(fn)` runs `fn(db)` there, after every write
    submitted before it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="writer")
        self._db: sqlite_utils.Database | None = None  # made in the thread, used only there

    @classmethod
    def beside(cls, db: sqlite_utils.Database) -> Writer | None:
        """A writer to `db`'s file; None for a database in memory (no other connection
        sees it)."""
        path = database_file(db)
        return cls(path) if path is not None else None

    def submit(self, fn: Callable[[sqlite_utils.Database], T]) -> Future[T]:
        """`fn(db)` in the writer's thread; its result or error comes in the future."""
        return self._pool.submit(self._run, fn)

    def _run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        if self._db is None:
            # the bot's checkpoints are made by storage/checkpoints.py's thread
            self._db = connect(self.path, autocheckpoint=False)
        return fn(self._db)

    def _close_here(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        """Finish every write submitted, then close the connection (in its thread)."""
        self._pool.submit(self._close_here).result()
        self._pool.shutdown(wait=True)
