"""Match a citizen's text against the index and decide how sure we are.

Two stages. BM25 retrieval (index.py) finds candidates by shared word roots. Re-ranking then
reads five signals per candidate, each in [0, 1]:
  bm25:     its BM25 score relative to the best candidate's;
  explained: idf-weighted share of the text's words the statement uses anywhere - "is what
            the text says about this statement?";
  coverage: idf-weighted share of the claim's words found in the text (exact, typo-tolerant,
            or as a stem) - "is everything the statement is about mentioned?";
  fuzzy:    rapidfuzz partial_ratio of the claim against the text - "is it said in one
            place, in that order?", which is how a long forwarded post is matched by its
            best part rather than by words scattered through noise;
  grams:    share of the claim's character 4-grams found in the text, so typos, leetspeak
            and words run together ("kejalan") still count.
A linear model (model.json, learned by bench/train_matcher.py on one dev set and confirmed on
the others) turns them into a score; a softmax over the candidates says how much the best one
stands out (`Match.score`, 0-100), and the gap between the best two scores how far it leads
its runner-up. The tier then asks for both: the best statement stands out and the text covers
its claim, or at least the claim's core, its most specific words (thresholds in model.json,
chosen the same way).
The best phrasing (claim or variant) of each statement counts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from rapidfuzz import fuzz

from bot.matcher.index import Candidate, MatchIndex
from bot.matcher.normalize import Normalized, normalize
from bot.matcher.signals import (
    Phrasing,
    QueryWords,
    coverage,
    grams,
    numbers,
    numbers_conflict,
    phrasing,
    polarity_differs,
)

# Scorers, one per stage (rapidfuzz does no preprocessing: texts arrive normalized).
PHRASE_SCORER = fuzz.partial_ratio  # the claim as a contiguous stretch of the text

FEATURES = ("bm25", "explained", "coverage", "fuzzy", "grams")
MODEL_PATH = Path(__file__).with_name("model.json")
MIN_CONTENT_WORDS = 3  # fewer words than this never make a confident answer
# A text that says nothing the statement does not (explained) about a statement no other
# candidate rivals (share) is answered once it names a good part of the claim: how a short
# question is answered in a small base, where word rarity tells little. Fixed by that
# principle, not tuned: on the dev sets (large bases) it changes no answer.
WHOLE_SHARE = 0.95
WHOLE_EXPLAINED = 0.95
WHOLE_COVERAGE = 0.4
MAX_RESULTS = 5
RERANKED = 20  # candidates re-ranked per text (30 found no more right answers on the dev sets)
# A candidate whose claim is said in one place this well is plausible whatever its coverage.
POSSIBLE_FUZZY = 0.6


class Tier(StrEnum):
    CONFIDENT = "confident"
    POSSIBLE = "possible"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When the best candidate is answered outright, or offered as a possibility.

    Confident when the text has MIN_CONTENT_WORDS, no year contradicts the claim, and either
      (claim)  coverage >= claim_coverage, fuzzy >= claim_fuzzy, their sum >= claim_sum and
               the statement stands out (share >= claim_share), or
      (stands out) share >= alone_share, coverage >= alone_coverage and
               explained >= alone_explained, or
      (core)   the statement leads its runner-up by gap >= core_gap, the text names the
               claim's core (core coverage >= core_coverage) and says little else
               (explained >= core_explained), or
      (whole)  the fixed WHOLE_* rule.
    Possible when share >= possible_share and coverage >= possible_coverage.
    """

    claim_coverage: float = 0.8
    claim_fuzzy: float = 0.8
    claim_sum: float = 1.7
    claim_share: float = 0.0
    alone_share: float = 1.01  # off unless the model file turns it on
    alone_coverage: float = 1.0
    alone_explained: float = 1.0
    core_gap: float = 99.0  # a lead no text reaches: off unless the model file turns it on
    core_coverage: float = 1.0
    core_explained: float = 1.0
    possible_share: float = 0.0
    possible_coverage: float = 0.5


@dataclass(frozen=True, slots=True)
class Model:
    """Ranking weights (one per FEATURES entry) and tier thresholds."""

    weights: tuple[float, ...]
    thresholds: Thresholds

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Model:
        weights = data["weights"]
        assert isinstance(weights, dict)
        thresholds = data.get("thresholds") or {}
        assert isinstance(thresholds, dict)
        return cls(
            tuple(float(weights[name]) for name in FEATURES),
            Thresholds(**{k: float(v) for k, v in thresholds.items()}),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "thresholds": asdict(self.thresholds),
        }


def load_model(path: Path = MODEL_PATH) -> Model:
    return Model.from_dict(json.loads(path.read_text(encoding="utf-8")))


MODEL = load_model()


@dataclass(frozen=True, slots=True)
class Match:
    statement_id: str
    score: float  # 0-100: how much this statement stands out among the candidates
    coverage: float  # 0-1
    fuzzy: float  # 0-1
    polarity_differs: bool  # claim says "tidak boleh" where the statement says "boleh"
    explained: float = 0.0  # 0-1


