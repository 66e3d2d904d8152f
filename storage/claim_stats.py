"""Usage figures for `/statistik` and `cekklaim stats`: submissions per tier, votes, updates
set aside, and the most asked claims and most served statements of the week.

Read-only queries over claims, submissions and feedback, apart from the modules that write
them so that a new figure is added in one place. Days are Jakarta (WIB) calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlite_utils import Database

from storage.claims import TIERS
from storage.db import WIB, as_utc, iso_bound


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
    moment = as_utc(now)
    day_start = datetime.combine(moment.astimezone(WIB).date(), time(0), tzinfo=WIB)
    until = iso_bound(moment)
    today = iso_bound(day_start)
    week = iso_bound(day_start - timedelta(days=6))
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
