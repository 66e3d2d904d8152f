"""The inbox: raw Telegram updates kept durably from arrival until their handlers finish.

Long polling confirms updates to Telegram with the next getUpdates call, before the bot's
handlers have necessarily run; a crash in between would lose them. Each fetched batch is
therefore inserted in one transaction as it arrives (`store_batch`, synced to disk like
every claim), marked done once handled (`mark_done`, written at once but not synced), and
whatever is still pending at the next start is handled again then (`take_pending`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

__all__ = [
    "MAX_ATTEMPTS",
    "count_attempt",
    "inbox_counts",
    "mark_done",
    "prune_inbox",
    "store_batch",
    "take_pending",
]


def _mark_done(db: Database, update_ids: Sequence[int], now: str) -> None:
    db.conn.executemany(
        "UPDATE inbox SET done_at = ?, raw = NULL WHERE update_id = ? AND done_at IS NULL",
        [(now, uid) for uid in update_ids],
    )


def store_batch(
    db: Database, updates: Sequence[dict[str, Any]], done: Sequence[int] = ()
) -> set[int]:
    """Insert a fetched batch (and mark `done` ids) in one transaction, one commit.

    Returns the ids that were already in the inbox: redeliveries of updates that are done or
    being handled, which the caller must not handle again.
    """
    now = utcnow_iso()
    known: set[int] = set()
    with transaction(db):
        for update in updates:
            uid = int(update["update_id"])
            cur = db.conn.execute(
                "INSERT OR IGNORE INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?)",
                [uid, json.dumps(update, ensure_ascii=False, separators=(",", ":")), now],
            )
            if cur.rowcount == 0:
                known.add(uid)
        if done:
            _mark_done(db, done, now)
    return known


def mark_done(db: Database, update_ids: Sequence[int]) -> None:
    """Mark updates handled and drop their raw JSON, without waiting for the disk.

    The commit reaches the operating system at once, so it survives the bot being killed;
    only a power loss before the next synced commit can undo it, and then the update is
    merely handled again (claims are deduplicated by update_id). Skipping the fsync keeps
    the cost per update to one small write.
    """
    if update_ids:
        now = utcnow_iso()
        _unsynced(db, lambda: _mark_done(db, update_ids, now))


def _unsynced(db: Database, write: Callable[[], object]) -> None:
    """One small transaction committed without an fsync (restoring the connection's level)."""
    if db.conn.in_transaction or db.memory:
        with transaction(db):
            write()
        return
    (level,) = db.execute("PRAGMA synchronous").fetchone()
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction(db):
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
    keeps killing the bot: it is marked done unhandled, so the bot can serve everyone else.
    So is one older than MAX_AGE (a bot down for days, a database restored from a backup):
    an answer that late would only confuse.
    """
    oldest = (datetime.now(UTC) - MAX_AGE).isoformat(timespec="milliseconds")
    with transaction(db):
        rows = db.execute(
            "SELECT update_id, raw, attempts >= ? OR received_at < ? FROM inbox "
            "WHERE done_at IS NULL ORDER BY update_id",
            [MAX_ATTEMPTS, oldest],
        ).fetchall()
        given_up = [uid for uid, _, give_up in rows if give_up]
        _mark_done(db, given_up, utcnow_iso())
    pending = [json.loads(raw) for _, raw, give_up in rows if raw and not give_up]
    return pending, given_up


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
