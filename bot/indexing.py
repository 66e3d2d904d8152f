"""The matcher's index over the served statements: kept up to date in place, off the loop.

Matching must never wait for the index. Each `Snapshot` is immutable: every reader keeps one
consistent view. When statements change (a moderator here, `cekklaim import` in another
process), `Snapshots.refresh_async` reads in a worker thread which statements changed
(storage's change log), normalizes only those and makes the next snapshot by applying them to
the current index (`MatchIndex.with_changes`: milliseconds, whatever the size of the base),
then swaps the reference at once; a moderator's committed change is served to their next
action. Changes applied in place are folded into a new base off the loop once they pile up.
Only a fresh start, a forced refresh or a change to most statements builds from scratch.
`Snapshots.refresh` does the same on the calling thread, for the CLI and tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlite_utils import Database

import storage
from bot.matcher import paced
from bot.pacing import loop_first_while_building, release_gradually
from bot.snapshot import (
    Snapshot,
    compacted,
    keep,
    kept_terms,
    next_snapshot,
    read_changes,
    started,
)
from storage.db import BUSY_TIMEOUT_MS, database_file

log = logging.getLogger(__name__)


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
        self._pruning = threading.Lock()
        self._closed = False

    async def build(self, current: Snapshot | None, force: bool = False) -> Snapshot | None:
        """`build_here` in a worker thread; the caller's loop is free meanwhile."""
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
                result, error = self.build_here(current, force), None
            except BaseException as exc:  # delivered to the awaiting caller
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=work, name="cekklaim-index", daemon=True).start()
        return await future

    def build_here(self, current: Snapshot | None, force: bool = False) -> Snapshot | None:
        """Read what changed since `current` with a connection of this thread, then build
        the next snapshot without one; None if nothing changed."""
        with self._reading:
            if self._closed:
                return None
            reader = Database(sqlite3.connect(self.path))
            try:
                reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                reader.execute("PRAGMA query_only = ON")
                found = read_changes(reader, current, force=force)
            finally:
                reader.close()
        if found is None:
            return None
        fresh = next_snapshot(current, found, rebuild=force)
        # what was read, let go here a block at a time: at the return, 30 ms of the GIL
        paced.emptied(found.statements, *([found.kept] if isinstance(found.kept, dict) else []))
        return fresh

    def prune(self, upto: int) -> None:
        """Forget the statement changes up to `upto` with a connection of this thread, a
        step at a time (`PRUNE_STEP`): the first after an import of 100,000 statements
        deleted them all on the event loop in one go, a stall of a tenth of a second."""
        with self._pruning:
            if self._closed:
                return
            writer = Database(sqlite3.connect(self.path))
            try:
                writer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                storage.prune_changes(writer, upto, step=PRUNE_STEP)
            finally:
                writer.close()

    def close(self) -> None:
        """No read starts after this; returns once a read or prune in progress is done."""
        with self._reading, self._pruning:
            self._closed = True


#: Changes applied in place before they are folded into a new base: each one makes every
#: lookup of a word a little slower (its postings in two places) until then.
COMPACT_MIN = 1_000
COMPACT_SHARE = 0.05
#: Statement changes the bot's snapshots have taken in before they are pruned from the log,
#: and how many sequence numbers a prune forgets per transaction.
PRUNE_EVERY = 10_000
PRUNE_STEP = 2_000


def compact_after(size: int) -> int:
    return max(COMPACT_MIN, int(size * COMPACT_SHARE))


