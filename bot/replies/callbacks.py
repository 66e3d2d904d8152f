"""The one codec for inline-button callback data: encode, decode, validate.

Telegram caps callback data at 64 bytes and a modified client can send any bytes, so every
button's data is declared here once (a short prefix and the shape of its arguments), written
only by `encode` and read only by `decode`, which returns None for anything malformed.
Handlers register with `pattern(kind)`, so a press only reaches the handler of its kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MAX_BYTES = 64
MAX_ID = 2**53  # ids are SQLite rowids; larger numbers are forged
SEP = ":"


class Arg(Enum):
    """The shape of one argument."""

    ID = r"[1-9]\d{0,15}"  # a positive row id
    WORD = r"[A-Za-z0-9_]{1,24}"  # a short token: a verdict, a language, a cluster key


@dataclass(frozen=True, slots=True)
class Kind:
    prefix: str
    args: tuple[Arg, ...]

    @property
    def regex(self) -> re.Pattern[str]:
        parts = [re.escape(self.prefix), *(f"({a.value})" for a in self.args)]
        return re.compile("^" + SEP.join(parts) + "$")


@dataclass(frozen=True, slots=True)
class Pressed:
    """A decoded press: which kind of button, and its arguments (ids as int, words as str)."""

    kind: Kind
    args: tuple[int | str, ...]

    def id(self, i: int) -> int:
        value = self.args[i]
        if not isinstance(value, int):
            raise TypeError(f"argument {i} of {self.kind.prefix!r} is not an id")
        return value

    def word(self, i: int) -> str:
        value = self.args[i]
        if not isinstance(value, str):
            raise TypeError(f"argument {i} of {self.kind.prefix!r} is not a word")
        return value


KINDS: dict[str, Kind] = {}


def declare(prefix: str, *args: Arg) -> Kind:
    """Declare one button kind. A prefix may have a sub-kind ("q:a"), as data already sent in
    chats has: the longer prefix wins when decoding, so "q:a:..." never reaches "q"."""
    if prefix in KINDS or not re.fullmatch(r"[a-z]{1,3}(:[a-z])?", prefix):
        raise ValueError(f"bad or duplicate callback prefix {prefix!r}")
    kind = Kind(prefix, args)
    KINDS[prefix] = kind
    return kind


def encode(kind: Kind, *args: int | str) -> str:
    """The callback data for one button; ValueError if it does not fit its declaration."""
    data = SEP.join([kind.prefix, *(str(a) for a in args)])
    if len(args) != len(kind.args) or not kind.regex.fullmatch(data):
        raise ValueError(f"callback data {data!r} does not fit {kind.prefix!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str | None) -> Pressed | None:
    """The press behind `data`, or None when it is malformed, unknown or out of range."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    head = data.split(SEP, 2)
    kind = KINDS.get(SEP.join(head[:2])) or KINDS.get(head[0])
    if kind is None:
        return None
    found = kind.regex.fullmatch(data)
    if found is None:
        return None
    values: list[int | str] = []
    for shape, raw in zip(kind.args, found.groups(), strict=True):
        if shape is Arg.ID:
            number = int(raw)
            if number > MAX_ID:
                return None
            values.append(number)
        else:
            values.append(raw)
    return Pressed(kind, tuple(values))


def pattern(kind: Kind) -> str:
    """The regex a CallbackQueryHandler uses to receive exactly this kind's presses."""
    return kind.regex.pattern
