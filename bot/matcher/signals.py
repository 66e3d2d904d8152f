"""What the re-ranker reads of one candidate against one text (match.py turns it into a
score): the text's words with typo and affix tolerance, each phrasing's weighted words and
core, character n-grams, polarity and the numbers a claim names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.matcher.index import MatchIndex
from bot.matcher.lexicon import NEGATIONS, NUMBER_WORDS
from bot.matcher.normalize import Normalized

TOKEN_SCORER = fuzz.ratio  # typo tolerance for single words ("sicepat ekspres/express")
TOKEN_TYPO_CUTOFF = 80  # ratio >= 80 on words of 4+ letters is one typo, not another word
STEM_CREDIT = 0.9  # "daftar" inside "pendaftaran": nearly the same word
# A claim's core: its most specific words (by idf), what any retelling of it has to name.
CORE_WORDS = 5
MEMO_LIMIT = 50_000  # phrasings remembered per index; the memo starts over past this

_YEAR = re.compile(r"^(19|20)\d\d$")
_SMALL_NUMBER = re.compile(r"^\d{1,3}$")


@lru_cache(maxsize=8192)  # statements' phrasings recur across texts; a text's grams once
def grams(tokens: tuple[str, ...], n: int = 4) -> frozenset[str]:
    """Character n-grams of each word (padded), so "kejalan" meets "jalan" and a typo or a
    folded leetspeak letter costs a few grams, not the word."""
    out: set[str] = set()
    for t in set(tokens):
        w = f" {t} "
        out.update(w[i : i + n] for i in range(max(len(w) - n + 1, 1)))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Phrasing:
    """What the re-ranker reads of one phrasing of a statement, whatever the text."""

    text: str  # its roots, space-separated, for the phrase scorer
    words: tuple[str, ...]  # distinct roots in a fixed (sorted) order: the same sums everywhere
    weights: tuple[float, ...]  # their idf
    core: tuple[int, ...]  # positions of the CORE_WORDS most specific, most specific first


MEMO_LIMIT = 50_000  # phrasings remembered per index; the memo starts over past this


def phrasing(index: MatchIndex, doc: int, j: int, head: Normalized) -> Phrasing:
    found = index.memo.get((doc, j))
    if isinstance(found, Phrasing):
        return found
    words = tuple(sorted(set(head.terms)))
    weights = tuple(index.weight(w) for w in words)
    core = tuple(sorted(range(len(words)), key=lambda i: -weights[i])[:CORE_WORDS])
    profile = Phrasing(" ".join(head.terms), words, weights, core)
    if len(index.memo) >= MEMO_LIMIT:
        index.memo.clear()
    index.memo[(doc, j)] = profile
    return profile


class QueryWords:
    """The words of one text, with what a statement word scores against them (memoised:
    the same statement words recur across candidates and phrasings)."""

    def __init__(self, query: Normalized) -> None:
        self.words = set(query.terms)
        self.listed = list(self.words)
        self.long = [w for w in self.listed if len(w) >= 5]
        self.joined = " ".join(self.long)
        self.cache: dict[str, float] = {}
        self.by_length: dict[int, list[str]] = {}

    def found(self, word: str) -> float:
        score = self.cache.get(word)
        if score is None:
            score = self.cache[word] = self._score(word)
        return score

    def _score(self, word: str) -> float:
        if word in self.words:
            return 1.0
        if len(word) < 4:
            return 0.0
        hit = process.extractOne(
            word, self._near_length(len(word)), scorer=TOKEN_SCORER, score_cutoff=TOKEN_TYPO_CUTOFF
        )
        best = hit[1] / 100 if hit else 0.0
        if len(word) >= 5 and best < STEM_CREDIT and self._affixed(word):
            return STEM_CREDIT
        return best

    def _near_length(self, n: int) -> list[str]:
        """The text's words that could reach the typo cutoff: a ratio of 80 allows lengths
        from 2/3 to 3/2 of the word's."""
        near = self.by_length.get(n)
        if near is None:
            near = self.by_length[n] = [w for w in self.listed if 2 * n <= 3 * len(w) <= 9 * n / 2]
        return near

    def _affixed(self, word: str) -> bool:
        """One word inside the other ("daftar" in "pendaftaran"), at least half its length."""
        n = len(word)
        for size in range(max(5, (n + 1) // 2), n):  # a text word inside this word
            for start in range(n - size + 1):
                if word[start : start + size] in self.words:
                    return True
        if word in self.joined:  # this word inside a text word at most twice as long
            return any(word in other and len(other) <= 2 * n for other in self.long)
        return False


def coverage(profile: Phrasing, words: QueryWords, core: bool = False) -> float:
    """Idf-weighted share of the statement's words (or of its core) found in the text."""
    positions = profile.core if core else range(len(profile.words))
    found = total = 0.0
    for i in positions:
        weight = profile.weights[i]
        total += weight
        found += weight * words.found(profile.words[i])
    return found / total if total else 0.0


def polarity_differs(head: Normalized, query: Normalized) -> bool:
    """Does the text negate where the statement's claim does not (or the reverse)?

    Looked at where the claim aligns in the text, so a "tidak" elsewhere in a long post
    does not count. Negations are counted, not just noticed: "belum 17 tahun ... gak boleh"
    (two) and "belum 17 tahun ... boleh" (one) say opposite things, while "bukan hari libur"
    and "gak libur" (one each) agree.
    """
    head_text = " ".join(head.tokens)
    query_text = " ".join(query.tokens)
    if not head_text or not query_text:
        return False
    window = query.tokens
    if len(query_text) > len(head_text):  # find where the claim sits in a longer text
        align = fuzz.partial_ratio_alignment(head_text, query_text)
        if align is not None:
            # widen the window a little: "tidak" often stands just before the aligned words
            start = max(0, align.dest_start - 12)
            window = tuple(query_text[start : align.dest_end].split())
    return _negations(window) % 2 != _negations(head.tokens) % 2


def _negations(tokens: tuple[str, ...]) -> int:
    return sum(t in NEGATIONS for t in tokens)


def numbers(text: Normalized) -> frozenset[str]:
    """Years and small numbers of a text, number words read as digits ("dua" -> "2")."""
    out = set()
    for t in text.tokens:
        t = NUMBER_WORDS.get(t, t)
        if _YEAR.match(t) or _SMALL_NUMBER.match(t):
            out.add(t)
    return frozenset(out)


def numbers_conflict(head: Normalized, query_numbers: frozenset[str]) -> bool:
    """Does the text name another year ("pemilu 2029") or another count ("3 putaran" against
    "dua putaran") than the claim? Then the claim is not the text's, however alike the words."""
    head_numbers = numbers(head)
    for kind in (_YEAR, _SMALL_NUMBER):
        mine = {n for n in head_numbers if kind.match(n)}
        theirs = {n for n in query_numbers if kind.match(n)}
        if mine and theirs and not mine & theirs:
            return True
    return False
