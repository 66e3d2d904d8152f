"""schema.org ClaimReview -> statement fields, for drafts (never saved without a moderator).

Fact-checkers publish their ratings as ClaimReview JSON-LD; CekKlaim exports it too
(`cekklaim export --format claimreview`). Here it is read back: claimReviewed -> claim,
reviewRating.alternateName -> verdict, author.name -> org, url -> source_url,
datePublished -> published_at, reviewBody/description -> clarification.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.sources.page import as_date, jsonld_objects, types_of
from storage.statements import MAX_CLAIM_LEN, MAX_CLARIFICATION_LEN, MAX_ORG_LEN, VERDICTS

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


def review_fields(review: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The statement fields a ClaimReview gives; keys absent when the review lacks them."""
    rating = review.get("reviewRating")
    rating = rating if isinstance(rating, dict) else {}
    url = review.get("url")
    fields: dict[str, Any] = {
        "claim": _text(review.get("claimReviewed"), MAX_CLAIM_LEN),
        "verdict": map_verdict(rating.get("alternateName") or rating.get("name")),
        "org": _text(review.get("author"), MAX_ORG_LEN),
        "source_url": url if isinstance(url, str) and url.startswith(("http://", "https://"))
        else None,
        "source_title": _text(review.get("headline") or review.get("name"), 300),
        "published_at": as_date(review.get("datePublished"), today=today),
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
