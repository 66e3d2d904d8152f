"""Claims users asked about, and each individual submission of them.

A claim is keyed by its normalized text, so the same rumour asked a thousand times is
one row with count=1000: that is what tells moderators which statements are missing.
Submissions hold only pseudonymous hashes (see `storage.privacy`), never raw ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlite_utils import Database

from storage.audit import record_change
from storage.db import WIB, transaction, utcnow_iso
from storage.statement_input import MAX_VARIANT_LEN
from storage.statements import (
    VARIANT_LINKED_CLAIM,
    StatementNotFound,
    add_variant,
    get_statement,
)

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


def _claims(
    db: Database, where: str, params: Sequence[object], tail: str = ""
) -> list[ClaimRecord]:
    return [ClaimRecord(**row) for row in db.query(f"{_CLAIM_SELECT} WHERE {where} {tail}", params)]


def get_claim(db: Database, claim_id: int) -> ClaimRecord | None:
    """One claim by id, or None."""
    found = _claims(db, "c.id = ?", [claim_id])
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


# --------------------------------------------------------------------------- moderation
#
# Times are compared as text: every timestamp here is written by `utcnow_iso` (UTC, ISO 8601,
# milliseconds, "+00:00"), and `_iso` renders bounds in exactly that form.

_SQL_CHUNK = 500  # ids per IN (...) list, far below SQLite's variable limit


def _utc(now: datetime | None) -> datetime:
    """An aware UTC datetime; None means now, and a naive value is taken to be UTC."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _iso(moment: datetime | str) -> str:
    """A bound comparable with stored timestamps (accepts any ISO 8601 text or datetime)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return _utc(moment).isoformat(timespec="milliseconds")


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _SQL_CHUNK):
        yield list(ids[start : start + _SQL_CHUNK])


def _unique_ids(claim_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise ValueError("no claim ids given")
    return ids


def queue_claims(
    db: Database, *, limit: int = 500, now: datetime | None = None
) -> list[ClaimRecord]:
    """Claims waiting for a moderator: status 'open', i.e. no confident answer, not dismissed.

    A "wrong" vote on an answer puts its claim back to 'open' (`storage.people.record_feedback`),
    so disputed answers are here too. When there are more than `limit`, the ones kept are the
    most asked, discounted by how long ago they were last asked (count / (1 + days / 2)), so
    neither an old rumour nor a burst of one-off questions crowds out the rest.

    Claims only seen by the automatic check of forwarded posts in groups, never asked about
    (`claims.asked = 0`), are left out.
    """
    return _claims(
        db,
        "c.status = 'open' AND c.asked = 1",
        [_iso(_utc(now)), limit],
        """
        ORDER BY c.count / (1.0 + max(julianday(?) - julianday(c.last_seen), 0) / 2.0) DESC,
                 c.last_seen DESC, c.id DESC
        LIMIT ?
        """,
    )


def submissions_since(
    db: Database, claim_ids: Iterable[int], since: datetime | str
) -> dict[int, int]:
    """How many submissions each claim received at or after `since`; every id is a key."""
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    counts = dict.fromkeys(ids, 0)
    bound = _iso(since)
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        for claim_id, count in db.execute(
            f"SELECT claim_id, count(*) FROM submissions "
            f"WHERE claim_id IN ({marks}) AND created_at >= ? GROUP BY claim_id",
            [*chunk, bound],
        ):
            counts[claim_id] = count
    return counts


def dismiss_claims(db: Database, claim_ids: Iterable[int]) -> int:
    """Take claims out of the queue (spam, off-topic); returns how many changed status.

    A dismissal sticks: asking the same claim again does not reopen it (see
    `record_submission`). Unknown ids are ignored.
    """
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    changed = 0
    with transaction(db):
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            changed += db.execute(
                f"UPDATE claims SET status = 'dismissed' "
                f"WHERE id IN ({marks}) AND status != 'dismissed'",
                chunk,
            ).rowcount
    return changed


@dataclass(frozen=True)
class LinkResult:
    """Outcome of `link_claims_to_statement`."""

    external_id: str
    claim_ids: tuple[int, ...]
    variants_added: int  # claim texts that became new phrasings of the statement
    variants_skipped: int  # texts too long to serve as a phrasing (whole forwarded posts)


ACTION_LINK_CLAIMS = "link_claims"


def link_claims_to_statement(
    db: Database, claim_ids: Iterable[int], external_id: str, *, actor: str
) -> LinkResult:
    """A moderator's answer: these claims are answered by this statement.

    In one transaction: each claim becomes 'answered' with the statement as its best match
    (its stale score is cleared; `tier` keeps what the matcher said at the last sighting),
    each claim's text is added to the statement as a 'linked-claim' variant, so the same
    wording is answered confidently from now on, and the link is audited. Raises
    `StatementNotFound`, `LookupError` for an unknown claim id (nothing is changed), and
    `ValueError` when the statement is retired, superseded or expired (it is never served).
    """
    ids = _unique_ids(claim_ids)
    with transaction(db):
        statement = get_statement(db, external_id)
        if statement is None:
            raise StatementNotFound(f"no statement with id {external_id!r}")
        if not statement.is_current():
            raise ValueError(
                f"statement {external_id!r} is retired, superseded or expired; "
                "link the claims to the statement that replaces it"
            )
        claims = {c.id: c for chunk in _chunks(ids) for c in _claims(db, _in("c.id", chunk), chunk)}
        missing = [i for i in ids if i not in claims]
        if missing:
            raise LookupError(f"no claim with id {', '.join(map(str, missing))}")
        added = skipped = 0
        for claim_id in ids:
            text = claims[claim_id].text.strip()
            if len(text) > MAX_VARIANT_LEN or not text:
                skipped += 1
            elif add_variant(db, external_id, text, source=VARIANT_LINKED_CLAIM, actor=actor):
                added += 1
        for chunk in _chunks(ids):
            db.execute(
                f"UPDATE claims SET status = 'answered', linked = 1, best_statement_id = ?, "
                f"best_score = NULL "
                f"WHERE {_in('id', chunk)}",
                [statement.id, *chunk],
            )
        record_change(
            db,
            action=ACTION_LINK_CLAIMS,
            actor=actor,
            statement_id=statement.id,
            external_id=external_id,
            before={"claims": [{"id": i, "status": claims[i].status} for i in ids]},
            after={"claim_ids": ids, "variants_added": added, "variants_skipped": skipped},
        )
    return LinkResult(external_id, tuple(ids), added, skipped)


def _in(column: str, chunk: Sequence[int]) -> str:
    return f"{column} IN ({', '.join('?' for _ in chunk)})"


def alerted_clusters(db: Database, keys: Iterable[str]) -> set[str]:
    """Which of these cluster keys were already announced to the moderators."""
    keys = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(keys), _SQL_CHUNK):
        chunk = keys[start : start + _SQL_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        found.update(
            row[0]
            for row in db.execute(
                f"SELECT cluster_key FROM cluster_alerts WHERE cluster_key IN ({marks})", chunk
            )
        )
    return found


def mark_cluster_alerted(db: Database, key: str) -> bool:
    """Remember that a cluster was announced; False if it already was (announce nothing)."""
    with transaction(db):
        return bool(
            db.execute(
                "INSERT INTO cluster_alerts (cluster_key, alerted_at) VALUES (?, ?) "
                "ON CONFLICT (cluster_key) DO NOTHING",
                [key, utcnow_iso()],
            ).rowcount
        )


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class PeriodStats:
    """Submissions from `since` to `until` (UTC ISO bounds, inclusive).

    Tiers are those of each submission's claim as last matched (`claims.tier`), so a claim
    answered since it was first asked counts as answered.
    """

    since: str
    until: str
    submissions: int
    distinct_claims: int
    confident: int
    possible: int
    none: int
    helpful: int  # feedback votes given in the period
    wrong: int
    set_aside: int = 0  # updates that could not be stored, parsed or handled (storage.inbox)

    def share(self, tier: str) -> float:
        """Fraction of the period's submissions in this tier (0 when there were none)."""
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}")
        return getattr(self, tier) / self.submissions if self.submissions else 0.0

    @property
    def helpful_ratio(self) -> float | None:
        """helpful / (helpful + wrong), or None without votes."""
        votes = self.helpful + self.wrong
        return self.helpful / votes if votes else None


