"""Per-group settings: automatic checking of forwarded posts and its sensitivity.

A row is created when the bot joins a group (or when an admin first opens /pengaturan). When
the bot is removed the row is kept, marked `removed_at`, so re-adding the bot within the
grace period restores the settings; `purge_removed_groups` deletes rows removed longer ago.
`chat_id` is the group's id, not a person's, and is stored in clear (see migration 0004).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

SENSITIVITY_NORMAL = "normal"
SENSITIVITY_STRICT = "strict"
SENSITIVITIES = (SENSITIVITY_NORMAL, SENSITIVITY_STRICT)
PURGE_AFTER_DAYS = 30


@dataclass(frozen=True)
class GroupSettings:
    chat_id: int
    auto_check: bool  # check forwarded posts without being asked (off by default)
    sensitivity: str  # 'normal' | 'strict'
    added_at: str
    removed_at: str | None  # None while the bot is in the group
    intro_sent: bool  # the one introduction for the current membership went out
    updated_at: str

    @property
    def active(self) -> bool:
        return self.removed_at is None


_SELECT = (
    "SELECT chat_id, auto_check, sensitivity, added_at, removed_at, intro_sent, updated_at "
    "FROM group_settings"
)


def _row(row: tuple) -> GroupSettings:
    chat_id, auto_check, sensitivity, added_at, removed_at, intro_sent, updated_at = row
    return GroupSettings(
        chat_id, bool(auto_check), sensitivity, added_at, removed_at, bool(intro_sent), updated_at
    )


def get_group(db: Database, chat_id: int) -> GroupSettings | None:
    row = db.execute(f"{_SELECT} WHERE chat_id = ?", [chat_id]).fetchone()
    return _row(row) if row else None


def _require(db: Database, chat_id: int) -> GroupSettings:
    found = get_group(db, chat_id)
    assert found is not None
    return found


def ensure_group(db: Database, chat_id: int) -> GroupSettings:
    """The group's settings, creating default ones (e.g. the bot joined before this feature)."""
    with transaction(db):
        now = utcnow_iso()
        db.execute(
            "INSERT INTO group_settings (chat_id, added_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO NOTHING",
            [chat_id, now, now],
        )
        return _require(db, chat_id)


def mark_group_added(db: Database, chat_id: int) -> tuple[GroupSettings, bool]:
    """The bot joined the group; returns (settings, joined).

    `joined` is False when the group was already active (a redelivered update, or a
    promotion from member to admin): nothing changes then. A group that had removed the
    bot gets its old settings back, and a new introduction is due (`intro_sent` reset).
    """
    with transaction(db):
        now = utcnow_iso()
        cursor = db.execute(
            "INSERT INTO group_settings (chat_id, added_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET added_at = excluded.added_at, "
            "removed_at = NULL, intro_sent = 0, updated_at = excluded.updated_at "
            "WHERE group_settings.removed_at IS NOT NULL",
            [chat_id, now, now],
        )
        return _require(db, chat_id), cursor.rowcount == 1


def claim_intro(db: Database, chat_id: int) -> bool:
    """True exactly once per membership: the caller then posts the introduction."""
    with transaction(db):
        return (
            db.execute(
                "UPDATE group_settings SET intro_sent = 1 "
                "WHERE chat_id = ? AND intro_sent = 0 AND removed_at IS NULL",
                [chat_id],
            ).rowcount
            == 1
        )


def mark_group_removed(db: Database, chat_id: int) -> bool:
    """The bot left or was removed: keep the settings, start the purge clock."""
    with transaction(db):
        now = utcnow_iso()
        return (
            db.execute(
                "UPDATE group_settings SET removed_at = ?, updated_at = ? "
                "WHERE chat_id = ? AND removed_at IS NULL",
                [now, now, chat_id],
            ).rowcount
            == 1
        )


def set_auto_check(db: Database, chat_id: int, on: bool) -> GroupSettings:
    with transaction(db):
        ensure_group(db, chat_id)
        db.execute(
            "UPDATE group_settings SET auto_check = ?, updated_at = ? WHERE chat_id = ?",
            [int(bool(on)), utcnow_iso(), chat_id],
        )
        return _require(db, chat_id)


def set_sensitivity(db: Database, chat_id: int, sensitivity: str) -> GroupSettings:
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"unknown sensitivity {sensitivity!r}")
    with transaction(db):
        ensure_group(db, chat_id)
        db.execute(
            "UPDATE group_settings SET sensitivity = ?, updated_at = ? WHERE chat_id = ?",
            [sensitivity, utcnow_iso(), chat_id],
        )
        return _require(db, chat_id)


def migrate_group(db: Database, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup (new id): carry its settings over.

    If the new id already has a row (its join was seen first), the old group's choices win
    and the old row goes. Returns False when there was nothing to carry.
    """
    if old_chat_id == new_chat_id:
        return False
    with transaction(db):
        old = get_group(db, old_chat_id)
        if old is None:
            return False
        if get_group(db, new_chat_id) is None:
            db.execute(
                "UPDATE group_settings SET chat_id = ?, updated_at = ? WHERE chat_id = ?",
                [new_chat_id, utcnow_iso(), old_chat_id],
            )
        else:
            db.execute(
                "UPDATE group_settings SET auto_check = ?, sensitivity = ?, "
                "intro_sent = max(intro_sent, ?), updated_at = ? WHERE chat_id = ?",
                [
                    int(old.auto_check),
                    old.sensitivity,
                    int(old.intro_sent),
                    utcnow_iso(),
                    new_chat_id,
                ],
            )
            db.execute("DELETE FROM group_settings WHERE chat_id = ?", [old_chat_id])
        return True


def purge_removed_groups(
    db: Database, older_than_days: int = PURGE_AFTER_DAYS, *, now: datetime | None = None
) -> int:
    """Delete the settings of groups that removed the bot more than `older_than_days` ago.

    Meant for a periodic task; returns how many groups were forgotten. A naive `now` is UTC.
    """
    moment = now or datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    bound = (moment - timedelta(days=older_than_days)).isoformat(timespec="milliseconds")
    with transaction(db):
        return db.execute(
            "DELETE FROM group_settings WHERE removed_at IS NOT NULL AND removed_at < ?",
            [bound],
        ).rowcount


def active_groups(db: Database) -> list[GroupSettings]:
    """Groups the bot is in, oldest first."""
    return [_row(r) for r in db.execute(f"{_SELECT} WHERE removed_at IS NULL ORDER BY added_at")]
