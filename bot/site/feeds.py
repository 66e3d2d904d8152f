"""The public site's XML: an Atom feed of the newest statements, and sitemap.xml. Written
with ElementTree, which escapes every value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.domain import Statement, parse_utc
from bot.replies.texts import first_sentence, shorten
from bot.site.paths import page_url

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_ENTRIES = 50


def _moment(iso: str | None) -> datetime:
    return (parse_utc(iso) if iso else None) or datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def atom_feed(statements: Sequence[Statement], base_url: str) -> str:
    """The statements added to the site most recently (by when CekKlaim stored them), newest
    first; each entry links to its page."""
    ET.register_namespace("", ATOM)
    newest = sorted(statements, key=lambda s: _moment(s.created_at), reverse=True)
    newest = newest[:FEED_ENTRIES]
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "id"})
    site = base_url.rstrip("/") + "/"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = site
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "CekKlaim: pernyataan resmi terbaru"
    ET.SubElement(feed, f"{{{ATOM}}}link", {"href": site + "index.html"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": site + "feed.xml"})
    updated = max((_moment(s.updated_at) for s in newest), default=_moment(None))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "CekKlaim"
    for statement in newest:
        url = page_url(base_url, statement)
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}id").text = url
        ET.SubElement(
            item, f"{{{ATOM}}}title"
        ).text = f"{statement.verdict}: {shorten(statement.claim, 150)}"
        ET.SubElement(item, f"{{{ATOM}}}link", {"href": url})
        ET.SubElement(item, f"{{{ATOM}}}published").text = _stamp(_moment(statement.created_at))
        ET.SubElement(item, f"{{{ATOM}}}updated").text = _stamp(_moment(statement.updated_at))
        by = ET.SubElement(item, f"{{{ATOM}}}author")
        ET.SubElement(by, f"{{{ATOM}}}name").text = statement.org
        ET.SubElement(
            item, f"{{{ATOM}}}summary"
        ).text = f"{statement.org}: {first_sentence(statement.clarification, 300)}"
    return _xml(feed)


def sitemap(statements: Sequence[Statement], base_url: str, lists: Sequence[str]) -> str:
    """The list pages and every current statement's page."""
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    site = base_url.rstrip("/") + "/"
    for path in lists:
        ET.SubElement(ET.SubElement(urlset, f"{{{SITEMAP}}}url"), f"{{{SITEMAP}}}loc").text = (
            site + path
        )
    for statement in statements:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = page_url(base_url, statement)
        ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = _stamp(_moment(statement.updated_at))
    return _xml(urlset)
