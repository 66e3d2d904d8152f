"""bot/matcher/layered.py: a view made by any sequence of changes holds what a dict changed
the same way holds, in the same order, and the views it was made from stay as they were."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matcher import layered
from bot.matcher.layered import Layered

keys = st.integers(0, 30)
steps = st.lists(
    st.tuples(st.lists(keys, max_size=4), st.lists(st.tuples(keys, st.integers()), max_size=4)),
    max_size=25,
)


def as_dict_changes(
    before: dict[int, int], removed: list[int], put: list[tuple[int, int]]
) -> dict[int, int]:
    """What bot/snapshot.py did with a copied dict: delete, then set each again last."""
    after = dict(before)
    for key in removed:
        after.pop(key, None)
    for key, value in put:
        after.pop(key, None)
        after[key] = value
    return after


def same(view: Layered[int, int], want: dict[int, int]) -> None:
    assert list(view.items()) == list(want.items())
    assert len(view) == len(want)
    for key in range(-1, 32):
        assert (key in view) == (key in want)
        assert view.get(key) == want.get(key)
        assert view.get(key, -5) == want.get(key, -5)
        if key in want:
            assert view[key] == want[key]
        else:
            with pytest.raises(KeyError):
                view[key]


@pytest.mark.parametrize("fold_min", [1_000, 3])
def test_changes_as_a_dict_makes_them(fold_min: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layered, "FOLD_MIN", fold_min)
    monkeypatch.setattr(layered, "FOLD_STEP", 2)  # folds copy many blocks

    @settings(max_examples=150, deadline=None)
    @given(st.dictionaries(keys, st.integers(), max_size=20), steps)
    def check(
        start: dict[int, int], changes: list[tuple[list[int], list[tuple[int, int]]]]
    ) -> None:
        views, wants = [Layered(dict(start))], [dict(start)]
        for removed, put in changes:
            views.append(views[-1].changed(removed, put))
            wants.append(as_dict_changes(wants[-1], removed, put))
        for view, want in zip(views, wants, strict=True):  # the earlier views unchanged
            same(view, want)

    check()


def test_a_view_holds_only_its_changes_until_they_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layered, "FOLD_MIN", 4)
    base = Layered({n: n for n in range(100)})
    one = base.changed([5], [(7, 70)])
    assert one._base is base._base  # shared, not copied
    assert one._top == {7: 70} and one._gone == frozenset({5, 7})
    folded = one.changed([], [(200, 1), (201, 2)])  # 5 changes > FOLD_MIN: one dict again
    assert folded._base is not base._base and not folded._top and not folded._gone
    assert list(folded) == [*(n for n in range(100) if n not in (5, 7)), 7, 200, 201]
