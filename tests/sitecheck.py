"""Reading a written public site (bot/site) back, for the site tests: every page parsed,
its links, its ClaimReview JSON-LD, its Open Graph tags."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

BASE_URL = "https://cek.example.id/"


@dataclass
class Page:
    path: str  # below the site's root
    tree: Any  # lxml.html element
    links: list[str] = field(default_factory=list)  # href and src values
    meta: dict[str, str] = field(default_factory=dict)  # og:*, description, ...
    json_ld: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.tree.text_content().split())


def read_page(root: Path, path: str) -> Page:
    raw = (root / path).read_bytes()
    tree = lxml.html.document_fromstring(raw.decode("utf-8"))
    page = Page(path, tree)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src"):
            if element.get(name) is not None:
                page.links.append(element.get(name))
        if element.tag == "meta" and element.get("content") is not None:
            page.meta[element.get("property") or element.get("name") or ""] = element.get("content")
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        page.json_ld.append(json.loads(script.text))
    return page


def local_target(root: Path, page: str, link: str) -> Path | None:
    """The file a link on `page` points to inside the site, or None for an outside link."""
    absolute = urljoin(BASE_URL + page, link)
    if not absolute.startswith(BASE_URL):
        return None
    return root / unquote(urlsplit(absolute).path.removeprefix("/"))


def claimreview_problems(review: dict[str, Any], page_url: str, dated: bool = True) -> list[str]:
    """What a ClaimReview lacks of the fields CekKlaim promises (README, issue 17); Google
    requires claimReviewed, reviewRating, url and author, and recommends datePublished,
    which an undated statement (`dated` False) leaves out rather than make one up."""
    problems = []
    expect = {"@context": "https://schema.org", "@type": "ClaimReview", "url": page_url,
              "inLanguage": "id"}  # fmt: skip
    problems += [f"{k} != {v!r}" for k, v in expect.items() if review.get(k) != v]
    for name in ("claimReviewed", "reviewBody", *(("datePublished",) if dated else ())):
        if not isinstance(review.get(name), str) or not review[name]:
            problems.append(f"no {name}")
    item = review.get("itemReviewed") or {}
    if item.get("@type") != "Claim" or item.get("text") != review.get("claimReviewed"):
        problems.append("itemReviewed is not the claim")
    if not dated and "datePublished" in review:
        problems.append("a date made up for an undated statement")
    if not (item.get("author") or {}).get("name"):
        problems.append("itemReviewed has no author")
    author = review.get("author") or {}
    if author.get("@type") != "Organization" or not author.get("name"):
        problems.append("author is not the issuing body")
    rating = review.get("reviewRating") or {}
    if rating.get("@type") != "Rating" or not rating.get("alternateName"):
        problems.append("reviewRating has no alternateName")
    numbers = [rating.get(k) for k in ("worstRating", "ratingValue", "bestRating")]
    if not all(isinstance(n, int) for n in numbers) or not numbers[0] <= numbers[1] <= numbers[2]:
        problems.append(f"rating values out of order: {numbers}")
    return problems
