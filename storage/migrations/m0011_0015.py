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
