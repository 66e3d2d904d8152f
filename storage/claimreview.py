"""Exporting statements as schema.org ClaimReview objects, for fact-check aggregators."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from storage.statements import Statement


def claimreview_record(statement: Statement) -> dict[str, Any]:
    """A schema.org ClaimReview for one statement, omitting unknown optional values."""
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": statement.source_url,
        "claimReviewed": statement.claim,
        "datePublished": statement.published_at,
        "expires": statement.valid_until,
        "author": {"@type": "Organization", "name": statement.org},
        "reviewRating": {"@type": "Rating", "alternateName": statement.verdict},
        "itemReviewed": {"@type": "Claim"},
        "reviewBody": statement.clarification,
    }
    return {key: value for key, value in review.items() if value is not None}


def export_claimreview(statements: Iterable[Statement], fp: TextIO) -> int:
    """Write a JSON array of ClaimReview objects (for fact-check aggregators)."""
    reviews = [claimreview_record(statement) for statement in statements]
    json.dump(reviews, fp, ensure_ascii=False, indent=2)
    fp.write("\n")
    return len(reviews)
