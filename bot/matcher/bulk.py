"""A whole base read into postings at once: a cold build, or a rebuild where some statements
have no entry kept (bot/matcher/packed.py).

`read` turns one statement into dictionaries of counts and `Postings.of` copies each into
arrays: at 100,000 statements of about a thousand characters, fifteen million words went
through a dozen Python steps each (about 25 s). Here each distinct piece of text is read
once, into the ids of its terms (`TermIds`); a clarification becomes a run of ids appended
to one array, and numpy does the counting: one sort of every (word, statement) occurrence
gives the postings grouped by word, in statement order, with their counts. The result is
exactly what `Postings.of(map(read, docs))` gives (tests/test_bulk.py).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from itertools import chain
from typing import TypeVar

import numpy as np

from bot.matcher.normalize import (
    EMPTY,
    FIRST_NEGATION,
    INNER_TAG,
    LAST_LEAD,
    Memo,
    Normalized,
    cut,
    empty,
    expand,
    has_amount,
    is_content,
    parts,
    piece_clean,
    piece_tokens,
    stem,
    tag_shape,
    untagged,
)
from bot.matcher.postings import TF_MAX, Built, IndexDoc, Postings, Rows

#: distinct pieces (or words) a build remembers; it starts over past this. A whole base's
#: pieces recur across statements: 114,521 distinct among 15 million at 100,000. Its own
#: tables, not normalize.py's: a claim's unique words (ids, names) would empty those every
#: 100,000 and a whole base read again from scratch, and the bot's claims lose theirs.
PIECES_LIMIT = 1_000_000
BLOCK = 1 << 20  # ints gathered in a list before they go into numpy
V = TypeVar("V")


def _kind_letter(shape: int, amount: bool) -> str:
    """A piece's kind as one letter, a text's kinds a string: upper case when the piece
    may hold an amount; "t" when a question tag may lie in it, else "l" (ends with a lead
    word), "n" (starts with a negation), "x" (both), "e" (no tokens) or "p"."""
    if shape & INNER_TAG or (shape & EMPTY and shape != EMPTY):
        letter = "t"
    elif shape & EMPTY:
        letter = "e"
    else:
        letter = "pnlx"[bool(shape & LAST_LEAD) * 2 + bool(shape & FIRST_NEGATION)]
    return letter.upper() if amount else letter


_KIND_LETTERS = {(s, a): _kind_letter(s, a) for s in range(16) for a in (False, True)}
#: kinds of a text where a lead word may come right before a negation among its tokens
_MAY_TAG = re.compile(r"t|[lx]e*[nx]", re.IGNORECASE)


def _both(fn: Callable[[str, bool], V], limit: int) -> tuple[Memo[str, V], Memo[str, V]]:
    """A piece's values in either reading (without amounts, with), each a table."""
    return Memo(lambda p: fn(p, False), limit), Memo(lambda p: fn(p, True), limit)


