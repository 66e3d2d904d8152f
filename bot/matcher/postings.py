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
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.matcher.normalize import Normalized, normalize


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
    heads = tuple(normalize(t) for t in (doc.claim, *doc.variants) if t.strip())
    head_tf: Counter[str] = Counter()
    for h in heads:
        head_tf.update(set(h.terms))
    body_tf = Counter(normalize(doc.clarification).terms)
    return DocTerms(doc.statement_id, heads, dict(head_tf), dict(body_tf))


TF_MAX = 65_535  # a word's count in a statement's heads or body, as kept


class Postings:
    """The term counts of the statements a view was built from, in compact arrays.

    Per word (a row): the slots of the statements using it, in slot order, with its counts
    in their heads and bodies (10 bytes a posting). Never changed after it is built.
    """

    def __init__(
        self,
        names: list[str],
        size: int,
        term_row: np.ndarray,
        slot: np.ndarray,
        head_tf: np.ndarray,
        body_tf: np.ndarray,
    ) -> None:
        """From one entry per (statement, word): the word's row in `names`, the statement's
        slot (0 .. size-1) and the counts."""
        self.names = names
        self.rows = {t: r for r, t in enumerate(names)}
        by_word = np.lexsort((slot, term_row))
        self.slots = slot[by_word].astype(np.int32)
        # counts fit 16 bits (a clarification is a few thousand characters): a quarter of
        # the memory of the postings at 100,000 statements
        self.head_tf = np.minimum(head_tf[by_word], TF_MAX).astype(np.uint16)
        self.body_tf = np.minimum(body_tf[by_word], TF_MAX).astype(np.uint16)
        counts = np.bincount(term_row, minlength=len(names))
        self.start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.size = size

    def df(self, term: str) -> int:
        """How many of these statements use a word."""
        row = self.rows.get(term)
        return 0 if row is None else int(self.start[row + 1] - self.start[row])

    @classmethod
    def of(cls, docs: Iterable[DocTerms]) -> Built:
        """Postings of `docs`, taken one at a time: each one's counts are dropped once they
        are in the arrays (a generator of `read` never holds them all), its phrasings kept."""
        rows: dict[str, int] = {}
        term_row = array("i")
        head_tf = array("i")
        body_tf = array("i")
        slot = array("i")
        ids: list[str] = []
        heads: list[tuple[Normalized, ...]] = []
        lengths = array("q")
        for i, d in enumerate(docs):
            words = list(d.terms)
            term_row.extend([rows.setdefault(t, len(rows)) for t in words])
            head_tf.extend([d.head_tf.get(t, 0) for t in words])
            body_tf.extend([d.body_tf.get(t, 0) for t in words])
            slot.extend([i] * len(words))
            ids.append(d.statement_id)
            heads.append(d.heads)
            lengths.extend((d.head_len, d.body_len))
        columns = (ints(a) for a in (term_row, slot, head_tf, body_tf))
        pairs = np.array(lengths, dtype=np.int64).reshape(-1, 2)
        return Built(cls(list(rows), len(ids), *columns), ids, heads, pairs[:, 0], pairs[:, 1])

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
        rows = np.repeat(np.arange(len(self.names), dtype=np.int32), np.diff(self.start))
        return rows, self.slots, self.head_tf, self.body_tf


def ints(values: array[int]) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


class Built(NamedTuple):
    """What `Postings.of` makes of statements: their postings, and per statement (in the
    order given) its id, its phrasings and its head and body lengths."""

    postings: Postings
    ids: list[str]
    heads: list[tuple[Normalized, ...]]
    head_len: np.ndarray
    body_len: np.ndarray
