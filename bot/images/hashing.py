"""Perceptual hashes of an image, made to survive what a picture goes through when it is
passed around: re-compression, resizing, a light crop, a border or a phone's status bar.

A plain pHash of the whole picture does not survive a 10% crop or an added status bar: the
frame moves, and every low-frequency coefficient with it. So:

- uniform borders (a plain frame, a letterbox) are trimmed first;
- a *known* picture is described (`Fingerprint`) by 256-bit pHashes of two regions of its
  trimmed frame, the whole and its centre (10% off each side), by 64-bit pHashes of the
  centre's four quarters, by the centre's mean colour on a 6 x 6 grid and by its shape
  (width / height): one 414-character string (`Fingerprint.text`);
- a *query* picture is hashed over many candidate windows (`query_hashes`): the whole, and
  windows of 72-93% of each side at steps of 3%, one of which lines up with a known
  picture's centre when the query is a cropped or framed copy of it;
- `bot.images.known` takes a known picture whose whole or centre is close to a window, then
  asks the finer quarters, the colours and the shape of that window to agree before it
  calls the match confident (two bar charts of one template agree in pHash; their bars'
  colours do not; two thin line charts on white agree in both, but not in shape).

pHash only: a dHash (signs of neighbour differences) was measured alongside and did not
separate: on flat graphics (plain backgrounds, chat bubbles) most of its bits are noise or
zero, so unrelated pictures came as close as copies (measured while building this).

Decoding is bounded: a size limit on the bytes, a pixel limit read from the header before
any pixel is decoded, JPEG draft mode and a shrink to at most `WORK_SIDE` pixels a side.
Pillow and numpy only: a pHash is the sign against the median of the low DCT coefficients
of a box-shrunk window, linear in the pixels, so all windows come out of two matrix
products (no scipy, no per-window resize).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageOps

from bot.images.opening import opened_image

#: Pictures are decoded at about this size (JPEG draft mode) and shrunk to it.
WORK_SIDE = 256
#: Pictures smaller than this a side carry too little to match.
MIN_SIDE = 24
VERSION = "ck1"
#: The whole and centre hashes are HASH_SIDE x HASH_SIDE bits; the quarters QUARTER_SIDE.
HASH_SIDE = 16
QUARTER_SIDE = 8
HEX = HASH_SIDE * HASH_SIDE // 4
QUARTER_HEX = QUARTER_SIDE * QUARTER_SIDE // 4

#: The centre's colour: mean Y, Cb, Cr over a grid of this many cells a side.
COLOUR_GRID = 6
COLOUR_BYTES = 3 * COLOUR_GRID * COLOUR_GRID

#: The centre region of a known picture: this fraction is cut off each side.
CENTRE_MARGIN = 0.10
#: Query windows: their size per side (fraction of the trimmed picture) and step.
WINDOW_SIZES = (0.72, 0.75, 0.78, 0.81, 0.84, 0.87, 0.90, 0.93)
WINDOW_STEP = 0.03

Span = tuple[float, float]  # offset and size along one side, as fractions of it
WHOLE: Span = (0.0, 1.0)
CENTRE: Span = (CENTRE_MARGIN, 1 - 2 * CENTRE_MARGIN)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A known picture: 256-bit pHashes of its whole (trimmed) frame and of its centre,
    64-bit pHashes of the centre's quarters (top left, top right, bottom left, bottom right),
    the centre's mean colour on a COLOUR_GRID x COLOUR_GRID grid (Y, Cb, Cr bytes), and the
    trimmed picture's shape (`aspect_byte` of width / height)."""

    whole: int
    centre: int
    quarters: tuple[int, int, int, int]
    colour: bytes
    aspect: int

    @property
    def text(self) -> str:
        """`ck1:` and hex digits (64 whole, 64 centre, 4 x 16 quarters, 216 colour, 2
        shape): what is stored."""
        quarters = "".join(f"{q:0{QUARTER_HEX}x}" for q in self.quarters)
        return (
            f"{VERSION}:{self.whole:0{HEX}x}{self.centre:0{HEX}x}{quarters}{self.colour.hex()}"
            f"{self.aspect:02x}"
        )

    @classmethod
    def parse(cls, text: str) -> Fingerprint:
        """The inverse of `text`; ValueError for anything else."""
        version, sep, digits = text.strip().lower().partition(":")
        hashes = 2 * HEX + 4 * QUARTER_HEX
        if version != VERSION or not sep or len(digits) != hashes + 2 * COLOUR_BYTES + 2:
            raise ValueError(f"not an image fingerprint: {text[:80]!r}")
        try:
            values = [int(digits[:HEX], 16), int(digits[HEX : 2 * HEX], 16)] + [
                int(digits[i : i + QUARTER_HEX], 16) for i in range(2 * HEX, hashes, QUARTER_HEX)
            ]
            colour = bytes.fromhex(digits[hashes:-2])
            aspect = int(digits[-2:], 16)
        except ValueError:
            raise ValueError(f"not an image fingerprint: {text[:80]!r}") from None
        quarters = (values[2], values[3], values[4], values[5])
        return cls(values[0], values[1], quarters, colour, aspect)


