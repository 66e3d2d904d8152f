"""Undoing a response's Content-Encoding without letting it grow past a size cap.

The raw bytes are decompressed here one bounded step at a time (zlib `max_length`), and
every layer's output is counted as it is produced, so no single step can inflate past the
cap: a small gzip bomb, stacked `Content-Encoding: gzip, gzip` or a deflate bomb stops at
the cap with `too_large`, having used a few megabytes. At most MAX_ENCODINGS layers; gzip
and deflate only (what ACCEPT_ENCODING offers). Apart from the fetcher because it is pure
byte work: no network, no policy, only a limit.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from bot.sources.fetch_error import FetchError

MAX_ENCODINGS = 2  # stacked Content-Encoding layers read ("gzip, gzip"); more is refused
DECODE_STEP = 64 * 1024  # bytes one decompression step may produce
MAX_MEMBERS = 16  # gzip members in one layer (each costs a new inflater, even when empty)
ACCEPT_ENCODING = "gzip, deflate"  # exactly what _Layer can decode


class _Layer:
    """One gzip or deflate layer, decoded in steps of at most DECODE_STEP bytes.

    gzip: consecutive members are read as one body (as browsers do), at most MAX_MEMBERS;
    bytes after the last member are ignored. deflate: zlib-wrapped or raw, told apart by the
    zlib header."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._inflater: zlib._Decompress | None = None
        self._held = b""  # input not yet given to an inflater
        self._done = False
        self._members = 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        data, self._held = self._held + data, b""
        while data and not self._done:
            if self._inflater is None:
                if len(data) < 2:
                    self._held = data
                    return
                self._inflater = self._start(data[:2])
                if self._inflater is None:  # not another gzip member: trailing bytes
                    self._done = True
                    return
            inflater = self._inflater
            while True:
                try:
                    out = inflater.decompress(data, DECODE_STEP)
                except zlib.error as exc:
                    raise FetchError("encoding", f"broken {self.coding}") from exc
                data = inflater.unconsumed_tail
                if out:
                    yield out
                if inflater.eof or len(out) < DECODE_STEP:  # short: all input taken
                    break
            if not inflater.eof:
                return
            data = inflater.unused_data
            self._inflater = None
            self._done = self.coding != "gzip"

    def _start(self, head: bytes) -> zlib._Decompress | None:
        if self.coding == "gzip":
            if head != b"\x1f\x8b":
                return None
            self._members += 1
            if self._members > MAX_MEMBERS:  # 100,000 empty members: a second of CPU
                raise FetchError("encoding", "too many gzip members")
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        zlib_header = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)


class BodyDecoder:
    """The body as sent (Content-Encoding undone, last applied first), every layer's output
    counted against `limit` as it is produced: FetchError("too_large") past it."""

    def __init__(self, codings: list[str], limit: int) -> None:
        names = [n.strip().lower() for c in codings for n in c.split(",")]
        names = ["gzip" if n == "x-gzip" else n for n in names if n not in ("", "identity")]
        unknown = [n for n in names if n not in ("gzip", "deflate")]
        if unknown:
            raise FetchError("encoding", unknown[0][:40])
        if len(names) > MAX_ENCODINGS:
            raise FetchError("encoding", f"{len(names)} layers")
        self._layers = [_Layer(n) for n in reversed(names)]
        self._sizes = [0] * (len(self._layers) + 1)  # raw bytes, then each layer's output
        self._limit = limit
        self._chunks: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        self._through(0, raw)

    def _through(self, level: int, data: bytes) -> None:
        self._sizes[level] += len(data)
        if self._sizes[level] > self._limit:
            raise FetchError("too_large", f">{self._limit}")
        if level == len(self._layers):
            self._chunks.append(data)
            return
        for piece in self._layers[level].feed(data):
            self._through(level + 1, piece)

    def body(self) -> bytes:
        return b"".join(self._chunks)