@dataclass(frozen=True, slots=True)
class MatchResult:
    tier: Tier
    matches: tuple[Match, ...]
    query: Normalized

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True, slots=True)
class Scored:
    """One candidate with its signals (FEATURES order) and the phrasing that matched best."""

    doc: int
    features: tuple[float, ...]
    head: Normalized | None
    core: float = 0.0  # coverage of the claim's CORE_WORDS most specific words

    @property
    def explained(self) -> float:
        return self.features[1]

    @property
    def coverage(self) -> float:
        return self.features[2]

    @property
    def fuzzy(self) -> float:
        return self.features[3]


def candidate_features(index: MatchIndex, query: Normalized, k: int | None = None) -> list[Scored]:
    """The signals of each retrieved candidate: what the ranker and its trainer read."""
    candidates = index.retrieve(query, k or RERANKED)
    if not candidates:
        return []
    words = QueryWords(query)
    qtext = " ".join(query.terms)
    top_bm25 = candidates[0].bm25 or 1.0
    qgrams = grams(query.tokens)
    out = []
    for cand in candidates:
        cov, fz, head, profile = _best_phrasing(index, cand, words, qtext)
        core = coverage(profile, words, core=True) if profile is not None else 0.0
        hg = grams(head.tokens) if head is not None else frozenset()
        features = (
            cand.bm25 / top_bm25,
            min(cand.explained, 1.0),
            cov,
            fz,
            len(hg & qgrams) / len(hg) if hg else 0.0,
        )
        out.append(Scored(cand.doc, features, head, core))
    return out


def _best_phrasing(
    index: MatchIndex, cand: Candidate, words: QueryWords, qtext: str
) -> tuple[float, float, Normalized | None, Phrasing | None]:
    best: tuple[float, float, float, Normalized | None, Phrasing | None] = (
        -1.0, 0.0, 0.0, None, None
    )  # fmt: skip
    for j, head in enumerate(index.heads[cand.doc]):
        profile = phrasing(index, cand.doc, j, head)
        cov = coverage(profile, words)
        fz = PHRASE_SCORER(profile.text, qtext) / 100 if head.terms else 0.0
        key = 2 * cov + fz
        if key > best[0]:
            best = (key, cov, fz, head, profile)
    return best[1], best[2], best[3], best[4]


def rank(scored: list[Scored], model: Model = MODEL) -> list[tuple[float, float, Scored]]:
    """(share 0-1, logit, candidate), best first; share is a softmax over the candidates."""
    if not scored:
        return []
    logits = [sum(w * f for w, f in zip(model.weights, s.features, strict=True)) for s in scored]
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    ranked = [(e / total, v, s) for e, v, s in zip(exps, logits, scored, strict=True)]
    ranked.sort(key=lambda r: -r[1])
    return ranked


def match_text(
    index: MatchIndex, text: str, limit: int = MAX_RESULTS, model: Model = MODEL
) -> MatchResult:
    """Rank statements for a text and put the answer in a tier."""
    query = normalize(text)
    ranked = rank(candidate_features(index, query), model)
    if not ranked:
        return MatchResult(Tier.NONE, (), query)
    matches = tuple(
        Match(
            statement_id=index.ids[s.doc],
            score=round(share * 100, 1),
            coverage=round(s.coverage, 3),
            fuzzy=round(s.fuzzy, 3),
            polarity_differs=s.head is not None and polarity_differs(s.head, query),
            explained=round(s.explained, 3),
        )
        for share, _logit, s in ranked[:limit]
    )
    share, _logit, top = ranked[0]
    conflict = top.head is not None and numbers_conflict(top.head, numbers(query))
    gap = lead(ranked)
    tier = decide(share, top, len(set(query.content)), conflict, model.thresholds, gap)
    return MatchResult(tier, matches, query)


def lead(ranked: list[tuple[float, float, Scored]]) -> float:
    """How far the best score leads the runner-up's (infinite when there is none)."""
    return ranked[0][1] - ranked[1][1] if len(ranked) > 1 else math.inf


def decide(
    share: float,
    top: Scored,
    content_words: int,
    numbers_differ: bool,
    t: Thresholds,
    gap: float = 0.0,
) -> Tier:
    """The tier of the best candidate (see Thresholds)."""
    cov, fz, explained = top.coverage, top.fuzzy, top.explained
    if content_words >= MIN_CONTENT_WORDS and not numbers_differ:
        claim = (
            cov >= t.claim_coverage
            and fz >= t.claim_fuzzy
            and cov + fz >= t.claim_sum
            and share >= t.claim_share
        )
        alone = (
            share >= t.alone_share and cov >= t.alone_coverage and explained >= t.alone_explained
        )
        core = gap >= t.core_gap and top.core >= t.core_coverage and explained >= t.core_explained
        whole = share >= WHOLE_SHARE and explained >= WHOLE_EXPLAINED and cov >= WHOLE_COVERAGE
        if claim or alone or core or whole:
            return Tier.CONFIDENT
    if _possible(share, cov, fz, t):
        return Tier.POSSIBLE
    return Tier.NONE


def plausible(match: Match, model: Model = MODEL) -> bool:
    """Would this candidate be offered as a "possible" answer on its own (inline mode)?"""
    return _possible(match.score / 100, match.coverage, match.fuzzy, model.thresholds)


def _possible(share: float, cov: float, fz: float, t: Thresholds) -> bool:
    return share >= t.possible_share and (cov >= t.possible_coverage or fz >= POSSIBLE_FUZZY)