@dataclass(frozen=True, slots=True)
class QueryHashes:
    """A query picture: its trimmed YCbCr pixels (for the finer checks) and the 256-bit
    pHash of every candidate window, row k being window `windows()[k]`, as +1/-1 per bit
    (so distances to many hashes are one matrix product: `sign_distances`)."""

    picture: np.ndarray  # (height, width, 3) float64
    grey: np.ndarray  # its Y, contiguous (height, width) float64
    signs: np.ndarray  # (windows, 256) float32

    def fingerprint(self) -> Fingerprint:
        """The same picture's fingerprint (to keep it as known or unanswered), without
        decoding it again."""
        return _fingerprint_trimmed(self.picture)


def load_gray(data: bytes) -> np.ndarray:
    """The picture's brightness (`load_picture`'s Y)."""
    return load_picture(data)[..., 0]


def load_picture(data: bytes) -> np.ndarray:
    """The picture as a float32 (height, width, 3) YCbCr array of at most WORK_SIDE a side
    (Y is the grey of Pillow's "L"); ImageRejected if the bytes are too large, not a
    picture, or a picture too large or too small (bot/images/opening.py)."""
    with opened_image(data, MIN_SIDE) as im:
        im.draft("YCbCr", (WORK_SIDE * 2, WORK_SIDE * 2))
        oriented = ImageOps.exif_transpose(im)
        colour = oriented.convert("RGB").convert("YCbCr")
        colour.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
        return np.asarray(colour, dtype=np.float32)


def trim(picture: np.ndarray, tolerance: float = 10.0, keep: float = 0.5) -> np.ndarray:
    """Cut uniform rows and columns off each side (a frame, a letterbox), keeping at least
    `keep` of each dimension. A row is uniform when all its pixels' brightness is within
    `tolerance` of the side's edge value (JPEG noise stays within it). `picture` is grey
    (height, width) or YCbCr (height, width, 3)."""
    grey = picture if picture.ndim == 2 else picture[..., 0]
    height, width = grey.shape
    top, bottom, left, right = 0, height, 0, width
    max_rows, max_cols = int(height * (1 - keep)), int(width * (1 - keep))

    def uniform(line: np.ndarray, ref: float) -> bool:
        return bool(np.abs(line - ref).max() <= tolerance)

    ref = float(np.median(grey[0]))
    while top < max_rows and uniform(grey[top, left:right], ref):
        top += 1
    ref = float(np.median(grey[height - 1]))
    while height - bottom < max_rows - top and uniform(grey[bottom - 1, left:right], ref):
        bottom -= 1
    ref = float(np.median(grey[top:bottom, 0]))
    while left < max_cols and uniform(grey[top:bottom, left], ref):
        left += 1
    ref = float(np.median(grey[top:bottom, width - 1]))
    while width - right < max_cols - left and uniform(grey[top:bottom, right - 1], ref):
        right -= 1
    return picture[top:bottom, left:right]


