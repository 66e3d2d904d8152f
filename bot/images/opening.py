"""Opening a picture from untrusted bytes, one way for every reader (OCR, fingerprints):
the byte size, the format and the declared pixels are checked before anything is decoded,
and Pillow's decompression-bomb warning is an error, so a hostile file neither exhausts
memory nor holds a worker for long."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

#: Larger files are refused unread (Telegram's photos are well under 1 MB; the bot never
#: downloads more than this either, bot/telegram/picture_files.py).
MAX_BYTES = 10 * 1024 * 1024
#: Pictures of more pixels (width x height, from the header) are not decoded at all.
MAX_PIXELS = 24_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")  # a GIF: its first frame


class ImageRejected(ValueError):
    """Not a picture the bot reads: too large, too small, broken, or of another format."""


@contextmanager
def opened_image(data: bytes, min_side: int) -> Iterator[Image.Image]:
    """The picture in `data`, opened (not yet decoded) for the caller to decode within the
    block; ImageRejected for bytes that are not a picture this bot reads, also when decoding
    it inside the block fails."""
    if len(data) > MAX_BYTES:
        raise ImageRejected("file too large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected(f"{width}x{height} pixels: too large")
                if min(width, height) < min_side:
                    raise ImageRejected(f"{width}x{height} pixels: too small")
                yield image
    except ImageRejected:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise ImageRejected(f"cannot read picture: {type(exc).__name__}") from exc
