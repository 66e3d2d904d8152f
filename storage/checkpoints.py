"""The bot's WAL checkpoints, off its event loop.

SQLite copies the write-ahead log back into the database (a checkpoint) from inside a
COMMIT, once the log holds 1,000 pages. On the bot's connection that COMMIT runs on the
event loop; after `cekklaim import` wrote thousands of pages beside it, the first claim
recorded copied them and synced the file: 85-140 ms with no one answered (measured with
bench/index_changes.py and a stack sampler). `Checkpoints` turns that off for one
connection and checkpoints in a thread of its own instead, on a connection of its own, at
most every EVERY_SECONDS and only when the log has grown since. Writers never wait for a
checkpoint in WAL mode, so the loop's commits go on meanwhile.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

from sqlite_utils import Database

from storage.db import database_file

log = logging.getLogger(__name__)

EVERY_SECONDS = 1.0
AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


class Checkpoints:
    """Checkpoints of `db`'s file in a worker thread, when `poke`d after writes."""

    def __init__(self, db: Database) -> None:
        self.path = database_file(db)  # None: in memory, no log to copy
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: tuple[int, int] | None = None  # the log's size and time, last copied
        self.done = 0  # checkpoints made (for tests and logs)
        self._db = db
        if self.path is not None:
            db.execute("PRAGMA wal_autocheckpoint = 0")

    def poke(self) -> None:
        """After a write: the thread checkpoints soon if the log grew since the last one."""
        if self.path is None or self._stopped.is_set():
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
            self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Stop the thread (a checkpoint under way finishes first); the connection
        checkpoints in its commits again, as SQLite does by default."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        if self.path is not None:
            self._db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")

    def _run(self) -> None:
        assert self.path is not None
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            while not self._stopped.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stopped.is_set():
                    return
                self._checkpoint(conn)
                self._stopped.wait(EVERY_SECONDS)  # at most so often (a poke meanwhile waits)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            stat = os.stat(self.path + "-wal")  # type: ignore[operator]
        except OSError:
            return
        seen = (stat.st_size, stat.st_mtime_ns)
        if seen == self._seen:
            return
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # the next poke tries again; SQLite's log stays valid
            log.warning("WAL checkpoint failed", exc_info=True)
            return
        self._seen = seen
        self.done += 1
