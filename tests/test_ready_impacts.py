"""`ready_impacts` (every word's best BM25 impacts, best first) gives exactly what sorting
every posting would: the same slots, the same float32 impacts, the same starts."""

from __future__ import annotations

import numpy as np
import pytest
from readingcases import CASES

from bot.matcher import postings
from bot.matcher.index import MatchIndex
from bot.matcher.postings import (
    BODY_WEIGHT,
    HEAD_WEIGHT,
    IndexDoc,
    Postings,
    Ready,
    _best_first,
    bm25_tf,
    idf_weights,
    ready_impacts,
)


def reference(
    base: Postings,
    idf: np.ndarray,
    lengths: tuple[np.ndarray, np.ndarray, float, float],
    order: np.ndarray,
    cap: int,
) -> Ready:
    """Every posting of a word sorted by (impact highest first, order, place), cut to cap."""
    head_len, body_len, avg_head, avg_body = lengths
    counts = np.diff(base.start)
    starts = np.concatenate(([0], np.cumsum(np.minimum(counts, cap)))).astype(np.int64)
    rows = np.repeat(np.arange(len(base.names)), counts)
    weights = idf[rows] * (
        HEAD_WEIGHT * bm25_tf(base.head_tf, head_len[base.slots], avg_head)
        + BODY_WEIGHT * bm25_tf(base.body_tf, body_len[base.slots], avg_body)
    )
    ordered = np.lexsort((order[base.slots], -weights, rows))
    rank = np.arange(len(rows)) - base.start[rows[ordered]]
    ordered = ordered[rank < cap]
    return base.slots[ordered], weights[ordered].astype(np.float32), starts


def random_base(
    rng: np.random.Generator, size: int, words: int, entries: int
) -> tuple[Postings, np.ndarray, tuple[np.ndarray, np.ndarray, float, float]]:
    """Postings with few distinct counts and lengths (many equal impacts), some words
    used by most statements and many by one."""
    common = rng.integers(0, max(words // 10, 1), entries // 2)
    rare = rng.integers(0, words, entries - len(common))
    pairs = np.unique(
        np.stack((np.concatenate((common, rare)), rng.integers(0, size, entries)), axis=1), axis=0
    )
    used = np.unique(pairs[:, 0])
    term_row = np.searchsorted(used, pairs[:, 0]).astype(np.int32)
    slot = pairs[:, 1].astype(np.int32)
    rng.shuffle(order := np.arange(len(slot)))
    head_tf = rng.integers(0, 3, len(slot)).astype(np.int32)
    body_tf = np.where(head_tf == 0, rng.integers(1, 3, len(slot)), rng.integers(0, 3, len(slot)))
    base = Postings.grouped(
        [f"w{r}" for r in used],
        size,
        term_row[order],
        slot[order],
        head_tf[order],
        body_tf[order].astype(np.int32),
    )
    df = np.diff(base.start)
    idf = np.log(1 + (size - df + 0.5) / (df + 0.5))
    idf[rng.random(len(idf)) < 0.2] = 1.5  # words of equal weight
    head_len = rng.integers(1, 4, size).astype(np.int64)
    body_len = rng.integers(1, 6, size).astype(np.int64)
    lengths = (head_len, body_len, float(head_len.mean()), float(body_len.mean()))
    return base, idf, lengths


def orders(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    return {
        "increasing": np.arange(size, dtype=np.int64) * 3 + 7,
        "shuffled": rng.permutation(size).astype(np.int64),
        "repeated": rng.integers(0, max(size // 4, 1), size).astype(np.int64),
        "non-decreasing": np.sort(rng.integers(0, max(size // 4, 1), size)).astype(np.int64),
    }


def assert_same(got: Ready, want: Ready) -> None:
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        assert np.array_equal(g, w)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cap", [1, 3, 7, 200])
@pytest.mark.parametrize("block", [5, 40, 200_000])
def test_ready_impacts_are_those_of_sorting_every_posting(
    seed: int, cap: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # small blocks: words split over many of them, and words longer than a block
    monkeypatch.setattr(postings, "READY_BLOCK", block)
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 600))
    base, idf, lengths = random_base(rng, size, int(rng.integers(1, 80)), size * 6)
    assert len(base.slots)
    for order in orders(rng, size).values():
        want = reference(base, idf, lengths, order, cap)
        assert_same(ready_impacts(base, idf, lengths, order, cap), want)
    assert np.diff(base.start).max() > cap or cap == 200  # some words are cut


def test_a_word_whose_postings_all_weigh_the_same_keeps_the_first_by_order() -> None:
    size = 50
    base = Postings.grouped(
        ["same"],
        size,
        np.zeros(size, np.int32),
        np.arange(size, dtype=np.int32),
        np.ones(size, np.int32),
        np.zeros(size, np.int32),
    )
    lengths = (np.ones(size, np.int64), np.ones(size, np.int64), 1.0, 1.0)
    order = np.arange(size, dtype=np.int64)[::-1].copy()  # the last slot was stored first
    slots, weights, starts = ready_impacts(base, np.ones(1), lengths, order, 4)
    assert slots.tolist() == [49, 48, 47, 46]
    assert len(set(weights.tolist())) == 1
    assert starts.tolist() == [0, 4]
    assert_same((slots, weights, starts), reference(base, np.ones(1), lengths, order, 4))


def test_no_postings_and_no_room() -> None:
    base = Postings.grouped(
        [], 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32),
        np.zeros(0, np.int32),
    )  # fmt: skip
    lengths = (np.zeros(0, np.int64), np.zeros(0, np.int64), 1.0, 1.0)
    slots, weights, starts = ready_impacts(base, np.zeros(0), lengths, np.zeros(0, np.int64), 5)
    assert (len(slots), len(weights), starts.tolist()) == (0, 0, [0])
    rng = np.random.default_rng(3)
    base, idf, lengths = random_base(rng, 40, 10, 200)
    order = rng.permutation(40).astype(np.int64)
    got = ready_impacts(base, idf, lengths, order, 0)
    assert len(got[0]) == 0 and not got[2].any()
    assert_same(got, reference(base, idf, lengths, order, 0))


@pytest.mark.parametrize("seed", range(4))
def test_best_first_is_lexsort_also_when_keys_do_not_fit_64_bits(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3_000
    for high_row in (50, 2**40):  # the second cannot be packed into one 64-bit key
        rows = np.sort(rng.integers(0, high_row, n))
        ties = rng.permutation(n).astype(np.int64)
        weights = rng.integers(0, 20, n) / 3.0
        weights[rng.random(n) < 0.1] = 0.0
        want = np.lexsort((ties, -weights, rows))
        assert np.array_equal(_best_first(rows, weights, ties), want)


def test_every_words_weight_at_once_is_each_words_weight() -> None:
    """`idf_weights` gives what `MatchIndex.weight` gives word by word, bit for bit: a
    fresh base's impacts are made with the first, a changed one's with the second."""
    docs = [IndexDoc(f"s{i}", t, (), " ".join(CASES[i:])) for i, t in enumerate(CASES)]
    index = MatchIndex(docs)
    base = index._base
    got = idf_weights(np.diff(base.start), len(docs), index.max_idf)
    assert got.tolist() == [index.weight(word) for word in base.names]
    assert idf_weights(np.array([0, 1]), 10, 9.5)[0] == 9.5  # used by none: the rarest
