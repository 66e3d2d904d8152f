"""The inbox: raw Telegram updates kept durably from arrival until their handlers finish.

Long polling confirms updates to Telegram with the next getUpdates call, before the bot's
handlers have necessarily run; a crash in between would lose them. Each fetched batch is
therefore inserted in one transaction as it arrives (`store_batch`, synced to disk like
every claim), marked done once handled (`mark_done`, written at once but not synced), and
whatever is still pending at the next start is handled again then (`take_pending`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

__all__ = ["inbox_counts", "mark_done", "prune_inbox", "store_batch", "take_pending"]


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
    if not update_ids:
        return
    if db.conn.in_transaction or db.memory:
        with transaction(db):
            _mark_done(db, update_ids, utcnow_iso())
        return
    (level,) = db.execute("PRAGMA synchronous").fetchone()
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction(db):
            _mark_done(db, update_ids, utcnow_iso())
    finally:
        db.execute(f"PRAGMA synchronous = {int(level)}")


def take_pending(db: Database) -> list[dict[str, Any]]:
    """The updates stored but never marked done, oldest first, to be handled at start.

    Done is marked right after an update's handlers finished, so a pending update was cut
    short: its reply had not gone out. Handling it again records nothing twice (claims are
    deduplicated by update_id, feedback and subscriptions are upserts) and sends the reply.
    """
    rows = db.execute("SELECT raw FROM inbox WHERE done_at IS NULL ORDER BY update_id").fetchall()
    return [json.loads(raw) for (raw,) in rows if raw]


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
