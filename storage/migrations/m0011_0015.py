"""Migrations 0011-0015."""

from __future__ import annotations

from storage.migrations import migration

migration(
    "0012_claim_images",
    """Claims read from an image (a photo, or an image sent as a file): which image, and
    the text OCR read from it, so the moderators' queue says where a claim came from and
    can show the image again.

    Released: do not edit. `file_id` lets the bot send the image to a moderator; no image
    content is stored. One row per image a claim was read from (the same text read from
    two screenshots is one claim with two images).
    """,
    """
    CREATE TABLE claim_images (
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        file_unique_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        read_text TEXT NOT NULL,
        PRIMARY KEY (claim_id, file_unique_id)
    )
    """,
)
