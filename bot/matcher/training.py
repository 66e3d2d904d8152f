"""Learn the ranker's weights and choose the tier thresholds from labelled texts.

Plain Python, deterministic, and small: one weight per signal chosen by coordinate ascent on
Success@1 over a short list of values, then thresholds chosen by a grid search that keeps
confident answers at least `min_precision` right and answers at most `max_false_rate` of
unanswerable texts. Used by bench/train_matcher.py (which writes model.json) and
bench/quality.py (which fits on one dev set and measures on another, both ways, so a rule
fitted to one set shows up as a drop).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.matcher.index import MatchIndex
from bot.matcher.match import (
    FEATURES,
    MIN_CONTENT_WORDS,
    Model,
    Scored,
    Thresholds,
    Tier,
    candidate_features,
    decide,
    lead,
    rank,
)
from bot.matcher.normalize import normalize
from bot.matcher.signals import numbers, numbers_conflict


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text with its candidates' signals; `right` marks the acceptable ones."""

    candidates: tuple[Scored, ...]
    right: tuple[bool, ...]
    answerable: bool
    content_words: int
    numbers: frozenset[str]  # the text's years and counts, for the conflict check


def collect(index: MatchIndex, labelled: Iterable[tuple[str, frozenset[str]]]) -> list[Example]:
    """Signals of every candidate for each (text, acceptable statement ids) pair."""
    out = []
    for text, expected in labelled:
        query = normalize(text)
        scored = candidate_features(index, query)
        out.append(
            Example(
                tuple(scored),
                tuple(index.ids[s.doc] in expected for s in scored),
                bool(expected),
                len(set(query.content)),
                numbers(query),
            )
        )
    return out


# --------------------------------------------------------------------------- ranking weights

#: Where the search starts: BM25, claim coverage twice, the claim's phrasing, what the text
#: says explained (the hand-set key of v1 plus `explained`).
START = (1.0, 1.0, 2.0, 1.0, 0.0)
WEIGHT_STEPS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
ROUNDS = 3
WEIGHT_SUM = 8.0  # the scale of the scores (how sharp the softmax share is)


def fit_weights(examples: Sequence[Example]) -> tuple[float, ...]:
    """Coordinate ascent on Success@1: each weight in turn takes the value of WEIGHT_STEPS that
    ranks the most texts' right statement first, the others held; ties keep the current value,
    so the result is deterministic and small changes need a real gain."""
    answerable = [e for e in examples if e.answerable and any(e.right)]
    weights = list(START[: len(FEATURES)])
    best = _hits_at_1(answerable, weights)
    for _ in range(ROUNDS):
        changed = False
        for i in range(len(weights)):
            for value in WEIGHT_STEPS:
                trial = [*weights[:i], value, *weights[i + 1 :]]
                hits = _hits_at_1(answerable, trial)
                if hits > best:
                    best, weights, changed = hits, trial, True
        if not changed:
            break
    # Ranking does not depend on the weights' scale, but the share and the lead do (a
    # softmax over scores): one fixed scale keeps the thresholds meaningful across trainings.
    total = sum(weights) or 1.0
    return tuple(round(w * WEIGHT_SUM / total, 3) for w in weights)


def _dot(weights: Sequence[float], features: Sequence[float]) -> float:
    return sum(w * f for w, f in zip(weights, features, strict=True))


def _hits_at_1(examples: Sequence[Example], weights: Sequence[float]) -> int:
    hits = 0
    for e in examples:
        logits = [_dot(weights, c.features) for c in e.candidates]
        hits += e.right[logits.index(max(logits))]
    return hits


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Outcome:
    """One text as the model answers it: its best candidate and where the right one ranked."""

    answerable: bool
    rank: int | None  # 1-based rank of the first right candidate, None if not retrieved
    share: float
    top: Scored | None
    top_right: bool
    content_words: int
    numbers_differ: bool
    gap: float = 0.0  # how far the best score leads the runner-up's


