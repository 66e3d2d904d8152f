"""What the pieces of a text (normalize.py, "the fast way") and their parts read as, for
reading a whole base at once (bulk.py): a piece's tokens with and without amounts in one go,
what it holds of a question tag, and where its parts (cut at every space) read alone as they
read together. Each is normalize.py's own reading, a piece at a time; tests/test_bulk.py
checks every text read so against it.
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.matcher.normalize import (
    _LEAD_WORDS,
    _MAYBE_AMOUNT,
    _NEG_SET,
    _PIECE,
    _after_amounts,
    _before_amounts,
    _kept,
    _split_tokens,
    amounts,
)

# What a piece's tokens hold of a question tag (`tag_shape`): a tag needs a lead word
# right before a negation among a text's tokens, inside one piece or across pieces with
# no tokens between.
INNER_TAG, LAST_LEAD, FIRST_NEGATION, EMPTY = 1, 2, 4, 8


def tag_shape(tokens: tuple[str, ...]) -> int:
    """INNER_TAG: a lead word right before a negation; LAST_LEAD: the last token is a lead
    word; FIRST_NEGATION: the first is a negation; EMPTY: no tokens."""
    if not tokens:
        return EMPTY
    shape = (LAST_LEAD if tokens[-1] in _LEAD_WORDS else 0) | (
        FIRST_NEGATION if tokens[0] in _NEG_SET else 0
    )
    if not _LEAD_WORDS.isdisjoint(tokens) and not _NEG_SET.isdisjoint(tokens):
        pairs = pairwise(tokens)
        if any(a in _LEAD_WORDS and b in _NEG_SET for a, b in pairs):
            shape |= INNER_TAG
    return shape


# A piece holds a space only after a digit (or in "rp 5"): its parts read alone as they
# read together, except where the next part, cleaned (`_before_amounts`: "kwww.x" is "k"),
# may carry the amount on ("5 000", "600 ribu", "rp 5", "5 k"; and _MAYBE_AMOUNT's
# "5 mil...", "5 tri..."), or may be joined to it: an amount written anew drops the space
# after it, and "12345 é" reads "12345e".
_CARRIES_AMOUNT = re.compile(r"\d|ribu|rb|juta|jt|mil|tri|[kmt](?![a-z0-9])")
_ALNUM = re.compile(r"[a-z0-9]")
_JOINS_NEXT = re.compile(r"(?:\d|rp\.?)\Z")  # a part joined to the next one (see above)


def joins_next(part: str) -> bool:
    """Whether a part (of a text cut at every space) is in one piece with the next part
    when that one starts with a digit, or whatever it starts with."""
    return _JOINS_NEXT.search(part) is not None


def carries_amount(part: str) -> bool:
    """Whether a part may carry on an amount from the part before it in its piece: a
    unit or digits, or a letter the space dropped after an amount would join to it (one
    written with accents: "é" folds to "e"; quotes and emoji fold to nothing)."""
    before = _before_amounts(part)
    if _CARRIES_AMOUNT.match(before) is not None:
        return True
    return not before[:1].isascii() and _ALNUM.match(_after_amounts(before)) is not None


def parts(piece: str, amount: bool) -> list[str] | None:
    """A piece's parts (cut at its spaces) when they read alone as they read together
    (`piece_tokens`; with `amount`, also `has_amount`); None when they may not."""
    if " " not in piece:
        return None
    found = piece.split(" ")
    if amount and any(map(carries_amount, found[1:])):
        return None
    return found


def pieces(prepared: str) -> list[str]:
    """A prepared text's pieces (see above)."""
    return _PIECE.split(prepared)


def has_amount(piece: str) -> bool:
    """Whether a piece may hold an amount (no table): if any piece of a text does, every
    piece of it is read with `amount=True`."""
    return _MAYBE_AMOUNT.search(_before_amounts(piece)) is not None


def piece_clean(piece: str, amount: bool) -> str:
    """A piece cleaned, computed afresh (no table): `_PLAIN` or `_WITH_AMOUNTS`."""
    before = _before_amounts(piece)
    return _after_amounts(amounts(before) if amount else before)


def piece_tokens(piece: str, amount: bool) -> tuple[str, ...]:
    """A piece's tokens, computed afresh (no table): the tables' own function."""
    return _kept(_split_tokens(piece_clean(piece, amount)))


_DIGIT = re.compile(r"\d")


def piece_readings(piece: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """A piece's tokens without amounts and with (`piece_tokens`), and `has_amount`, in
    one go: each step once (amounts need a digit)."""
    before = _before_amounts(piece)
    plain = _kept(_split_tokens(_after_amounts(before)))
    if not _DIGIT.search(before):
        return plain, plain, False
    written = amounts(before)
    read = plain if written == before else _kept(_split_tokens(_after_amounts(written)))
    return plain, read, _MAYBE_AMOUNT.search(before) is not None
