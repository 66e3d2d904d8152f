"""A moderator's draft pre-filled from an official page, with the evidence to keep.

    URL -> safe fetch -> page metadata + main text (+ ClaimReview) -> draft fields

The draft uses the field names of `bot.drafts`; the guided /tambah then asks only for what
is missing. `evidence` is saved with the statement in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.sources.claimreview import review_fields
from bot.sources.fetch import HTML_TYPES, Fetched, FetchPolicy, fetch
from bot.sources.page import PageInfo, parse_page
from bot.sources.sandbox import read_page
from bot.sources.urls import host_of, official_body
from storage.statement_input import MAX_CLARIFICATION_LEN

SUGGESTION_CHARS = 800  # a clarification suggestion: the description or the first paragraphs
MIN_DESCRIPTION = 60
MIN_PARAGRAPH_WORDS = 8  # a shorter description is a teaser, not a clarification


@dataclass(frozen=True, slots=True)
class Prefill:
    draft: dict[str, Any]
    page: PageInfo
    host: str
    official: bool
    evidence: dict[str, Any] = field(default_factory=dict)


def suggest_clarification(page: PageInfo) -> str | None:
    """The page's own summary when it has a real one, else its first paragraphs."""
    if page.description and len(page.description) >= MIN_DESCRIPTION:
        return page.description[:MAX_CLARIFICATION_LEN]
    picked: list[str] = []
    title = (page.title or "").casefold()
    for paragraph in page.main_text.split("\n\n"):
        if len(paragraph.split()) < MIN_PARAGRAPH_WORDS or paragraph.casefold() in title:
            continue  # headings, datelines, captions
        if picked and sum(len(p) for p in picked) + len(paragraph) > SUGGESTION_CHARS:
            break
        picked.append(paragraph[:SUGGESTION_CHARS])
    return "\n\n".join(picked) or page.description or None


def prefill_from_page(
    fetched: Fetched,
    official_domains: Mapping[str, str],
    *,
    today: date | None = None,
    page: PageInfo | None = None,
) -> Prefill:
    """Draft fields from a fetched page: what the page says, never more.

    `page` is the page already parsed (the bot parses in a worker: `prefill_from_url`)."""
    if page is None:
        page = parse_page(fetched.text, fetched.final_url, today=today)
    host = host_of(fetched.final_url) or ""
    body = official_body(host, official_domains) if host else None
    draft: dict[str, Any] = {"source_url": fetched.final_url}
    if body:
        draft["org"] = body
    if page.title:
        draft["source_title"] = page.title
    if page.published_at:
        draft["published_at"] = page.published_at
    clarification = suggest_clarification(page)
    if clarification:
        draft["clarification"] = clarification
    if page.claim_reviews:  # a fact-check page says the claim and the verdict itself
        reviewed = review_fields(page.claim_reviews[0], today=today)
        for name in ("claim", "verdict", "clarification", "published_at"):
            if name in reviewed:
                draft.setdefault(name, reviewed[name])
        if body is None and "org" in reviewed:
            draft["org"] = reviewed["org"]
    evidence = {
        "url": fetched.url,
        "final_url": fetched.final_url,
        "content_type": fetched.content_type,
        "body_sha256": fetched.sha256,
        "text": page.main_text,
        "fetched_at": fetched.fetched_at,
    }
    return Prefill(draft, page, host, body is not None, evidence)


async def prefill_from_url(
    url: str, policy: FetchPolicy, official_domains: Mapping[str, str]
) -> Prefill:
    """Fetch an HTML page and pre-fill a draft from it; raises FetchError."""
    fetched = await fetch(url, policy, accept=HTML_TYPES)
    page = await read_page(fetched)  # decoded and parsed off the loop, own budget
    return prefill_from_page(fetched, official_domains, page=page)
