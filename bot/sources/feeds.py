"""Official feeds (RSS, Atom, sitemaps) polled into the moderators' drafts queue.

    feed URL -> conditional GET (ETag / Last-Modified; 304 = nothing to do) -> items
             -> new links only (normalized; not yet a draft or a statement source)
             -> source_drafts (pending, for /draf)

Nothing here publishes: a draft becomes a statement only when a moderator saves it.
The XML is read by libxml2 (lxml) with entity expansion, DTD loading and the network off,
in the parsing worker (`bot.sources.sandbox`); a document that declares entities is refused
whatever its encoding or padding, since the check reads the parser's own view of the DTD.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from itertools import islice

from lxml import etree
from sqlite_utils import Database

from bot.sources.fetch import FEED_TYPES, FetchPolicy, fetch
from bot.sources.fetch_error import FetchError
from bot.sources.page import as_date
from bot.sources.sandbox import read_feed
from bot.sources.urls import normalize_url
from storage import sources as source_store
from storage.db import transaction

log = logging.getLogger(__name__)

MAX_ITEMS_PER_FEED = 50  # new drafts per feed and poll
MAX_ENTRIES = 50_000  # items read from one document (a sitemap's own limit)
_TAGS = re.compile(r"<[^>]+>")


class FeedParseError(ValueError):
    """The document is not an RSS/Atom feed or a sitemap we can read."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    link: str
    title: str | None = None
    summary: str | None = None
    published_at: str | None = None
    key: str | None = None  # normalize_url(link), worked out with the parsing (off the loop)


@dataclass(slots=True)
class FeedResult:
    url: str
    status: str  # "new" (fetched and read), "not_modified" (304) or "error"
    items: int = 0  # items in the feed
    new: list[FeedItem] = field(default_factory=list)  # queued as drafts now
    reason: str | None = None  # FetchError reason, or "parse" for an unreadable feed


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _child(element: etree._Element, *names: str) -> etree._Element | None:
    for child in element:
        if _local(child.tag) in names:
            return child
    return None


def _text(element: etree._Element | None, limit: int = 3000) -> str | None:
    if element is None:
        return None
    raw = "".join(element.itertext())
    text = " ".join(html.unescape(_TAGS.sub(" ", raw)).split())
    return text[:limit] or None


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return as_date(parsedate_to_datetime(value).date().isoformat())
    except (TypeError, ValueError, IndexError):
        return as_date(value)


def parse_feed(body: bytes) -> list[FeedItem]:
    """Items of an RSS 2.0 / RSS 1.0 / Atom feed or a sitemap, in document order."""
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError) as exc:  # libxml2 also stops entity amplification
        raise FeedParseError(str(exc)[:200]) from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
        raise FeedParseError("entity declarations are not accepted")
    kind = _local(root.tag)
    items: list[FeedItem] = []
    if kind in ("rss", "rdf"):
        for item in islice((e for e in root.iter() if _local(e.tag) == "item"), MAX_ENTRIES):
            link = _text(_child(item, "link"), 2000) or ""
            items.append(
                FeedItem(
                    link,
                    _text(_child(item, "title"), 500),
                    _text(_child(item, "description", "encoded")),
                    _date(_text(_child(item, "pubdate", "date"))),
                )
            )
    elif kind == "feed":
        for entry in islice((e for e in root if _local(e.tag) == "entry"), MAX_ENTRIES):
            links = [c for c in entry if _local(c.tag) == "link"]
            chosen = next((c for c in links if c.get("rel", "alternate") == "alternate"), None)
            items.append(
                FeedItem(
                    (chosen.get("href") or "") if chosen is not None else "",
                    _text(_child(entry, "title"), 500),
                    _text(_child(entry, "summary", "content")),
                    as_date(_text(_child(entry, "published", "updated"))),
                )
            )
    elif kind == "urlset":
        for url in islice((e for e in root if _local(e.tag) == "url"), MAX_ENTRIES):
            items.append(
                FeedItem(
                    _text(_child(url, "loc"), 2000) or "",
                    published_at=as_date(_text(_child(url, "lastmod"))),
                )
            )
    else:
        raise FeedParseError(f"not a feed or sitemap: <{kind}>")
    return [
        dataclasses.replace(i, key=normalize_url(i.link))
        for i in items
        if i.link.startswith(("http://", "https://"))
    ]


def _source_keys(db: Database) -> set[str]:
    rows = db.execute("SELECT source_url FROM statements WHERE source_url IS NOT NULL")
    return {k for (url,) in rows if (k := normalize_url(url))}


def queue_items(db: Database, items: Iterable[FeedItem], *, feed_url: str) -> list[FeedItem]:
    """Queue the items whose link is new: no draft with it yet and no statement's source.

    Keys come with the items and known drafts are looked up in bulk, so a sitemap of 30,000
    known links costs the event loop milliseconds, not one insert attempt per link."""
    keyed = [(item, item.key or normalize_url(item.link)) for item in items]
    known = _source_keys(db)
    known |= source_store.known_draft_keys(
        db, list(dict.fromkeys(k for _, k in keyed if k and k not in known))
    )
    queued: list[FeedItem] = []
    with transaction(db):
        for item, key in keyed:
            if len(queued) >= MAX_ITEMS_PER_FEED:  # the rest waits for the next change
                break
            if key is None or key in known:
                continue
            added = source_store.add_source_draft(
                db,
                key=key,
                origin="feed",
                url=item.link,
                title=item.title,
                summary=item.summary,
                published_at=item.published_at,
                feed_url=feed_url,
            )
            known.add(key)
            if added is not None:
                queued.append(item)
    return queued


async def poll_feed(db: Database, url: str, policy: FetchPolicy) -> FeedResult:
    """One conditional poll of one feed; never raises for a bad feed or server."""
    state = source_store.get_feed_state(db, url)
    headers: dict[str, str] = {}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        fetched = await fetch(url, policy, headers=headers, accept=FEED_TYPES)
    except FetchError as exc:
        log.info("feed poll failed (%s): %s", exc.reason, url)
        source_store.set_feed_state(db, url, etag=None, last_modified=None, status=exc.reason)
        return FeedResult(url, "error", reason=exc.reason)
    if fetched.not_modified:
        source_store.set_feed_state(db, url, etag=None, last_modified=None, status="304")
        return FeedResult(url, "not_modified")
    try:
        items = await read_feed(fetched.body)  # in a worker process, with its own budget
    except FeedParseError:
        source_store.set_feed_state(db, url, etag=None, last_modified=None, status="parse")
        return FeedResult(url, "error", reason="parse")
    except FetchError as exc:  # the worker's budget ran out ("unreadable")
        source_store.set_feed_state(db, url, etag=None, last_modified=None, status=exc.reason)
        return FeedResult(url, "error", reason=exc.reason)
    new = queue_items(db, items, feed_url=url)
    source_store.set_feed_state(
        db, url, etag=fetched.etag, last_modified=fetched.last_modified, status="200"
    )
    return FeedResult(url, "new", items=len(items), new=new)


async def poll_feeds(db: Database, urls: Iterable[str], policy: FetchPolicy) -> list[FeedResult]:
    return [await poll_feed(db, url, policy) for url in urls]
