"""Operator upkeep: an online backup, and retention of who-asked-what.

Backups use SQLite's online backup API, which copies a consistent snapshot page by page
while the bot keeps reading and writing (WAL), so it is safe on a running service.

Retention: a submission row ties one question to a hashed user, a hashed chat and an update
id. It is needed for "asked today / this week" statistics and to recognise a redelivered
update (Telegram keeps undelivered updates for at most 24 hours), not beyond. `purge`
deletes submissions older than the given number of days; the claims they counted keep their
texts and totals (`claims.count`, first/last seen), so trends and the queue survive. "Kabari
saya" requests older than the same age lapse too: they hold the only clear chat ids.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from storage.db import transaction

MIN_RETENTION_DAYS = 2  # beyond Telegram's 24 h redelivery window, so dedup still holds


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    pages: int
    integrity: str  # "ok" from PRAGMA integrity_check on the copy


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: str  # ISO timestamp (UTC); rows created before it were deleted
    submissions: int
    subscriptions: int


def backup(db: Database, target: Path) -> BackupResult:
    """Copy the live database to `target` (a new file) and check the copy's integrity.

    Raises FileExistsError for an existing target (a backup never overwrites anything, the
    live database least of all).
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    dest = sqlite3.connect(partial)
    try:
        db.conn.backup(dest, pages=1024)  # in steps: the bot's writers are not held up long
        pages = dest.execute("PRAGMA page_count").fetchone()[0]
        integrity = dest.execute("PRAGMA integrity_check").fetchone()[0]
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dest.close()
    partial.rename(target)  # only a complete copy gets the requested name
    return BackupResult(target, pages, integrity)


def purge(db: Database, *, older_than_days: int, now: datetime | None = None) -> PurgeResult:
    """Delete submissions and "Kabari saya" requests older than `older_than_days`."""
    if older_than_days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"--older-than must be at least {MIN_RETENTION_DAYS} days, so a redelivered "
            "Telegram update is still recognised"
        )
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=older_than_days)).isoformat(
        timespec="milliseconds"
    )
    with transaction(db):
        submissions = db.execute("DELETE FROM submissions WHERE created_at < ?", [cutoff]).rowcount
        subscriptions = db.execute(
            "DELETE FROM subscriptions WHERE created_at < ?", [cutoff]
        ).rowcount
    return PurgeResult(cutoff, submissions, subscriptions)


def check_copy(path: Path) -> tuple[str, int]:
    """`PRAGMA integrity_check` and the statement count of a database file, opened
    read-only (a backup is looked at, never changed)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        statements = conn.execute("SELECT COUNT(*) FROM statements").fetchone()[0]
    finally:
        conn.close()
    return integrity, statements
