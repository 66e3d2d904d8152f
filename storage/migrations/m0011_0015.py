"""Migrations 0011 onwards (the next module after m0006_0010.py)."""

from __future__ import annotations

from storage.migrations import migration

migration(
    "0011_index_terms",
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
