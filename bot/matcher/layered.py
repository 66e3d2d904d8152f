"""A read-only mapping made of a large base shared between views and the few changes since.

A snapshot after a moderator's change differs from the one before in one statement, but
copying its lookups (a dict of 100,000 entries: id -> statement, rowid -> statement, id ->
slot) and later freeing the old copies touches every entry: one C call each, holding the
GIL 3-10 ms on an idle machine and several times that beside the claims being answered
(bench/index_changes.py: /arsip stalled the bot's loop 26-58 ms, the copies and frees in
every sample). A `Layered` view shares its base with the view it was made from and holds
only what changed since (`top`, and the base keys no longer as in the base: `gone`); once
those pass `FOLD_SHARE` of the base they are folded into a new base, a block at a time.

Iteration gives the base's keys first, then the changed ones in the order they were set: what
a dict gives when each changed key is deleted and set again (as bot/snapshot.py did).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

FOLD_MIN = 1_024  # changes always kept apart below this many
FOLD_SHARE = 32  # ... and below a 32nd of the base
FOLD_STEP = 4_096  # entries copied per call while folding: the loop gets the GIL between


class Layered(Mapping[K, V]):
    """An immutable mapping: `base` as it was, except the keys in `gone` (removed or set
    again), then the entries of `top`. Never change `base`, `top` or `gone` once given."""

    __slots__ = ("_base", "_gone", "_top")

    def __init__(
        self,
        base: Mapping[K, V] | None = None,
        top: dict[K, V] | None = None,
        gone: frozenset[K] = frozenset(),
    ) -> None:
        self._base: Mapping[K, V] = {} if base is None else base
        self._top: dict[K, V] = {} if top is None else top
        self._gone = gone

    def __getitem__(self, key: K) -> V:
        top = self._top
        if key in top:
            return top[key]
        if key in self._gone:
            raise KeyError(key)
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._top or (key not in self._gone and key in self._base)

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | T, /) -> V | T: ...
    def get(self, key: K, default: object = None) -> object:
        top = self._top
        if key in top:
            return top[key]
        if key in self._gone:
            return default
        return self._base.get(key, default)

    def __len__(self) -> int:
        return len(self._base) - len(self._gone) + len(self._top)

    def __iter__(self) -> Iterator[K]:
        gone = self._gone
        if gone:
            yield from (key for key in self._base if key not in gone)
        else:
            yield from self._base
        yield from self._top

    def layers(self) -> tuple[Mapping[K, V], dict[K, V], frozenset[K]]:
        """The base, what was set since and the base keys gone: to free them one by one."""
        return self._base, self._top, self._gone

    def changed(self, removed: Iterable[K] = (), put: Iterable[tuple[K, V]] = ()) -> Layered[K, V]:
        """This mapping with the keys of `removed` deleted (those it has), then the pairs of
        `put` set, each key set again going last: a new view, this one unchanged."""
        top, gone = dict(self._top), set(self._gone)
        base = self._base
        for key in removed:
            if key in top:
                del top[key]
            elif key in base:
                gone.add(key)
        for key, value in put:
            if key in top:
                del top[key]  # set again: last, as in a dict deleted from and set again
            elif key in base:
                gone.add(key)
            top[key] = value
        fresh = Layered(base, top, frozenset(gone))
        if len(top) + len(gone) > max(FOLD_MIN, len(base) // FOLD_SHARE):
            return Layered(fresh.folded())
        return fresh

    def folded(self) -> dict[K, V]:
        """The same entries in one dict, in the same order, copied `FOLD_STEP` at a time."""
        flat: dict[K, V] = {}
        pairs = ((key, self[key]) for key in self)
        while True:
            block = dict(islice(pairs, FOLD_STEP))
            if not block:
                return flat
            flat.update(block)
