"""What the bot remembers about citizens: language, notification requests, feedback.

Users are keyed by `storage.privacy.hash_user_id`; see migration 0002 for the one exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

LANGUAGES = ("id", "en")
FEEDBACK_KINDS = ("helpful", "wrong")


@dataclass(frozen=True)
class Subscription:
    id: int
    claim_id: int
    user_hash: str
    chat_id: int
    language: str
    created_at: str


def get_language(db: Database, user_hash: str) -> str | None:
    row = db.execute("SELECT language FROM user_prefs WHERE user_hash = ?", [user_hash]).fetchone()
    return row[0] if row else None


def set_language(db: Database, user_hash: str, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    with transaction(db):
        db.execute(
            "INSERT INTO user_prefs (user_hash, language, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_hash) DO UPDATE SET language = excluded.language, "
            "updated_at = excluded.updated_at",
            [user_hash, language, utcnow_iso()],
        )


def subscribe(db: Database, *, claim_id: int, user_hash: str, chat_id: int, language: str) -> bool:
    """Ask to be told when a statement answers this claim; False if already asked."""
    with transaction(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO subscriptions (claim_id, user_hash, chat_id, language, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            [claim_id, user_hash, chat_id, language, utcnow_iso()],
        )
        return cur.rowcount == 1


def unsubscribe_all(db: Database, user_hash: str) -> int:
    """Forget every notification request of a user (and so their chat id)."""
    with transaction(db):
        return db.execute("DELETE FROM subscriptions WHERE user_hash = ?", [user_hash]).rowcount


def subscriptions_for_claim(db: Database, claim_id: int) -> list[Subscription]:
    rows = db.execute(
        "SELECT id, claim_id, user_hash, chat_id, language, created_at FROM subscriptions "
        "WHERE claim_id = ? ORDER BY id",
        [claim_id],
    ).fetchall()
    return [Subscription(*row) for row in rows]


def subscribed_claim_ids(db: Database) -> list[int]:
    """Claims someone asked to be told about, oldest first."""
    rows = db.execute("SELECT DISTINCT claim_id FROM subscriptions ORDER BY claim_id").fetchall()
    return [row[0] for row in rows]


def remove_subscription(db: Database, subscription_id: int) -> None:
    """Drop a request once delivered (or undeliverable): the chat id goes with it."""
    with transaction(db):
        db.execute("DELETE FROM subscriptions WHERE id = ?", [subscription_id])


def asked_by(db: Database, claim_id: int, user_hash: str) -> bool:
    """Whether this user sent this claim: the only one whose buttons may vote or subscribe."""
    row = db.execute(
        "SELECT 1 FROM submissions WHERE claim_id = ? AND user_hash = ? LIMIT 1",
        [claim_id, user_hash],
    ).fetchone()
    return row is not None


def record_feedback(
    db: Database, *, claim_id: int, statement_id: int | None, user_hash: str, kind: str
) -> bool:
    """Store one vote per user, claim and statement (a changed mind replaces the vote);
    "wrong" reopens the claim for moderators.

    Returns False when this user already gave this same feedback on this answer.
    """
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}")
    with transaction(db):
        cur = db.execute(
            "INSERT INTO feedback (claim_id, statement_id, user_hash, kind, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(claim_id, statement_id, user_hash) "
            "DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at "
            "WHERE kind != excluded.kind",
            [claim_id, statement_id, user_hash, kind, utcnow_iso()],
        )
        if cur.rowcount and kind == "wrong":
            db.execute(
                "UPDATE claims SET status = 'open' WHERE id = ? AND status != 'dismissed'",
                [claim_id],
            )
        return cur.rowcount == 1
