"""A snapshot of the served statements and how the next one is made from what changed.

Plain functions over storage and the matcher, run in a worker thread by bot/indexing.py:
`read_changes` reads what changed since a snapshot in one read transaction, and
`next_snapshot` applies it in place (only the changed statements are normalized) or, when
there is nothing to start from or most statements changed, builds afresh (`snapshot_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
from sqlite_utils import Database

import storage
from bot.matcher import paced, packed, saved
from bot.matcher.heap import held_back
from bot.matcher.index import MatchIndex
from bot.matcher.layered import Layered
from bot.matcher.postings import DocTerms, IndexDoc
from bot.pacing import at_half_speed
from bot.sources.urls import normalize_url
from storage import Statement

log = logging.getLogger(__name__)

SAVE_STEP = 2_000  # statements digested between the save's pauses (`at_half_speed`)


def index_docs(statements: list[Statement]) -> list[IndexDoc]:
    return [
        IndexDoc(s.external_id, s.claim, tuple(s.variants), s.clarification) for s in statements
    ]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent view for answering: the index and the statements it was built from."""

    index: MatchIndex
    # lookups shared with the snapshots made from this one in place (bot/matcher/layered.py)
    statements: Layered[str, Statement]  # by external id
    version: int
    by_rowid: Layered[int, Statement]
    by_source_key: Layered[str, list[Statement]]  # normalized source URL -> its statements
    seq: int = 0  # the last statement change taken in (storage.statement_changes)
    day: date | None = None  # the Jakarta date the servable rule was read for
    # made from the snapshot before by changes in place: shares almost all of it
    in_place: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """What changed since a snapshot, read in one read transaction: every servable statement
    (`full`), or the statements changed since the snapshot's `seq`, whatever their status."""

    version: int
    seq: int
    day: date
    statements: list[Statement]
    full: bool
    changed: frozenset[int] = frozenset()  # a partial reading: the statements' rowids logged
    # what `cekklaim import` kept of these texts, by statement id (bot/matcher/packed.py)
    kept: Mapping[str, bytes] = field(default_factory=dict)


def read_changes(db: Database, current: Snapshot | None, *, force: bool = False) -> Reading | None:
    """What the next snapshot needs; None if nothing changed since `current`.

    Reads only the changed statements when the change log still holds everything since
    `current` and the day is the same (a new day can end a statement's validity without
    any write); everything otherwise, or when `force`d.
    """
    begun = not db.conn.in_transaction
    if begun:
        db.conn.execute("BEGIN")
    try:
        version = storage.data_version(db)
        day = storage.today_wib()
        same_day = current is not None and current.day == day
        if not force and same_day and current is not None and version == current.version:
            return None
        if not force and same_day and current is not None:
            found = storage.changed_since(db, current.seq)
            if found is not None:
                seq, changed = found
                found_now = storage.statements_by_rowid(db, changed)
                kept = kept_terms(db, found_now)
                return Reading(version, seq, day, found_now, False, frozenset(changed), kept)
        seq = storage.change_seq(db)
        statements = storage.servable_statements(db, day)
        # a first reading's caller knows which statements it must read (`started`)
        kept = kept_terms(db, statements) if current is not None else {}
        return Reading(version, seq, day, statements, True, kept=kept)
    finally:
        if begun:
            db.conn.execute("COMMIT")  # nothing written: ends the read transaction


def kept_terms(db: Database, statements: list[Statement]) -> dict[str, bytes]:
    """What `cekklaim import` kept of these statements' texts as they are now (their index
    entries, packed), by statement id; a statement whose text has none is read (normalized)
    when it is taken in."""
    docs = index_docs(statements)
    keys = [packed.key(d) for d in docs]  # a digest of each text: once (1 s at 100,000)
    kept = storage.index_terms(db, keys)
    found = packed.by_statement(docs, kept, keys)
    paced.emptied(docs, keys, kept)  # let go at the return, 40 ms of the GIL at 100,000
    return found


