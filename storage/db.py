"""Opening the CekKlaim database and the transaction helper every write goes through.

The bot and the CLI open the same SQLite file at the same time, so every connection
gets WAL (readers never block the writer), a busy timeout (a writer waits for the
other instead of failing at once) and enforced foreign keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 5000

# Indonesia's election calendar is in WIB (UTC+7, no daylight saving); a statement
# "valid until 14 Feb" must stay valid until midnight Jakarta time, not UTC.
WIB = timezone(timedelta(hours=7), "WIB")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Safe to call on every start: migrations already recorded in `_sqlite_migrations`
    are skipped. Pass ":memory:" for a throwaway database.
    """
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
    # busy_timeout first, so switching to WAL waits for a concurrent writer.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not db.memory:
        db.enable_wal()
        # FULL: a claim the bot acknowledged must survive a power loss too; writes are
        # one per message, so the extra fsync costs nothing users notice.
        db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    MIGRATIONS.apply(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a block of writes atomically; nested calls become savepoints.

    Outermost blocks use BEGIN IMMEDIATE rather than `db.atomic()`'s deferred BEGIN:
    a deferred transaction that reads first and writes later fails with SQLITE_BUSY
    (ignoring busy_timeout) if another process committed in between, which is
    exactly what happens when the CLI imports while the bot records claims.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def utcnow_iso() -> str:
    """Current UTC time as ISO 8601 text; millisecond precision keeps ordering by time
    meaningful for rows written in the same second."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def today_wib() -> date:
    """Today's date in Jakarta, the default for validity checks."""
    return datetime.now(WIB).date()