@cache
def _dct_rows(n: int, rows: int) -> np.ndarray:
    """The first `rows` rows of the orthonormal n-point DCT-II matrix."""
    k = np.arange(rows)[:, None]
    i = np.arange(n)[None, :]
    matrix = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2 / n)
    matrix[0] /= np.sqrt(2)
    return matrix


def _resample(length: int, spans: tuple[Span, ...], bins: int) -> np.ndarray:
    """Box-filter rows: for each span, `bins` rows averaging the pixels of its bins.
    Shape (len(spans) * bins, length)."""
    edges = np.arange(length + 1, dtype=np.float64)
    out = np.empty((len(spans), bins, length))
    for n, (offset, size) in enumerate(spans):
        cuts = (offset + size * np.arange(bins + 1) / bins) * length
        lo = np.maximum(cuts[:-1, None], edges[None, :-1])
        hi = np.minimum(cuts[1:, None], edges[None, 1:])
        weights = np.clip(hi - lo, 0.0, None)
        out[n] = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    return out.reshape(len(spans) * bins, length)


def _pack(bits: np.ndarray) -> np.ndarray:
    """(n, 64k) booleans -> (n, k) uint64, first bit most significant."""
    return np.packbits(bits, axis=-1).view(">u8").astype(np.uint64)


def phashes(
    grey: np.ndarray, y_spans: tuple[Span, ...], x_spans: tuple[Span, ...], side: int = HASH_SIDE
) -> np.ndarray:
    """The side x side-bit pHash of every window (each y span with each x span, y-major) of
    `grey`: (windows, side * side // 64) uint64."""
    return _pack(phash_bits(grey, y_spans, x_spans, side))


def phash_bits(
    grey: np.ndarray, y_spans: tuple[Span, ...], x_spans: tuple[Span, ...], side: int = HASH_SIDE
) -> np.ndarray:
    """`phashes` before packing: (windows, side * side) booleans.

    A window's low DCT coefficients after a box shrink to 4 side x 4 side are
    (D Ry) G (D Rx)^T, so all windows come out of two matrix products."""
    height, width = grey.shape
    n, ny, nx = 4 * side, len(y_spans), len(x_spans)
    dct = _dct_rows(n, side)
    rows = (dct @ _resample(height, y_spans, n).reshape(ny, n, height)).reshape(-1, height)
    cols = (dct @ _resample(width, x_spans, n).reshape(nx, n, width)).reshape(-1, width)
    low = (rows @ grey @ cols.T).reshape(ny, side, nx, side).transpose(0, 2, 1, 3)
    low = low.reshape(ny * nx, side * side)
    return low > np.median(low, axis=1, keepdims=True)


def halves(span: Span) -> tuple[Span, Span]:
    offset, size = span
    return (offset, size / 2), (offset + size / 2, size / 2)


def inner(span: Span, part: Span) -> Span:
    """`part` (fractions of `span`) as fractions of the whole side."""
    return (span[0] + part[0] * span[1], part[1] * span[1])


def quarter_hashes(grey: np.ndarray, y_span: Span, x_span: Span) -> np.ndarray:
    """64-bit pHashes of the window's four quarters, (4, 1) uint64."""
    return phashes(grey, halves(y_span), halves(x_span), QUARTER_SIDE)


def _int(words: np.ndarray) -> int:
    value = 0
    for word in words:
        value = (value << 64) | int(word)
    return value


