"""Claims users asked about, and each individual submission of them.

A claim is keyed by its normalized text, so the same rumour asked a thousand times is
one row with count=1000: that is what tells moderators which statements are missing.
Submissions hold only pseudonymous hashes (see `storage.privacy`), never raw ids. What
moderators do with claims is `storage.claim_queue`; the usage figures, `storage.claim_stats`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


def select_claims(
    db: Database, where: str, params: Sequence[object], tail: str = ""
) -> list[ClaimRecord]:
    """Claims matching an internal WHERE clause (`c` is claims), with `tail` (ORDER BY...)."""
    return [ClaimRecord(**row) for row in db.query(f"{_CLAIM_SELECT} WHERE {where} {tail}", params)]


def get_claim(db: Database, claim_id: int) -> ClaimRecord | None:
    """One claim by id, or None."""
    found = select_claims(db, "c.id = ?", [claim_id])
    return found[0] if found else None


def claim_recorded(db: Database, update_id: int) -> bool:
    """Whether the claim of this update is stored: what a user may be told after a failure."""
    row = db.execute("SELECT 1 FROM submissions WHERE update_id = ?", [update_id]).fetchone()
    return row is not None


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
    asked: bool = True,
) -> SubmissionResult:
    """Count one user question, atomically upserting its claim and logging the submission.

    Telegram redelivers updates after a restart or timeout; an `update_id` already seen
    changes nothing and returns `duplicate=True`. The claim's status follows the match:
    a confident match marks it 'answered', anything else puts it back in the moderators'
    'open' queue, unless a moderator linked it to a statement still served (the link
    outranks a less sure match); 'dismissed' is left alone. An unknown statement id is
    stored as no match rather than failing the user's request.

    `asked=False` records a text the bot only saw (the automatic check of a forwarded post
    in a group): it counts toward trends, but the claim enters the moderators' queue only
    once somebody asks about it (`claims.asked`, which never goes back to 0).
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
            WITH keep(answered) AS (
                -- a claim a moderator linked to a statement still served stays answered,
                -- even when a new match is less sure (the link outranks the matcher)
                SELECT EXISTS (
                    SELECT 1 FROM claims c JOIN statements s ON s.id = c.best_statement_id
                    WHERE c.normalized = :normalized AND c.status = 'answered' AND c.linked = 1
                      AND :tier != 'confident'
                      AND s.status = 'active' AND s.superseded_by IS NULL
                )
            )
            INSERT INTO claims (normalized, text, count, first_seen, last_seen,
                                best_statement_id, best_score, tier, status, asked)
            VALUES (:normalized, :text, 1, :now, :now, :best_id, :score, :tier,
                    CASE WHEN :tier = 'confident' THEN 'answered' ELSE 'open' END, :asked)
            ON CONFLICT (normalized) DO UPDATE SET
                count = claims.count + 1,
                asked = max(claims.asked, excluded.asked),
                last_seen = excluded.last_seen,
                best_statement_id = CASE WHEN (SELECT answered FROM keep) THEN
                    claims.best_statement_id ELSE excluded.best_statement_id END,
                best_score = CASE WHEN (SELECT answered FROM keep) THEN
                    claims.best_score ELSE excluded.best_score END,
                tier = excluded.tier,
                status = CASE WHEN claims.status = 'dismissed' THEN 'dismissed'
                              WHEN (SELECT answered FROM keep) THEN 'answered'
                              ELSE excluded.status END
            """,
            {
                "normalized": normalized,
                "text": text or normalized,
                "now": now,
                "best_id": best_statement_id,
                "score": best_score,
                "tier": tier,
                "asked": int(bool(asked)),
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
