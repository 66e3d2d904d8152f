"""Turn informal Indonesian text into comparable tokens.

One pipeline for statements and claims alike, so both sides of a match are read the same way:
NFKC -> lower case -> drop URLs, mentions, emoji -> squeeze letter runs -> split ->
expand slang and election vocabulary -> (content tokens) drop stopwords.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.matcher.lexicon import ELECTION, NEGATIONS, SLANG, STOPWORDS

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|id|co\.id|go\.id|net|org|ly)\b\S*")
_MENTION = re.compile(r"[@#]\w+")
# "benar²", "hati2", "apa-apa": reduplication marks -> the base word once.
_REDUP = re.compile(r"\b([a-z]{2,})(?:²|2|-\1)\b")
_RUN = re.compile(r"([a-z])\1{2,}")  # "bohoooong" -> "bohong"; Indonesian has no triple letters
_FINAL_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1\b")  # "diundurr": no Indonesian word ends so
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_TOKEN = re.compile(r"[a-z0-9]+")
_DIGITS_ONLY = re.compile(r"^\d+$")
_PHRASE_TABLE = {**SLANG, **ELECTION}

MAX_CHARS = 20_000  # longer posts are cut: nothing a person forwards needs more to be matched


@dataclass(frozen=True, slots=True)
class Normalized:
    """A text read for matching: all tokens (negations kept) and the content tokens."""

    tokens: tuple[str, ...]
    content: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def negated(self) -> bool:
        return any(t in NEGATIONS for t in self.tokens)


def clean(text: str) -> str:
    """Unicode-fold, lower-case and strip what never carries a claim (URLs, mentions, emoji)."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    text = text.replace("\x00", " ")
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    if not text.isascii():
        # Fold accents ("café" -> "cafe"); what is left outside ASCII is emoji and symbols.
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = _NON_ASCII.sub(" ", text)
    text = _REDUP.sub(r"\1", text)
    return _FINAL_DOUBLE.sub(r"\1", _RUN.sub(r"\1", text))


@lru_cache(maxsize=65_536)
def _expand(token: str) -> tuple[str, ...]:
    mapped = _PHRASE_TABLE.get(token)
    if mapped is None:
        return (token,)
    return tuple(mapped.split())


def normalize(text: str) -> Normalized:
    """Read a text into tokens; the same call serves statements and citizens' claims."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(clean(text)):
        tokens.extend(_expand(raw))
    content = tuple(
        t
        for t in tokens
        if t not in STOPWORDS
        and (len(t) > 1 or t.isdigit())
        and not (_DIGITS_ONLY.match(t) and len(t) > 6)
    )
    return Normalized(tokens=tuple(tokens), content=content)
