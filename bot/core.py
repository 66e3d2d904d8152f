"""The plain-Python service the CLI and the Telegram layer share: no Telegram here.

    text -> normalize -> match (current index) -> record claim + submission -> result

Matching reads one immutable snapshot of the served statements; `Core.refresh()` and
`Core.refresh_async()` (the bot: built off the event loop) replace it whole, see
`bot.indexing`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

import storage
from bot.commits import GroupCommit
from bot.indexing import Snapshots
from bot.lane import Lane
from bot.matcher.match import MatchResult, Tier, match_text
from bot.pacing import building_now
from bot.snapshot import Snapshot
from bot.sources.urls import unique_keys
from storage import Statement
from storage.checkpoints import Checkpoints
from storage.people import (
    Subscription,
    get_language,
    subscribed_claim_ids,
    subscriptions_for_claim,
)
from storage.sources import answered_statement_ids_for_links, record_claim_links
from storage.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

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


class Core:
    """Database plus the current index; one per process."""

    def __init__(self, db: Database, secret: str) -> None:
        self.db = db
        self.secret = secret
        self._snapshots = Snapshots(db)
        self._commits = GroupCommit(db)
        self._checkpoints: Checkpoints | None = None
        self._matching = Lane("cekklaim-match")  # `_off_loop_if_busy`

    @classmethod
    def open(cls, db_path: str | Path, secret: str, *, seed: bool = True) -> Core:
        db = storage.open_db(db_path)
        if seed:
            seed_if_empty(db)
        return cls(db, secret)

    def checkpoint_off_loop(self, on: bool = True) -> None:
        """For the bot while it serves: SQLite's checkpoints of this connection made in a
        worker thread (after claims are committed, and on `wrote`), never inside a commit on
        the event loop (see storage/checkpoints.py). `on=False`: back to SQLite's way."""
        if on and self._checkpoints is None:
            self._checkpoints = Checkpoints(self.db)
            self._commits.committed = self.wrote
        elif not on and self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints, self._commits.committed = None, None

    def commit_off_loop(self, on: bool = True) -> None:
        """For the bot while it serves: citizens' claims committed in a thread of their own,
        on a connection of their own (storage/writer.py), so no COMMIT's sync to disk holds
        the event loop. `on=False`: every claim written so far is committed first."""
        if on and self._commits.writer is None:
            self._commits.writer = Writer.beside(self.db)
        elif not on and self._commits.writer is not None:
            self._commits.writer.close()
            self._commits.writer = None

    async def write_async(self, fn: Callable[[Database], T]) -> T:
        """`fn(db)` where the bot writes: while it serves (`commit_off_loop`), in the writer's
        thread after the claims before it, so a moderator's change waits for another
        writer's lock (a claim's commit, an import's batch) there, never on the event loop;
        on this connection otherwise (CLI, tests in memory)."""
        writer = self._commits.writer
        if writer is None:
            return fn(self.db)
        done = await asyncio.wrap_future(writer.submit(fn))
        self.wrote()
        return done

    def wrote(self) -> None:
        """Something was written: a checkpoint soon if the log grew (`checkpoint_off_loop`)."""
        if self._checkpoints is not None:
            self._checkpoints.poke()

    async def saved(self) -> None:
        """Returns once the latest index saved for the next start is written (a process
        that exits waits for it too: its worker threads are joined)."""
        await self._snapshots.saved()

    def close(self) -> None:
        """Close the database; a rebuild still reading it finishes its read first."""
        self._snapshots.close()
        self._matching.close()
        self.commit_off_loop(False)
        self.checkpoint_off_loop(False)
        self.db.close()

    @property
    def snapshot(self) -> Snapshot:
        """The index and statements served now (replaced whole by a refresh)."""
        return self._snapshots.current

    def refresh(self, *, force: bool = False) -> bool:
        """Serve the statements as stored now, built on the calling thread (CLI, tests);
        True if the snapshot changed. See `bot.indexing.Snapshots.refresh`."""
        return self._snapshots.refresh(force=force)

    async def refresh_async(self, *, force: bool = False) -> bool:
        """`refresh` for the event loop: built in a worker thread, swapped in at once.
        See `bot.indexing.Snapshots.refresh_async`."""
        return await self._snapshots.refresh_async(force=force)

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

    def language(self, user_hash: str) -> str | None:
        """The language this user chose with /bahasa, if any: with `pseudonym`, who is
        asking as every use case names them (`bot.citizens.choose_language` sets it)."""
        return get_language(self.db, user_hash)

    def check(self, text: str, who: Who) -> Answer:
        """Match a claim and record it before anyone is answered (blank text is not a claim).

        `who` says where it came from (`asked=False` for texts the bot only saw: automatic
        checks in groups count toward trends but stay out of the moderators' queue, see
        `storage.record_submission`). Adapters call this through `bot.claims`.
        """
        pending = self._match_for_record(text, who)
        if pending.record is None:
            return pending.answer(None)
        return pending.answer(storage.record_submission(self.db, **pending.record))

    async def check_async(self, text: str, who: Who) -> Answer:
        """`check` for the bot's event loop, with group commit: the claims of all updates that
        reach this point in the same loop iteration are stored in one transaction, so one
        fsync (synchronous=FULL) serves them all. Each is still committed before its caller
        answers; alone, a claim costs what `check` costs. Matched as `match_async` matches."""
        pending = await self._off_loop_if_busy(self._match_for_record, text, who)
        if pending.record is None:
            return pending.answer(None)
        return pending.answer(await self._commits.submit(pending.record))

    async def match_async(self, text: str) -> tuple[MatchResult, tuple[Statement, ...]]:
        """`match` for the event loop: on it, or in the matching thread while another thread
        builds, saves or warms the index (`_off_loop_if_busy`)."""
        return await self._off_loop_if_busy(self.match, text)

    async def _off_loop_if_busy(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` (a match: pure Python and numpy on an immutable snapshot, 2-5 ms at
        100,000 statements) on the loop, or in the one matching thread while a worker thread
        builds, saves or warms the index (`pacing.building_now`). Then the loop shares the
        GIL with that thread, and the claims answered on it stalled it 100-200 ms (a view
        with changes also scores each word on its first use); in the matching thread the loop
        waits at most one switch interval (0.2 ms then) each time it wants the GIL back.
        Not always: the thread waits as long each time *it* wants the GIL back from a busy
        loop, and the bot answered a tenth fewer claims a second (bench/throughput.py)."""
        if building_now():
            return await self._matching.run(work, *args)
        return work(*args)

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
        return [d for c in subscribed_claim_ids(self.db) for d in self._due_for(snap, c)]

    async def due_notifications_async(self) -> list[tuple[Subscription, Statement]]:
        """`due_notifications` for the event loop, which gets a turn after each claim: each
        may be matched (2-5 ms at 100,000 statements), and one statement may answer many."""
        snap, due = self.snapshot, []
        for claim_id in subscribed_claim_ids(self.db):
            due += self._due_for(snap, claim_id)
            await asyncio.sleep(0)
        return due

    def _due_for(self, snap: Snapshot, claim_id: int) -> list[tuple[Subscription, Statement]]:
        """The requests on one subscribed claim, with the statement answering it in `snap`."""
        claim = storage.get_claim(self.db, claim_id)
        if claim is None or claim.status == "dismissed":
            return []
        statement, rowid = None, claim.best_statement_id
        if claim.status == "answered" and rowid is not None and rowid in snap.by_rowid:
            statement = snap.by_rowid[rowid]
        else:
            result = match_text(snap.index, claim.text)
            if result.tier is Tier.CONFIDENT and result.best is not None:
                statement = snap.statements[result.best.statement_id]
        if statement is None:
            return []
        return [(sub, statement) for sub in subscriptions_for_claim(self.db, claim_id)]
