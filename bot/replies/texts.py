"""The string catalogue's one lookup (a key in the user's language, Indonesian when the
language or the key is missing), the one text shortener and its first-sentence cut. The
strings themselves: texts_id.py and texts_en.py."""

from __future__ import annotations

import re

from bot.replies.texts_en import EN
from bot.replies.texts_id import ID

CATALOGUES: dict[str, dict[str, str]] = {"id": ID, "en": EN}
DEFAULT_LANGUAGE = "id"

MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
    "Desember".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
}


def text(language: str, key: str, **values: object) -> str:
    """The string for `key` in `language`, Indonesian when missing there."""
    catalogue = CATALOGUES.get(language, ID)
    template = catalogue.get(key, ID[key])
    return template.format(**values) if values else template


def shorten(value: str, limit: int) -> str:
    """Whitespace collapsed, then cut at a word boundary with an ellipsis to `limit`
    characters; for plain text, before it is escaped (so no HTML entity is split)."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


SHORT_EXCERPT_CHARS = 280
MIN_SENTENCE_CHARS = 40  # a "sentence" shorter than this is an abbreviation ("No. 21"), go on
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def first_sentence(value: str, limit: int = SHORT_EXCERPT_CHARS) -> str:
    """The clarification's first sentence, cut on a word boundary to `limit` (plain text)."""
    value = " ".join(value.split())
    for found in _SENTENCE_END.finditer(value):
        if found.end() >= MIN_SENTENCE_CHARS:
            value = value[: found.end()]
            break
    return shorten(value, limit)
