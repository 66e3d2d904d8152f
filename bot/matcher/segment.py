"""Words OCR ran together, split again against the words the index knows.

OCR of bold capitals sometimes drops the spaces between words ("INFOPENTING!!!Pemilu2024
DITUNDA"): one long token the index has never seen, and the claim's key words lost with it.
Query side only (the index is built as before): a run of letters the index does not know
is split into the fewest words it does know, when it can be split wholly into them; a run of
two or more digits stuck to letters is cut off them ("2024DITUNDA" -> "2024 DITUNDA").
Typed claims are not passed through here: people's own spelling stays theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.matcher.index import MatchIndex
from bot.matcher.lexicon import STOPWORDS
from bot.matcher.normalize import terms

MIN_JOINED = 6  # shorter unknown runs are left alone (a typo, a name)
MAX_JOINED = 48  # longer runs are not searched (the search grows with the square)
MIN_PIECE = 2
_RUN = re.compile(r"[^\W\d_]+|\d+|[\W_]+")
_DIGITS_STUCK = re.compile(r"(?<=[^\W\d_])(?=\d{2})|(?<=\d{2})(?=[^\W\d_])")

Known = Callable[[str], bool]


def index_words(index: MatchIndex) -> Known:
    """A word is known when it is a stopword or the index has what it is read as (its
    root, after slang and spelling are mapped: "diundur" is indexed as "tunda")."""

    @lru_cache(maxsize=4096)
    def known(word: str) -> bool:
        read = list(terms(word))
        return word in STOPWORDS or (bool(read) and all(index.df(t) > 0 for t in read))

    return known


def split_word(run: str, known: Known) -> list[str] | None:
    """`run` (lower-case letters) as the fewest known words of MIN_PIECE letters or more,
    or None when it cannot be split wholly into known words."""
    n = len(run)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(MIN_PIECE, n + 1):
        for start in range(end - MIN_PIECE, -1, -1):
            before = best[start]
            if before is None or not known(run[start:end]):
                continue
            if best[end] is None or len(before) + 1 < len(best[end] or ()):
                best[end] = [*before, run[start:end]]
    return best[n]


def split_joined(text: str, known: Known) -> str:
    """`text` with runs of letters the index does not know split into words it knows
    (lower-cased where split), and digits cut off the letters they stick to."""
    out = []
    for chunk in _DIGITS_STUCK.sub(" ", text).split():
        pieces = []
        for run in _RUN.findall(chunk):
            lower = run.lower()
            if (
                run.isalpha()
                and MIN_JOINED <= len(run) <= MAX_JOINED
                and not known(lower)
                and (words := split_word(lower, known)) is not None
                and len(words) > 1
            ):
                pieces.append(" " + " ".join(words) + " ")
            else:
                pieces.append(run)
        out.append("".join(pieces).strip())
    return " ".join(" ".join(out).split())
