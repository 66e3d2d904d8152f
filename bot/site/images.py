"""The link-preview image of each verdict (og:image): 1200x630 PNG, the verdict in large
white letters on its colour, "CEKKLAIM" below, so a page shared in WhatsApp or Telegram
shows the verdict before anyone opens it. Drawn here from a 5x7 pixel font and written
with zlib: no image library, no font file, no binary in the repository."""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 1200, 630
WHITE = (255, 255, 255)
#: The verdict's colour, as on the pages (templates/base.html).
COLOURS = {
    "HOAKS": (0xB3, 0x26, 0x1E), "SALAH": (0xB3, 0x26, 0x1E), "DISINFORMASI": (0xB3, 0x26, 0x1E),
    "MISINFORMASI": (0xA3, 0x52, 0x00), "MENYESATKAN": (0xA3, 0x52, 0x00),
    "KLARIFIKASI": (0x1D, 0x4F, 0x91), "BENAR": (0x1E, 0x6B, 0x35),
}  # fmt: skip
OTHER = (0x55, 0x55, 0x55)
_FONT = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 11001 10101 10011 10001 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "Y": "10001 10001 01010 00100 00100 00100 00100",
    " ": "00000 00000 00000 00000 00000 00000 00000",
}
GLYPH_W, GLYPH_H = 5, 7


def _mask(word: str) -> list[str]:
    """The word's pixel rows at glyph resolution, one column of space between letters."""
    glyphs = [_FONT[c].split() for c in word if c in _FONT]
    return ["0".join(g[row] for g in glyphs) for row in range(GLYPH_H)]


def _draw(rows: list[bytearray], word: str, scale: int, top: int, colour: bytes) -> None:
    mask = _mask(word)
    left = (WIDTH - len(mask[0]) * scale) // 2
    for glyph_row, bits in enumerate(mask):
        for y in range(top + glyph_row * scale, top + (glyph_row + 1) * scale):
            row = rows[y]
            for x, bit in enumerate(bits):
                if bit == "1":
                    start = 3 * (left + x * scale)
                    row[start : start + 3 * scale] = colour * scale


def verdict_png(verdict: str) -> bytes:
    """The preview image for `verdict` (PNG bytes)."""
    background = bytes(COLOURS.get(verdict, OTHER))
    rows = [bytearray(background * WIDTH) for _ in range(HEIGHT)]
    width = len(_mask(verdict)[0]) or 1
    scale = min(24, (WIDTH - 120) // width)
    _draw(rows, verdict, scale, (HEIGHT - GLYPH_H * scale) // 2 - 40, bytes(WHITE))
    _draw(rows, "CEKKLAIM", 8, HEIGHT - 7 * 8 - 60, bytes(WHITE))
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)),
            _chunk(b"IDAT", zlib.compress(raw, 9)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
