"""Sources fetched over HTTP: evidence kept with statements, the drafts queue, feed state,
and the links citizens sent with their claims (see migration 0006_sources)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.db import transaction, utcnow_iso

DRAFT_ORIGINS = frozenset({"feed", "claimreview"})
DRAFT_STATUSES = frozenset({"pending", "used", "dismissed"})
MAX_EVIDENCE_TEXT = 100_000
MAX_DRAFT_TEXT = 3000
MAX_LINKS_PER_ANSWERING_CLAIM = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a source said when a statement was made from it."""

    url: str
    final_url: str
    content_type: str | None
    body_sha256: str
    text: str
    fetched_at: str
    text_sha256: str = ""
    saved_by: str | None = None
    saved_at: str = ""


@dataclass(frozen=True, slots=True)
class SourceDraft:
    id: int
    key: str
    url: str | None
    title: str | None
    summary: str | None
    published_at: str | None
    origin: str
    feed_url: str | None
    fields: dict[str, Any]  # statement fields already known (ClaimReview imports)
    status: str
    created_at: str


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    etag: str | None
    last_modified: str | None
    checked_at: str
    last_status: str


def save_evidence(
    db: Database, statement_id: int, evidence: Mapping[str, Any], *, actor: str
) -> int:
    """Keep a source's text and hashes with a statement; call inside the save's transaction."""
    text = str(evidence.get("text") or "")[:MAX_EVIDENCE_TEXT]
    cursor = db.execute(
        """
        INSERT INTO statement_evidence (statement_id, url, final_url, content_type, body_sha256,
            text, text_sha256, fetched_at, saved_by, saved_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            statement_id, evidence["url"], evidence.get("final_url") or evidence["url"],
            evidence.get("content_type"), evidence["body_sha256"], text,
            hashlib.sha256(text.encode("utf-8")).hexdigest(), evidence["fetched_at"], actor,
            utcnow_iso(),
        ],
    )  # fmt: skip
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def evidence_for(db: Database, statement_id: int) -> list[Evidence]:
    rows = db.query(
        """
        SELECT url, final_url, content_type, body_sha256, text, fetched_at, text_sha256,
               saved_by, saved_at
        FROM statement_evidence WHERE statement_id = ? ORDER BY id
        """,
        [statement_id],
    )
    return [Evidence(**row) for row in rows]


# ------------------------------------------------------------------------------ drafts


def _draft(row: dict[str, Any]) -> SourceDraft:
    row = dict(row)
    row["fields"] = json.loads(row["fields"]) if row["fields"] else {}
    return SourceDraft(**row)


_DRAFT_COLUMNS = (
    "id, key, url, title, summary, published_at, origin, feed_url, fields, status, created_at"
)


def add_source_draft(
    db: Database,
    *,
    key: str,
    origin: str,
    url: str | None = None,
    title: str | None = None,
    summary: str | None = None,
    published_at: str | None = None,
    feed_url: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> int | None:
    """Queue a draft for the moderators; None when this key was queued before (any status)."""
    if origin not in DRAFT_ORIGINS:
        raise ValueError(f"unknown draft origin {origin!r}")
    now = utcnow_iso()
    cursor = db.execute(
        """
        INSERT INTO source_drafts (key, url, title, summary, published_at, origin, feed_url,
            fields, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
        ON CONFLICT (key) DO NOTHING
        """,
        [
            key, url, (title or "")[:500] or None, (summary or "")[:MAX_DRAFT_TEXT] or None,
            published_at, origin, feed_url,
            json.dumps(dict(fields), ensure_ascii=False) if fields else None, now, now,
        ],
    )  # fmt: skip
    return cursor.lastrowid if cursor.rowcount else None


def known_draft_keys(db: Database, keys: Sequence[str]) -> set[str]:
    """Which of `keys` were queued before; one query however many (a sitemap has 30,000)."""
    rows = db.execute(
        "SELECT key FROM source_drafts WHERE key IN (SELECT value FROM json_each(?))",
        [json.dumps(list(keys))],
    )
    return {row[0] for row in rows}


def pending_drafts(db: Database, *, limit: int = 20) -> list[SourceDraft]:
    """Drafts waiting for a moderator, oldest first (a queue, not a feed)."""
    rows = db.query(
        f"SELECT {_DRAFT_COLUMNS} FROM source_drafts WHERE status = 'pending' ORDER BY id LIMIT ?",
        [limit],
    )
    return [_draft(row) for row in rows]


def pending_drafts_count(db: Database) -> int:
    row = db.execute("SELECT count(*) FROM source_drafts WHERE status = 'pending'").fetchone()
    return int(row[0])


def get_source_draft(db: Database, draft_id: int) -> SourceDraft | None:
    rows = list(db.query(f"SELECT {_DRAFT_COLUMNS} FROM source_drafts WHERE id = ?", [draft_id]))
    return _draft(rows[0]) if rows else None


def set_draft_status(db: Database, draft_id: int, status: str) -> bool:
    """Mark a pending draft used or dismissed; False when it was not pending."""
    if status not in DRAFT_STATUSES:
        raise ValueError(f"unknown draft status {status!r}")
    cursor = db.execute(
        "UPDATE source_drafts SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
        [status, utcnow_iso(), draft_id],
    )
    return cursor.rowcount > 0


# ------------------------------------------------------------------------------ feeds


def get_feed_state(db: Database, url: str) -> FeedState | None:
    rows = list(db.query("SELECT * FROM feed_state WHERE url = ?", [url]))
    return FeedState(**rows[0]) if rows else None


def set_feed_state(
    db: Database, url: str, *, etag: str | None, last_modified: str | None, status: str
) -> None:
    """Remember a poll; a 304 or a failure keeps the validators of the last good answer."""
    with transaction(db):
        db.execute(
            """
            INSERT INTO feed_state (url, etag, last_modified, checked_at, last_status)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (url) DO UPDATE SET
                etag = coalesce(excluded.etag, feed_state.etag),
                last_modified = coalesce(excluded.last_modified, feed_state.last_modified),
                checked_at = excluded.checked_at, last_status = excluded.last_status
            """,
            [url, etag, last_modified, utcnow_iso(), status],
        )


# ------------------------------------------------------------------------------ claim links


def record_claim_links(db: Database, claim_id: int, keys: Iterable[str]) -> int:
    """Remember the normalized links sent with a claim; returns how many were new."""
    added = 0
    now = utcnow_iso()
    with transaction(db):
        for key in dict.fromkeys(keys):
            cursor = db.execute(
                "INSERT INTO claim_links (url_key, claim_id, first_seen) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [key[:2000], claim_id, now],
            )
            added += cursor.rowcount
    return added


def answered_statement_ids_for_links(db: Database, keys: Sequence[str]) -> list[int]:
    """Statement row ids that earlier claims with one of these links were answered with:
    moderator-linked claims first, then the most recently seen.

    A claim that many different links share (MAX_LINKS_PER_ANSWERING_CLAIM) is left out:
    that is what a login wall or a site's generic page looks like once its title became the
    claim text, and its answer says nothing about any one of those links.
    """
    if not keys:
        return []
    marks = ", ".join("?" for _ in keys)
    rows = db.execute(
        f"""
        SELECT c.best_statement_id FROM claim_links l JOIN claims c ON c.id = l.claim_id
        WHERE l.url_key IN ({marks}) AND c.status = 'answered'
              AND c.best_statement_id IS NOT NULL
              AND (SELECT count(*) FROM claim_links o WHERE o.claim_id = c.id) <= ?
        ORDER BY c.linked DESC, c.last_seen DESC
        """,
        [*keys, MAX_LINKS_PER_ANSWERING_CLAIM],
    ).fetchall()
    return list(dict.fromkeys(int(r[0]) for r in rows))
