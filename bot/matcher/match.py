"""Match a citizen's text against the index and decide how sure we are.

Two stages. BM25 retrieval (index.py) finds candidates by shared specific words. Re-ranking
then asks, per candidate, how much of the statement's own claim is in the text:
  coverage: idf-weighted share of the claim's words found in the text (exact, typo-tolerant,
            or as a stem) - "is everything the statement is about mentioned?";
  fuzzy:    rapidfuzz partial_ratio of the claim against the text - "is it said in one
            place, in that order?", which is how a long forwarded post is matched by its
            best part rather than by words scattered through noise.
The best phrasing (claim or variant) of each statement counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.matcher.index import MatchIndex
from bot.matcher.lexicon import NEGATIONS
from bot.matcher.normalize import Normalized, normalize

# Scorers, one per stage (rapidfuzz does no preprocessing: texts arrive normalized).
TOKEN_SCORER = fuzz.ratio  # typo tolerance for single words ("sicepat ekspres/express")
PHRASE_SCORER = fuzz.partial_ratio  # the claim as a contiguous stretch of the text
TOKEN_TYPO_CUTOFF = 80  # ratio >= 80 on words of 4+ letters is one typo, not another word
STEM_CREDIT = 0.9  # "daftar" inside "pendaftaran": nearly the same word

# Ranking key = bm25 relative to the best candidate + 2 * coverage + fuzzy, all in [0, 1],
# so the key lies in [0, 4]; the public score is key * 25 (0-100).
COVERAGE_WEIGHT = 2.0
FUZZY_WEIGHT = 1.0

# Tier thresholds, calibrated on ../shared/eval/dev (332 answerable queries, 1,092
# unanswerable: withheld fact-checks and distractor hoaxes), confident answers counted over all:
#   coverage >= 0.80 and fuzzy >= 0.80:         85 confident, 95.3% right, 3 false-confident
#   coverage >= 0.80 and fuzzy >= 0.85:         63 confident, 96.8% right, 1 false-confident
#   both >= 0.80 and coverage + fuzzy >= 1.70:  75 confident, 97.3% right, 1 false-confident  <-
#   coverage >= 0.90 and fuzzy >= 0.90:         41 confident, 97.6% right, 0 false-confident
# The sum lets nearly complete coverage make up for a looser phrasing and the reverse; each
# signal alone at 0.7 let in same-topic-different-claim hoaxes ("undian bank NTB syariah"
# answered for "bank BJB syariah"). A year in the claim that differs from the statement's
# ("2024" vs "2026") blocks confidence. tests/test_matcher.py pins phrasings on both sides.
CONFIDENT_COVERAGE = 0.8
CONFIDENT_FUZZY = 0.8
CONFIDENT_SUM = 1.7
MIN_CONTENT_WORDS = 3  # fewer words than this never make a confident answer
POSSIBLE_COVERAGE = 0.5
POSSIBLE_FUZZY = 0.6
MAX_RESULTS = 5

_YEAR = re.compile(r"^(19|20)\d\d$")


class Tier(StrEnum):
    CONFIDENT = "confident"
    POSSIBLE = "possible"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Match:
    statement_id: str
    score: float  # 0-100, the ranking key scaled
    coverage: float  # 0-1
    fuzzy: float  # 0-1
    polarity_differs: bool  # claim says "tidak boleh" where the statement says "boleh"


@dataclass(frozen=True, slots=True)
class MatchResult:
    tier: Tier
    matches: tuple[Match, ...]
    query: Normalized

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def match_text(index: MatchIndex, text: str, limit: int = MAX_RESULTS) -> MatchResult:
    """Rank statements for a text and put the answer in a tier."""
    query = normalize(text)
    candidates = index.retrieve(query)
    if not candidates:
        return MatchResult(Tier.NONE, (), query)
    words = _QueryWords(query)
    qtext = " ".join(query.content)
    top_bm25 = candidates[0].bm25 or 1.0
    scored: list[tuple[float, int, float, float, Normalized]] = []
    for cand in candidates:
        best: tuple[float, float, float, Normalized] | None = None
        for head in index.heads[cand.doc]:
            cov = _coverage(index, head, words)
            fz = PHRASE_SCORER(" ".join(head.content), qtext) / 100 if head.content else 0.0
            key = COVERAGE_WEIGHT * cov + FUZZY_WEIGHT * fz
            if best is None or key > best[0]:
                best = (key, cov, fz, head)
        if best is None:
            continue
        key, cov, fz, head = best
        key += cand.bm25 / top_bm25
        scored.append((key, cand.doc, cov, fz, head))
    scored.sort(key=lambda s: -s[0])
    matches = tuple(
        Match(
            statement_id=index.ids[doc],
            score=round(key * 25, 1),
            coverage=round(cov, 3),
            fuzzy=round(fz, 3),
            polarity_differs=_polarity_differs(head, query),
        )
        for key, doc, cov, fz, head in scored[:limit]
    )
    years_conflict = bool(scored) and _years_conflict(scored[0][4], words.words)
    return MatchResult(_tier(matches, query, years_conflict), matches, query)


def _tier(matches: tuple[Match, ...], query: Normalized, years_conflict: bool) -> Tier:
    if not matches:
        return Tier.NONE
    top = matches[0]
    if (
        top.coverage >= CONFIDENT_COVERAGE
        and top.fuzzy >= CONFIDENT_FUZZY
        and top.coverage + top.fuzzy >= CONFIDENT_SUM
        and len(set(query.content)) >= MIN_CONTENT_WORDS
        and not years_conflict
    ):
        return Tier.CONFIDENT
    if top.coverage >= POSSIBLE_COVERAGE or top.fuzzy >= POSSIBLE_FUZZY:
        return Tier.POSSIBLE
    return Tier.NONE


class _QueryWords:
    """The words of one text, with what a statement word scores against them (memoised:
    the same statement words recur across candidates and phrasings)."""

    def __init__(self, query: Normalized) -> None:
        self.words = set(query.content)
        self.listed = list(self.words)
        self.long = [w for w in self.listed if len(w) >= 5]
        self.joined = " ".join(self.long)
        self.cache: dict[str, float] = {}

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
            word, self.listed, scorer=TOKEN_SCORER, score_cutoff=TOKEN_TYPO_CUTOFF
        )
        best = hit[1] / 100 if hit else 0.0
        if len(word) >= 5 and best < STEM_CREDIT and self._affixed(word):
            return STEM_CREDIT
        return best

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


def _coverage(index: MatchIndex, head: Normalized, words: _QueryWords) -> float:
    """Idf-weighted share of the statement's words found in the text."""
    distinct = set(head.content)
    if not distinct:
        return 0.0
    found = total = 0.0
    for word in distinct:
        weight = index.idf.get(word, index.max_idf)
        total += weight
        found += weight * words.found(word)
    return found / total


def _polarity_differs(head: Normalized, query: Normalized) -> bool:
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


def _years_conflict(head: Normalized, qset: set[str]) -> bool:
    head_years = {t for t in head.content if _YEAR.match(t)}
    query_years = {t for t in qset if _YEAR.match(t)}
    return bool(head_years and query_years and not head_years & query_years)
