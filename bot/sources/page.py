"""What a web page says about itself: title, description, date, main text, ClaimReviews.

Stdlib `html.parser` only: the pages are official news pages with ordinary markup, and we
need their metadata and paragraphs, not a DOM. Broken markup degrades the result, never
raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

from bot.drafts import parse_date

MAX_MAIN_TEXT = 100_000
MAX_JSONLD = 200_000  # characters of one JSON-LD block; larger ones are skipped
#: Elements whose text is never part of the article.
_SKIP = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template",
     "svg", "iframe", "button", "select", "textarea", "figure"}
)  # fmt: skip
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "li", "blockquote", "pre", "td"})
_CONTAINERS = frozenset({"article", "main"})
_ARTICLE_TYPES = frozenset(
    {"newsarticle", "article", "blogposting", "reportagenewsarticle", "webpage",
     "governmentarticle", "pressrelease", "report", "analysisnewsarticle"}
)  # fmt: skip
_MONTH_WORDS = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|"
    r"november|nopember|desember|january|february|march|may|june|july|august|october|december"
)
_TEXT_DATE = re.compile(
    rf"\b(\d{{1,2}}\s+(?:{_MONTH_WORDS})\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PageInfo:
    url: str
    title: str | None
    description: str | None
    published_at: str | None  # YYYY-MM-DD, never in the future
    site_name: str | None
    main_text: str  # paragraphs separated by blank lines
    claim_reviews: tuple[dict[str, Any], ...]  # schema.org ClaimReview objects found


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.time_values: list[str] = []
        self.jsonld: list[str] = []
        self.paragraphs: list[tuple[str, bool]] = []  # (text, inside <article>/<main>)
        self._skip: list[str] = []
        self._in_title = False
        self._in_jsonld = False
        self._jsonld_parts: list[str] = []
        self._block: list[str] | None = None
        self._block_tag = ""
        self._containers = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            content = values.get("content", "").strip()
            if key and content:
                self.meta.setdefault(key.lower(), content)
            return
        if tag == "script" and values.get("type", "").lower().strip() == "application/ld+json":
            self._in_jsonld, self._jsonld_parts = True, []
            return
        if tag == "time" and values.get("datetime"):
            self.time_values.append(values["datetime"])
        if tag in _SKIP:
            self._skip.append(tag)
            return
        if self._skip:
            return
        if tag == "title" and not self.title_parts:
            self._in_title = True
        elif tag in _CONTAINERS:
            self._containers += 1
        elif tag in _BLOCKS:
            self._flush()
            self._block, self._block_tag = [], tag
        elif tag == "br" and self._block is not None:
            self._block.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_jsonld:
            self._in_jsonld = False
            self.jsonld.append("".join(self._jsonld_parts))
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            elif tag in self._skip:  # unclosed inner elements: unwind to the match
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag == "title":
            self._in_title = False
        elif tag in _CONTAINERS:
            self._containers = max(0, self._containers - 1)
        elif tag == self._block_tag:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            if sum(len(p) for p in self._jsonld_parts) < MAX_JSONLD:
                self._jsonld_parts.append(data)
            return
        if self._skip:
            return
        if self._in_title:
            self.title_parts.append(data)
        elif self._block is not None:
            self._block.append(data)

    def _flush(self) -> None:
        if self._block is not None:
            text = " ".join("".join(self._block).split())
            if len(text.split()) >= 2:
                self.paragraphs.append((text, self._containers > 0))
        self._block, self._block_tag = None, ""

    def close(self) -> None:
        super().close()
        self._flush()


def _objects(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in a parsed block: lists, @graph and nested values walked."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key, item in value.items():
            if key != "@context" and isinstance(item, dict | list):
                yield from _objects(item, depth + 1)


def types_of(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds}


def jsonld_objects(text: str) -> list[dict[str, Any]]:
    """Objects of one JSON-LD document (or JSON file); [] when it does not parse."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    return list(_objects(data))


def as_date(value: object, *, today: date | None = None) -> str | None:
    """YYYY-MM-DD from an ISO date/datetime or a written date; None if unknown or future."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    parsed = None
    if re.match(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            parsed = date.fromisoformat(raw[:10])
        except ValueError:
            parsed = None
    if parsed is None:
        written = _TEXT_DATE.search(raw[:200])  # "Senin, 20 November 2023 09:15 WIB"
        parsed = parse_date(written.group(1)) if written else None
    if parsed is None or parsed > (today or date.today()) or parsed.year < 1990:
        return None
    return parsed.isoformat()


def _clean(value: str | None, limit: int = 1000) -> str | None:
    if not value:
        return None
    text = " ".join(value.split())
    return text[:limit] or None


def parse_page(html_text: str, url: str, *, today: date | None = None) -> PageInfo:
    collector = _Collector()
    try:
        collector.feed(html_text)
        collector.close()
    except (AssertionError, ValueError):  # html.parser on pathological input
        pass
    meta = collector.meta
    objects = [o for block in collector.jsonld for o in jsonld_objects(block)]
    articles = [o for o in objects if types_of(o) & _ARTICLE_TYPES]
    reviews = tuple(o for o in objects if "claimreview" in types_of(o))

    title = _clean(meta.get("og:title") or meta.get("twitter:title"), 300)
    if title is None:
        title = _clean("".join(collector.title_parts), 300)
    if title is None:
        title = next((_clean(o.get("headline"), 300) for o in articles if o.get("headline")), None)
    description = _clean(
        meta.get("og:description") or meta.get("description") or meta.get("twitter:description")
    )
    if description is None:
        description = next(
            (_clean(o.get("description")) for o in articles if o.get("description")), None
        )

    paragraphs = collector.paragraphs
    inside = [text for text, contained in paragraphs if contained]
    main_text = "\n\n".join(inside or [text for text, _ in paragraphs])[:MAX_MAIN_TEXT]

    candidates: list[object] = [o.get("datePublished") for o in articles]
    candidates += [
        meta.get(k)
        for k in ("article:published_time", "datepublished", "og:published_time",
                  "publishdate", "pubdate", "date", "dc.date", "dc.date.issued")
    ]  # fmt: skip
    candidates += [o.get("datePublished") for o in objects]
    candidates += collector.time_values
    candidates += [m.group(1) for m in _TEXT_DATE.finditer(main_text[:5000])]
    published = next((d for d in (as_date(c, today=today) for c in candidates) if d), None)

    return PageInfo(
        url=url,
        title=title,
        description=description,
        published_at=published,
        site_name=_clean(meta.get("og:site_name"), 100),
        main_text=main_text,
        claim_reviews=reviews,
    )
