"""Migrations 0011 to 0015."""

from __future__ import annotations

from storage.migrations import migration

migration(
    "0011_statement_images",
    """Pictures moderators attached to a statement (the circulating poster, chart or
    screenshot it answers), kept as perceptual fingerprints (`bot.images.hashing`), so a
    photo that is a re-compressed, resized, cropped or screenshotted copy gets that
    statement even with no readable text.

    Released: do not edit. No picture is stored: `fingerprint` is the hashes' text
    ("ck1:" and hex digits), `file_id` (optional) lets the bot show the picture again to a
    moderator. Adding or removing one logs a statement change (`storage.statement_changes`),
    so running bots and other processes reload the known pictures.
    """,
    """
    CREATE TABLE statement_images (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        file_id TEXT,
        added_at TEXT NOT NULL,
        added_by TEXT,
        UNIQUE (statement_id, fingerprint)
    )
    """,
    *[
        f"""
        CREATE TRIGGER statement_images_{event.lower()}_logs_statement_change
        AFTER {event} ON statement_images
        BEGIN
            INSERT INTO statement_changes (statement_id) VALUES ({row}.statement_id);
        END
        """
        for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
    ],
)


migration(
    "0012_claim_images",
    """Claims read from an image (a photo, or an image sent as a file): which image, and
    the text OCR read from it, so the moderators' queue says where a claim came from and
    can show the image again; its fingerprint (`bot.images.hashing`), so a copy of an
    image nobody answered yet joins that claim instead of being read again.

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
        fingerprint TEXT,
        PRIMARY KEY (claim_id, file_unique_id)
    )
    """,
)


migration(
    "0013_index_terms",
    """What the matcher read of a statement's text (its words, normalized and counted),
    stored by `cekklaim import` under a key that is a digest of that text and of the code
    that reads it, so a bot starting on a large base, or taking in an import, does not
    read every statement again (minutes at 100,000 statements).

    Released: do not edit. Content-addressed and only a cache: an entry whose key no
    statement's text gives any more is never used (and is pruned by the next import); a
    missing or unreadable one means the bot reads that statement itself.
    """,
    """
    CREATE TABLE index_terms (
        key TEXT PRIMARY KEY,
        terms BLOB NOT NULL
    )
    """,
)
