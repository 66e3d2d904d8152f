"""Schema migrations, applied in registration order by `storage.db.open_db`.

RULE: a migration that has been released is never edited. Databases in the field
have already recorded it as applied and would never see the change; add a new
`migration(...)` below instead (next number, e.g. "0009_..."). Each is its name, why it
exists, and the SQL it runs in order; sqlite-utils records it by name once it has run.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("cekklaim")


def migration(name: str, why: str, *statements: str) -> None:
    """Register migration `name`: `statements` run in this order, inside the migration's
    transaction; `why` (what the change is for) becomes its docstring."""

    def migrate(db: Database) -> None:
        for sql in statements:
            db.execute(sql)

    migrate.__name__ = migrate.__qualname__ = f"m{name}"
    migrate.__doc__ = why
    MIGRATIONS(name=name)(migrate)


#: 0001: a counter bumped on every statement or variant change (see `data_version`)
_DATA_VERSION_TRIGGERS = [
    f"""
    CREATE TRIGGER {table}_{event.lower()}_bumps_data_version AFTER {event} ON {table}
    BEGIN
        UPDATE storage_meta SET value = value + 1 WHERE key = 'data_version';
    END
    """
    for table in ("statements", "variants")
    for event in ("INSERT", "UPDATE", "DELETE")
]

migration(
    "0001_initial",
    """Released: do not edit (see module docstring).""",
    """
    CREATE TABLE statements (
        id INTEGER PRIMARY KEY,
        external_id TEXT NOT NULL UNIQUE,
        org TEXT NOT NULL,
        verdict TEXT NOT NULL,
        claim TEXT NOT NULL,
        clarification TEXT NOT NULL,
        source_url TEXT,
        source_title TEXT,
        published_at TEXT,
        valid_until TEXT,
        superseded_by TEXT REFERENCES statements(external_id),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
        created_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE variants (
        id INTEGER PRIMARY KEY,
        statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'import',
        created_at TEXT NOT NULL,
        UNIQUE (statement_id, text)
    )
    """,
    """
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        normalized TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        best_statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
        best_score REAL,
        tier TEXT,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'answered', 'dismissed'))
    )
    """,
    # Moderator queue: open claims, most asked then most recent.
    "CREATE INDEX idx_claims_queue ON claims (status, count DESC, last_seen DESC)",
    "CREATE INDEX idx_claims_best_statement ON claims (best_statement_id)",
    """
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('private', 'group', 'inline', 'cli')),
        user_hash TEXT,
        chat_hash TEXT,
        update_id INTEGER UNIQUE,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_submissions_claim ON submissions (claim_id)",
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        statement_id INTEGER,
        external_id TEXT,
        action TEXT NOT NULL,
        actor TEXT,
        at TEXT NOT NULL,
        before TEXT,
        after TEXT
    )
    """,
    "CREATE INDEX idx_audit_log_external_id ON audit_log (external_id, id)",
    # A counter bumped by triggers on every statement/variant change, so a
    # long-running bot can cheaply notice that the CLI changed the data.
    """
    CREATE TABLE storage_meta (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )
    """,
    "INSERT INTO storage_meta (key, value) VALUES ('data_version', 0)",
    *_DATA_VERSION_TRIGGERS,
)


migration(
    "0002_citizen_bot",
    """Per-user language, "Kabari saya" subscriptions and answer feedback.

    Released: do not edit. Users appear only as keyed hashes, except `subscriptions.chat_id`:
    the one clear id we must keep to deliver a notification, deleted once it is delivered
    or when the user sends /berhenti.
    """,
    """
    CREATE TABLE user_prefs (
        user_hash TEXT PRIMARY KEY,
        language TEXT NOT NULL CHECK (language IN ('id', 'en')),
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        chat_id INTEGER NOT NULL,
        language TEXT NOT NULL DEFAULT 'id',
        created_at TEXT NOT NULL,
        UNIQUE (claim_id, user_hash)
    )
    """,
    "CREATE INDEX subscriptions_user ON subscriptions(user_hash)",
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        statement_id INTEGER REFERENCES statements(id) ON DELETE SET NULL,
        user_hash TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('helpful', 'wrong')),
        created_at TEXT NOT NULL,
        UNIQUE (claim_id, statement_id, user_hash)
    )
    """,
    "CREATE INDEX feedback_claim ON feedback(claim_id)",
)


migration(
    "0003_moderators",
    """Moderators added at run time, once-only cluster alerts, and a submissions time index.

    Released: do not edit. `moderators.user_id` is a Telegram user id kept in clear, unlike
    citizens' ids (keyed hashes): the bot must recognise a moderator on every message, and
    moderators act in an official, accountable role, so who they are is not private to the
    service. Admins listed in MODERATOR_IDS are moderators without a row here.

    `cluster_alerts` remembers which fast-growing clusters of similar claims were already
    announced to the moderators' chat, so each is announced once. `submissions.created_at`
    gets an index for the statistics and growth-window queries.
    """,
    """
    CREATE TABLE moderators (
        user_id INTEGER PRIMARY KEY,
        added_by TEXT,
        added_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE cluster_alerts (
        cluster_key TEXT PRIMARY KEY,
        alerted_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_submissions_created_at ON submissions (created_at)",
)


migration(
    "0004_groups",
    """Group chats: per-group settings, and which claims somebody actually asked about.

    `claims.asked` is 1 once any submission of the claim was a question (private chat, CLI,
    inline, or /cek in a group) and stays 0 for claims only seen by the automatic check of
    forwarded posts in groups: those count toward trends but stay out of the moderators'
    queue. Every claim recorded before this migration was asked, so they are backfilled to 1.

    `group_settings.chat_id` is a group's id, not a person's, so it is kept in clear. The
    settings outlive the bot's removal from the group (`removed_at`) for a grace period;
    `storage.groups.purge_removed_groups` deletes them afterwards.
    """,
    "ALTER TABLE claims ADD COLUMN asked INTEGER NOT NULL DEFAULT 0 CHECK (asked IN (0, 1))",
    "UPDATE claims SET asked = 1",
    """
    CREATE TABLE group_settings (
        chat_id INTEGER PRIMARY KEY,
        auto_check INTEGER NOT NULL DEFAULT 0 CHECK (auto_check IN (0, 1)),
        sensitivity TEXT NOT NULL DEFAULT 'normal'
            CHECK (sensitivity IN ('normal', 'strict')),
        added_at TEXT NOT NULL,
        removed_at TEXT,
        intro_sent INTEGER NOT NULL DEFAULT 0 CHECK (intro_sent IN (0, 1)),
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_group_settings_removed_at ON group_settings (removed_at) "
    "WHERE removed_at IS NOT NULL",
)


migration(
    "0005_linked_claims",
    """Released: do not edit. `claims.linked` marks a claim a moderator answered by hand, so
    a later, less sure match of the same text does not put it back in the queue.""",
    "ALTER TABLE claims ADD COLUMN linked INTEGER NOT NULL DEFAULT 0",
)


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
