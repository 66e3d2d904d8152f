"""What the index keeps of each statement: its phrasings normalized, its words counted,
and all statements' counts per word in compact arrays (`Postings`).

Reading a statement (`read`, i.e. normalizing it) is the slow part of indexing; everything
built from `DocTerms` is plain counting, so a view can take a changed statement in without
touching the others, and fold its changes into new `Postings` without normalizing again.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.matcher import paced
from bot.matcher.normalize import Normalized, normalize_many, terms


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """What the matcher needs of a statement; storage rows are converted to this."""

    statement_id: str
    claim: str
    variants: tuple[str, ...] = ()
    clarification: str = ""


@dataclass(frozen=True, slots=True)
class DocTerms:
    """A statement as the index reads it: its phrasings normalized, its words counted.

    The slow part of indexing (normalize), done once per statement version: a view built
    from these does no text processing at all.
    """

    statement_id: str
    heads: tuple[Normalized, ...]  # the claim and each variant
    head_tf: Mapping[str, int]  # in how many phrasings each root occurs
    body_tf: Mapping[str, int]  # how often each root occurs in the clarification

    @property
    def head_len(self) -> int:
        return sum(self.head_tf.values())

    @property
    def body_len(self) -> int:
        return sum(self.body_tf.values())

    @property
    def terms(self) -> set[str]:
        return self.head_tf.keys() | self.body_tf.keys()


def read(doc: IndexDoc) -> DocTerms:
    """Normalize a statement for the index."""
    heads = tuple(normalize_many(t) for t in (doc.claim, *doc.variants) if t.strip())
    head_tf: Counter[str] = Counter()
    for h in heads:
        head_tf.update(set(h.terms))
    body_tf = Counter(terms(doc.clarification))
    return DocTerms(doc.statement_id, heads, dict(head_tf), dict(body_tf))


# BM25 parameters (Robertson's defaults; k1 lowered because statement heads are short).
K1 = 1.2
B = 0.75
HEAD_WEIGHT = 2.0  # the claim and its phrasings say what a statement is about
BODY_WEIGHT = 1.0  # the clarification quotes the claim, but also a lot else
BLOCK = 1_000_000  # entries gathered at once when a base is built (bounds its memory)
#: postings scored at once when a base is made ready: each step's sort holds the GIL, and
#: the bot answers from another thread meanwhile (a million postings stalled it ~60 ms)
READY_BLOCK = 200_000
READY_THREADS = 2  # blocks scored at once (each in a thread)
Ready = tuple[np.ndarray, np.ndarray, np.ndarray]  # every word's best slots, impacts, starts

TF_MAX = 65_535  # a word's count in a statement's heads or body, as kept


def kept_counts(counts: np.ndarray) -> np.ndarray:
    """Counts as the postings keep them: 16 bits (a clarification is a few thousand
    characters), a quarter of the memory of the postings at 100,000 statements."""
    return np.minimum(counts, TF_MAX).astype(np.uint16)


class Postings:
    """The term counts of the statements a view was built from, in compact arrays.

    Per word (a row): the slots of the statements using it, in slot order, with its counts
    in their heads and bodies (10 bytes a posting). Never changed after it is built.
    """

    def __init__(
        self,
        names: list[str],
        size: int,
        start: np.ndarray,
        slots: np.ndarray,
        head_tf: np.ndarray,
        body_tf: np.ndarray,
    ) -> None:
        """From the arrays as kept: word r's postings are [start[r], start[r + 1])."""
        self.names = names
        self.rows = {t: r for r, t in enumerate(names)}
        self.size = size
        self.start = start
        self.slots = slots
        self.head_tf = head_tf
        self.body_tf = body_tf

    @classmethod
    def grouped(
        cls,
        names: list[str],
        size: int,
        term_row: np.ndarray,
        slot: np.ndarray,
        head_tf: np.ndarray,
        body_tf: np.ndarray,
    ) -> Postings:
        """From one entry per (statement, word) in any order: the word's row in `names`,
        the statement's slot (0 .. size-1) and the counts. A word no entry holds is left
        out."""
        term_row, slot, head_tf, body_tf = by_word((term_row, slot, head_tf, body_tf), size)
        counts = paced.bincount(term_row, None, len(names))
        used = np.flatnonzero(counts)
        head, body = kept_counts(head_tf), kept_counts(body_tf)
        return cls.from_runs(names, size, used, counts[used], slot, head, body)

    @classmethod
    def from_runs(
        cls,
        names: list[str],
        size: int,
        words: np.ndarray,
        runs: np.ndarray,
        slot: np.ndarray,
        head_tf: np.ndarray,
        body_tf: np.ndarray,
    ) -> Postings:
        """From entries grouped by word and in slot order within each already: word
        `names[words[i]]` (ascending) holds the next `runs[i]` entries; counts as kept
        (uint16)."""
        if len(words) < len(names):
            names = [names[w] for w in words.tolist()]
        start = np.concatenate(([0], np.cumsum(runs))).astype(np.int64)
        return cls(names, size, start, slot.astype(np.int32, copy=False), head_tf, body_tf)

    def df(self, term: str) -> int:
        """How many of these statements use a word."""
        row = self.rows.get(term)
        return 0 if row is None else int(self.start[row + 1] - self.start[row])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        row = self.rows.get(term)
        if row is None:
            return None
        a, b = int(self.start[row]), int(self.start[row + 1])
        return self.slots[a:b], self.head_tf[a:b], self.body_tf[a:b]

    def words_of(self, slots: Iterable[int]) -> dict[int, list[str]]:
        """The words of some statements, in one pass over the postings (a few milliseconds
        at 100,000 statements: cheaper than keeping every statement's words twice)."""
        at = np.flatnonzero(np.isin(self.slots, np.fromiter(slots, dtype=np.int32)))
        rows = np.searchsorted(self.start, at, side="right") - 1
        words: dict[int, list[str]] = {}
        for slot, row in zip(self.slots[at].tolist(), rows.tolist(), strict=True):
            words.setdefault(slot, []).append(self.names[row])
        return words

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every (word row, slot, head count, body count), grouped by word."""
        rows = paced.repeat(np.arange(len(self.names), dtype=np.int32), np.diff(self.start))
        return rows, self.slots, self.head_tf, self.body_tf


class Rows(dict[str, int]):
    """Each word's row, a new word getting the next one."""

    def __missing__(self, term: str) -> int:
        row = self[term] = len(self)
        return row


