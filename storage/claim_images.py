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
    db: Database, claim_id: int, file_id: str, file_unique_id: str, read_text: str
) -> None:
    """The claim `claim_id` was read from this image (sent again: its newest file id)."""
    for value in (file_id, file_unique_id):
        if not value or len(value) > MAX_FILE_ID or not value.isprintable():
            raise ValueError("not a Telegram file id")
    with transaction(db):
        db.execute(
            """
            INSERT INTO claim_images (claim_id, file_unique_id, file_id, read_text)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (claim_id, file_unique_id) DO UPDATE SET file_id = excluded.file_id
            """,
            [claim_id, file_unique_id, file_id, read_text[:MAX_READ_TEXT]],
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
