"""Claims read from an image: which image (Telegram's ids, to show it again) and the text
OCR read from it. The claim itself is recorded like a typed one (`storage.claims`); this
only says where it came from. No image content is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import transaction

MAX_READ_TEXT = 2000  # what is kept of the text read (the claim keeps what was matched)
MAX_FILE_ID = 256


@dataclass(frozen=True, slots=True)
class ClaimImage:
    claim_id: int
    file_id: str  # to send the image again (valid for this bot only)
    file_unique_id: str  # the same image, whoever sends it
    read_text: str


def record_claim_image(
    db: Database,
    claim_id: int,
    file_id: str,
    file_unique_id: str,
    read_text: str,
    fingerprint: str | None = None,
) -> None:
    """The claim `claim_id` was read from this image (sent again: its newest file id)."""
    for value in (file_id, file_unique_id):
        if not value or len(value) > MAX_FILE_ID or not value.isprintable():
            raise ValueError("not a Telegram file id")
    with transaction(db):
        db.execute(
            """
            INSERT INTO claim_images (claim_id, file_unique_id, file_id, read_text, fingerprint)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (claim_id, file_unique_id) DO UPDATE SET file_id = excluded.file_id
            """,
            [claim_id, file_unique_id, file_id, read_text[:MAX_READ_TEXT], fingerprint],
        )


def images_of(db: Database, claim_ids: Sequence[int]) -> dict[int, ClaimImage]:
    """For each of these claims read from an image: its most recently recorded image."""
    if not claim_ids:
        return {}
    found: dict[int, ClaimImage] = {}
    ids = list(dict.fromkeys(claim_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            "SELECT claim_id, file_id, file_unique_id, read_text FROM claim_images "
            f"WHERE claim_id IN ({marks}) ORDER BY rowid",
            chunk,
        ).fetchall()
        for row in rows:
            found[row[0]] = ClaimImage(*row)
    return found


def open_image_fingerprints(db: Database, limit: int = 500) -> list[tuple[int, str, str]]:
    """(claim id, fingerprint, text read) of the images behind the newest `limit` claims
    nobody has answered yet (status 'open'): a copy of one of them joins that claim."""
    rows = db.execute(
        """
        SELECT ci.claim_id, ci.fingerprint, ci.read_text FROM claim_images AS ci
        JOIN claims AS c ON c.id = ci.claim_id
        WHERE c.status = 'open' AND ci.fingerprint IS NOT NULL AND ci.read_text != ''
        ORDER BY ci.rowid DESC LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]
