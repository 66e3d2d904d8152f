"""A link a citizen sends, read as a claim: the linked page's title and description.

Citizens often send only a link to a post or article. When no known source or earlier
claim answers the link itself (`Core.link_answer`), what the page says about
itself is matched as the claim, together with whatever the citizen typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sources.fetch import HTML_TYPES, FetchPolicy, fetch
from bot.sources.fetch_error import FetchError
from bot.sources.sandbox import read_page
from bot.sources.urls import URL_IN_TEXT

MAX_PAGE_TEXT = 1500


@dataclass(frozen=True, slots=True)
class LinkText:
    """What a citizen's message with a link asks about, once the linked page was read."""

    text: str  # the claim text to match: typed words plus the page's title and description
    failure: str | None  # a FetchError reason when the page could not be read


def without_urls(text: str) -> str:
    return " ".join(URL_IN_TEXT.sub(" ", text).split())


async def claim_text_with_page(typed: str, urls: tuple[str, ...], policy: FetchPolicy) -> LinkText:
    """Typed text plus the first linked page's title and description; never raises."""
    words = without_urls(typed)
    fallback = words or typed or " ".join(urls)
    if not urls:
        return LinkText(fallback, None)
    try:
        fetched = await fetch(urls[0], policy, accept=HTML_TYPES)
        page = await read_page(fetched)  # decoded and parsed off the loop, own budget
    except FetchError as exc:
        return LinkText(fallback, exc.reason)
    parts = [p for p in (page.title, page.description) if p]
    if not parts:
        return LinkText(fallback, None)
    said = ". ".join(dict.fromkeys(parts))[:MAX_PAGE_TEXT]
    return LinkText(f"{words}\n{said}" if words else said, None)
