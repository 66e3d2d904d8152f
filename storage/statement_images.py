"""Pictures attached to statements, kept as perceptual fingerprints (never the picture).

A fingerprint is text made by `bot.images.hashing.Fingerprint.text`; storage keeps it as it
is. Attaching or removing one is audited in the same transaction, and logs a statement
change (triggers of migration 0011), so every process's index of known pictures follows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from storage.audit import record_change
from storage.db import today_wib, transaction, utcnow_iso
from storage.statements import STATUS_ACTIVE, StatementNotFound

ACTION_ADD_IMAGE = "add_image"
ACTION_REMOVE_IMAGE = "remove_image"
MAX_FINGERPRINT = 512
MAX_FILE_ID = 256
MAX_IMAGES = 50  # per statement, in an import file
FINGERPRINT_RE = re.compile(r"[a-z0-9]{1,8}:[0-9a-f]{16,480}")


@dataclass(frozen=True, slots=True)
class StatementImage:
    id: int
    statement_id: int
    fingerprint: str
    file_id: str | None
    added_at: str
    added_by: str | None


def fingerprint_list(value: object) -> tuple[str, ...] | None:
    """An import record's "images" value checked: None stays None (no such field);
    ValueError unless it is a list of fingerprints (the version checks the hashes' own
    format: `bot.images.hashing.Fingerprint.parse`)."""
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > MAX_IMAGES
        or not all(isinstance(v, str) and FINGERPRINT_RE.fullmatch(v) for v in value)
    ):
        raise ValueError(
            f"field 'images' must be a list of at most {MAX_IMAGES} picture fingerprints "
            "(as exported)"
        )
    return tuple(value)


def _check(fingerprint: str, file_id: str | None) -> None:
    if len(fingerprint) > MAX_FINGERPRINT or not FINGERPRINT_RE.fullmatch(fingerprint):
        raise ValueError("not an image fingerprint")
    if file_id is not None and (len(file_id) > MAX_FILE_ID or not file_id.isprintable()):
        raise ValueError("not a Telegram file id")


def _statement_id(db: Database, external_id: str) -> int:
    row = db.execute("SELECT id FROM statements WHERE external_id = ?", [external_id]).fetchone()
    if row is None:
        raise StatementNotFound(f"no statement with id {external_id!r}")
    return int(row[0])


def _image(row: tuple) -> StatementImage:  # type: ignore[type-arg]
    return StatementImage(*row)


_COLUMNS = "id, statement_id, fingerprint, file_id, added_at, added_by"


def add_image(
    db: Database, external_id: str, fingerprint: str, *, actor: str, file_id: str | None = None
) -> tuple[StatementImage, bool]:
    """Attach a picture's fingerprint to a statement: (the row, whether it is new). The same
    fingerprint twice is one row. StatementNotFound, ValueError."""
    _check(fingerprint, file_id)
    with transaction(db):
        statement_id = _statement_id(db, external_id)
        cursor = db.execute(
            "INSERT OR IGNORE INTO statement_images "
            "(statement_id, fingerprint, file_id, added_at, added_by) VALUES (?, ?, ?, ?, ?)",
            [statement_id, fingerprint, file_id, utcnow_iso(), actor],
        )
        new = cursor.rowcount > 0
        row = db.execute(
            f"SELECT {_COLUMNS} FROM statement_images WHERE statement_id = ? AND fingerprint = ?",
            [statement_id, fingerprint],
        ).fetchone()
        if new:
            record_change(
                db, action=ACTION_ADD_IMAGE, actor=actor, statement_id=statement_id,
                external_id=external_id, after={"image": fingerprint, "image_id": row[0]},
            )  # fmt: skip
    return _image(row), new


def remove_image(db: Database, external_id: str, image_id: int, *, actor: str) -> bool:
    """Detach picture `image_id` (see `images_of`) from a statement; False when it has no
    such picture. StatementNotFound."""
    with transaction(db):
        statement_id = _statement_id(db, external_id)
        row = db.execute(
            "SELECT fingerprint FROM statement_images WHERE id = ? AND statement_id = ?",
            [image_id, statement_id],
        ).fetchone()
        if row is None:
            return False
        db.execute("DELETE FROM statement_images WHERE id = ?", [image_id])
        record_change(
            db, action=ACTION_REMOVE_IMAGE, actor=actor, statement_id=statement_id,
            external_id=external_id, before={"image": row[0], "image_id": image_id},
        )  # fmt: skip
    return True


def images_of(db: Database, external_id: str) -> list[StatementImage]:
    """A statement's pictures, oldest first. StatementNotFound."""
    statement_id = _statement_id(db, external_id)
    return [
        _image(row)
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM statement_images WHERE statement_id = ? ORDER BY id",
            [statement_id],
        )
    ]


def fingerprints_by_statement(db: Database, statement_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each statement's fingerprints, oldest first (for exports)."""
    wanted = sorted(set(statement_ids))
    found: dict[int, list[str]] = defaultdict(list)
    for at in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        chunk = wanted[at : at + 500]
        for statement_id, fingerprint in db.execute(
            "SELECT statement_id, fingerprint FROM statement_images "
            f"WHERE statement_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            found[int(statement_id)].append(fingerprint)
    return dict(found)


def servable_fingerprints(db: Database, today: date | None = None) -> list[tuple[int, str]]:
    """(statement id, fingerprint) of every picture of a statement the bot serves (active,
    not superseded, still valid: the rule of `storage.servable_statements`)."""
    day = (today or today_wib()).isoformat()
    return [
        (int(statement_id), fingerprint)
        for statement_id, fingerprint in db.execute(
            "SELECT i.statement_id, i.fingerprint FROM statement_images i "
            "JOIN statements s ON s.id = i.statement_id "
            "WHERE s.status = ? AND s.superseded_by IS NULL "
            "AND (s.valid_until IS NULL OR s.valid_until >= ?) ORDER BY i.id",
            [STATUS_ACTIVE, day],
        )
    ]


def replace_fingerprints(
    db: Database, statement_id: int, fingerprints: Iterable[str], *, actor: str
) -> bool:
    """Make a statement's pictures exactly `fingerprints` (an import): keeps the ones still
    listed (with their file ids), adds new ones, drops the rest. True when anything changed.
    Call it inside the import's transaction; the import's own audit entry covers it."""
    wanted = list(dict.fromkeys(fingerprints))
    for fingerprint in wanted:
        _check(fingerprint, None)
    have = {
        fingerprint
        for (fingerprint,) in db.execute(
            "SELECT fingerprint FROM statement_images WHERE statement_id = ?", [statement_id]
        )
    }
    gone = have - set(wanted)
    for fingerprint in gone:
        db.execute(
            "DELETE FROM statement_images WHERE statement_id = ? AND fingerprint = ?",
            [statement_id, fingerprint],
        )
    added = [f for f in wanted if f not in have]
    now = utcnow_iso()
    for fingerprint in added:
        db.execute(
            "INSERT INTO statement_images (statement_id, fingerprint, added_at, added_by) "
            "VALUES (?, ?, ?, ?)",
            [statement_id, fingerprint, now, actor],
        )
    return bool(gone or added)