class TermIds:
    """Texts read as normalize.py reads them, each distinct piece of text worked out once,
    into tokens (`normalized`) or straight into the ids (`rows`) of their terms (`extend`:
    `terms(text)`, as ids). A piece whose parts read alone as together ("2024 pemilu") is
    put together from its parts, which recur far more than it does."""

    def __init__(self, rows: Rows, limit: int = PIECES_LIMIT) -> None:
        self.rows = rows
        self._expanded = Memo(expand, limit)
        self._content = Memo(is_content, limit)
        self._stems = Memo(stem, limit)
        self._tokens = _both(self._tokens_of, limit)
        # ids as int32 bytes: a text's are its pieces' joined, no int object touched
        self._token_ids: Memo[str, bytes] = Memo(self._token_ids_of, limit)
        self._ids = _both(lambda p, amount: self._ids_of(self._tokens[amount][p]), limit)
        self._kind: Memo[str, str] = Memo(self._kind_of, limit)
        self._cleaned = _both(piece_clean, limit)  # for the texts that may hold a tag

    def _tokens_of(self, piece: str, amount: bool) -> tuple[str, ...]:
        apart = parts(piece, amount)
        if apart is None:
            return piece_tokens(piece, amount)
        return tuple(chain.from_iterable(map(self._tokens[amount].__getitem__, apart)))

    def _has_amount(self, piece: str) -> bool:
        apart = parts(piece, True)
        if apart is None:
            return has_amount(piece)
        return any(not self._kind[p].islower() for p in apart)

    def _token_ids_of(self, token: str) -> bytes:
        words = filter(self._content.__getitem__, self._expanded[token])
        ids = map(self.rows.__getitem__, map(self._stems.__getitem__, words))
        return array("i", ids).tobytes()

    def _ids_of(self, tokens: Iterable[str]) -> bytes:
        return b"".join(map(self._token_ids.__getitem__, tokens))

    def _kind_of(self, piece: str) -> str:
        """What a text must know of a piece before it picks a reading (`_kind_letter`);
        the piece's ids in each reading it may need are worked out meanwhile."""
        plain = self._tokens[0][piece]
        ids = self._ids[0][piece] = self._ids_of(plain)
        shape = tag_shape(plain)
        amount = self._has_amount(piece)
        if amount:
            read = self._tokens[1][piece]
            self._ids[1][piece] = ids if read == plain else self._ids_of(read)
            shape |= tag_shape(read)  # either reading's: what may be, not what is
        return _KIND_LETTERS[shape, amount]

    def _reading(self, text: str) -> tuple[str, list[str], bool, bool]:
        """A text prepared, its pieces, whether it is read with amounts, and whether it
        may hold a question tag."""
        text, pieces = cut(text)
        kinds = "".join(map(self._kind.__getitem__, pieces))
        tagged = "?" in text or _MAY_TAG.search(kinds) is not None
        return text, pieces, kinds != kinds.lower(), tagged

    def _raw(self, text: str, pieces: list[str], amount: bool) -> list[str]:
        found = list(chain.from_iterable(map(self._tokens[amount].__getitem__, pieces)))
        return untagged(text, pieces, amount, found, self._cleaned[amount].__getitem__)

    def ids(self, text: str) -> bytes:
        """The ids of `text`'s terms, in order, as int32 bytes (native order)."""
        text, pieces, amount, tagged = self._reading(text)
        if tagged:
            tokens = self._raw(text, pieces, amount)
            return b"".join(map(self._token_ids.__getitem__, tokens))
        return b"".join(map(self._ids[amount].__getitem__, pieces))

    def normalized(self, text: str) -> Normalized:
        """`normalize_many(text)`."""
        raw = self._raw(*self._reading(text)[:3])
        tokens = tuple(chain.from_iterable(map(self._expanded.__getitem__, raw)))
        content = tuple(filter(self._content.__getitem__, tokens))
        return Normalized(tokens, content, tuple(map(self._stems.__getitem__, content)))

    def release(self) -> None:
        """Forget every piece, a table at a time (`empty`: the build runs beside the bot)."""
        tables = (self._expanded, self._content, self._stems, *self._tokens, self._token_ids)
        for table in (*tables, *self._ids, self._kind, *self._cleaned):
            empty(table)


class Ints:
    """A growing run of ints (term ids), kept in numpy a block at a time: `array.extend`
    from an iterator grows its buffer 6% at a time, seconds at fifteen million."""

    def __init__(self) -> None:
        self._list: list[int] = []
        self._blocks: list[np.ndarray] = []
        self._done = 0

    def extend(self, values: Iterable[int]) -> None:
        self._list += values
        if len(self._list) >= BLOCK:
            self._blocks.append(np.array(self._list, dtype=np.int32))
            self._done += len(self._list)
            self._list = []

    def __len__(self) -> int:
        return self._done + len(self._list)

    def array(self) -> np.ndarray:
        """Every int so far, as int32."""
        return np.concatenate([*self._blocks, np.array(self._list, dtype=np.int32)])


