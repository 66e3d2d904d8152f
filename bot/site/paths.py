"""Where each page of the public site lives (bot/site): one stable scheme, used by the pages,
the feed, the sitemap, the ClaimReview `url` and the bot's cards."""

from __future__ import annotations

import re

from bot.domain import Statement

STATEMENT_DIR = "s"
MAX_PER_PAGE = 100


def statement_file(external_id: str) -> str:
    """The file name of a statement's page. Ids are [A-Za-z0-9][A-Za-z0-9._:-]*; a ':' would
    read as a URL scheme in a relative link, so it is written '~' (never in an id)."""
    return external_id.replace(":", "~") + ".html"


def page_path(external_id: str) -> str:
    """The page's path below the site's root, e.g. "s/kpu-2024-sirekap.html"."""
    return f"{STATEMENT_DIR}/{statement_file(external_id)}"


def page_url(base_url: str, statement: Statement | str) -> str:
    """The page's public address under `base_url` (PUBLIC_BASE_URL)."""
    external_id = statement if isinstance(statement, str) else statement.external_id
    return base_url.rstrip("/") + "/" + page_path(external_id)


def image_path(verdict: str) -> str:
    """The verdict's link-preview image (bot/site/images.py), e.g. "img/hoaks.png"."""
    return f"img/{slug(verdict)}.png"


def slug(value: str) -> str:
    """A file name for a body or a verdict: lower case letters, digits and '-'."""
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-") or "lain"


def numbered(stem: str, number: int) -> str:
    """The n-th page of a list: index.html, index-2.html, ..."""
    return f"{stem}.html" if number == 1 else f"{stem}-{number}.html"