class Snapshots:
    """The snapshot served now for one database, and its rebuilds (one at a time)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        path = database_file(db)
        # the index saved for the next start, beside the database (none in memory)
        self.saved_at = Path(f"{path}.index") if path else None
        self._first_save: threading.Thread | None = None
        with loop_first_while_building():  # no full collection amid the build (~1.5 s)
            self.current = self._build()
        # not frozen here (as after a swap): a freeze now would keep forever any garbage
        # cycle made before, such as another Core never closed (tests leaked connections)
        self._rebuilder = Rebuilder(path) if path else None  # None: in memory (tests)
        self._refresh_lock: asyncio.Lock | None = None
        self._asked = 0  # refresh_async requests so far
        self._covered = 0  # requests the snapshot (or its check) began after
        self._force = False  # a request not yet covered asked for force
        self._swaps = 0  # snapshots swapped in since start
        self._pruned = 0  # statement changes forgotten up to here
        self._pruner: asyncio.Task[None] | None = None  # the bot's prune, off the loop
        self._warming: asyncio.Task[None] | None = None  # the latest view's common words
        self._saving: asyncio.Task[None] | None = None  # the latest save for the next start

    def close(self) -> None:
        """No rebuild reads the database after this; a read in progress finishes first, and
        the first snapshot's save (a command run from the CLI leaves the index saved)."""
        if self._rebuilder is not None:
            self._rebuilder.close()
        self.wait_saved()

    def _build(self) -> Snapshot:
        found = read_changes(self.db, None)
        assert found is not None  # nothing to compare with
        return started(
            found, self.saved_at, lambda some: kept_terms(self.db, some), self._save_in_thread
        )

    def _save_in_thread(self, snapshot: Snapshot, path: Path) -> None:
        """Save the first snapshot's index for the next start in a worker thread: the first
        answer does not wait for it (seconds at 100,000 statements)."""

        def save() -> None:
            with loop_first_while_building():
                keep(snapshot, path)

        self._first_save = threading.Thread(target=save, name="cekklaim-save", daemon=True)
        self._first_save.start()

    def wait_saved(self) -> None:
        """Returns once the first snapshot's index is saved (if it was built afresh)."""
        if self._first_save is not None:
            self._first_save.join()

    def refresh(self, *, force: bool = False) -> bool:
        """Swap in a new index if statements changed (here or in another process).

        Builds on the calling thread: for the CLI and tests. The bot uses `refresh_async`.
        """
        found = read_changes(self.db, self.current, force=force)
        if found is None:
            return False
        fresh = next_snapshot(self.current, found, rebuild=force)
        new_base = not fresh.in_place  # built afresh: saved, as a folded one is
        if fresh.index.changes > compact_after(len(fresh.index)):
            fresh, new_base = compacted(fresh), True
        if self.saved_at is not None and new_base:
            self.wait_saved()  # one writer of the file at a time
            keep(fresh, self.saved_at)
        self.current = fresh
        self._swaps += 1
        self._prune()
        return True

    def _prune(self) -> None:
        """Forget statement changes every snapshot has taken in, once enough pile up."""
        if self.current.seq - self._pruned >= PRUNE_EVERY:
            storage.prune_changes(self.db, self.current.seq)
            self._pruned = self.current.seq

    def _warm_later(self, snapshot: Snapshot) -> None:
        """Work out the common words of a view with changes in a worker thread once it is
        served (`MatchIndex.warm`), until another one is: at 100,000 statements the claims
        right after a change, working them out on the loop, stalled it 0.1-0.3 s; before it
        was served, the change was seen seconds later (a save at start took the GIL)."""
        if not snapshot.index.changes:
            return  # a fresh base has every word's impacts ready

        async def warm() -> None:
            try:
                with loop_first_while_building():
                    await asyncio.to_thread(snapshot.index.warm, lambda: self.current is snapshot)
            except Exception:
                log.exception("could not work out the index's common words")

        self._warming = asyncio.get_running_loop().create_task(warm())

    def _prune_later(self) -> None:
        """`_prune` in a worker thread (`Rebuilder.prune`), one at a time. A failure costs
        only room: the changes stay logged and the next refresh tries again."""
        upto, rebuilder = self.current.seq, self._rebuilder
        busy = self._pruner is not None and not self._pruner.done()
        if rebuilder is None or busy or upto - self._pruned < PRUNE_EVERY:
            return

        async def prune() -> None:
            try:
                await asyncio.to_thread(rebuilder.prune, upto)
            except Exception:
                log.exception("could not prune the statement changes up to %d", upto)
                return
            self._pruned = max(self._pruned, upto)

        self._pruner = asyncio.get_running_loop().create_task(prune())

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
                try:
                    with loop_first_while_building():
                        fresh = await self._rebuilder.build(self.current, forced)
                        if fresh is not None:
                            self._swap(fresh)
                            # immutable and acyclic: later full collections need not scan
                            # it. Freezing also keeps any cyclic garbage there is now; 300
                            # updates through the bot left none for a full collection.
                            gc.freeze()
                            self._warm_later(fresh)
                            self._prune_later()
                            if not fresh.in_place:
                                self._save_later(fresh)
                except BaseException:
                    self._covered = covered  # the next request tries again
                    self._force = self._force or forced
                    raise
                if self.current.index.changes > compact_after(len(self.current.index)):
                    await self._compact()
        return self._swaps != swaps

    async def _compact(self) -> None:
        """Fold the changes into a new base off the loop. A failure costs only speed: the
        changes stay applied in place and the next refresh tries again."""
        before = self.current
        try:
            with loop_first_while_building():
                folded = await asyncio.to_thread(compacted, before)
        except Exception:
            log.exception("could not fold %d index changes", before.index.changes)
            return
        if self.current is before:
            self._swap(folded)
            gc.freeze()
            self._save_later(folded)

    def _save_later(self, snapshot: Snapshot) -> None:
        """Save `snapshot`'s index for the next start in a worker thread, after any save
        still running: what is served does not wait for it (seconds at 100,000 statements)."""
        if self.saved_at is None:
            return
        previous, path = self._saving, self.saved_at

        async def save() -> None:
            await asyncio.to_thread(self.wait_saved)  # one writer of the file at a time
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            with loop_first_while_building():
                await asyncio.to_thread(keep, snapshot, path)

        self._saving = asyncio.get_running_loop().create_task(save())

    async def saved(self) -> None:
        """Returns once the index is saved as of the latest snapshot built afresh or folded."""
        await asyncio.to_thread(self.wait_saved)
        if self._saving is not None:
            await self._saving

    def _swap(self, fresh: Snapshot) -> None:
        """Serve `fresh` from now on. An old snapshot built from scratch is freed piecewise
        in a worker thread; one that `fresh` was made from in place shares almost all of it
        (what is its own is a few containers, freed in milliseconds), and walking the shared
        parts in a thread took the GIL from the loop: at 100,000 statements, the claims right
        after a change took up to 0.7 s."""
        box: list[Any] = [self.current]
        self.current = fresh
        self._swaps += 1
        if not fresh.in_place:
            threading.Thread(target=release_gradually, args=(box,), daemon=True).start()