def doc_terms(statements: list[Statement], kept: Mapping[str, bytes]) -> list[DocTerms]:
    """The statements as the index reads them: unpacked from `kept`, or read afresh."""
    return [packed.read_kept(doc, kept) for doc in index_docs(statements)]


def snapshot_of(
    version: int,
    statements: list[Statement],
    seq: int = 0,
    day: date | None = None,
    index: MatchIndex | None = None,
    kept: Mapping[str, bytes] | None = None,
    known: Mapping[str, str] | None = None,
) -> Snapshot:
    """Lookups over `statements` and a fresh index of them, or `index` when it holds them
    already. The slow part is normalizing each statement: one whose text `kept` holds
    (`kept_terms`: what `cekklaim import` stored) is unpacked instead. `known`: source
    links already normalized (`source_keys` of the snapshot before)."""
    if index is None:
        with held_back():  # bot/matcher/heap.py
            built, _ = packed.build(index_docs(statements), kept or {})
            order = np.array([s.id for s in statements], dtype=np.int64)
            index = MatchIndex.from_built(built._replace(order=order))
            del built
    by_source_key: dict[str, list[Statement]] = {}
    normalized: dict[str, str | None] = {}  # links met in this build: most are shared
    for statement in statements:
        url = statement.source_url
        if not url:
            continue
        key = known.get(url) if known is not None else None
        if key is None:
            if url in normalized:
                key = normalized[url]
            else:
                key = normalized[url] = normalize_url(url)
        if key:
            by_source_key.setdefault(key, []).append(statement)
    return Snapshot(
        index,
        Layered({s.external_id: s for s in statements}),
        version,
        Layered({s.id: s for s in statements}),
        Layered(by_source_key),
        seq,
        day,
    )


def _source_key(statement: Statement) -> str | None:
    return normalize_url(statement.source_url) if statement.source_url else None


def source_keys(snapshot: Snapshot) -> dict[str, str]:
    """Each source link of a snapshot's statements (as stored) and its key: a fresh build
    after it normalizes only the links it did not have (a second at 100,000 statements)."""
    return {
        s.source_url: key
        for key, group in snapshot.by_source_key.items()
        for s in group
        if s.source_url
    }


def _fresh(reading: Reading, current: Snapshot | None = None) -> Snapshot:
    known = source_keys(current) if current is not None else None
    return snapshot_of(
        reading.version,
        reading.statements,
        reading.seq,
        reading.day,
        kept=reading.kept,
        known=known,
    )


def next_snapshot(current: Snapshot | None, reading: Reading, *, rebuild: bool = False) -> Snapshot:
    """The snapshot after `reading`: `current` with the changed statements applied in
    place (only those are normalized), or a fresh build when asked to (`rebuild`), when
    there is none to start from, or when most statements changed."""
    if reading.full:
        if current is None or rebuild:
            return _fresh(reading, current)
        fresh = {s.external_id: s for s in reading.statements}
        changed = [s for s in reading.statements if current.statements.get(s.external_id) != s]
        gone = [sid for sid in current.statements if sid not in fresh]
        if 2 * (len(changed) + len(gone)) > len(reading.statements):
            return _fresh(reading, current)
        return apply_changes(current, changed, gone, reading)
    assert current is not None  # a partial reading is always relative to a snapshot
    changed = [
        s
        for s in reading.statements
        if s.is_current(reading.day) and current.statements.get(s.external_id) != s
    ]
    gone = [
        s.external_id
        for s in reading.statements
        if not s.is_current(reading.day) and s.external_id in current.statements
    ]
    still = {s.id for s in reading.statements}
    gone += [  # deleted rows: logged, but no longer there to read
        current.by_rowid[rowid].external_id
        for rowid in sorted(reading.changed - still)
        if rowid in current.by_rowid
    ]
    return apply_changes(current, changed, gone, reading)