def ints(values: array[int]) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


class Built(NamedTuple):
    """A base as built (bot/matcher/building.py) or saved: its postings, and per statement
    (slot) its id, its phrasings, its head and body lengths and its place in the database (`order`,
    ties go to the lower); `ready`: every word's impacts, once scored."""

    postings: Postings
    ids: list[str]
    heads: list[tuple[Normalized, ...]]
    head_len: np.ndarray
    body_len: np.ndarray
    order: np.ndarray | None = None
    ready: Ready | None = None


def bm25_tf(tf: np.ndarray, length: np.ndarray, avg: float) -> np.ndarray:
    """BM25's saturated term frequency (0 where the word is absent), elementwise."""
    tf = tf.astype(np.float64)
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))


def idf_weights(df: np.ndarray, n: int, rarest: float) -> np.ndarray:
    """Words' idf by how many of `n` statements use each (`df`), as `MatchIndex.weight`
    gives each: the same arithmetic in numpy, then math.log (numpy's log may differ from it
    in the last bit); `rarest` for a word no statement uses."""
    spread = 1 + (n - df + 0.5) / (df + 0.5)
    idf = paced.logs(spread)
    idf[df <= 0] = rarest
    return idf


def ready_impacts(
    base: Postings,
    idf: np.ndarray,
    lengths: tuple[np.ndarray, np.ndarray, float, float],
    order: np.ndarray,
    cap: int,
) -> Ready:
    """Every word's `cap` highest BM25 impacts, best first (ties: lower `order`), in numpy
    over the postings a block of words at a time (bounded memory); `lengths`: head and body
    lengths per slot and their averages. Slots, impacts and each word's start, by row.

    Only each word's best are sorted: a word used by more than `cap` statements (a few
    thousand words, nine postings in ten at 100,000 statements) is cut to its best first."""
    head_len, body_len, avg_head, avg_body = lengths
    # BM25's length part per slot, as `bm25_tf` computes it (the same values, bit for bit)
    head_norm = K1 * (1 - B + B * head_len / avg_head)
    body_norm = K1 * (1 - B + B * body_len / avg_body)
    # each slot's place by (order, slot): how ties between equal impacts go
    if len(order) < 2 or bool(np.all(order[1:] >= order[:-1])):
        places = None  # the slot itself
    else:
        places = np.empty(len(order), dtype=np.int64)
        places[np.argsort(order, kind="stable")] = np.arange(len(order))
    counts = np.diff(base.start)
    starts = np.concatenate(([0], np.cumsum(np.minimum(counts, cap)))).astype(np.int64)
    slots_out = np.empty(int(starts[-1]), dtype=np.int32)
    weights_out = np.empty(int(starts[-1]), dtype=np.float32)
    blocks, first = [], 0
    while first < len(base.names):  # words [first, last) hold about READY_BLOCK postings
        last = int(np.searchsorted(base.start, base.start[first] + READY_BLOCK, side="right"))
        last = min(max(last - 1, first + 1), len(base.names))
        blocks.append((first, last))
        first = last

    def scored(first: int, last: int) -> None:
        a, b = int(base.start[first]), int(base.start[last])
        rows = np.repeat(np.arange(last - first, dtype=np.int64), counts[first:last])
        slots = base.slots[a:b]
        weights = idf[first:last][rows] * (
            HEAD_WEIGHT * _saturated(base.head_tf[a:b], head_norm[slots])
            + BODY_WEIGHT * _saturated(base.body_tf[a:b], body_norm[slots])
        )
        ties = slots if places is None else places[slots]
        best = _candidates(weights, ties, base.start[first : last + 1] - a, cap)
        if best is not None:  # exactly each word's `cap` best
            rows, weights, slots, ties = rows[best], weights[best], slots[best], ties[best]
        ordered = _best_first(rows, weights, ties)
        at = slice(int(starts[first]), int(starts[last]))
        slots_out[at] = slots[ordered]
        weights_out[at] = weights[ordered]

    # numpy lets the interpreter go while it sorts and computes: two threads, two cores
    with ThreadPoolExecutor(min(READY_THREADS, len(blocks)) or 1) as pool:
        list(pool.map(lambda block: scored(*block), blocks))  # raises what a block raised
    return slots_out, weights_out, starts


