"""Python's cyclic garbage collector held back while a base is built.

A build makes millions of objects (each statement's phrasings, the tables of words); the
collector, counting them, runs its full pass several times over everything the bot holds,
each pass holding the interpreter for a few hundred milliseconds: the bot's claims wait (a
full rebuild at 100,000 statements stalled the event loop 0.5 s). Paused during the build,
what it made is then frozen (`gc.freeze`): long-lived by nature, it is left out of every
later pass instead of being walked once more. Nothing a build makes refers to itself in a
cycle, so nothing is kept that reference counting would not free.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_builds = 0
_was_enabled = False


@contextmanager
def held_back() -> Iterator[None]:
    """The collector paused for the block (and any block overlapping it, in any thread),
    what was made frozen after the last one ends."""
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
            if _builds == 0 and _was_enabled:
                gc.freeze()
                gc.enable()
