"""Source-related messages stay valid HTML under Telegram's 4,096 characters, whatever a
page or feed holds."""

from __future__ import annotations

import html
import re

from bot.replies import moderators
from bot.sources.fetch import Fetched
from bot.sources.prefill import prefill_from_page
from bot.sources.urls import parse_official_domains
from storage.sources import SourceDraft

NASTY = "<&>\"' " * 2000


def plain(body: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_drafts_list_of_hostile_titles_fits() -> None:
    found = [
        SourceDraft(
            id=n,
            key=f"k{n}",
            url=f"https://{'a' * 60}.{'b' * 60}.example/{NASTY}",
            title=NASTY,
            summary=NASTY,
            published_at="2024-01-01",
            origin="feed",
            feed_url=None,
            fields={},
            status="pending",
            created_at="",
        )
        for n in range(10)
    ]
    body = moderators.drafts_list(found, 10)
    assert len(body) < 4096
    assert "<&>" in plain(body)  # shown, escaped, not dropped


def test_prefill_summary_of_a_hostile_page_fits() -> None:
    page = (
        f"<title>{html.escape(NASTY)}</title>"
        + f'<meta property="og:description" content="{html.escape(NASTY)}">'
        + "".join(f"<p>{html.escape(NASTY)}</p>" for _ in range(5))
    ).encode()
    fetched = Fetched("https://x.example/", "https://x.example/", 200, "text/html", page)
    found = prefill_from_page(fetched, parse_official_domains("kpu.go.id")[0])
    body = moderators.prefill_summary(found)
    assert len(body) < 4096 and "x.example bukan domain resmi" in plain(body)
