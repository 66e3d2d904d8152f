"""Many statements read from their text for the index (bot/matcher/bulk.py), and counted:
each statement's phrasings, and the entries (word, statement, counts) of all, grouped by
word. Reading is the slow part of a build, pure Python: a large base is read in worker
processes a chunk at a time (readers.py), each chunk with ids of the worker's own words,
which the building process maps to its ids and merges (`merged`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from itertools import islice
from sys import intern
from typing import NamedTuple

import numpy as np

from bot.matcher import paced
from bot.matcher.bulk import TermIds
from bot.matcher.normalize import Normalized
from bot.matcher.postings import Entries, IndexDoc, Rows, kept_counts


class Counted(NamedTuple):
    """Statements' entries (word, statement, counts), grouped by word and in statement order
    within each: word `words[i]` (ascending) holds the next `runs[i]` entries. Counts as the
    postings keep them (TF_MAX at most); and each statement's head and body lengths (its
    words' occurrences, not capped). Statements placed as read: 0, 1, ..."""

    words: np.ndarray
    runs: np.ndarray
    slot: np.ndarray  # int32
    head_tf: np.ndarray  # uint16
    body_tf: np.ndarray  # uint16
    head_len: np.ndarray  # int64, by statement
    body_len: np.ndarray

    def entries(self) -> Entries:
        """One (word, statement, counts) per entry: the words spelled out."""
        return paced.repeat(self.words, self.runs), self.slot, self.head_tf, self.body_tf


class Texts(NamedTuple):
    """Statements read: each one's phrasings, and the entries of all (`Counted`)."""

    heads: list[tuple[Normalized, ...]]
    counted: Counted


