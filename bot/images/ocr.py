"""Reading the text in an image: decoded safely, scaled down, read by RapidOCR.

RapidOCR (`rapidocr-onnxruntime`, PaddleOCR's models on onnxruntime) ships its models in
the wheel: nothing is downloaded at run time and no system package is needed. The engine is
loaded on first use, by whoever calls `OcrEngine.read` (the OCR worker thread,
bot/images/worker.py), never on the event loop.

An image is hostile input: its size is checked before anything is decoded (a small file
can claim 50,000 x 50,000 pixels), only still-image formats are opened, and a large image
is scaled down before OCR (a phone photo's 4,000 pixels read no better than 1,600).
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MAX_SIDE = 1600  # longer sides are scaled down to this before OCR
MIN_SIDE = 16
MIN_SCORE = 0.5  # RapidOCR's confidence below which a line is dropped
#: onnxruntime threads per inference: one core of the two stays free for text claims.
OCR_THREADS = 1
#: Text detection sees the image at most this large on its longer side. RapidOCR's default
#: scales the *shorter* side up to 736: a wide chat screenshot became ~2,600 pixels wide,
#: 2.5 s and +540 MB for 15 screenshots; at 960 on the longer side 0.5 s and +250 MB, the
#: same text read (measured on bench/images.py's screenshots, one thread).
DETECT_SIDE = 960


class UnreadableImage(Exception):
    """Not an image this bot can read (unknown format, broken, too large)."""


@dataclass(frozen=True, slots=True)
class ReadText:
    """What OCR read: the lines top to bottom and their mean confidence (0 when none)."""

    lines: tuple[str, ...]
    confidence: float

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def decode(data: bytes) -> Any:
    """The image as an RGB array (numpy, height x width x 3), at most MAX_SIDE on its longer
    side; UnreadableImage for anything else (bot/images/opening.py checks it first)."""
    import numpy as np
    from PIL import Image, ImageOps  # imported where images are read, not at bot start

    from bot.images.opening import ImageRejected, opened_image

    try:
        with opened_image(data, MIN_SIDE) as opened:
            if opened.format == "JPEG":  # decode at a fraction of the size: far faster
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            image = image.convert("RGB")
            if max(image.size) > MAX_SIDE:
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            return np.asarray(image)[:, :, ::-1].copy()  # RapidOCR reads BGR, as OpenCV does
    except ImageRejected as err:
        raise UnreadableImage(str(err)) from err


def _libc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


_MALLOC_TRIM = _libc_trim()


def _give_back_memory() -> None:
    """Return the memory one image's inference freed to the system. onnxruntime (its arena
    off, as RapidOCR sets it) allocates tensors of each image's own sizes; glibc kept the
    freed pages, and resident memory grew with every image read (+407 MB after 81
    screenshots; +89 MB with this call after each, bench/images.py's screenshots)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class OcrEngine:
    """RapidOCR, loaded on the first `read` (in the calling thread)."""

    def __init__(self, threads: int = OCR_THREADS) -> None:
        self._threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> None:
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

                self._engine = RapidOCR(
                    intra_op_num_threads=self._threads,
                    inter_op_num_threads=1,
                    det_limit_type="max",
                    det_limit_side_len=DETECT_SIDE,
                    # one line at a time: a batch pads every line to its longest one, which
                    # on screenshots cost 2.3x the time and ~70 MB more at the peak
                    # (81 screenshots: 33.2 s and 457 MB peak in 6s, 14.2 s and 388 MB in 1s)
                    rec_batch_num=1,
                    cls_batch_num=1,
                )
                log.info("OCR engine loaded")

    def read(self, data: bytes) -> ReadText:
        """The text in the image `data` (encoded: JPEG, PNG...); UnreadableImage if it is
        none this bot reads. Blocking, CPU-bound: call it from a worker thread."""
        pixels = decode(data)
        self.load()
        try:
            result, _ = self._engine(pixels)
        finally:
            del pixels
            _give_back_memory()
        found = [(str(text), float(score)) for _box, text, score in result or ()]
        kept = [(text.strip(), score) for text, score in found if score >= MIN_SCORE]
        kept = [(text, score) for text, score in kept if text]
        if not kept:
            return ReadText((), 0.0)
        return ReadText(tuple(t for t, _ in kept), sum(s for _, s in kept) / len(kept))


#: The process's engine: loaded once, on the first photo, whatever reads it after.
ENGINE = OcrEngine()
