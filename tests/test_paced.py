"""bot/matcher/paced.py: each step a block at a time gives exactly what the one numpy call
gives (blocks made small here, so a few hundred entries span many of them)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matcher import paced

counts_lists = st.lists(st.integers(0, 40), max_size=60)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paced, "BLOCK", 64)


@settings(max_examples=200, deadline=None)
@given(counts_lists)
def test_repeat_is_numpys(counts: list[int]) -> None:
    values = np.arange(100, 100 + len(counts), dtype=np.int32)
    sizes = np.array(counts, dtype=np.int64)
    got = paced.repeat(values, sizes)
    assert got.dtype == np.int32
    assert np.array_equal(got, np.repeat(values, sizes))


def test_repeat_of_one_value_longer_than_a_block() -> None:
    values, sizes = np.array([7, 8, 9]), np.array([3, 500, 2])
    assert np.array_equal(paced.repeat(values, sizes), np.repeat(values, sizes))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=400), st.integers(0, 50), st.booleans())
def test_bincount_is_numpys(xs: list[int], minlength: int, weighted: bool) -> None:
    x = np.array(xs, dtype=np.int64)
    weights = (x * 7 + 3) % 11 if weighted else None  # whole numbers, as the counts are
    got = paced.bincount(x, weights, minlength)
    want = np.bincount(x, weights, minlength)
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=12).map(lambda b: b[: len(b) // 2 * 2]), max_size=40))
def test_joined_is_one_join(parts: list[bytes]) -> None:
    assert paced.BLOCK // 64 == 1  # one part per join: as many blocks as parts
    got = paced.joined(parts, "<u2")
    assert np.array_equal(got, np.frombuffer(b"".join(parts), "<u2"))


def test_logs_are_math_logs() -> None:
    values = 1 + np.random.default_rng(5).random(1_000) * 1e5
    got = paced.logs(values)
    assert got.tolist() == [math.log(v) for v in values.tolist()]
    assert paced.logs(np.zeros(0)).shape == (0,)


def test_emptied_lets_go_of_everything_a_block_at_a_time() -> None:
    import weakref

    class Held:
        pass

    items = [Held() for _ in range(50)]
    table = {n: Held() for n in range(50)}
    watched = [weakref.ref(x) for x in (*items, *table.values())]
    paced.emptied(items, table)  # BLOCK // 64 == 1 here: one entry per step
    assert items == [] and table == {}
    assert all(ref() is None for ref in watched)