def read_here(docs: Sequence[IndexDoc], rows: Rows, reader: TermIds | None = None) -> Texts:
    """`docs` read in this process, into `rows`' ids; by `reader` (its tables kept, as a
    worker keeps them from chunk to chunk), or by a reader of their own whose tables are
    emptied a piece at a time after (as the bot's process must)."""
    release = reader is None
    reader = TermIds(rows) if reader is None else reader
    heads: list[tuple[Normalized, ...]] = []
    head_ids: list[int] = []
    head_sizes: list[int] = []
    bodies: list[bytes] = []
    try:
        for doc in docs:
            phrasings = tuple(reader.normalized(t) for t in (doc.claim, *doc.variants) if t.strip())
            before = len(head_ids)
            for h in phrasings:  # a phrasing counts each of its roots once
                head_ids.extend(map(rows.__getitem__, set(h.terms)))
            head_sizes.append(len(head_ids) - before)
            heads.append(phrasings)
            bodies.append(reader.ids(doc.clarification))
    finally:
        if release:
            reader.release()
    body_ids = np.frombuffer(b"".join(bodies), dtype=np.int32) if bodies else np.zeros(0, np.int32)
    body_sizes = np.array([len(b) // 4 for b in bodies], dtype=np.int64)
    del bodies
    head = (np.array(head_ids, dtype=np.int32), np.array(head_sizes, dtype=np.int64))
    return Texts(heads, read_entries(len(docs), head, (body_ids, body_sizes)))


#: a chunk of statements as sent to a worker: their ids, claims, variants, clarifications,
#: each text encoded (UTF-8)
Sent = tuple[list[bytes], list[bytes], list[tuple[bytes, ...]], list[bytes]]
#: the phrasings of a statement as sent back: (tokens, content, terms) each
Phrasings = tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]
#: what a worker sends back for a chunk: the words it met first there, the phrasings, and
#: the chunk's `Counted` arrays as bytes (`_SENT`; words in the worker's ids)
Answer = tuple[list[str], list[Phrasings], list[bytes]]
#: how each of `Counted`'s arrays is sent: 8 bytes an entry (there are ~95 per statement)
_SENT = (np.int32, np.int32, np.int32, np.uint16, np.uint16, np.int64, np.int64)


def sent(docs: Sequence[IndexDoc]) -> Sent:
    """Statements as a worker is sent them: lists of bytes pickle fast. Encoded here, not by
    pickle: pickling a string outside ASCII keeps its UTF-8 copy in the string for as long
    as it lives (`PyUnicode_AsUTF8AndSize`), and the bot keeps its statements' texts: 150 MB
    more at 100,000 statements. A lone surrogate (JSON may hold one) passes, as in pickle."""
    return (
        [_encoded(d.statement_id) for d in docs],
        [_encoded(d.claim) for d in docs],
        [tuple(map(_encoded, d.variants)) for d in docs],
        [_encoded(d.clarification) for d in docs],
    )


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _docs(chunk: Sent) -> list[IndexDoc]:
    ids, claims, variants, bodies = chunk
    return [
        IndexDoc(_decoded(i), _decoded(c), tuple(map(_decoded, vs)), _decoded(b))
        for i, c, vs, b in zip(ids, claims, variants, bodies, strict=True)
    ]


def read_chunk(chunk: Sent, rows: Rows, reader: TermIds) -> Answer:
    """A worker's chunk of statements, read into ids of its words (`rows`, by `reader`,
    both kept from chunk to chunk) and counted (the sort of its occurrences done in the
    worker too). The phrasings go back as tuples of words: pickling writes each string
    once however many phrasings hold it (and tuples pickle several times faster than
    objects)."""
    known = len(rows)
    texts = read_here(_docs(chunk), rows, reader)
    arrays = [a.astype(t, copy=False).tobytes() for a, t in zip(texts.counted, _SENT, strict=True)]
    heads = [tuple((h.tokens, h.content, h.terms) for h in hs) for hs in texts.heads]
    return list(islice(rows, known, None)), heads, arrays


def phrasings_of(kept: list) -> tuple[Normalized, ...]:
    """Phrasings as kept ([tokens, content, terms] each), their words interned: one copy of
    each word however many phrasings hold it, as when they are read (without, 300 MB more
    at 100,000 statements)."""
    return tuple(
        Normalized(tuple(map(intern, t)), tuple(map(intern, c)), tuple(map(intern, r)))
        for t, c, r in kept
    )


class Received(NamedTuple):
    """A chunk as a worker read it: the words it met first there, the phrasings, and the
    entries in the worker's ids."""

    names: list[str]
    heads: list[tuple[Normalized, ...]]
    counted: Counted


def received(answer: Answer) -> Received:
    """A chunk as sent back, its phrasings made `Normalized` again."""
    names, heads, arrays = answer
    counted = Counted(*(np.frombuffer(a, dtype=t) for a, t in zip(arrays, _SENT, strict=True)))
    phrasings = [tuple(Normalized(*h) for h in hs) for hs in heads]
    return Received(names, phrasings, counted)


def merged(shares: list[tuple[np.ndarray, Counted, int]], words: int) -> Counted:
    """The entries of shares of statements, in this process's word ids (below `words`):
    each share's are in word ids of its own (`mine`: this process's id of each), its
    statements placed from `first` on (the shares' in turn). Each share's run of a word is
    copied into its place: no sort (a sort of all entries took 0.5 s at 100,000
    statements), and each word's entries counted as they come (`runs`)."""
    total = np.zeros(words, dtype=np.int64)
    for mine, counted, _ in shares:
        total[mine[counted.words]] += counted.runs  # a share's words are distinct
    free = np.concatenate(([0], np.cumsum(total)[:-1])).astype(np.int64)  # next place, by word
    n = int(total.sum())
    slot_out = np.empty(n, np.int32)
    head_out, body_out = np.empty(n, np.uint16), np.empty(n, np.uint16)
    for mine, counted, first in shares:
        ids = mine[counted.words]
        runs = np.concatenate(([0], np.cumsum(counted.runs)[:-1]))  # where each run starts
        to = paced.repeat(free[ids] - runs, counted.runs) + np.arange(len(counted.slot))
        free[ids] += counted.runs
        slot_out[to] = counted.slot + first
        head_out[to], body_out[to] = counted.head_tf, counted.body_tf
    used = np.flatnonzero(total)
    none = [np.zeros(0, np.int64)]
    head_len = np.concatenate([c.head_len for _, c, _ in shares] or none)
    body_len = np.concatenate([c.body_len for _, c, _ in shares] or none)
    return Counted(used, total[used], slot_out, head_out, body_out, head_len, body_len)


def read_entries(
    n: int, head: tuple[np.ndarray, np.ndarray], body: tuple[np.ndarray, np.ndarray]
) -> Counted:
    """Every (word, statement) of `n` statements read from text, grouped by word and in
    statement order, with its counts in the heads and the body, from the word ids of each
    one's heads and body (`head`, `body`: all ids, and how many are each statement's): one
    sort of all their occurrences, keyed (word, statement, 0 for the body or 1 for a head)
    in bits (numpy sorts integers fast; shifts, unlike a division, cost nothing)."""
    bits = max(n, 1).bit_length()
    keys = np.empty(len(head[0]) + len(body[0]), dtype=np.int64)
    slots = np.arange(n, dtype=np.int64) << 1
    for at, (ids, sizes), flag in ((0, body, 0), (len(body[0]), head, 1)):
        part = keys[at : at + len(ids)]
        np.left_shift(ids, bits + 1, out=part, dtype=np.int64)
        part |= paced.repeat(slots | flag, sizes)
    keys.sort()
    lengths = head[1].astype(np.int64), body[1].astype(np.int64)
    if not len(keys):
        empty = np.zeros(0, np.int64)
        return Counted(empty, empty, empty.astype(np.int32), *(kept_counts(empty),) * 2, *lengths)
    # sorted, two keys are of one entry when they differ in the flag bit at most
    starts = np.flatnonzero(np.bitwise_xor(keys[1:], keys[:-1]) > 1) + 1
    starts = np.concatenate(([0], starts))
    low = 0 if sys.byteorder == "little" else keys.itemsize - 1
    flags = keys.view(np.uint8)[low :: keys.itemsize] & 1  # the lowest byte: no copy
    head_tf = np.add.reduceat(flags, starts, dtype=np.int64)
    total = np.diff(np.append(starts, len(keys)))
    entry = keys[starts] >> 1
    del keys
    word = entry >> bits
    firsts = np.concatenate(([0], np.flatnonzero(word[1:] != word[:-1]) + 1))
    runs = np.diff(np.append(firsts, len(word)))
    slot = (entry & ((1 << bits) - 1)).astype(np.int32)
    return Counted(
        word[firsts], runs, slot, kept_counts(head_tf), kept_counts(total - head_tf), *lengths
    )
