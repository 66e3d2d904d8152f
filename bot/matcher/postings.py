"""What the index keeps of each statement: its phrasings normalized, its words counted,
and all statements' counts per word in compact arrays (`Postings`).

Reading a statement (`read`, i.e. normalizing it) is the slow part of indexing; everything
built from `DocTerms` is plain counting, so a view can take a changed statement in without
touching the others, and fold its changes into new `Postings` without normalizing again.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


class Postings:
    """The term counts of the statements a view was built from, in compact arrays.

    Per word (a row): the slots of the statements using it, in slot order, with its counts
    in their heads and bodies; per statement: the rows of its words, so a change can take
    it out again. Never changed after it is built.
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
        self.head_tf = head_tf[by_word].astype(np.int32)
        self.body_tf = body_tf[by_word].astype(np.int32)
        counts = np.bincount(term_row, minlength=len(names))
        self.start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.df = {t: int(c) for t, c in zip(names, counts.tolist(), strict=True) if c}
        by_doc = np.lexsort((term_row, slot))
        self.doc_rows = term_row[by_doc].astype(np.int32)
        per_doc = np.bincount(slot, minlength=size)
        self.doc_start = np.concatenate(([0], np.cumsum(per_doc))).astype(np.int64)

    @classmethod
    def of(cls, docs: Sequence[DocTerms]) -> Postings:
        rows: dict[str, int] = {}
        term_row = array("i")
        head_tf = array("i")
        body_tf = array("i")
        slot = array("i")
        for i, d in enumerate(docs):
            words = list(d.terms)
            term_row.extend([rows.setdefault(t, len(rows)) for t in words])
            head_tf.extend([d.head_tf.get(t, 0) for t in words])
            body_tf.extend([d.body_tf.get(t, 0) for t in words])
            slot.extend([i] * len(words))
        return cls(list(rows), len(docs), *(ints(a) for a in (term_row, slot, head_tf, body_tf)))

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        row = self.rows.get(term)
        if row is None:
            return None
        a, b = int(self.start[row]), int(self.start[row + 1])
        return self.slots[a:b], self.head_tf[a:b], self.body_tf[a:b]

    def words_of(self, slot: int) -> list[str]:
        a, b = int(self.doc_start[slot]), int(self.doc_start[slot + 1])
        return [self.names[r] for r in self.doc_rows[a:b].tolist()]

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every (word row, slot, head count, body count), grouped by word."""
        rows = np.repeat(np.arange(len(self.names), dtype=np.int32), np.diff(self.start))
        return rows, self.slots, self.head_tf, self.body_tf


def ints(values: array[int]) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)
