"""A base's postings from its statements, each read from its text or unpacked from what was
kept (bot/matcher/packed.py): what reading each statement alone (`read`) makes, with no
Python step per word. Statements read from text come counted and grouped by word
(bot/matcher/reading.py, readers.py); kept ones are grouped with them by one sort of integers
(`postings.by_word`). tests/test_bulk.py checks the result against reading each statement
alone."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

from bot.matcher import paced
from bot.matcher.normalize import Normalized
from bot.matcher.postings import Built, Entries, IndexDoc, Postings, Rows
from bot.matcher.readers import read_texts


class BaseBuilder:
    """Collects a base statement by statement, read from text (`add_text`) or as kept
    (`add_kept`), and makes its postings (`built`)."""

    def __init__(self, processes: int | None = None) -> None:
        """`processes`: worker processes to read texts in (readers.py's choice by default)."""
        self.rows = Rows()
        self.ids: list[str] = []
        self.heads: list[tuple[Normalized, ...]] = []
        self._processes = processes
        self._texts: list[IndexDoc] = []  # read when built, all at once
        self._read_slots = array("q")
        # kept: one entry per (statement, word), counts as packed (uint16)
        self._kept_rows = Ints()
        self._kept_sizes, self._kept_slots = array("q"), array("q")
        self._kept_head: list[bytes] = []
        self._kept_body: list[bytes] = []

    def add_text(self, doc: IndexDoc) -> None:
        """A statement to read from its text, as `read` reads it (when built)."""
        self._texts.append(doc)
        self._read_slots.append(len(self.ids))
        self.ids.append(doc.statement_id)
        self.heads.append(())

    def add_kept(
        self,
        statement_id: str,
        heads: tuple[Normalized, ...],
        words: list[str],
        counts: tuple[bytes, bytes],
    ) -> None:
        """A statement as kept: its phrasings, its words, and their counts in its heads and
        body (little-endian uint16, one per word)."""
        # a statement's words at a time: splitting them all at once held ten million
        # strings (over a gigabyte at 100,000 statements)
        self._kept_rows.extend(map(self.rows.__getitem__, words))
        self._kept_sizes.append(len(words))
        self._kept_slots.append(len(self.ids))
        self._kept_head.append(counts[0])
        self._kept_body.append(counts[1])
        self.ids.append(statement_id)
        self.heads.append(heads)

    def built(self) -> Built:
        """The postings of every statement added, and their lengths."""
        n = len(self.ids)
        texts = read_texts(self._texts, self.rows, self._processes)
        self._texts = []
        places = _sizes(self._read_slots)
        for slot, heads in zip(places.tolist(), texts.heads, strict=True):
            self.heads[slot] = heads
        counted = texts.counted
        del texts
        head_len, body_len = np.zeros(n, np.int64), np.zeros(n, np.int64)
        head_len[places], body_len[places] = counted.head_len, counted.body_len
        names = list(self.rows)
        if not self._kept_slots:  # all read from text: slots as read, grouped already
            postings = Postings.from_runs(names, n, *counted[:5])
            return Built(postings, self.ids, self.heads, head_len, body_len)
        term, slot, head_tf, body_tf = counted.entries()
        read: Entries = (term, places[slot], head_tf, body_tf)
        del counted, term, slot, head_tf, body_tf
        kept_slot = paced.repeat(  # each call short: this runs beside the bot's loop
            np.frombuffer(self._kept_slots, np.int64), _sizes(self._kept_sizes)
        )
        kept: Entries = (
            self._kept_rows.array(),
            kept_slot,
            _counts(self._kept_head),
            _counts(self._kept_body),
        )
        paced.emptied(self._kept_head, self._kept_body)  # 200,000 small bytes at 100,000
        head_len += paced.bincount(kept_slot, kept[2], n).astype(np.int64)
        body_len += paced.bincount(kept_slot, kept[3], n).astype(np.int64)
        if not len(read[0]):
            term, slot, head_tf, body_tf = kept
        else:
            term, slot, head_tf, body_tf = (np.concatenate(p) for p in zip(read, kept, strict=True))
        del read, kept
        postings = Postings.grouped(names, n, term, slot, head_tf, body_tf)
        return Built(postings, self.ids, self.heads, head_len, body_len)


class Ints:
    """A growing run of ints, moved into numpy a block at a time: one call converting ten
    million (a base's words) would hold the interpreter ~0.4 s, a stall of the bot, and
    one of a million held it 50-240 ms (a forced rebuild at 100,000 statements)."""

    BLOCK = 1 << 16  # 3-12 ms a conversion

    def __init__(self) -> None:
        self._list: list[int] = []
        self._blocks: list[np.ndarray] = []

    def extend(self, values: Iterable[int]) -> None:
        self._list += values
        if len(self._list) >= self.BLOCK:
            self._blocks.append(np.array(self._list, dtype=np.int32))
            self._list = []

    def array(self) -> np.ndarray:
        """Every int so far, as int32."""
        return np.concatenate([*self._blocks, np.array(self._list, dtype=np.int32)])


def _sizes(sizes: array[int]) -> np.ndarray:
    return np.frombuffer(sizes, np.int64) if sizes else np.zeros(0, np.int64)


def _counts(parts: list[bytes]) -> np.ndarray:
    return paced.joined(parts, "<u2")
