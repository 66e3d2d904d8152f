"""Migrations 0001 to 0005 (released: never edited; see storage/migrations/__init__.py)."""

from __future__ import annotations

from storage.migrations import migration

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
