"""schema.org ClaimReview of a statement: what `cekklaim export --format claimreview` writes
and each public statement page (bot/site) carries; bot/sources/claimreview.py reads it back
(a round-trip test holds the two together)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from storage.statements import Statement

#: A verdict on the 1 (false) .. 5 (true) scale of ClaimReview's reviewRating; the verdict
#: itself is the rating's alternateName, so a reader needs no table to read it back.
RATING_VALUES = {
    "HOAKS": 1, "SALAH": 1, "DISINFORMASI": 1, "MISINFORMASI": 2, "MENYESATKAN": 2,
    "KLARIFIKASI": 3, "BENAR": 5,
}  # fmt: skip
BEST_RATING, WORST_RATING = 5, 1
#: The claim's author: a hoax circulates unsigned, and ClaimReview asks for one.
UNKNOWN_CLAIM_AUTHOR = "Tidak diketahui (beredar di media sosial dan pesan berantai)"
#: The publisher of the public pages: a review it publishes is at `url`, not the source.
SITE_NAME = "CekKlaim"


def claimreview_record(statement: Statement, page_url: str | None = None) -> dict[str, Any]:
    """A schema.org ClaimReview for one statement, omitting unknown optional values.

    `url` is the statement's public page (`page_url`, see bot/site) when there is one, else
    its source; the source itself is the review's `citation` and CekKlaim, whose page it is,
    the `publisher` (the issuing body is the `author`), so reading it back
    (bot/sources/claimreview.review_fields) gives every field again. Phrasings are not
    carried: some are citizens' own wordings, which a public page must not publish.
    """
    source = {"@type": "CreativeWork", "url": statement.source_url, "name": statement.source_title}
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url or statement.source_url,
        "identifier": statement.external_id,
        "inLanguage": "id",
        "claimReviewed": statement.claim,
        "datePublished": statement.published_at,
        "expires": statement.valid_until,
        "author": {"@type": "Organization", "name": statement.org},
        "publisher": {"@type": "Organization", "name": SITE_NAME} if page_url else None,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES.get(statement.verdict, 3),
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": statement.verdict,
        },
        "itemReviewed": {
            "@type": "Claim",
            "text": statement.claim,
            "author": {"@type": "Person", "name": UNKNOWN_CLAIM_AUTHOR},
        },
        "reviewBody": statement.clarification,
        "citation": {k: v for k, v in source.items() if v is not None}
        if statement.source_url
        else None,
    }
    return {key: value for key, value in review.items() if value is not None}


def export_claimreview(
    statements: Iterable[Statement],
    fp: TextIO,
    page_url: Callable[[Statement], str | None] | None = None,
) -> int:
    """Write a JSON array of ClaimReview objects (for fact-check aggregators); `page_url`
    gives each statement's public page (PUBLIC_BASE_URL set)."""
    reviews = [
        claimreview_record(statement, page_url(statement) if page_url else None)
        for statement in statements
    ]
    json.dump(reviews, fp, ensure_ascii=False, indent=2)
    fp.write("\n")
    return len(reviews)
