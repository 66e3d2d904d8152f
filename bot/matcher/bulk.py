"""Many texts read as normalize.py reads them, each distinct piece of text worked out once,
straight into the ids of their terms: how a whole base is read for the index (reading.py,
building.py).

`read` turns one statement into dictionaries of counts, a dozen Python steps per word: at
100,000 statements of about a thousand characters, fifteen million words took about 25 s.
Here a clarification is a few passes over its pieces, each a table lookup, and its terms'
ids come out as bytes, ready for numpy to count.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

from bot.matcher import paced
from bot.matcher.normalize import (
    _NEG_SET,
    Memo,
    Normalized,
    expand,
    is_content,
    prepare,
    stem,
    untagged,
)
from bot.matcher.pieces import (
    EMPTY,
    FIRST_NEGATION,
    INNER_TAG,
    LAST_LEAD,
    carries_amount,
    has_amount,
    joins_next,
    parts,
    piece_clean,
    piece_readings,
    piece_tokens,
    pieces,
    tag_shape,
)
from bot.matcher.postings import Rows

#: distinct pieces (or words) a build remembers; it starts over past this. A whole base's
#: pieces recur across statements: 114,521 distinct among 15 million at 100,000. Its own
#: tables, not normalize.py's: a claim's unique words (ids, names) would empty those every
#: 100,000 and a whole base read again from scratch, and the bot's claims lose theirs.
PIECES_LIMIT = 1_000_000
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
# Marks among a text's ids read a part at a time (`TermIds.ids`): four bytes 0xFF 0xFF 0xFF
# and a kind, where no ids can make them however the bytes fall (an id's highest byte is
# under 0x80; the first three are 0xFF only from 2**24 - 1 on, and no base has that many
# words: past it, every text is read a piece at a time).
_MARK = b"\xff\xff\xff"
_WHOLE = _MARK + b"\xff"  # read this text a piece at a time
# What a part's own marks say of it. At its end (0xE0 | bits): its last token is a lead
# word (_LEAD); it may join the next part (_JOINS); it may end with the negation a lone
# question tag starts with ("gak", "gak sih", "gaksih": _ASKING); it is "sih" or "si" with
# ids (_SI, with the same bit at its start). At its start (0xD0 | bits): its first token
# is a negation (_NEGATION); it may carry an amount on (_CARRIES); it holds a "?" (_ASKED).
_LEAD, _JOINS, _ASKING, _SI_END = 1, 2, 4, 8
_ASKED, _SI, _NEGATION, _CARRIES = 1, 2, 4, 8
_ENDS = {k: _MARK + bytes([0xE0 | k]) for k in range(1, 16)}
_STARTS = {k: _MARK + bytes([0xD0 | k]) for k in range(1, 16)}


def _marked(base: int, bit: int) -> bytes:
    """The marks with `bit` set among those from `base` (an expression)."""
    kinds = b"".join(re.escape(bytes([base | k])) for k in range(16) if k & bit)
    return rb"\xff\xff\xff[" + kinds + b"]"


_BETWEEN = rb"(?:\xff\xff\xff[\xd0-\xef])*"  # marks of parts without ids
_SI_PART = _marked(0xD0, _SI) + rb"(?:(?!\xff\xff\xff)[\s\S])*" + _marked(0xE0, _SI_END)
# A question tag may lie across parts: a lead word, then a negation, with only parts without
# ids between; a negation (and "sih" or "si"), then a "?" (in a text with one, `_ASKS`). An
# amount may, from one part to the next: those two are read as one (`_amounts_joined`).
_TAG_ACROSS = re.compile(_marked(0xE0, _LEAD) + _BETWEEN + _marked(0xD0, _NEGATION))
_AMOUNT_ACROSS = re.compile(_marked(0xE0, _JOINS) + _marked(0xD0, _CARRIES))
_JOINS_ENDS = frozenset(v for k, v in _ENDS.items() if k & _JOINS)
_CARRIES_STARTS = frozenset(v for k, v in _STARTS.items() if k & _CARRIES)
_ASKS = re.compile(
    b"".join((_marked(0xE0, _ASKING), rb"(?:\xff\xff\xff[\xd0-\xef]|", _SI_PART, b")*"))
    + _marked(0xD0, _ASKED)
)
_MARKS = re.compile(rb"\xff\xff\xff[\xd0-\xef]")
# A lone question tag is a negation right before a "?", "sih" or "si" between or not
# (normalize._QUESTION_TAG): its negation is a token of its own, or glued to them.
_SI_WORDS = frozenset({"sih", "si"})
_NEG_TAIL = _NEG_SET | {n + si for n in _NEG_SET for si in _SI_WORDS}
FEWER_WORDS = (1 << 24) - 1  # see above


def _spent(key: Any) -> Any:
    raise RuntimeError("this reader has been released")


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
        self._part: Memo[str, bytes] = Memo(self._part_of, limit)
        self._part_tokens: Memo[str, tuple[str, ...]] = Memo(self._part_tokens_of, limit)

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
        the piece's tokens and ids in each reading are worked out meanwhile."""
        if parts(piece, False) is None:
            plain, read, amount = piece_readings(piece)
            self._tokens[0][piece], self._tokens[1][piece] = plain, read
        else:
            plain, amount = self._tokens[0][piece], self._has_amount(piece)
            read = self._tokens[1][piece] if amount else plain
        ids = self._ids[0][piece] = self._ids_of(plain)
        shape = tag_shape(plain)
        if amount:
            self._ids[1][piece] = ids if read == plain else self._ids_of(read)
            shape |= tag_shape(read)  # either reading's: what may be, not what is
        return _KIND_LETTERS[shape, amount]

    def _reading(self, prepared: str) -> tuple[str, list[str], bool, bool]:
        """A prepared text, its pieces, whether it is read with amounts, and whether it may
        hold a question tag."""
        found = pieces(prepared)
        kinds = "".join(map(self._kind.__getitem__, found))
        tagged = "?" in prepared or _MAY_TAG.search(kinds) is not None
        return prepared, found, kinds != kinds.lower(), tagged

    def _raw(self, text: str, pieces: list[str], amount: bool) -> list[str]:
        found = list(chain.from_iterable(map(self._tokens[amount].__getitem__, pieces)))
        return untagged(text, pieces, amount, found, self._cleaned[amount].__getitem__)

    def ids(self, text: str) -> bytes:
        """The ids of `text`'s terms, in order, as int32 bytes (native order).

        Most texts are read a part at a time (cut at every space: far fewer distinct than
        pieces, which hold "14 februari", "2024 pemilu"...), in one pass: each part's ids
        (as the text reads with amounts if the part makes it so), between marks where a
        question tag or an amount may cross to the next part, or in place of them where a
        tag may lie within it or it may read otherwise. A text whose marks meet no such
        crossing reads so (one with a "?" too: before, every one was read a piece at a
        time, a tenth of a base), and one where only amounts may cross, with the parts
        they may cross read as one (another tenth); the others as normalize.py reads them,
        a piece at a time."""
        prepared = prepare(text)
        by_parts = self._by_parts(prepared)
        if by_parts is not None:
            joined = by_parts[1]
            return _MARKS.sub(b"", joined) if _MARK in joined else joined
        prepared, found, amount, tagged = self._reading(prepared)
        if tagged:
            tokens = self._raw(prepared, found, amount)
            return b"".join(map(self._token_ids.__getitem__, tokens))
        return b"".join(map(self._ids[amount].__getitem__, found))

    def _part_of(self, part: str) -> bytes:
        """A part's ids, with its marks (see `ids`)."""
        letter = self._kind[part]
        if letter in "tT":
            return _WHOLE
        ids = self._ids[0][part]
        if self._tokens[1][part] != self._tokens[0][part]:
            if not letter.isupper():  # it reads otherwise in a text with an amount, but
                return _WHOLE  # does not make the text so itself ("5\u2028rb")
            ids = self._ids[1][part]  # it makes the text one read with amounts
        tokens = self._tokens[1][part]  # as the text reads (the other reading is the same)
        if "?" in part and not _NEG_TAIL.isdisjoint(tokens):
            return _WHOLE
        ends = (_LEAD if letter in "lxLX" else 0) | (_JOINS if joins_next(part) else 0)
        starts = (_NEGATION if letter in "nxNX" else 0) | (_CARRIES if carries_amount(part) else 0)
        last = tokens[-2:]
        if last and (last[-1] in _NEG_TAIL or (last[-1] in _SI_WORDS and last[0] in _NEG_SET)):
            ends |= _ASKING
        if ids and _SI_WORDS.issuperset(tokens):
            starts, ends = starts | _SI, ends | _SI_END
        if "?" in part:
            starts |= _ASKED
        return _STARTS.get(starts, b"") + ids + _ENDS.get(ends, b"")

    def _by_parts(self, prepared: str) -> tuple[list[str], bytes] | None:
        """A prepared text's parts and their ids with marks, when it reads as its parts read
        alone: no question tag may cross from one part to the next (see `ids`), and where
        an amount may, the parts it may cross are one part (`_amounts_joined`); else None."""
        if len(self.rows) >= FEWER_WORDS:
            return None
        found = prepared.split(" ")
        coded = list(map(self._part.__getitem__, found))
        joined = b"".join(coded)
        if _MARK not in joined:
            return found, joined
        if _WHOLE in joined:
            return None
        if _AMOUNT_ACROSS.search(joined) is not None:
            found = _amounts_joined(found, coded)
            joined = b"".join(map(self._part.__getitem__, found))
            if _WHOLE in joined or _AMOUNT_ACROSS.search(joined) is not None:
                return None
        if _TAG_ACROSS.search(joined) is not None or (
            "?" in prepared and _ASKS.search(joined) is not None
        ):
            return None
        return found, joined

    def normalized(self, text: str) -> Normalized:
        """`normalize_many(text)`: its tokens its parts' in turn when `ids` reads it a part
        at a time (a claim's parts recur far more than it does), else a piece at a time."""
        prepared = prepare(text)
        by_parts = self._by_parts(prepared)
        if by_parts is not None:
            tokens = tuple(chain.from_iterable(map(self._part_tokens.__getitem__, by_parts[0])))
        else:
            raw = self._raw(*self._reading(prepared)[:3])
            tokens = tuple(chain.from_iterable(map(self._expanded.__getitem__, raw)))
        content = tuple(filter(self._content.__getitem__, tokens))
        return Normalized(tokens, content, tuple(map(self._stems.__getitem__, content)))

    def _part_tokens_of(self, part: str) -> tuple[str, ...]:
        """A part's tokens, expanded, as a text read a part at a time holds them (read
        with amounts if the text is: `_part` marks a part that reads otherwise)."""
        return tuple(chain.from_iterable(map(self._expanded.__getitem__, self._tokens[1][part])))

    def release(self) -> None:
        """Forget every piece, a table at a time (`empty`: the build runs beside the bot)."""
        tables = (self._expanded, self._content, self._stems, *self._tokens, self._token_ids)
        for table in (
            *tables,
            *self._ids,
            self._kind,
            *self._cleaned,
            self._part,
            self._part_tokens,
        ):
            paced.emptied(table)
            table.fn = _spent  # the tables' functions refer back to the reader: a cycle


def _amounts_joined(found: list[str], coded: list[bytes]) -> list[str]:
    """A text's parts (`found`, `coded`: each one's ids with marks), those an amount may
    cross between put together as one, spaces and all ("rp 5", "600 ribu"): a part that may
    join the next, then the next part with marks or ids if it may carry the amount on, and
    the parts with neither between them. Such a part is read as one piece, and the text
    as its parts still: what lies on either side of it reads alone."""
    joined: list[str] = []
    at = 0  # the first part not yet in `joined`
    start = last = -1  # where the parts being put together start; the last part shown
    for i, code in enumerate(coded):
        if not code:
            continue
        if last >= 0 and coded[last][-4:] in _JOINS_ENDS and code[:4] in _CARRIES_STARTS:
            start = last if start < 0 else start
        elif start >= 0:
            joined += (*found[at:start], " ".join(found[start : last + 1]))
            at, start = last + 1, -1
        last = i
    if start >= 0:
        joined += (*found[at:start], " ".join(found[start : last + 1]))
        at = last + 1
    return joined + found[at:]
