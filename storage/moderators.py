"""Who may moderate: admins from settings (MODERATOR_IDS) plus moderators added at run time.

Moderators' Telegram user ids are stored in clear (see migration 0003 for why). Adding and
removing one is written to the audit log, with no statement attached.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.audit import record_change
from storage.db import transaction, utcnow_iso

ACTION_ADD = "moderator_add"
ACTION_REMOVE = "moderator_remove"


@dataclass(frozen=True)
class Moderator:
    """A moderator added at run time (admins from settings have no row)."""

    user_id: int
    added_by: str | None
    added_at: str


def _check_user_id(user_id: int) -> int:
    # bool is an int subclass; True as "user 1" is always a bug.
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise ValueError(f"a moderator must be a positive Telegram user id, not {user_id!r}")
    return user_id


def list_moderators(db: Database) -> list[Moderator]:
    """Moderators added at run time, oldest first."""
    return [
        Moderator(**row)
        for row in db.query(
            "SELECT user_id, added_by, added_at FROM moderators ORDER BY added_at, user_id"
        )
    ]


def add_moderator(db: Database, user_id: int, *, added_by: str) -> bool:
    """Make a user a moderator; False if they already were one (nothing changes)."""
    user_id = _check_user_id(user_id)
    with transaction(db):
        now = utcnow_iso()
        cursor = db.execute(
            "INSERT INTO moderators (user_id, added_by, added_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            [user_id, added_by, now],
        )
        if not cursor.rowcount:
            return False
        record_change(db, action=ACTION_ADD, actor=added_by, after={"user_id": user_id})
        return True


def remove_moderator(db: Database, user_id: int, *, removed_by: str | None = None) -> bool:
    """Withdraw a run-time moderator; False if there was none with this id.

    Admins from MODERATOR_IDS are not affected: they are configured, not stored.
    """
    user_id = _check_user_id(user_id)
    with transaction(db):
        row = db.execute(
            "SELECT user_id, added_by, added_at FROM moderators WHERE user_id = ?", [user_id]
        ).fetchone()
        if row is None:
            return False
        db.execute("DELETE FROM moderators WHERE user_id = ?", [user_id])
        record_change(
            db,
            action=ACTION_REMOVE,
            actor=removed_by,
            before={"user_id": row[0], "added_by": row[1], "added_at": row[2]},
        )
        return True


def is_moderator(db: Database, user_id: int, admin_ids: frozenset[int]) -> bool:
    """Whether this Telegram user may moderate: an admin from settings, or added at run time."""
    if user_id in admin_ids:
        return True
    return (
        db.execute("SELECT 1 FROM moderators WHERE user_id = ?", [user_id]).fetchone() is not None
    )
