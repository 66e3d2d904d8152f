"""Keeping the event loop responsive while a worker thread builds or frees a snapshot.

Two things a build in another thread does to the loop, and what answers each: freeing a
large structure is one C call holding the GIL (`release_gradually` drops it piece by
piece), and a CPU-bound thread holds the GIL for a whole switch interval each time the loop
hands it back (`loop_first_while_building` shortens the interval and postpones full garbage
collections while a build runs).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from bot.matcher.layered import Layered

T = TypeVar("T")


def release_gradually(box: list[Any]) -> None:
    """Drop the one object in `box` a piece at a time (run it in a worker thread).

    Freeing a large structure is one C call that holds the GIL throughout: about 110 ms
    for a 20,000-statement snapshot, all of it an event-loop stall. Here references to
    the parts of the snapshot, of its index and of every large container in them are
    taken first and dropped one by one, so the loop gets the GIL between them. Nothing
    is changed: a part that something else still holds simply stays alive. Meanwhile the
    loop is served as during a build (`loop_first_while_building`): claims matched on it
    right after a forced rebuild, sharing the GIL with this, took up to 170 ms.
    """
    with loop_first_while_building():
        stack: list[tuple[Any, int]] = [(box.pop(), 0)]
        while stack:
            item, depth = stack.pop()
            stack.extend((part, depth + 1) for part in _parts(item, depth))
            del item  # its parts are held by the stack: only references are dropped here


def _parts(item: Any, depth: int) -> list[Any]:
    """What `release_gradually` drops separately: the fields of the snapshot and of its
    index, and the items of any large container within three levels."""
    if depth >= 3:
        return []
    if isinstance(item, dict):
        return list(item.values()) if len(item) > 64 else []
    if isinstance(item, Layered):  # its base: a dict of the whole base, shared until freed
        return list(item.layers())
    if isinstance(item, list | tuple | set | frozenset):
        return list(item) if len(item) > 64 else []
    if depth >= 2 or isinstance(item, str | bytes | int | float | type):
        return []
    if is_dataclass(item):
        return [getattr(item, f.name) for f in fields(item)]
    attributes = getattr(item, "__dict__", None)
    return list(attributes.values()) if isinstance(attributes, dict) else []


#: The GIL's switch interval while a snapshot is built in a worker thread. The event loop
#: waits up to this long for the GIL each time it gets it back after releasing it: every
#: SQLite call, every socket send, and every numpy step of matching a claim (numpy lets the
#: GIL go on larger arrays), so a claim pays it dozens of times. Python's default of 5 ms
#: made a claim answered during a build twice as slow; with numpy retrieval, 1 ms let claims
#: queue up behind a 10,000-statement build (bench/rebuild.py: the loop stalled 1.6-2.1 s);
#: 0.2 ms keeps the longest stall near 50 ms for a build about a tenth slower.
BUILD_SWITCH_INTERVAL = 0.0002

_building_lock = threading.Lock()
_building = 0  # builds in progress in this process
_saved: tuple[tuple[int, int, int], float] = (gc.get_threshold(), sys.getswitchinterval())


@contextlib.contextmanager
def loop_first_while_building() -> Iterator[None]:
    """Keep the event loop responsive while a worker thread builds a snapshot.

    Two process-wide settings, restored when the last build ends:
    - no full (generation 2) garbage collection: one holds the GIL while it scans every
      tracked object, whichever thread runs it (250-400 ms at 20,000 statements), and a
      build allocates enough to trigger several. Young generations are still collected.
      Pair with `gc.freeze()` after the swap, or the first full collection pays it all;
    - a shorter GIL switch interval (`BUILD_SWITCH_INTERVAL`).
    """
    global _building, _saved
    with _building_lock:
        if _building == 0:
            _saved = gc.get_threshold(), sys.getswitchinterval()
            gc.set_threshold(_saved[0][0], _saved[0][1], 2**31 - 1)
            sys.setswitchinterval(min(BUILD_SWITCH_INTERVAL, _saved[1]))
        _building += 1
    try:
        yield
    finally:
        with _building_lock:
            _building -= 1
            if _building == 0:
                gc.set_threshold(*_saved[0])
                sys.setswitchinterval(_saved[1])


def building_now() -> bool:
    """Whether a worker thread is inside `loop_first_while_building` (a build, a save, a
    view's warming): then the loop shares the GIL with it."""
    return _building > 0


def at_half_speed(items: Iterable[T], every: int) -> Iterator[T]:
    """`items`, with a pause after every `every` as long as they took: a worker thread's
    pure-Python work (saving the first index at start: seconds at 100,000 statements) done
    at half speed, so the event loop has the GIL alone half the time. Sharing it all along,
    a claim answered meanwhile took 40-70 ms instead of a few."""
    started = time.perf_counter()
    for i, item in enumerate(items, 1):
        yield item
        if i % every == 0:
            time.sleep(time.perf_counter() - started)
            started = time.perf_counter()