@dataclass(frozen=True)
class TopClaim:
    claim_id: int
    text: str
    asked: int  # submissions in the period
    count: int  # all time
    status: str
    tier: str | None


@dataclass(frozen=True)
class ServedStatement:
    external_id: str
    claim: str
    served: int  # submissions in the period whose claim it answers confidently


@dataclass(frozen=True)
class ClaimStats:
    """What `/statistik` and `cekklaim stats` show. Days are Jakarta (WIB) calendar days."""

    generated_at: str
    today: PeriodStats
    week: PeriodStats  # today and the six Jakarta days before it
    top_claims: tuple[TopClaim, ...]  # most asked in the week
    top_statements: tuple[ServedStatement, ...]  # most served in the week
    open_claims: int  # the whole queue now


def _period_stats(db: Database, since: str, until: str) -> PeriodStats:
    row = db.execute(
        """
        SELECT count(*), count(DISTINCT s.claim_id),
               coalesce(sum(c.tier = 'confident'), 0),
               coalesce(sum(c.tier = 'possible'), 0),
               coalesce(sum(coalesce(c.tier, 'none') = 'none'), 0)
        FROM submissions s JOIN claims c ON c.id = s.claim_id
        WHERE s.created_at >= ? AND s.created_at <= ?
        """,
        [since, until],
    ).fetchone()
    votes = dict(
        db.execute(
            "SELECT kind, count(*) FROM feedback WHERE created_at >= ? AND created_at <= ? "
            "GROUP BY kind",
            [since, until],
        ).fetchall()
    )
    (set_aside,) = db.execute(
        "SELECT count(*) FROM set_aside_updates WHERE set_aside_at >= ? AND set_aside_at <= ?",
        [since, until],
    ).fetchone()
    submissions, distinct, confident, possible, none = row
    return PeriodStats(
        since, until, submissions, distinct, confident, possible, none,
        helpful=votes.get("helpful", 0), wrong=votes.get("wrong", 0), set_aside=set_aside,
    )  # fmt: skip


