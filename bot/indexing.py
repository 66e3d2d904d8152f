"""The matcher's index over the served statements: built off the event loop, swapped whole.

Matching must never wait for a rebuild: building the index for 20,000 statements takes
seconds of pure Python. So the index is an immutable `Snapshot`; `Snapshots.refresh_async`
builds the next one in a worker thread (its own read-only connection, full garbage
collections postponed and the GIL handed back to the loop often), swaps the reference at
once, frees the old one piecewise and `gc.freeze()`s the new one. Every reader keeps one
consistent snapshot, and a moderator's committed change is served to their next action.
`Snapshots.refresh` does the same on the calling thread, for the CLI and tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from sqlite_utils import Database

import storage
from bot.matcher.index import IndexDoc, MatchIndex
from bot.sources.urls import normalize_url
from storage import Statement
from storage.db import BUSY_TIMEOUT_MS


def index_docs(statements: list[Statement]) -> list[IndexDoc]:
    return [
        IndexDoc(s.external_id, s.claim, tuple(s.variants), s.clarification) for s in statements
    ]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent view for answering: the index and the statements it was built from."""

    index: MatchIndex
    statements: dict[str, Statement]  # by external id
    version: int
    by_rowid: dict[int, Statement]
    by_source_key: dict[str, list[Statement]]  # normalized source URL -> its statements


def read_servable(
    db: Database, known_version: int | None = None
) -> tuple[int, list[Statement]] | None:
    """The data_version and the statements served now; None if the version is `known_version`.

    Both are read in one read transaction, so the version is exactly the one the statements
    carry (an import committing in between is seen whole or not at all).
    """
    begun = not db.conn.in_transaction
    if begun:
        db.conn.execute("BEGIN")
    try:
        version = storage.data_version(db)
        if version == known_version:
            return None
        return version, storage.servable_statements(db)
    finally:
        if begun:
            db.conn.execute("COMMIT")  # nothing written: ends the read transaction


def snapshot_of(version: int, statements: list[Statement]) -> Snapshot:
    """The index and lookups over `statements` (the slow part: pure Python, no database)."""
    index = MatchIndex(index_docs(statements))
    by_source_key: dict[str, list[Statement]] = {}
    for statement in statements:
        key = normalize_url(statement.source_url) if statement.source_url else None
        if key:
            by_source_key.setdefault(key, []).append(statement)
    return Snapshot(
        index,
        {s.external_id: s for s in statements},
        version,
        {s.id: s for s in statements},
        by_source_key,
    )