class BaseBuilder:
    """Collects a base statement by statement, read from text (`add_text`) or as kept
    (`add_kept`), and makes its postings (`built`)."""

    def __init__(self) -> None:
        self.rows = Rows()
        self.ids: list[str] = []
        self.heads: list[tuple[Normalized, ...]] = []
        self._reader = TermIds(self.rows)
        # read from text: a run of term ids per statement, its heads' and its body's
        self._read_slots = array("q")
        self._head_ids, self._head_sizes = Ints(), array("q")
        self._body_ids: list[bytes] = []
        self._body_sizes = array("q")
        # kept: one entry per (statement, word), counts as packed (uint16)
        self._kept_rows, self._kept_sizes, self._kept_slots = Ints(), array("q"), array("q")
        self._kept_head: list[bytes] = []
        self._kept_body: list[bytes] = []

    def add_text(self, doc: IndexDoc) -> None:
        """A statement read from its text, as `read` reads it."""
        texts = (doc.claim, *doc.variants)
        heads = tuple(self._reader.normalized(t) for t in texts if t.strip())
        before = len(self._head_ids)
        for h in heads:  # a phrasing counts each of its roots once
            self._head_ids.extend(map(self.rows.__getitem__, set(h.terms)))
        self._head_sizes.append(len(self._head_ids) - before)
        body = self._reader.ids(doc.clarification)
        self._body_ids.append(body)
        self._body_sizes.append(len(body) // 4)
        self._read_slots.append(len(self.ids))
        self.ids.append(doc.statement_id)
        self.heads.append(heads)

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
        self._reader.release()
        n = len(self.ids)
        read: tuple[np.ndarray, ...] = _read_entries(
            n,
            np.frombuffer(self._read_slots, np.int64) if self._read_slots else np.zeros(0, int),
            (self._head_ids.array(), _sizes(self._head_sizes)),
            (np.frombuffer(b"".join(self._body_ids), np.int32), _sizes(self._body_sizes)),
        )
        kept_slot = np.repeat(
            np.frombuffer(self._kept_slots, np.int64) if self._kept_slots else np.zeros(0, int),
            _sizes(self._kept_sizes),
        )
        kept: tuple[np.ndarray, ...] = (
            self._kept_rows.array().astype(np.int64),
            kept_slot,
            _counts(self._kept_head),
            _counts(self._kept_body),
        )
        if not len(kept[0]):
            term, slot, head_tf, body_tf = read  # grouped by word already
        else:  # grouped by word, in statement order
            if not len(read[0]):  # kept in statement order: a stable sort by word
                parts, by_word = kept, np.argsort(kept[0], kind="stable")
            else:
                parts = tuple(np.concatenate(pair) for pair in zip(read, kept, strict=True))
                by_word = np.argsort(parts[0] * max(n, 1) + parts[1])
            term, slot, head_tf, body_tf = (p[by_word] for p in parts)
            del by_word, parts
        head_len = np.bincount(slot, weights=head_tf, minlength=n).astype(np.int64)
        body_len = np.bincount(slot, weights=body_tf, minlength=n).astype(np.int64)
        names = list(self.rows)
        counts = np.bincount(term, minlength=len(names))
        used = counts > 0
        if not used.all():  # a word no statement ended up with (none is expected)
            names = [t for t, u in zip(names, used.tolist(), strict=True) if u]
            counts = counts[used]
        postings = Postings(
            names,
            n,
            np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            slot.astype(np.int32),
            np.minimum(head_tf, TF_MAX).astype(np.uint16),
            np.minimum(body_tf, TF_MAX).astype(np.uint16),
        )
        return Built(postings, self.ids, self.heads, head_len, body_len)


def _sizes(sizes: array[int]) -> np.ndarray:
    return np.frombuffer(sizes, np.int64) if sizes else np.zeros(0, np.int64)


def _counts(parts: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(parts), dtype="<u2").astype(np.int64)


def _read_entries(
    n: int,
    slots: np.ndarray,
    head: tuple[np.ndarray, np.ndarray],
    body: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (word, statement) of the statements read from text, grouped by word and in
    statement order, with its counts in the heads and the body: one sort of all their
    occurrences, keyed (word, statement, head or body)."""
    keys = np.empty(len(head[0]) + len(body[0]), dtype=np.int64)
    for at, (ids, sizes), flag in ((0, body, 0), (len(body[0]), head, 1)):
        slot = np.repeat(slots, sizes)
        keys[at : at + len(ids)] = (ids.astype(np.int64) * max(n, 1) + slot) * 2 + flag
        del slot
    keys.sort()
    entry = keys >> 1
    first = np.flatnonzero(np.concatenate(([True], entry[1:] != entry[:-1]))) if len(keys) else keys
    head_tf = np.add.reduceat(keys & 1, first) if len(keys) else keys
    total = np.diff(np.append(first, len(keys)))
    entry = entry[first]
    term, slot = np.divmod(entry, max(n, 1))
    return term, slot, head_tf, total - head_tf
