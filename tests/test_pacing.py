"""A worker thread's pure-Python work paced so the event loop gets the GIL alone."""

from __future__ import annotations

import pytest

import bot.pacing
from bot.pacing import at_half_speed


def test_work_at_half_speed_pauses_as_long_as_each_step_took(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(t) for t in range(100))  # each reading one second later
    monkeypatch.setattr(bot.pacing.time, "perf_counter", lambda: next(clock))
    pauses: list[float] = []
    monkeypatch.setattr(bot.pacing.time, "sleep", pauses.append)
    assert list(at_half_speed(range(7), 3)) == list(range(7))  # all of them, in order
    assert pauses == [1.0, 1.0]  # after the 3rd and the 6th, as long as each step took


def test_the_first_index_is_saved_at_half_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    """`snapshot.keep` paces both of its long Python loops (digests, phrasings' JSON)."""
    from bot import snapshot
    from bot.matcher.index import MatchIndex
    from bot.matcher.postings import IndexDoc

    paced: list[int] = []

    def counted(items: object, every: int) -> object:
        paced.append(every)
        return iter(items)  # type: ignore[call-overload]

    monkeypatch.setattr(snapshot, "at_half_speed", counted)
    saved_with: list[object] = []
    monkeypatch.setattr(
        snapshot.saved, "save", lambda view, digests, path, paced: saved_with.append(paced)
    )
    docs = [IndexDoc("a", "pemilu ditunda", (), "KPU membantah")]
    statement = type(
        "S", (), {"external_id": "a", "claim": "pemilu ditunda", "variants": (),
                  "clarification": "KPU membantah"},
    )()  # fmt: skip
    snap = type("Snap", (), {"index": MatchIndex(docs), "statements": {"a": statement}})()
    snapshot.keep(snap, None)  # type: ignore[arg-type]
    assert paced == [snapshot.SAVE_STEP]
    assert len(saved_with) == 1
    list(saved_with[0](range(2)))  # type: ignore[operator]
    assert paced == [snapshot.SAVE_STEP, 1]


def test_an_old_snapshot_is_freed_as_a_build_runs() -> None:
    """While `release_gradually` drops an old snapshot, claims are served as during a build
    (`building_now`): matched off the loop, which shares the GIL with the release."""
    import gc
    import weakref

    from bot.pacing import building_now, release_gradually

    class Part:
        pass

    seen: list[bool] = []

    class Watched:
        def __init__(self) -> None:
            self.parts = [Part() for _ in range(100)]

        def __del__(self) -> None:
            seen.append(building_now())

    box: list[object] = [Watched()]
    gone = weakref.ref(box[0])
    assert not building_now()
    release_gradually(box)
    gc.collect()
    assert box == [] and gone() is None
    assert seen == [True] and not building_now()


def test_a_layered_view_is_taken_apart_when_freed() -> None:
    """A snapshot's lookups (`Layered`: a base shared until the last view goes) are freed
    as their base dict's values one by one, not as one dict in one C call."""
    from bot.matcher.layered import Layered
    from bot.pacing import _parts

    view = Layered({n: object() for n in range(100)}).changed([1], [(200, object())])
    base, top, gone = view.layers()
    assert _parts(view, 1) == [base, top, gone]
    assert len(_parts(base, 2)) == 100  # each value dropped on its own
