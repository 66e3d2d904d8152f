"""Learn the ranker's weights and choose the tier thresholds from labelled texts.

Plain Python, deterministic, and small: six weights fitted by Newton's method on a
conditional-logit objective (the right statement against the other candidates of the same
text), then thresholds chosen by a grid search that keeps confident answers at least
`min_precision` right and answers at most `max_false_rate` of unanswerable texts. Used by
bench/train_matcher.py (which writes model.json) and bench/quality.py (which fits on one dev
set and measures on another, both ways, so a rule fitted to one set shows up as a drop).
"""

from __future__ import annotations

import itertools
import math
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
    _years_conflict,
    candidate_features,
    decide,
    rank,
)
from bot.matcher.normalize import normalize

L2 = 0.01  # keeps weights finite when a signal separates a training set perfectly
NEWTON_STEPS = 25


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text with its candidates' signals; `right` marks the acceptable ones."""

    candidates: tuple[Scored, ...]
    right: tuple[bool, ...]
    answerable: bool
    content_words: int
    years: frozenset[str]  # the text's year tokens, for the year-conflict check


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
                frozenset(t for t in query.content if len(t) == 4 and t.isdigit()),
            )
        )
    return out


# --------------------------------------------------------------------------- ranking weights


def fit_weights(examples: Sequence[Example], l2: float = L2) -> tuple[float, ...]:
    """Maximise the likelihood of the right candidate under a softmax over each text's
    candidates (texts whose right statement was not retrieved teach nothing and are skipped).

    Newton's method with step halving; the L2 penalty is per text, so it weighs the same
    whatever the size of the set."""
    groups = [
        ([s.features for s in e.candidates], e.right)
        for e in examples
        if e.answerable and any(e.right)
    ]
    n = len(FEATURES)
    lam = l2 * max(len(groups), 1)
    w = [0.0] * n
    current = _loss(groups, w, lam)
    for _ in range(NEWTON_STEPS):
        grad = [lam * wi for wi in w]
        hess = [[lam if i == j else 0.0 for j in range(n)] for i in range(n)]
        for feats, right in groups:
            p = _softmax(feats, w)
            k = sum(right)
            mean = [sum(p[c] * feats[c][i] for c in range(len(feats))) for i in range(n)]
            for c, f in enumerate(feats):
                target = (1.0 / k) if right[c] else 0.0
                for i in range(n):
                    grad[i] += (p[c] - target) * f[i]
                    di = f[i] - mean[i]
                    if p[c]:
                        for j in range(i, n):
                            hess[i][j] += p[c] * di * (f[j] - mean[j])
        for i in range(n):
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = _solve(hess, grad)
        scale = 1.0
        while scale > 1e-4:
            trial = [wi - scale * si for wi, si in zip(w, step, strict=True)]
            loss = _loss(groups, trial, lam)
            if loss <= current:
                break
            scale /= 2
        else:
            break
        improvement = current - loss
        w, current = trial, loss
        if improvement < 1e-7 * max(len(groups), 1):
            break
    return tuple(round(wi, 4) for wi in w)


def _softmax(feats: list[tuple[float, ...]], w: list[float]) -> list[float]:
    logits = [sum(wi * fi for wi, fi in zip(w, f, strict=True)) for f in feats]
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _loss(groups: list[tuple[list[tuple[float, ...]], tuple[bool, ...]]], w: list[float],
          lam: float) -> float:
    total = lam / 2 * sum(wi * wi for wi in w)
    for feats, right in groups:
        p = _softmax(feats, w)
        k = sum(right)
        total -= sum(math.log(max(p[c], 1e-300)) / k for c in range(len(feats)) if right[c])
    return total


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """a x = b by Gaussian elimination with partial pivoting (a is small and well-posed)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


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
    years_conflict: bool


def outcomes(examples: Sequence[Example], weights: tuple[float, ...]) -> list[Outcome]:
    model = Model(weights, Thresholds())
    out = []
    for e in examples:
        ranked = rank(list(e.candidates), model)
        right = {id(s) for s, ok in zip(e.candidates, e.right, strict=True) if ok}
        position = next((i + 1 for i, r in enumerate(ranked) if id(r[2]) in right), None)
        top = ranked[0][2] if ranked else None
        years_conflict = bool(
            top is not None and top.head is not None and _years_conflict(top.head, set(e.years))
        )
        out.append(
            Outcome(
                e.answerable,
                position,
                ranked[0][0] if ranked else 0.0,
                top,
                position == 1,
                e.content_words,
                years_conflict,
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
            decide(o.share, o.top, o.content_words, o.years_conflict, t)
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
    base = best
    for values in itertools.product(*ALONE_GRID.values()):
        t = replace(base, **dict(zip(ALONE_GRID, values, strict=True)))
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
