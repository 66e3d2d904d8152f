"""The public site's HTML: a statement's page and the lists (index, filters, archive),
rendered with jinja2 (templates/, autoescaped: every value from the base is escaped, and
the JSON-LD in its script tag cannot close it).

Indonesian, no JavaScript needed to read, no external requests (the style is inline): a
page is a few KB, quick on a cheap phone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from bot.domain import Statement
from bot.replies.render import WHATSAPP, deep_link, format_date
from bot.replies.texts import first_sentence, shorten
from bot.site.paths import image_path, page_path, page_url, slug
from storage.claimreview import claimreview_record

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.site", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
TELEGRAM_SHARE = "https://t.me/share/url"


@dataclass(frozen=True, slots=True)
class Site:
    """What every page needs: the public base URL, the bot (for deep links), today."""

    base_url: str
    bot_username: str | None
    today: date

    def bot_link(self, external_id: str | None = None) -> str | None:
        return deep_link(self.bot_username, external_id) if self.bot_username else None


@dataclass(frozen=True, slots=True)
class Filter:
    name: str
    href: str
    count: int


@dataclass(frozen=True, slots=True)
class Filters:
    bodies: Sequence[Filter]
    verdicts: Sequence[Filter]
    years: Sequence[Filter]


def state_of(statement: Statement, today: date) -> str | None:
    """How a statement the bot no longer serves is marked, or None while it is current."""
    if statement.status != "active":
        return "diarsipkan"
    if statement.superseded_by:
        return "sudah diganti"
    if not statement.is_current(today):
        return "kedaluwarsa"
    return None


def json_ld(record: dict[str, Any]) -> Markup:
    """JSON for a script tag: '<', '>' and '&' as \\u escapes, so "</script>" in a claim
    cannot end the tag, and the JSON still parses to the same text."""
    text = json.dumps(record, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _status_note(statement: Statement, state: str | None) -> str | None:
    if state == "diarsipkan":
        return "Pernyataan ini sudah diarsipkan: bot CekKlaim tidak lagi memakainya."
    if state == "sudah diganti":
        return "Pernyataan ini sudah diganti dengan pernyataan yang lebih baru."
    if state == "kedaluwarsa":
        return (
            f"Pernyataan ini hanya berlaku sampai {format_date(statement.valid_until, 'id')}; "
            "bot CekKlaim tidak lagi memakainya."
        )
    return None


def statement_page(statement: Statement, site: Site, newer: Statement | None = None) -> str:
    """One statement's page: verdict, claim, the body's clarification, source and date, its
    ClaimReview JSON-LD while it is current, Open Graph tags and the share links."""
    state = state_of(statement, site.today)
    url = page_url(site.base_url, statement)
    verdict = statement.verdict
    title = f"{verdict}: {shorten(statement.claim, 90)}"
    share = f"{title}\n{url}"
    values = {
        "root": "../",
        "title": f"{title} | CekKlaim",
        "og_title": title,
        "og_type": "article",
        "og_image": f"{site.base_url.rstrip('/')}/{image_path(verdict)}",
        "og_image_alt": verdict,
        "description": f"{statement.org}: {first_sentence(statement.clarification, 200)}",
        "canonical": url,
        "bot_link": site.bot_link(),
        "s": statement,
        "verdict": verdict,
        "current": state is None,
        "status_note": _status_note(statement, state),
        "newer": {"href": "../" + page_path(newer.external_id)} if newer else None,
        "paragraphs": [p for p in statement.clarification.split("\n") if p.strip()],
        "date": format_date(statement.published_at, "id"),
        "valid_until": format_date(statement.valid_until, "id") if statement.valid_until else None,
        "deep_link": site.bot_link(statement.external_id),
        "whatsapp": WHATSAPP + quote(share, safe=""),
        "telegram_share": f"{TELEGRAM_SHARE}?url={quote(url, safe='')}"
        f"&text={quote(title, safe='')}",
        "org_slug": slug(statement.org),
        "verdict_slug": slug(verdict),
        "json_ld": json_ld(claimreview_record(statement, url)) if state is None else None,
    }
    return _ENV.get_template("statement.html").render(values)


@dataclass(frozen=True, slots=True)
class Entry:
    """One statement in a list."""

    href: str
    verdict: str
    claim: str
    org: str
    date: str
    state: str | None


def entry(statement: Statement, today: date) -> Entry:
    return Entry(
        href=page_path(statement.external_id),
        verdict=statement.verdict,
        claim=shorten(statement.claim, 200),
        org=statement.org,
        date=format_date(statement.published_at, "id"),
        state=state_of(statement, today),
    )


@dataclass(frozen=True, slots=True)
class ListPage:
    """A list of statements, one page of it: `path` below the root, e.g. "label/hoaks.html"."""

    path: str
    heading: str
    intro: str | None
    entries: Sequence[Entry]
    previous: str | None = None
    next: str | None = None


def list_page(page: ListPage, filters: Filters, site: Site) -> str:
    depth = page.path.count("/")
    root = "../" * depth
    name = page.path.rsplit("/", 1)[-1]
    return _ENV.get_template("list.html").render(
        root=root,
        title=f"{page.heading} | CekKlaim",
        og_title=None,
        og_type=None,
        og_image=None,
        og_image_alt=None,
        description=page.intro or page.heading,
        canonical=site.base_url.rstrip("/") + "/" + page.path,
        bot_link=site.bot_link(),
        heading=page.heading,
        intro=page.intro,
        search=name == "index.html",
        filters=filters,
        entries=page.entries,
        previous=page.previous,
        next=page.next,
    )


def static_file(name: str) -> str:
    """A file shipped as it is (the search script)."""
    loader = _ENV.loader
    assert loader is not None
    source, _, _ = loader.get_source(_ENV, name)
    return source