def _saturated(tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """`bm25_tf` with its length part given (`norm`, per posting)."""
    tf = tf.astype(np.float64)
    return tf * (K1 + 1) / (tf + norm)


def _candidates(
    weights: np.ndarray, ties: np.ndarray, bounds: np.ndarray, cap: int
) -> np.ndarray | None:
    """Where each word's `cap` best postings are (`bounds`: each word's first posting and
    the end; `ties`: the lower goes first between equal weights), in place order; None when
    no word has more. Of a word that has: those above its `cap`-th highest weight, and of
    those equal to it the ones with the lowest `ties` to make up `cap`."""
    if cap <= 0:
        return np.zeros(0, dtype=np.intp)
    big = np.flatnonzero(np.diff(bounds) > cap)
    if not len(big):
        return None
    keep = np.ones(len(weights), dtype=bool)
    for row in big.tolist():  # one word's postings at a time: each call stays short
        lo, hi = int(bounds[row]), int(bounds[row + 1])
        word = weights[lo:hi]
        nth = np.partition(word, hi - lo - cap)[hi - lo - cap]
        above = word > nth
        tied = np.flatnonzero(word == nth)
        need = cap - int(np.count_nonzero(above))
        if need < len(tied):
            tied = tied[np.argsort(ties[lo:hi][tied], kind="stable")[:need]]
        above[tied] = True
        keep[lo:hi] = above
    return np.flatnonzero(keep)


def _best_first(rows: np.ndarray, weights: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """`np.lexsort((ties, -weights, rows))` (rows and ties non-negative, no two postings
    with the same row and tie), as one sort of 64-bit keys when they fit: rows, then the
    weights' ranks, highest first, then ties."""
    n = len(weights)
    if not n:
        return np.zeros(0, dtype=np.intp)
    by_weight = np.argsort(-weights)  # equal weights get one rank: any order among them
    ranked = weights[by_weight]
    rank = np.empty(n, dtype=np.int64)
    rank[by_weight] = np.cumsum(np.concatenate(([0], ranked[1:] != ranked[:-1])))
    tie_bits = int(ties.max()).bit_length()
    rank_bits = n.bit_length()
    if int(rows[-1]).bit_length() + rank_bits + tie_bits > 63:
        return np.lexsort((ties, -weights, rows))
    return np.argsort((rows << (rank_bits + tie_bits)) | (rank << tie_bits) | ties)


#: one entry per (word, statement): the word's row, the statement's slot, the word's counts
#: in the statement's heads (in how many phrasings) and body (how often)
Entries = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def by_word(entries: Entries, n: int) -> Entries:
    """Entries (word, statement, counts) in any order, grouped by word and in statement
    order within each: one sort of integers each holding a whole entry in its bits when
    they fit (numpy sorts integers ~15 times faster than it orders them by a key)."""
    term, slot, head_tf, body_tf = entries
    if len(term) < 2:
        return entries
    if bool(np.all(np.diff(term[:4096]) >= 0)):  # may be grouped already: look at all
        step = np.diff(term)
        if bool(np.all((step > 0) | ((step == 0) & (np.diff(slot) > 0)))):
            return entries
    widths = [int(a.max(initial=0)).bit_length() for a in (head_tf, body_tf)]
    low = max(n, 1).bit_length() + sum(widths)
    if int(term.max(initial=0)).bit_length() + low > 63:  # not expected: ordered by key
        order = np.argsort(np.left_shift(term, low - sum(widths), dtype=np.int64) | slot)
        return term[order], slot[order], head_tf[order], body_tf[order]
    keys = np.left_shift(term, low, dtype=np.int64)
    keys |= np.left_shift(slot, sum(widths), dtype=np.int64)
    keys |= np.left_shift(head_tf, widths[1], dtype=np.int64)
    keys |= body_tf
    keys.sort()
    return (
        keys >> low,
        (keys >> sum(widths)) & ((1 << (low - sum(widths))) - 1),
        (keys >> widths[1]) & ((1 << widths[0]) - 1),
        keys & ((1 << widths[1]) - 1),
    )