def outcomes(examples: Sequence[Example], weights: tuple[float, ...]) -> list[Outcome]:
    model = Model(weights, Thresholds())
    out = []
    for e in examples:
        ranked = rank(list(e.candidates), model)
        right = {id(s) for s, ok in zip(e.candidates, e.right, strict=True) if ok}
        position = next((i + 1 for i, r in enumerate(ranked) if id(r[2]) in right), None)
        top = ranked[0][2] if ranked else None
        differ = top is not None and top.head is not None and numbers_conflict(top.head, e.numbers)
        out.append(
            Outcome(
                e.answerable,
                position,
                ranked[0][0] if ranked else 0.0,
                top,
                position == 1,
                e.content_words,
                differ,
                lead(ranked) if ranked else 0.0,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Report:
    answerable: int
    unanswerable: int
    at1: int
    at3: int
    at5: int
    confident: int  # confident answers over all texts
    confident_right: int
    false_confident: int  # confident answers to unanswerable texts
    possible_null: int  # unanswerable texts offered candidates ("possible")
    top3_offered: int  # answerable texts whose right statement is in the top 3 and offered

    def _share(self, n: int, d: int) -> float:
        return n / d if d else 0.0

    @property
    def success_at_1(self) -> float:
        return self._share(self.at1, self.answerable)

    @property
    def success_at_3(self) -> float:
        return self._share(self.at3, self.answerable)

    @property
    def success_at_5(self) -> float:
        return self._share(self.at5, self.answerable)

    @property
    def confident_right_rate(self) -> float:
        return self._share(self.confident_right, self.answerable)

    @property
    def precision(self) -> float:
        return self._share(self.confident_right, self.confident) if self.confident else 1.0

    @property
    def false_confident_rate(self) -> float:
        return self._share(self.false_confident, self.unanswerable)

    @property
    def possible_null_rate(self) -> float:
        return self._share(self.possible_null, self.unanswerable)


def report(results: Sequence[Outcome], t: Thresholds) -> Report:
    counts = dict.fromkeys(
        ("ans", "null", "at1", "at3", "at5", "conf", "right", "fc", "pn", "top3"), 0
    )
    for o in results:
        tier = (
            decide(o.share, o.top, o.content_words, o.numbers_differ, t, o.gap)
            if o.top is not None
            else Tier.NONE
        )
        confident = tier is Tier.CONFIDENT
        counts["conf"] += confident
        if not o.answerable:
            counts["null"] += 1
            counts["fc"] += confident
            counts["pn"] += tier is Tier.POSSIBLE
            continue
        counts["ans"] += 1
        r = o.rank or 99
        counts["at1"] += r == 1
        counts["at3"] += r <= 3
        counts["at5"] += r <= 5
        counts["right"] += confident and o.top_right
        counts["top3"] += r <= 3 and tier is not Tier.NONE
    return Report(
        counts["ans"], counts["null"], counts["at1"], counts["at3"], counts["at5"],
        counts["conf"], counts["right"], counts["fc"], counts["pn"], counts["top3"],
    )  # fmt: skip


# --------------------------------------------------------------------------- thresholds

_OFF = 1.01  # a share no candidate reaches: the rule is off
CLAIM_GRID = {
    "claim_coverage": (0.6, 0.7, 0.8, 0.9),
    "claim_fuzzy": (0.6, 0.7, 0.8, 0.9),
    "claim_sum": (1.3, 1.4, 1.5, 1.6, 1.7, 1.8),
    "claim_share": (0.0, 0.2, 0.4, 0.6),
}
ALONE_GRID = {
    "alone_share": (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, _OFF),
    "alone_coverage": (0.3, 0.4, 0.5, 0.6, 0.7),
    "alone_explained": (0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
}
CORE_GRID = {
    "core_gap": (0.5, 1.0, 1.5, 2.0, 99.0),
    "core_coverage": (0.8, 0.9, 1.0),
    "core_explained": (0.3, 0.4, 0.5, 0.6),
}
POSSIBLE_GRID = {
    "possible_share": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    "possible_coverage": (0.3, 0.4, 0.5, 0.6, 0.7),
}
MIN_PRECISION = 0.975
MAX_FALSE_RATE = 0.005
MAX_POSSIBLE_NULL = 0.3


def choose_thresholds(
    results: Sequence[Outcome],
    min_precision: float = MIN_PRECISION,
    max_false_rate: float = MAX_FALSE_RATE,
    max_possible_null: float = MAX_POSSIBLE_NULL,
) -> Thresholds:
    """The thresholds that answer the most texts confidently and rightly within the limits,
    then offer candidates for the most answerable texts within the "possible" limit."""
    # only texts that could be confident matter for the confident grid: fewer to scan
    eligible = [o for o in results if o.top is not None and o.content_words >= MIN_CONTENT_WORDS]

    def score(t: Thresholds) -> tuple[int, int]:
        r = report(eligible, t)
        ok = r.precision >= min_precision and r.false_confident <= max_false_rate * max(
            sum(not o.answerable for o in results), 1
        )
        return (r.confident_right if ok else -1, -r.confident)

    best = Thresholds(alone_share=_OFF)
    best_score = score(best)
    for values in itertools.product(*CLAIM_GRID.values()):
        t = replace(best, **dict(zip(CLAIM_GRID, values, strict=True)))
        s = score(t)
        if s > best_score:
            best, best_score = t, s
    for grid in (ALONE_GRID, CORE_GRID):  # each rule in turn, the ones before it held
        base = best
        for values in itertools.product(*grid.values()):
            t = replace(base, **dict(zip(grid, values, strict=True)))
            s = score(t)
            if s > best_score:
                best, best_score = t, s
    chosen = best
    nulls = max(sum(not o.answerable for o in results), 1)
    best_offer = -1
    for values in itertools.product(*POSSIBLE_GRID.values()):
        t = replace(chosen, **dict(zip(POSSIBLE_GRID, values, strict=True)))
        r = report(results, t)
        if r.possible_null / nulls <= max_possible_null and r.top3_offered > best_offer:
            best, best_offer = t, r.top3_offered
    return best


def train(examples: Sequence[Example]) -> Model:
    """Weights, then thresholds, both from the same examples."""
    weights = fit_weights(examples)
    return Model(weights, choose_thresholds(outcomes(examples, weights)))


def measure(examples: Sequence[Example], model: Model) -> Report:
    return report(outcomes(examples, model.weights), model.thresholds)