def apply_changes(
    current: Snapshot, changed: list[Statement], gone: list[str], reading: Reading
) -> Snapshot:
    """`current` with `changed` statements added or replaced and `gone` ones removed."""
    docs = doc_terms(changed, reading.kept)
    index = current.index.with_changes(docs, gone, [s.id for s in changed])
    leaving = [current.statements[sid] for sid in gone] + [
        current.statements[s.external_id] for s in changed if s.external_id in current.statements
    ]
    # each source key's statements as they end up: only the keys these statements touch
    sources: dict[str, list[Statement]] = {}
    for old in leaving:
        key = _source_key(old)
        if key and key in current.by_source_key:
            group = sources.get(key, current.by_source_key[key])
            sources[key] = [s for s in group if s.external_id != old.external_id]
    for new in changed:
        key = _source_key(new)
        if key:
            group = sources.get(key, current.by_source_key.get(key) or [])
            # in database order, as a fresh build lists them
            sources[key] = sorted((*group, new), key=lambda s: s.id)
    statements = current.statements.changed(
        [old.external_id for old in leaving], [(s.external_id, s) for s in changed]
    )
    by_rowid = current.by_rowid.changed([old.id for old in leaving], [(s.id, s) for s in changed])
    by_source_key = current.by_source_key.changed(
        [key for key, group in sources.items() if not group],
        [(key, group) for key, group in sources.items() if group],
    )
    return Snapshot(
        index, statements, reading.version, by_rowid, by_source_key, reading.seq, reading.day, True
    )


def compacted(snapshot: Snapshot) -> Snapshot:
    """The same snapshot with its index's changes folded into one base (no normalizing)."""
    return replace(snapshot, index=snapshot.index.compacted(), in_place=True)


# --------------------------------------------------------------------------- a saved index


def started(
    reading: Reading,
    path: Path | None,
    kept: Callable[[list[Statement]], Mapping[str, bytes]] = lambda _: {},
    save: Callable[[Snapshot, Path], None] | None = None,
) -> Snapshot:
    """The first snapshot of a process: from the index saved at `path` when there is one,
    with what changed since it was saved applied in place (a statement whose text, or place
    in the database, differs from what the file holds is taken in again); built afresh and
    saved otherwise (by `save`, `keep` by default). `kept`: what `cekklaim import` kept of
    some statements' texts."""
    loaded = saved.load(path) if path is not None else None
    if loaded is not None:
        docs = index_docs(reading.statements)
        keys = {k: int(v) for k, v in zip(loaded.index.ids, loaded.order.tolist(), strict=True)}
        changed = [
            s
            for s, doc in zip(reading.statements, docs, strict=True)
            if loaded.digests.get(s.external_id) != saved.digest(doc)
            or keys.get(s.external_id) != s.id
        ]
        present = {s.external_id for s in reading.statements}
        gone = [sid for sid in loaded.digests if sid not in present]
        if 2 * (len(changed) + len(gone)) <= len(reading.statements):
            terms = doc_terms(changed, kept(changed))
            index = loaded.index.with_changes(terms, gone, [s.id for s in changed])
            return snapshot_of(reading.version, reading.statements, reading.seq, reading.day, index)
    fresh = next_snapshot(None, replace(reading, kept=kept(reading.statements)))
    if path is not None:
        (save or keep)(fresh, path)
    return fresh


def keep(snapshot: Snapshot, path: Path) -> None:
    """Save the snapshot's index for the next start, if it has no changes in place (fresh
    or folded). Failing to save costs only the next start's speed."""
    if snapshot.index.changes:
        return
    statements = (snapshot.statements[i] for i in snapshot.index.ids)
    digests = [
        saved.digest(IndexDoc(s.external_id, s.claim, tuple(s.variants), s.clarification))
        for s in at_half_speed(statements, SAVE_STEP)
    ]
    try:
        saved.save(snapshot.index, digests, path, paced=lambda steps: at_half_speed(steps, 1))
    except OSError as exc:
        log.warning("could not save the index to %s: %s", path, exc)