def as_words(value: int, words: int = HASH_SIDE * HASH_SIDE // 64) -> np.ndarray:
    """A hash as the (words,) uint64 array `distances` compares."""
    return np.array(
        [(value >> (64 * (words - 1 - i))) & (2**64 - 1) for i in range(words)], dtype=np.uint64
    )


def aspect_byte(width: float, height: float) -> int:
    """A shape (width / height) in one byte: 32 steps per doubling (2.2% each), 1/16 to 16."""
    return int(np.clip(round(32 * np.log2(width / height)) + 128, 0, 255))


def aspect_of(byte: int) -> float:
    """log2(width / height) of `aspect_byte`."""
    return (byte - 128) / 32


def colour_grid(picture: np.ndarray, y_span: Span, x_span: Span) -> np.ndarray:
    """The window's mean Y, Cb and Cr over a COLOUR_GRID x COLOUR_GRID grid: (COLOUR_BYTES,)."""
    height, width = picture.shape[:2]
    rows = _resample(height, (y_span,), COLOUR_GRID)
    cols = _resample(width, (x_span,), COLOUR_GRID)
    return np.stack([rows @ picture[..., c] @ cols.T for c in range(3)]).reshape(-1)


def fingerprint_picture(picture: np.ndarray) -> Fingerprint:
    return _fingerprint_trimmed(trim(picture).astype(np.float64))


def _fingerprint_trimmed(trimmed: np.ndarray) -> Fingerprint:
    grey = np.ascontiguousarray(trimmed[..., 0])
    big = phashes(grey, (WHOLE, CENTRE), (WHOLE, CENTRE))  # y-major: 0 whole, 3 centre
    quarters = [int(q[0]) for q in quarter_hashes(grey, CENTRE, CENTRE)]
    colour = np.clip(np.rint(colour_grid(trimmed, CENTRE, CENTRE)), 0, 255).astype(np.uint8)
    height, width = grey.shape
    return Fingerprint(
        _int(big[0]),
        _int(big[3]),
        (quarters[0], quarters[1], quarters[2], quarters[3]),
        colour.tobytes(),
        aspect_byte(width, height),
    )


def fingerprint(data: bytes) -> Fingerprint:
    """A known picture's fingerprint, from its file's bytes (ImageRejected if unreadable)."""
    return fingerprint_picture(load_picture(data))


@cache
def window_spans() -> tuple[Span, ...]:
    """The query windows along one side: the whole, then every size at every step."""
    spans = [WHOLE]
    for size in WINDOW_SIZES:
        count = int(np.ceil((1 - size) / WINDOW_STEP - 1e-9)) + 1
        spans.extend((float(x0), size) for x0 in np.linspace(0.0, 1 - size, count))
    return tuple(spans)


def windows() -> list[tuple[Span, Span]]:
    """(y span, x span) of each row of `QueryHashes.signs`."""
    spans = window_spans()
    return [(y, x) for y in spans for x in spans]


def query_picture(picture: np.ndarray) -> QueryHashes:
    trimmed = trim(picture).astype(np.float64)
    grey = np.ascontiguousarray(trimmed[..., 0])
    spans = window_spans()
    return QueryHashes(trimmed, grey, as_signs(phash_bits(grey, spans, spans)))


def query_hashes(data: bytes) -> QueryHashes:
    """A photo's hashes over its candidate windows, to look up (ImageRejected if unreadable)."""
    return query_picture(load_picture(data))


def as_signs(bits: np.ndarray) -> np.ndarray:
    """Booleans as float32 +1/-1."""
    return np.where(bits, np.float32(1), np.float32(-1))


def unpack_signs(value: int, bits: int = HASH_SIDE * HASH_SIDE) -> np.ndarray:
    """A packed hash as the (bits,) +1/-1 vector `sign_distances` compares."""
    raw = np.frombuffer(value.to_bytes(bits // 8, "big"), dtype=np.uint8)
    return as_signs(np.unpackbits(raw).astype(bool))


def sign_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between +1/-1 rows of `a` and of `b`: (len(a), len(b)) int32.
    One BLAS product: bits - a.b counts each disagreement twice."""
    return ((a.shape[1] - a @ b.T) / 2).round().astype(np.int32)


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between every hash of `a` (rows) and of `b` (columns), each an
    (n, words) uint64 array: shape (len(a), len(b))."""
    return np.bitwise_count(a[:, None, :] ^ b[None, :, :]).sum(axis=2, dtype=np.int32)
