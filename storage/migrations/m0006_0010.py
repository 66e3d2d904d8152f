"""Migrations 0006 to 0010 (released: never edited; see storage/migrations/__init__.py)."""

from __future__ import annotations

from storage.migrations import migration

migration(
    "0006_sources",
    """Official sources fetched over HTTP.

    `statement_evidence`: what a source page said when a moderator made a statement from it
    (its main text, the SHA-256 of the bytes received and of that text, and when).
    `source_drafts`: the moderators' queue of drafts from feeds and ClaimReview imports,
    one per normalized link (`key`); nothing in it is served until a moderator saves it.
    `feed_state`: each feed's ETag / Last-Modified for conditional requests.
    `claim_links`: normalized links citizens sent with a claim, so a link seen again gets
    the answer its earlier claim got.
    """,
    """
    CREATE TABLE statement_evidence (
        id INTEGER PRIMARY KEY,
        statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        final_url TEXT NOT NULL,
        content_type TEXT,
        body_sha256 TEXT NOT NULL,
        text TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        saved_by TEXT,
        saved_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_statement_evidence_statement ON statement_evidence (statement_id)",
    """
    CREATE TABLE source_drafts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        url TEXT,
        title TEXT,
        summary TEXT,
        published_at TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('feed', 'claimreview')),
        feed_url TEXT,
        fields TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'used', 'dismissed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_source_drafts_status ON source_drafts (status, id)",
    """
    CREATE TABLE feed_state (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        checked_at TEXT NOT NULL,
        last_status TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE claim_links (
        url_key TEXT NOT NULL,
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        first_seen TEXT NOT NULL,
        PRIMARY KEY (url_key, claim_id)
    )
    """,
    "CREATE INDEX idx_claim_links_claim ON claim_links (claim_id)",
)


migration(
    "0007_inbox",
    """The inbox: every update fetched with getUpdates, stored before Telegram is told it may
    forget it, until its handlers have run (see `storage.inbox`).

    `raw` is the update's JSON as Telegram sent it, cleared once the update is done (it holds
    clear user ids and text, which must not outlive the handling); the row itself stays a
    while so a redelivered update is recognised, then `prune_inbox` deletes it. `attempts`
    counts the times a restart took the update up again, so one that crashes the bot every
    time is given up after a few.
    """,
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        raw TEXT,
        received_at TEXT NOT NULL,
        done_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX idx_inbox_pending ON inbox (update_id) WHERE done_at IS NULL",
    "CREATE INDEX idx_inbox_done_at ON inbox (done_at) WHERE done_at IS NOT NULL",
)


migration(
    "0008_set_aside_updates",
    """Updates set aside: ones that could not be stored, parsed or handled (see
    `storage.inbox.set_aside`), kept by id with the reason so one bad update never stalls
    the others and moderators see how many there were (/statistik, `cekklaim stats`).

    Released: do not edit. No text or user id is kept, only the update's kinds
    ("message", "callback_query") and the reason; `update_id` is NULL for one that had no
    usable id.
    """,
    """
    CREATE TABLE set_aside_updates (
        id INTEGER PRIMARY KEY,
        update_id INTEGER UNIQUE,
        kinds TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        set_aside_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_set_aside_updates_at ON set_aside_updates (set_aside_at)",
)


#: 0009: which statement each change to statements or variants touched
_CHANGE_TRIGGERS = [
    f"""
    CREATE TRIGGER {table}_{event.lower()}_logs_statement_change AFTER {event} ON {table}
    BEGIN
        INSERT INTO statement_changes (statement_id) VALUES ({row}.{column});
    END
    """
    for table, column in (("statements", "id"), ("variants", "statement_id"))
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
]

migration(
    "0009_statement_changes",
    """A log of the statements each change touched, so a running bot applies a change to
    its index in place (`storage.statement_changes`) instead of reading every statement.

    Released: do not edit. Rows are pruned once the bot's index has taken them in; the
    highest pruned sequence number is kept in storage_meta ('changes_pruned_to'), so a
    reader that is further behind knows it must read everything.
    """,
    """
    CREATE TABLE statement_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        statement_id INTEGER NOT NULL
    )
    """,
    "INSERT INTO storage_meta (key, value) VALUES ('changes_pruned_to', 0)",
    *_CHANGE_TRIGGERS,
    # a variant moved to another statement changes both
    """
    CREATE TRIGGER variants_move_logs_statement_change AFTER UPDATE OF statement_id ON variants
    WHEN OLD.statement_id IS NOT NEW.statement_id
    BEGIN
        INSERT INTO statement_changes (statement_id) VALUES (OLD.statement_id);
    END
    """,
)


migration(
    "0010_claim_media",
    """Voice notes, videos, audio and documents sent without text: recorded as claims for
    the moderators (keyed by Telegram's file_unique_id, so the same forwarded video is one
    claim counted many times) with what is needed to show the file again.

    Released: do not edit. `file_id` lets the bot send the file to a moderator; no file
    content is stored.
    """,
    """
    CREATE TABLE claim_media (
        claim_id INTEGER PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
        kind TEXT NOT NULL
            CHECK (kind IN ('voice', 'audio', 'video', 'video_note', 'document', 'photo')),
        file_id TEXT NOT NULL,
        file_unique_id TEXT NOT NULL UNIQUE,
        duration INTEGER,
        mime_type TEXT
    )
    """,
)
