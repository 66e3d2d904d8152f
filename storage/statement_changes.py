"""Which statements changed since a point: how a running bot updates its index in place.

Triggers (migration 0009) log the statement each insert, update or delete of a statement
or a variant touches, in any process (the bot, the CLI). A reader remembers the last
sequence number it took in and asks for the statements changed after it; once every reader
has taken rows in, the bot prunes them, and a reader further behind than the pruned point
is told to read everything instead.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import transaction


def change_seq(db: Database) -> int:
    """The sequence number of the latest change (0 before any)."""
    row = db.execute("SELECT max(seq) FROM statement_changes").fetchone()
    return int(row[0] or _pruned_to(db))


def changed_since(db: Database, seq: int) -> tuple[int, set[int]] | None:
    """(latest sequence number, ids of the statements changed after `seq`); None when
    changes after `seq` were pruned already (read every statement instead)."""
    if seq < _pruned_to(db):
        return None
    latest = seq
    changed: set[int] = set()
    for at, statement_id in db.execute(
        "SELECT seq, statement_id FROM statement_changes WHERE seq > ? ORDER BY seq", [seq]
    ):
        latest = at
        changed.add(int(statement_id))
    return latest, changed


def prune_changes(db: Database, upto: int, step: int | None = None) -> int:
    """Forget the changes up to `upto` (every reader has them); returns how many. `step`:
    at most so many sequence numbers per transaction, each one short (the bot's claims
    wait for the write lock meanwhile), the pruned point moved with each."""
    gone = 0
    start = _pruned_to(db)
    while True:
        end = upto if step is None else min(upto, start + step)
        with transaction(db):
            gone += db.execute("DELETE FROM statement_changes WHERE seq <= ?", [end]).rowcount
            db.execute(
                "UPDATE storage_meta SET value = max(value, ?) WHERE key = 'changes_pruned_to'",
                [end],
            )
        if end >= upto:
            return gone
        start = end


def _pruned_to(db: Database) -> int:
    row = db.execute("SELECT value FROM storage_meta WHERE key = 'changes_pruned_to'").fetchone()
    return int(row[0]) if row else 0
