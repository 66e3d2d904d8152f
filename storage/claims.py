"""Claims users asked about, and each individual submission of them.

A claim is keyed by its normalized text, so the same rumour asked a thousand times is
one row with count=1000: that is what tells moderators which statements are missing.
Submissions hold only pseudonymous hashes (see `storage.privacy`), never raw ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

CHANNELS = frozenset({"private", "group", "inline", "cli"})
TIERS = frozenset({"confident", "possible", "none"})
CLAIM_STATUSES = frozenset({"open", "answered", "dismissed"})
MAX_CLAIM_TEXT_LEN = 4000

# NUL and other C0 controls (bar tab/newline) carry no meaning in a chat message and
# some SQLite text functions stop at NUL; users' text is stored without them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ClaimRecord:
    """A distinct claim with its counters and the best statement match at last sighting."""

    id: int
    normalized: str
    text: str
    count: int
    first_seen: str
    last_seen: str
    best_statement_id: int | None
    best_statement_external_id: str | None
    best_score: float | None
    tier: str | None
    status: str


@dataclass(frozen=True)
class SubmissionResult:
    """Outcome of `record_submission`; `duplicate` means a redelivered update was ignored."""

    claim: ClaimRecord
    submission_id: int
    duplicate: bool
    new_claim: bool


def _clean_user_text(text: str) -> str:
    return _CONTROL_RE.sub("", text).strip()[:MAX_CLAIM_TEXT_LEN]


_CLAIM_SELECT = """
    SELECT c.id, c.normalized, c.text, c.count, c.first_seen, c.last_seen,
           c.best_statement_id, s.external_id AS best_statement_external_id,
           c.best_score, c.tier, c.status
    FROM claims c LEFT JOIN statements s ON s.id = c.best_statement_id
"""


def _claims(db: Database, where: str, params: list[object], tail: str = "") -> list[ClaimRecord]:
    return [ClaimRecord(**row) for row in db.query(f"{_CLAIM_SELECT} WHERE {where} {tail}", params)]


def get_claim(db: Database, claim_id: int) -> ClaimRecord | None:
    """One claim by id, or None."""
    found = _claims(db, "c.id = ?", [claim_id])
    return found[0] if found else None


def record_submission(
    db: Database,
    *,
    text: str,
    normalized: str,
    channel: str,
    user_hash: str | None,
    chat_hash: str | None = None,
    update_id: int | None = None,
    best_statement_external_id: str | None = None,
    best_score: float | None = None,
    tier: str,
) -> SubmissionResult:
    """Count one user question, atomically upserting its claim and logging the submission.

    Telegram redelivers updates after a restart or timeout; an `update_id` already seen
    changes nothing and returns `duplicate=True`. The claim's status follows the match:
    a confident match marks it 'answered', anything else puts it back in the moderators'
    'open' queue, and 'dismissed' is left alone. An unknown statement id is stored as no
    match rather than failing the user's request.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    text = _clean_user_text(text)
    normalized = _clean_user_text(normalized)
    if not normalized:
        raise ValueError("normalized claim text is empty")
    with transaction(db):
        if update_id is not None:
            seen = db.execute(
                "SELECT id, claim_id FROM submissions WHERE update_id = ?", [update_id]
            ).fetchone()
            if seen is not None:
                claim = get_claim(db, seen[1])
                assert claim is not None
                return SubmissionResult(claim, seen[0], duplicate=True, new_claim=False)
        best_statement_id = None
        if best_statement_external_id is not None:
            row = db.execute(
                "SELECT id FROM statements WHERE external_id = ?", [best_statement_external_id]
            ).fetchone()
            best_statement_id = row[0] if row else None
        new_claim = (
            db.execute("SELECT 1 FROM claims WHERE normalized = ?", [normalized]).fetchone() is None
        )
        now = utcnow_iso()
        db.execute(
            """
            INSERT INTO claims (normalized, text, count, first_seen, last_seen,
                                best_statement_id, best_score, tier, status)
            VALUES (:normalized, :text, 1, :now, :now, :best_id, :score, :tier,
                    CASE WHEN :tier = 'confident' THEN 'answered' ELSE 'open' END)
            ON CONFLICT (normalized) DO UPDATE SET
                count = claims.count + 1,
                last_seen = excluded.last_seen,
                best_statement_id = excluded.best_statement_id,
                best_score = excluded.best_score,
                tier = excluded.tier,
                status = CASE WHEN claims.status = 'dismissed' THEN 'dismissed'
                              ELSE excluded.status END
            """,
            {
                "normalized": normalized,
                "text": text or normalized,
                "now": now,
                "best_id": best_statement_id,
                "score": best_score,
                "tier": tier,
            },
        )
        claim_id = db.execute(
            "SELECT id FROM claims WHERE normalized = ?", [normalized]
        ).fetchone()[0]
        cursor = db.execute(
            """
            INSERT INTO submissions (claim_id, channel, user_hash, chat_hash, update_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [claim_id, channel, user_hash, chat_hash, update_id, now],
        )
        assert cursor.lastrowid is not None
        claim = get_claim(db, claim_id)
        assert claim is not None
        return SubmissionResult(claim, cursor.lastrowid, duplicate=False, new_claim=new_claim)


def open_claims(db: Database, limit: int = 20) -> list[ClaimRecord]:
    """The moderators' queue: claims without a confident answer, most asked then most recent."""
    return _claims(
        db,
        "c.status = 'open'",
        [limit],
        "ORDER BY c.count DESC, c.last_seen DESC, c.id DESC LIMIT ?",
    )


def set_claim_status(db: Database, claim_id: int, status: str) -> ClaimRecord:
    """Moderator decision on a claim, e.g. 'dismissed' for spam or off-topic questions."""
    if status not in CLAIM_STATUSES:
        raise ValueError(f"unknown claim status {status!r}")
    with transaction(db):
        if db.execute("UPDATE claims SET status = ? WHERE id = ?", [status, claim_id]).rowcount:
            claim = get_claim(db, claim_id)
            assert claim is not None
            return claim
    raise LookupError(f"no claim with id {claim_id}")


def claims_count(db: Database) -> int:
    """Number of distinct claims recorded."""
    return int(db.execute("SELECT count(*) FROM claims").fetchone()[0])
