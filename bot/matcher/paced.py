"""numpy steps over a whole base, and the freeing of its large lists and dicts, a block at
a time, for a build beside the event loop.

Some numpy calls hold the interpreter (the GIL) from start to end: `np.repeat`, `np.bincount`,
`bytes.join`, a `map` over a list. Over a base of 100,000 statements (9.4 million entries)
one call is one stall of the bot's loop, whatever the thread it runs in: `np.repeat` of each
kept statement's slot over its entries held it 110-155 ms in a forced rebuild. Here each
runs over blocks of `BLOCK` entries (a few milliseconds each), so the loop gets the GIL
between them; the results are the same as the single calls'. Freeing is the same: a list or
dict of 100,000 entries let go at the end of a function is one C call over all of them
(a forced rebuild's rows read from SQLite, kept words, texts' keys: 10-57 ms each).
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping, Sequence
from contextlib import suppress
from itertools import pairwise
from typing import Any

import numpy as np

BLOCK = 1 << 18  # entries per call: 1-3 ms of `np.repeat` or `np.bincount` here


def repeat(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """`np.repeat(values, counts)`, about `BLOCK` entries out per call."""
    if len(values) == 0:
        return np.repeat(values, counts)
    ends = np.cumsum(counts)
    total = int(ends[-1])
    if total <= BLOCK:
        return np.repeat(values, counts)
    cuts = np.searchsorted(ends, np.arange(BLOCK, total, BLOCK), side="right").tolist()
    bounds = [0, *cuts, len(values)]
    out = np.empty(total, dtype=values.dtype)
    for a, b in pairwise(bounds):
        if b > a:
            start = int(ends[a - 1]) if a else 0
            out[start : int(ends[b - 1])] = np.repeat(values[a:b], counts[a:b])
    return out


def bincount(x: np.ndarray, weights: np.ndarray | None = None, minlength: int = 0) -> np.ndarray:
    """`np.bincount(x, weights, minlength)`, `BLOCK` entries of `x` per call. `weights`:
    whole numbers (counts), which float64 adds exactly in any order."""
    if len(x) <= BLOCK:
        return np.bincount(x, weights, minlength)
    size = max(minlength, int(x.max()) + 1)
    out = np.zeros(size, dtype=np.float64 if weights is not None else np.intp)
    for a in range(0, len(x), BLOCK):
        part = None if weights is None else weights[a : a + BLOCK]
        out += np.bincount(x[a : a + BLOCK], part, size)
    return out


def joined(parts: Sequence[bytes], dtype: str | np.dtype) -> np.ndarray:
    """`np.frombuffer(b"".join(parts), dtype)`, joined `BLOCK // 64` parts at a time."""
    step = BLOCK // 64
    if len(parts) <= step:
        return np.frombuffer(b"".join(parts), dtype=dtype)
    at = range(0, len(parts), step)
    return np.concatenate([np.frombuffer(b"".join(parts[a : a + step]), dtype) for a in at])


def logs(values: np.ndarray) -> np.ndarray:
    """`math.log` of each value (numpy's log may differ from it in the last bit), as float64,
    `BLOCK // 16` at a time: a `map` of a builtin over a list never lets the GIL go."""
    out = np.empty(len(values), dtype=np.float64)
    step = BLOCK // 16
    for a in range(0, len(values), step):
        part = values[a : a + step].tolist()
        out[a : a + len(part)] = np.fromiter(map(math.log, part), np.float64, len(part))
    return out


def emptied(*containers: list[Any] | MutableMapping[Any, Any]) -> None:
    """Empty each list or dict `BLOCK // 64` entries at a time, so that what only they held
    is freed in short steps (another thread emptying a table meanwhile is no error). Only
    for containers nothing else will read."""
    step = BLOCK // 64
    for items in containers:
        if isinstance(items, list):
            while items:
                del items[-step:]
            continue
        with suppress(KeyError):  # emptied meanwhile
            while items:
                for _ in range(min(step, len(items))):
                    items.popitem()
