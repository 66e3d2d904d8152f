"""schema.org ClaimReview -> statement fields, for drafts (never saved without a moderator).

Fact-checkers publish their ratings as ClaimReview JSON-LD; CekKlaim exports it too
(`cekklaim export --format claimreview`). Here it is read back: claimReviewed -> claim,
reviewRating.alternateName -> verdict, author.name -> org, url (or, in CekKlaim's own,
citation.url) -> source_url, datePublished -> published_at, expires -> valid_until,
reviewBody/description -> clarification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from bot.sources.page import as_date, jsonld_objects, types_of
from bot.sources.urls import normalize_url
from storage import sources as source_store
from storage.claimreview import SITE_NAME
from storage.db import transaction
from storage.statement_input import (
    MAX_CLAIM_LEN,
    MAX_CLARIFICATION_LEN,
    MAX_ORG_LEN,
    VERDICTS,
    is_http_url,
    text_problem,
)

#: Rating names fact-checkers use, mapped to CekKlaim's verdicts (upper-cased keys).
VERDICT_NAMES = {
    "HOAX": "HOAKS", "HOAKS": "HOAKS", "FALSE": "SALAH", "SALAH": "SALAH", "KELIRU": "SALAH",
    "FAKE": "HOAKS", "PANTS ON FIRE": "HOAKS", "MOSTLY FALSE": "MENYESATKAN",
    "PARTLY FALSE": "MENYESATKAN", "HALF TRUE": "MENYESATKAN", "MISSING CONTEXT": "MENYESATKAN",
    "MISLEADING": "MENYESATKAN", "MENYESATKAN": "MENYESATKAN", "SEBAGIAN BENAR": "MENYESATKAN",
    "TRUE": "BENAR", "BENAR": "BENAR", "FAKTA": "BENAR", "CORRECT": "BENAR",
    "MOSTLY TRUE": "BENAR", "CLARIFICATION": "KLARIFIKASI", "KLARIFIKASI": "KLARIFIKASI",
    "DISINFORMATION": "DISINFORMASI", "DISINFORMASI": "DISINFORMASI",
    "MISINFORMATION": "MISINFORMASI", "MISINFORMASI": "MISINFORMASI",
}  # fmt: skip


def map_verdict(name: object) -> str | None:
    """A CekKlaim verdict for a rating name, or None (the moderator picks one)."""
    if not isinstance(name, str):
        return None
    key = " ".join(name.replace("-", " ").replace("_", " ").split()).upper()
    if key in VERDICTS:
        return key
    return VERDICT_NAMES.get(key) or VERDICT_NAMES.get(key.removeprefix("[").removesuffix("]"))


def _text(value: object, limit: int) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:limit] or None


def _iso_date(value: object) -> str | None:
    """YYYY-MM-DD of an ISO date or datetime (an expiry may lie ahead), else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def review_fields(review: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The statement fields a ClaimReview gives; keys absent when the review lacks them."""
    rating = review.get("reviewRating")
    rating = rating if isinstance(rating, dict) else {}
    url = review.get("url")
    # CekKlaim's own reviews (storage.transfer.claimreview_record) are its public pages and
    # cite the official source: the source is the citation, when one has an http(s) url.
    cited = review.get("citation")
    cited = (
        next((c for c in cited if isinstance(c, dict)), None) if isinstance(cited, list) else cited
    )
    if isinstance(cited, dict) and isinstance(cited.get("url"), str) and is_http_url(cited["url"]):
        url = cited["url"]
        title = cited.get("name")
    else:
        title = review.get("headline") or review.get("name")
        if _text(review.get("publisher"), MAX_ORG_LEN) == SITE_NAME:
            url = None  # CekKlaim's page of a statement without a source
    fields: dict[str, Any] = {
        "claim": _text(review.get("claimReviewed"), MAX_CLAIM_LEN),
        "verdict": map_verdict(rating.get("alternateName") or rating.get("name")),
        "org": _text(review.get("author"), MAX_ORG_LEN),
        "source_url": url if isinstance(url, str) and is_http_url(url) else None,
        "source_title": _text(title, 300),
        "published_at": as_date(review.get("datePublished"), today=today),
        "valid_until": _iso_date(review.get("expires")),
        "clarification": _text(
            review.get("reviewBody") or review.get("description")
            or rating.get("ratingExplanation"),
            MAX_CLARIFICATION_LEN,
        ),
    }  # fmt: skip
    return {k: v for k, v in fields.items() if v}


def reviews_in(objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if "claimreview" in types_of(o)]


def reviews_from_json(text: str) -> list[dict[str, Any]]:
    """ClaimReview objects of a JSON / JSON-LD document (a single object, a list, @graph)."""
    return reviews_in(jsonld_objects(text))


@dataclass(frozen=True, slots=True)
class QueueSummary:
    queued: int
    already: int
    problems: tuple[str, ...]


def review_key(fields: dict[str, Any]) -> str:
    """One draft per reviewed claim and review page, however often it is imported."""
    url = normalize_url(fields.get("source_url") or "") or ""
    claim = " ".join(str(fields.get("claim", "")).casefold().split())
    return "cr:" + hashlib.sha256(f"{url}\n{claim}".encode()).hexdigest()[:24]


def queue_reviews(
    db: Database,
    reviews: Iterable[dict[str, Any]],
    *,
    origin_url: str | None = None,
    today: date | None = None,
) -> QueueSummary:
    """Put ClaimReviews in the moderators' drafts queue (one transaction); none is served
    until a moderator saves it. A review without claimReviewed is reported, not queued."""
    queued = already = 0
    problems: list[str] = []
    with transaction(db):
        for number, review in enumerate(reviews, 1):
            fields = review_fields(review, today=today)
            if "claim" not in fields:
                problems.append(f"ClaimReview {number}: no claimReviewed, skipped")
                continue
            bad = next(
                ((name, p) for name, v in fields.items()
                 if isinstance(v, str) and (p := text_problem(v))),
                None,
            )  # fmt: skip
            if bad is not None:
                problems.append(f"ClaimReview {number}: {bad[0]} contains {bad[1]}, skipped")
                continue
            added = source_store.add_source_draft(
                db,
                key=review_key(fields),
                origin="claimreview",
                url=fields.get("source_url") or origin_url,
                title=fields.get("source_title") or fields["claim"],
                summary=fields.get("clarification"),
                published_at=fields.get("published_at"),
                fields=fields,
            )
            if added is None:
                already += 1
            else:
                queued += 1
    return QueueSummary(queued, already, tuple(problems))