def database_file(db: Database) -> str | None:
    """The file behind `db`'s main schema; None for an in-memory database."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or None


class Rebuilder:
    """Builds snapshots of one database file in a worker thread, for the event loop.

    SQLite connections belong to the thread that opened them, so each build opens its own
    read-only connection and closes it as soon as the statements are read (before the
    index is built); `close` waits for such a read, so the bot's database closes last and
    checkpoints its WAL. Builds run in daemon threads: one still building at exit is
    dropped, not waited for.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._reading = threading.Lock()
        self._closed = False

    async def build(self, known_version: int | None) -> Snapshot | None:
        """`read_servable` in a worker thread; the caller's loop is free meanwhile."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Snapshot | None] = loop.create_future()

        def settle(result: Snapshot | None, error: BaseException | None) -> None:
            if future.done():  # the caller was cancelled (shutdown)
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        def work() -> None:
            try:
                result, error = self.build_here(known_version), None
            except BaseException as exc:  # delivered to the awaiting caller
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=work, name="cekklaim-index", daemon=True).start()
        return await future

    def build_here(self, known_version: int | None) -> Snapshot | None:
        """Read with a connection of this thread, then build the index without one."""
        with self._reading:
            if self._closed:
                return None
            reader = Database(sqlite3.connect(self.path))
            try:
                reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                reader.execute("PRAGMA query_only = ON")
                found = read_servable(reader, known_version)
            finally:
                reader.close()
        return None if found is None else snapshot_of(*found)

    def close(self) -> None:
        """No read starts after this; returns once a read in progress is done."""
        with self._reading:
            self._closed = True


def release_gradually(box: list[Any]) -> None:
    """Drop the one object in `box` a piece at a time (run it in a worker thread).

    Freeing a large structure is one C call that holds the GIL throughout: about 110 ms
    for a 20,000-statement snapshot, all of it an event-loop stall. Here references to
    the parts of the snapshot, of its index and of every large container in them are
    taken first and dropped one by one, so the loop gets the GIL between them. Nothing
    is changed: a part that something else still holds simply stays alive.
    """
    stack: list[tuple[Any, int]] = [(box.pop(), 0)]
    while stack:
        item, depth = stack.pop()
        stack.extend((part, depth + 1) for part in _parts(item, depth))
        del item  # its parts are held by the stack: only references are dropped here


def _parts(item: Any, depth: int) -> list[Any]:
    """What `release_gradually` drops separately: the fields of the snapshot and of its
    index, and the items of any large container within three levels."""
    if depth >= 3:
        return []
    if isinstance(item, dict):
        return list(item.values()) if len(item) > 64 else []
    if isinstance(item, list | tuple | set | frozenset):
        return list(item) if len(item) > 64 else []
    if depth >= 2 or isinstance(item, str | bytes | int | float | type):
        return []
    if is_dataclass(item):
        return [getattr(item, f.name) for f in fields(item)]
    attributes = getattr(item, "__dict__", None)
    return list(attributes.values()) if isinstance(attributes, dict) else []


#: The GIL's switch interval while a snapshot is built in a worker thread. The event loop
#: waits up to this long for the GIL each time it gets it back after releasing it: every
#: SQLite call, every socket send, and every numpy step of matching a claim (numpy lets the
#: GIL go on larger arrays), so a claim pays it dozens of times. Python's default of 5 ms
#: made a claim answered during a build twice as slow; with numpy retrieval, 1 ms let claims
#: queue up behind a 10,000-statement build (bench/rebuild.py: the loop stalled 1.6-2.1 s);
#: 0.2 ms keeps the longest stall near 50 ms for a build about a tenth slower.
BUILD_SWITCH_INTERVAL = 0.0002

_building_lock = threading.Lock()
_building = 0  # builds in progress in this process
_saved: tuple[tuple[int, int, int], float] = (gc.get_threshold(), sys.getswitchinterval())


@contextlib.contextmanager
def loop_first_while_building() -> Iterator[None]:
    """Keep the event loop responsive while a worker thread builds a snapshot.

    Two process-wide settings, restored when the last build ends:
    - no full (generation 2) garbage collection: one holds the GIL while it scans every
      tracked object, whichever thread runs it (250-400 ms at 20,000 statements), and a
      build allocates enough to trigger several. Young generations are still collected.
      Pair with `gc.freeze()` after the swap, or the first full collection pays it all;
    - a shorter GIL switch interval (`BUILD_SWITCH_INTERVAL`).
    """
    global _building, _saved
    with _building_lock:
        if _building == 0:
            _saved = gc.get_threshold(), sys.getswitchinterval()
            gc.set_threshold(_saved[0][0], _saved[0][1], 2**31 - 1)
            sys.setswitchinterval(min(BUILD_SWITCH_INTERVAL, _saved[1]))
        _building += 1
    try:
        yield
    finally:
        with _building_lock:
            _building -= 1
            if _building == 0:
                gc.set_threshold(*_saved[0])
                sys.setswitchinterval(_saved[1])


class Snapshots:
    """The snapshot served now for one database, and its rebuilds (one at a time)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.current = self._build()
        path = database_file(db)
        self._rebuilder = Rebuilder(path) if path else None  # None: in memory (tests)
        self._refresh_lock: asyncio.Lock | None = None
        self._asked = 0  # refresh_async requests so far
        self._covered = 0  # requests the snapshot (or its check) began after
        self._force = False  # a request not yet covered asked for force
        self._swaps = 0  # snapshots swapped in since start

    def close(self) -> None:
        """No rebuild reads the database after this; a read in progress finishes first."""
        if self._rebuilder is not None:
            self._rebuilder.close()

    def _build(self) -> Snapshot:
        found = read_servable(self.db)
        assert found is not None  # no known version to compare with
        return snapshot_of(*found)

    def refresh(self, *, force: bool = False) -> bool:
        """Swap in a new index if statements changed (here or in another process).

        Builds on the calling thread: for the CLI and tests. The bot uses `refresh_async`.
        """
        if not force and storage.data_version(self.db) == self.current.version:
            return False
        self.current = self._build()
        self._swaps += 1
        return True

    async def refresh_async(self, *, force: bool = False) -> bool:
        """`refresh` for the event loop: the snapshot is built in a worker thread while
        everyone keeps being answered from the current one, then swapped in at once.

        Returns once a check (and build, if needed) that began after this call is in place,
        so a moderator's committed change is served to their very next action. One build
        at a time: requests made while one runs share the next one. True if the snapshot
        changed meanwhile.
        """
        if self._rebuilder is None:  # an in-memory database cannot be opened twice
            return self.refresh(force=force)
        swaps = self._swaps
        self._asked += 1
        ticket = self._asked
        self._force = self._force or force
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if self._covered < ticket:
                covered, self._covered = self._covered, self._asked
                forced, self._force = self._force, False
                known = None if forced else self.current.version
                try:
                    with loop_first_while_building():
                        fresh = await self._rebuilder.build(known)
                        if fresh is not None:
                            self._swap(fresh)
                            # immutable and acyclic: later full collections need not scan
                            # it. Freezing also keeps any cyclic garbage there is now; 300
                            # updates through the bot left none for a full collection.
                            gc.freeze()
                except BaseException:
                    self._covered = covered  # the next request tries again
                    self._force = self._force or forced
                    raise
        return self._swaps != swaps

    def _swap(self, fresh: Snapshot) -> None:
        """Serve `fresh` from now on; the old snapshot is freed in a worker thread."""
        box: list[Any] = [self.current]
        self.current = fresh
        self._swaps += 1
        threading.Thread(target=release_gradually, args=(box,), daemon=True).start()
