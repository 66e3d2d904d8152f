"""What a web page says about itself: title, description, date, main text, ClaimReviews.

The markup is read by libxml2's HTML parser (lxml), which is linear on hostile input
(`"<!--" * n` took the stdlib `html.parser` quadratic time) and fixes broken markup the way
browsers do; its events feed a small collector, since we need metadata and paragraphs, not a
DOM. Broken markup degrades the result, never raises. Every collection is capped, so a page's
size bounds the work. The bot calls this only through `bot.sources.sandbox`, in a worker
process with its own time and memory budget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from lxml import etree

from bot.drafts import parse_date

if TYPE_CHECKING:
    from lxml.etree import ParserTarget

MAX_MAIN_TEXT = 100_000
MAX_JSONLD = 200_000  # characters of one JSON-LD block; larger ones are skipped
MAX_JSONLD_BLOCKS = 50
MAX_OBJECTS = 2_000  # JSON-LD objects looked at per page
MAX_META = 500  # distinct meta keys kept
MAX_TIMES = 100  # <time datetime> values kept
MAX_PAGE_CHARS = 4_000_000  # what the fetch cap (2 MB) can decode to, with room to spare
#: Start tags, end tags and text runs read per page; the rest is ignored. A real news page has a few
#: thousand; hostile markup ("<p>" * n, "<" * n) reaches this in well under a second.
MAX_EVENTS = 200_000


class _Enough(Exception):
    """Raised inside the parser to stop it at MAX_EVENTS."""


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


class _Collector:
    """Parser target: start/end/data events in document order, markup already repaired."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.time_values: list[str] = []
        self.jsonld: list[str] = []
        self.paragraphs: list[tuple[str, bool]] = []  # (text, inside <article>/<main>)
        self._kept = [0, 0]  # characters of paragraphs kept: outside, inside containers
        self._skip: list[str] = []
        self._in_title = False
        self._in_jsonld = False
        self._jsonld_parts: list[str] = []
        self._jsonld_size = 0
        self._block: list[str] | None = None
        self._block_tag = ""
        self._containers = 0
        self._events = 0

    def _count(self) -> None:
        self._events += 1
        if self._events > MAX_EVENTS:
            raise _Enough

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._count()
        if not isinstance(tag, str):
            return
        values = {k.lower(): (v or "") for k, v in attrib.items()}
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            content = values.get("content", "").strip()
            if key and content and len(self.meta) < MAX_META:
                self.meta.setdefault(key.lower(), content)
            return
        if tag == "script" and values.get("type", "").lower().strip() == "application/ld+json":
            self._in_jsonld, self._jsonld_parts, self._jsonld_size = True, [], 0
            return
        if tag == "time" and values.get("datetime") and len(self.time_values) < MAX_TIMES:
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

    def end(self, tag: str) -> None:
        self._count()
        if tag == "script" and self._in_jsonld:
            self._in_jsonld = False
            if len(self.jsonld) < MAX_JSONLD_BLOCKS:
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

    def data(self, data: str) -> None:
        self._count()
        if self._in_jsonld:
            if self._jsonld_size < MAX_JSONLD:
                self._jsonld_parts.append(data)
                self._jsonld_size += len(data)
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
            inside = self._containers > 0
            # past MAX_MAIN_TEXT of either kind, more paragraphs cannot change main_text
            if len(text.split()) >= 2 and self._kept[inside] <= MAX_MAIN_TEXT:
                self.paragraphs.append((text, inside))
                self._kept[inside] += len(text) + 2
        self._block, self._block_tag = None, ""

    def close(self) -> None:
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


def _collect(html_text: str) -> _Collector:
    collector = _Collector()
    # lxml calls only the target methods a target has; the stubs' protocol lists them all
    target = cast("ParserTarget[None]", collector)
    parser = etree.HTMLParser(
        target=target, no_network=True, remove_comments=True, remove_pis=True,
        default_doctype=False, huge_tree=False,
    )  # fmt: skip
    try:
        parser.feed(html_text[:MAX_PAGE_CHARS])
        parser.close()
    except (etree.LxmlError, _Enough):  # "Document is empty", MAX_EVENTS: what was seen is kept
        collector.close()
    return collector


def parse_page(html_text: str, url: str, *, today: date | None = None) -> PageInfo:
    """What the page says about itself; linear in the page's size, never raises for markup."""
    return page_info(_collect(html_text), url, today=today)


def page_info(collector: _Collector, url: str, *, today: date | None = None) -> PageInfo:
    """The PageInfo of what a collector saw (whichever tokenizer fed it)."""
    meta = collector.meta
    found = (o for block in collector.jsonld for o in jsonld_objects(block))
    objects = list(islice(found, MAX_OBJECTS))
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
