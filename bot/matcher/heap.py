"""The process's heap around a build of the index: Python's cyclic garbage collector held
back while it runs, and the memory it freed given back to the system after.

A build makes millions of objects (each statement's phrasings, the tables of words); the
collector, counting them, runs its full pass several times over everything the bot holds,
each pass holding the interpreter for a few hundred milliseconds: the bot's claims wait (a
full rebuild at 100,000 statements stalled the event loop 0.5 s). Paused during the build,
what it made is then moved to the oldest generation without being walked (`gc.freeze`,
then `gc.unfreeze`: two list splices): long-lived by nature, it is walked again only by a
later full pass, as everything old is. (Left frozen, the cyclic garbage of the moment, such
as a closed connection's, would never be freed: the test suite ran out of descriptors.)

What the build used and let go (its tables of words, the arrays it sorted) stays with the
process unless returned: at 100,000 statements ~140 MB of the bot's resident memory was such
free space (`malloc_trim` gives it back, where the C library has it: glibc).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_builds = 0
_was_enabled = False


def _trimmer() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


_trim = _trimmer()


@contextmanager
def held_back() -> Iterator[None]:
    """The collector paused for the block (and any block overlapping it, in any thread);
    after the last one ends, what was made moved to the oldest generation and the freed
    memory given back."""
    global _builds, _was_enabled
    with _lock:
        if _builds == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _builds += 1
    try:
        yield
    finally:
        with _lock:
            _builds -= 1
            last = _builds == 0
            if last and _was_enabled:
                gc.freeze()  # everything to the permanent generation, then back to the
                gc.unfreeze()  # oldest: the youngest is left empty, none of it walked
                gc.enable()
        if last:
            give_back()


def give_back() -> None:
    """Return the heap's free memory to the system, where the C library can (glibc)."""
    if _trim is not None:
        _trim(0)
