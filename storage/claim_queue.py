"""The moderators' side of claims: the queue of claims still waiting for an answer,
dismissing them, answering them by linking them to a statement, and the once-only
announcement of a fast-growing cluster.

Apart from recording claims (`storage.claims`) because it is what curation changes: each
operation here is one of the moderators' decisions, audited where it changes what is served.
Times are compared as text: every timestamp is written by `utcnow_iso`, and bounds are
rendered in exactly that form by `iso_bound`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlite_utils import Database

from storage.audit import record_change
from storage.claims import ClaimRecord, select_claims
from storage.db import as_utc, iso_bound, transaction, utcnow_iso
from storage.statement_input import MAX_VARIANT_LEN
from storage.statements import (
    VARIANT_LINKED_CLAIM,
    StatementNotFound,
    add_variant,
    get_statement,
)

T = TypeVar("T")

_SQL_CHUNK = 500  # ids per IN (...) list, far below SQLite's variable limit


def _chunks(items: Sequence[T]) -> Iterable[list[T]]:
    """`items` in slices short enough for one IN (...) list."""
    for start in range(0, len(items), _SQL_CHUNK):
        yield list(items[start : start + _SQL_CHUNK])


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
    return select_claims(
        db,
        "c.status = 'open' AND c.asked = 1",
        [iso_bound(as_utc(now)), limit],
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
    bound = iso_bound(since)
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
        claims = {
            c.id: c for chunk in _chunks(ids) for c in select_claims(db, _in("c.id", chunk), chunk)
        }
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
    for chunk in _chunks(keys):
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
