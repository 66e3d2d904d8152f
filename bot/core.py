"""The plain-Python service the CLI and the Telegram layer share: no Telegram here.

    text -> normalize -> match (current index) -> record claim + submission -> result

The index is immutable; `Core.refresh()` builds a new one from the database and swaps the
reference, so a reader always sees one consistent snapshot. The bot uses
`Core.refresh_async()`, which builds in a worker thread (seconds for 20,000 statements) while
the event loop keeps answering from the current snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlite_utils import Database

import storage
from bot.matcher.index import IndexDoc, MatchIndex
from bot.matcher.match import MatchResult, Tier, match_text
from bot.sources.urls import normalize_url, unique_keys
from storage import Statement
from storage.db import BUSY_TIMEOUT_MS
from storage.people import Subscription, subscribed_claim_ids, subscriptions_for_claim
from storage.sources import answered_statement_ids_for_links, record_claim_links

log = logging.getLogger(__name__)

STARTER_BASE = "starter_base.jsonl"
STARTER_ACTOR = "starter-base"


def starter_base_path() -> Path:
    return Path(str(resources.files("bot") / "data" / STARTER_BASE))


def seed_if_empty(db: Database) -> int:
    """Fill a brand-new database with the starter base; returns statements imported.

    Only a database that has never held a statement is seeded, so an operator who retires
    or replaces the starter statements does not see them come back.
    """
    if db["statements"].count or db["audit_log"].count:
        return 0
    parsed = storage.parse_statements_file(starter_base_path())
    if not parsed.ok:  # a packaging bug, not a user error: fail loudly
        raise RuntimeError("starter base is invalid: " + "; ".join(parsed.errors))
    summary = storage.import_statements(db, parsed.rows, actor=STARTER_ACTOR)
    log.info("seeded %d starter statements", summary.created)
    return summary.created


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
#: waits up to this long for the GIL each time it comes back from I/O (every SQLite call,
#: every socket send); Python's default of 5 ms made a claim answered during a build twice
#: as slow (p50 21 ms instead of 9 at 20,000 statements), 1 ms keeps it near (13 ms).
BUILD_SWITCH_INTERVAL = 0.001

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


@dataclass(frozen=True, slots=True)
class Answer:
    result: MatchResult
    statements: tuple[Statement, ...]  # the matched statements, best first
    duplicate: bool  # the same update was already recorded
    claim_id: int | None  # None: blank text, nothing to record
    match_ms: float = 0.0  # time spent matching, and storing the claim (for the update log)
    store_ms: float = 0.0
    status: str | None = None  # the stored claim's status: "open" waits in the queue

    @property
    def tier(self) -> Tier:
        return self.result.tier


@dataclass(frozen=True, slots=True)
class Who:
    """Where a claim came from, as stored: channel, keyed hashes (never raw ids), the
    update (so a redelivered update is recognised), and whether someone asked."""

    channel: str
    user_hash: str | None = None
    chat_hash: str | None = None
    update_id: int | None = None
    asked: bool = True


@dataclass(slots=True)
class _Pending:
    """A matched claim on its way to storage, timed for the update log."""

    result: MatchResult
    statements: tuple[Statement, ...]
    record: dict[str, Any] | None  # for storage.record_submission; None: nothing to record
    started: float
    matched: float = field(default_factory=time.perf_counter)

    def answer(self, recorded: storage.SubmissionResult | None) -> Answer:
        match_ms = (self.matched - self.started) * 1000
        if recorded is None:
            return Answer(self.result, self.statements, False, None, match_ms)
        store_ms = (time.perf_counter() - self.matched) * 1000
        return Answer(
            self.result, self.statements, recorded.duplicate, recorded.claim.id,
            match_ms, store_ms, recorded.claim.status,
        )  # fmt: skip


class GroupCommit:
    """Claims submitted during one event-loop iteration, stored in one transaction.

    The first `submit` of an iteration schedules `flush` with `call_soon`, so it runs once
    every handler that was ready has reached its write. Each claim keeps its own savepoint
    (`storage.record_submission`): one that fails fails alone.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending: list[tuple[dict[str, Any], asyncio.Future[storage.SubmissionResult]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # where the next flush runs

    def submit(self, record: dict[str, Any]) -> asyncio.Future[storage.SubmissionResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[storage.SubmissionResult] = loop.create_future()
        if not self.pending or self._loop is not loop:  # (a closed loop's flush never ran)
            self._loop = loop
            loop.call_soon(self.flush)
        self.pending.append((record, future))
        return future

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        outcomes: list[storage.SubmissionResult | Exception] = []
        try:
            with storage.transaction(self.db):
                for record, _ in batch:
                    try:
                        outcomes.append(storage.record_submission(self.db, **record))
                    except Exception as exc:  # rolled back to its savepoint; the rest go on
                        if not self.db.conn.in_transaction:
                            raise  # the error ended the whole transaction: nothing stored
                        outcomes.append(exc)
        except Exception as exc:
            outcomes = [exc] * len(batch)
        log.debug("group commit of %d claims", len(batch))
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done() or future.get_loop().is_closed():  # its caller is gone (shutdown)
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _who(core: Core, who: Who | None, options: dict[str, Any]) -> Who:
    if who is not None and options:
        raise TypeError("give either who= or the options of Core.who, not both")
    return who if who is not None else core.who(**options)


class Core:
    """Database plus the current index; one per process."""

    def __init__(self, db: Database, secret: str) -> None:
        self.db = db
        self.secret = secret
        self.snapshot = self._build()
        self._commits = GroupCommit(db)
        path = database_file(db)
        self._rebuilder = Rebuilder(path) if path else None  # None: in memory (tests)
        self._refresh_lock: asyncio.Lock | None = None
        self._asked = 0  # refresh_async requests so far
        self._covered = 0  # requests the snapshot (or its check) began after
        self._force = False  # a request not yet covered asked for force
        self._swaps = 0  # snapshots swapped in since start

    @classmethod
    def open(cls, db_path: str | Path, secret: str, *, seed: bool = True) -> Core:
        db = storage.open_db(db_path)
        if seed:
            seed_if_empty(db)
        return cls(db, secret)

    def close(self) -> None:
        """Close the database; a rebuild still reading it finishes its read first."""
        if self._rebuilder is not None:
            self._rebuilder.close()
        self.db.close()

    def _build(self) -> Snapshot:
        found = read_servable(self.db)
        assert found is not None  # no known version to compare with
        return snapshot_of(*found)

    def refresh(self, *, force: bool = False) -> bool:
        """Swap in a new index if statements changed (here or in another process).

        Builds on the calling thread: for the CLI and tests. The bot uses `refresh_async`.
        """
        if not force and storage.data_version(self.db) == self.snapshot.version:
            return False
        self.snapshot = self._build()
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
                known = None if forced else self.snapshot.version
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
        box: list[Any] = [self.snapshot]
        self.snapshot = fresh
        self._swaps += 1
        threading.Thread(target=release_gradually, args=(box,), daemon=True).start()

    def match(self, text: str) -> tuple[MatchResult, tuple[Statement, ...]]:
        """Match without recording (moderators' previews, evaluation)."""
        snap = self.snapshot
        result = match_text(snap.index, text)
        return result, tuple(snap.statements[m.statement_id] for m in result.matches)

    def link_answer(self, urls: tuple[str, ...]) -> tuple[Statement, str] | None:
        """The one current statement these links point to, and how: "source" or "seen".

        "source": the link is a statement's own source (as stored, then normalized: scheme,
        `www.`, tracking parameters, trailing slash). "seen": earlier claims carrying the
        same link were answered with it. A body's homepage shared by many statements answers
        nothing by itself, and neither does a link earlier claims were answered differently
        for (see `storage.sources.answered_statement_ids_for_links`).
        """
        for url in urls:
            found = [s for s in storage.statements_with_source(self.db, url) if s.is_current()]
            if len(found) == 1:
                return found[0], "source"
        keys = unique_keys(urls)
        if not keys:
            return None
        snap = self.snapshot
        for key in keys:
            if len(snap.by_source_key.get(key, ())) == 1:
                return snap.by_source_key[key][0], "source"
        for key in keys:
            if "/" not in key:  # a site's root says nothing about which claim it is
                continue
            answered = answered_statement_ids_for_links(self.db, [key])
            if len(answered) == 1 and answered[0] in snap.by_rowid:
                return snap.by_rowid[answered[0]], "seen"
        return None

    def remember_links(self, claim_id: int | None, urls: tuple[str, ...]) -> None:
        """Keep a claim's links (normalized) so the same link later gets the same answer."""
        if claim_id is not None and urls:
            record_claim_links(self.db, claim_id, unique_keys(urls))

    def pseudonym(self, telegram_id: int | None) -> str | None:
        """The keyed hash stored for a user or chat id: the one place ids are hashed."""
        return None if telegram_id is None else storage.hash_user_id(self.secret, telegram_id)

    def who(
        self,
        channel: str,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        update_id: int | None = None,
        asked: bool = True,
    ) -> Who:
        """`Who` from raw ids (the CLI and tests; the bot hashes once per update)."""
        return Who(channel, self.pseudonym(user_id), self.pseudonym(chat_id), update_id, asked)

    def check(self, text: str, who: Who | None = None, **options: Any) -> Answer:
        """Match a claim and record it before anyone is answered (blank text is not a claim).

        `who` says where it came from; or options as `Core.who`: `channel`, `user_id`,
        `chat_id`, `update_id`, and `asked=False` for texts the bot only saw (automatic
        checks in groups): they count toward trends but stay out of the moderators' queue
        (`storage.record_submission`).
        """
        pending = self._match_for_record(text, _who(self, who, options))
        if pending.record is None:
            return pending.answer(None)
        return pending.answer(storage.record_submission(self.db, **pending.record))

    async def check_async(self, text: str, who: Who | None = None, **options: Any) -> Answer:
        """`check` for the bot's event loop, with group commit: the claims of all updates that
        reach this point in the same loop iteration are stored in one transaction, so one
        fsync (synchronous=FULL) serves them all. Each is still committed before its caller
        answers; alone, a claim costs what `check` costs."""
        pending = self._match_for_record(text, _who(self, who, options))
        if pending.record is None:
            return pending.answer(None)
        return pending.answer(await self._commits.submit(pending.record))

    def _match_for_record(self, text: str, who: Who) -> _Pending:
        """The match, and what `storage.record_submission` needs (None: nothing to record).

        Not the "readable" rule (`bot.claims.readable`, applied before this): only what can
        be stored at all. A text of links alone is stored as typed; an empty or unprintable
        reading is not."""
        started = time.perf_counter()
        result, statements = self.match(text)
        best = result.best
        normalized = result.query.text or " ".join(text.split()).lower()[:4000]
        if not normalized.isprintable() or not normalized.strip():
            return _Pending(result, statements, None, started)
        record = {
            "text": text,
            "normalized": normalized,
            "channel": who.channel,
            "user_hash": who.user_hash,
            "chat_hash": who.chat_hash,
            "update_id": who.update_id,
            "best_statement_external_id": best.statement_id if best else None,
            "best_score": best.score if best else None,
            "tier": result.tier.value,
            "asked": who.asked,
        }
        return _Pending(result, statements, record, started)

    def due_notifications(self) -> list[tuple[Subscription, Statement]]:
        """ "Kabari saya" requests that a current statement now answers, with that statement.

        A subscribed claim is answered when a moderator linked it to a served statement, or
        when its text now matches one confidently, both as of the current snapshot (callers
        refresh first; the bot off its event loop). Nothing is changed here: the caller
        removes each request once delivered (or undeliverable).
        """
        snap = self.snapshot
        due: list[tuple[Subscription, Statement]] = []
        for claim_id in subscribed_claim_ids(self.db):
            claim = storage.get_claim(self.db, claim_id)
            if claim is None or claim.status == "dismissed":
                continue
            statement = None
            if claim.status == "answered" and claim.best_statement_id in snap.by_rowid:
                statement = snap.by_rowid[claim.best_statement_id]
            else:
                result = match_text(snap.index, claim.text)
                if result.tier is Tier.CONFIDENT and result.best is not None:
                    statement = snap.statements[result.best.statement_id]
            if statement is not None:
                due.extend((sub, statement) for sub in subscriptions_for_claim(self.db, claim_id))
        return due
