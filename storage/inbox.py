"""The inbox: raw Telegram updates kept durably from arrival until their handlers finish.

Long polling confirms updates to Telegram with the next getUpdates call, before the bot's
handlers have necessarily run; a crash in between would lose them. Each fetched batch is
therefore inserted in one transaction as it arrives (`store_batch`, synced to disk like
every claim), marked done once handled (`mark_done`, written at once but not synced), and
whatever is still pending at the next start is handled again then (`take_pending`).

An update that cannot be stored, parsed or handled is set aside (`set_aside`): kept by id
with the reason in `set_aside_updates`, its inbox row done, so the others go on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

__all__ = [
    "MAX_ATTEMPTS",
    "StoredBatch",
    "count_attempt",
    "inbox_counts",
    "mark_done",
    "prune_inbox",
    "set_aside",
    "store_batch",
    "take_pending",
    "update_kinds",
]


def _mark_done(db: Database, update_ids: Sequence[int], now: str) -> None:
    db.conn.executemany(
        "UPDATE inbox SET done_at = ?, raw = NULL WHERE update_id = ? AND done_at IS NULL",
        [(now, uid) for uid in update_ids if -(2**63) <= uid < 2**63],  # others never stored
    )


@dataclass(frozen=True, slots=True)
class StoredBatch:
    known: set[int]  # already in the inbox: redeliveries the caller must not handle again
    set_aside: list[tuple[int | None, str, str]]  # (update_id, kinds, reason): not stored


def store_batch(
    db: Database,
    updates: Sequence[dict[str, Any]],
    done: Sequence[int] = (),
    aside: Sequence[tuple[int | None, str, str]] = (),
    *,
    wait: bool = True,
) -> StoredBatch:
    """Insert a fetched batch, mark `done` ids and set `aside` entries, in one transaction.

    An update that cannot be stored (an id SQLite cannot hold, say) is set aside in the same
    transaction instead of failing the batch; a database error (busy, read-only, corrupt)
    fails the whole batch, which the caller leaves unconfirmed (`wait=False`: `Busy` at
    once when another connection holds the write lock, see `transaction`).
    """
    now = utcnow_iso()
    known: set[int] = set()
    failed: list[tuple[int | None, str, str]] = []
    with transaction(db, wait=wait):
        try:
            with transaction(db):  # a savepoint: the fast path, the whole batch at once
                known = _insert(db, updates, now)
        except sqlite3.Error:
            raise
        except Exception:  # one of them cannot be stored: find it, store the rest
            for update in updates:
                try:
                    with transaction(db):
                        known |= _insert(db, [update], now)
                except sqlite3.Error:
                    raise
                except Exception as exc:
                    reason = f"cannot be stored ({type(exc).__name__})"
                    failed.append((_storable_id(update), update_kinds(update), reason))
        if done:
            _mark_done(db, done, now)
        set_aside(db, [*aside, *failed])
    return StoredBatch(known, failed)


def _storable_id(update: dict[str, Any]) -> int | None:
    uid = update.get("update_id")
    return uid if isinstance(uid, int) and -(2**63) <= uid < 2**63 else None


def _insert(db: Database, updates: Sequence[dict[str, Any]], now: str) -> set[int]:
    known: set[int] = set()
    for update in updates:
        uid = int(update["update_id"])
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?)",
            [uid, _dump(update), now],
        )
        if cur.rowcount == 0:
            known.add(uid)
    return known


def _dump(update: dict[str, Any]) -> str:
    """The update as JSON text SQLite can store: UTF-8 where possible, else ASCII escapes.

    Telegram's JSON may hold a lone surrogate ("\\ud800"): valid JSON, and Python reads it
    into a str, but no UTF-8 can encode it and SQLite stores text as UTF-8, so the insert
    failed and with it the whole batch, fetched again forever. Escaped, it is stored and read
    back exactly (`json.loads` restores the same str).
    """
    text = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(update, separators=(",", ":"))
    return text


def update_kinds(update: object) -> str:
    """What an update holds ("message", "callback_query"...), never its content."""
    if not isinstance(update, dict):
        return type(update).__name__
    return ",".join(sorted(str(k) for k in update if k != "update_id"))[:80]


def set_aside(db: Database, entries: Sequence[tuple[int | None, str, str]]) -> None:
    """Set updates aside, each `(update_id, kinds, reason)`: recorded once by id, and their
    inbox rows marked done (raw text dropped) so no restart takes them up again."""
    if not entries:
        return
    now = utcnow_iso()
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO set_aside_updates (update_id, kinds, reason, set_aside_at) "
            "VALUES (?, ?, ?, ?)",
            [(uid, kinds, reason[:200], now) for uid, kinds, reason in entries],
        )
        _mark_done(db, [uid for uid, _, _ in entries if uid is not None], now)


def mark_done(db: Database, update_ids: Sequence[int], *, wait: bool = True) -> None:
    """Mark updates handled and drop their raw JSON, without waiting for the disk.

    The commit reaches the operating system at once, so it survives the bot being killed;
    only a power loss before the next synced commit can undo it, and then the update is
    merely handled again (claims are deduplicated by update_id). Skipping the fsync keeps
    the cost per update to one small write (`wait=False`: see `transaction`).
    """
    if update_ids:
        now = utcnow_iso()
        _unsynced(db, lambda: _mark_done(db, update_ids, now), wait=wait)


def _unsynced(db: Database, write: Callable[[], object], *, wait: bool = True) -> None:
    """One small transaction committed without an fsync (restoring the connection's level)."""
    if db.conn.in_transaction or db.memory:
        with transaction(db, wait=wait):
            write()
        return
    (level,) = db.execute("PRAGMA synchronous").fetchone()
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction(db, wait=wait):
            write()
    finally:
        db.execute(f"PRAGMA synchronous = {int(level)}")


MAX_ATTEMPTS = 3  # an update redone this often after restarts without finishing is given up
MAX_AGE = timedelta(hours=24)  # Telegram keeps an unconfirmed update as long, no longer


def take_pending(db: Database) -> tuple[list[dict[str, Any]], list[int]]:
    """The updates stored but never marked done, oldest first, to be handled at start, and
    the ids of those given up.

    Done is marked right after an update's handlers finished, so a pending update was cut
    short: its reply had not gone out. Handling it again records nothing twice (claims are
    deduplicated by update_id, feedback and subscriptions are upserts) and sends the reply.
    An update already redone MAX_ATTEMPTS times (`count_attempt`) without finishing is what
    keeps killing the bot: it is set aside unhandled, so the bot can serve everyone else.
    So is one older than MAX_AGE (a bot down for days, a database restored from a backup):
    an answer that late would only confuse.
    """
    oldest = (datetime.now(UTC) - MAX_AGE).isoformat(timespec="milliseconds")
    with transaction(db):
        rows = db.execute(
            "SELECT update_id, raw, attempts >= ?, received_at < ? FROM inbox "
            "WHERE done_at IS NULL ORDER BY update_id",
            [MAX_ATTEMPTS, oldest],
        ).fetchall()
        pending: list[dict[str, Any]] = []
        given_up: list[tuple[int, str, str]] = []
        for uid, raw, crashed, old in rows:
            update = _loads(raw)
            if crashed or old or not isinstance(update, dict):
                reason = (
                    f"redone {MAX_ATTEMPTS} times without finishing" if crashed
                    else f"older than {MAX_AGE}" if old
                    else "its stored copy is unreadable"
                )  # fmt: skip
                given_up.append((uid, update_kinds(update), reason))
            else:
                pending.append(update)
        set_aside(db, given_up)
    return pending, [uid for uid, _, _ in given_up]


def _loads(raw: str | None) -> object:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def count_attempt(db: Database, update_id: int) -> None:
    """A redone update is about to be handled (not synced, like `mark_done`: a crash of the
    process is what it counts)."""
    _unsynced(
        db,
        lambda: db.execute(
            "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", [update_id]
        ),
    )


def prune_inbox(db: Database, older_than: timedelta) -> int:
    """Delete rows done longer ago than `older_than`; returns how many."""
    cutoff = (datetime.now(UTC) - older_than).isoformat(timespec="milliseconds")
    with transaction(db):
        cur = db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", [cutoff])
    return cur.rowcount


def inbox_counts(db: Database) -> dict[str, int]:
    """How many rows are pending and done (for tests, the bench and operators)."""
    pending, done = db.execute(
        "SELECT COUNT(*) FILTER (WHERE done_at IS NULL), COUNT(*) FILTER (WHERE done_at "
        "IS NOT NULL) FROM inbox"
    ).fetchone()
    return {"pending": pending, "done": done}