def claim_stats(db: Database, *, now: datetime | None = None, top: int = 5) -> ClaimStats:
    """Usage figures for today and the last seven days (Jakarta calendar days)."""
    moment = _utc(now)
    day_start = datetime.combine(moment.astimezone(WIB).date(), time(0), tzinfo=WIB)
    until = _iso(moment)
    today = _iso(day_start)
    week = _iso(day_start - timedelta(days=6))
    top_claims = tuple(
        TopClaim(**row)
        for row in db.query(
            """
            SELECT c.id AS claim_id, c.text, count(*) AS asked, c.count, c.status, c.tier
            FROM submissions s JOIN claims c ON c.id = s.claim_id
            WHERE s.created_at >= ? AND s.created_at <= ?
            GROUP BY c.id ORDER BY asked DESC, c.count DESC, c.id LIMIT ?
            """,
            [week, until, top],
        )
    )
    top_statements = tuple(
        ServedStatement(**row)
        for row in db.query(
            """
            SELECT st.external_id, st.claim, count(*) AS served
            FROM submissions s
            JOIN claims c ON c.id = s.claim_id
            JOIN statements st ON st.id = c.best_statement_id
            WHERE s.created_at >= ? AND s.created_at <= ? AND c.tier = 'confident'
            GROUP BY st.id ORDER BY served DESC, st.external_id LIMIT ?
            """,
            [week, until, top],
        )
    )
    open_count = db.execute(
        "SELECT count(*) FROM claims WHERE status = 'open' AND asked = 1"
    ).fetchone()[0]
    return ClaimStats(
        generated_at=until,
        today=_period_stats(db, today, until),
        week=_period_stats(db, week, until),
        top_claims=top_claims,
        top_statements=top_statements,
        open_claims=int(open_count),
    )
