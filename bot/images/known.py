"""Known pictures: which statement answers a photo that is a copy of a picture moderators
attached to it, even when the photo carries no readable text.

`KnownImages` is an immutable in-memory index of the fingerprints of the served statements'
pictures (a few hundred bytes each: thousands fit in a megabyte). `lookup` hashes the photo
over its candidate windows (`bot.images.hashing`) and:

1. takes the known pictures whose whole or centre is within `CANDIDATE_DISTANCE` bits (of
   256) of some window;
2. for the closest few within `CONFIDENT_DISTANCE`, checks the finer detail: the four
   quarters of the best windows' centre region, nudged by up to `NUDGE` of a side, against
   the known quarters, and the colours at the best of those alignments;
3. calls the match confident when the coarse distance (`CONFIDENT_DISTANCE`), the
   quarters' (`CONFIDENT_QUARTERS`, of 256 bits), the centre's colours at that alignment
   (`CONFIDENT_COLOUR`, mean difference of 108 values 0-255) and its shape (width / height,
   `CONFIDENT_SHAPE`) all agree: the finer checks keep apart pictures of one layout (two
   bar charts of one template, two line charts on white) that agree coarsely.

The thresholds come from bench/images_known.py (copies found vs. unrelated pictures).
`same_picture` groups photos nobody has answered yet the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.images import hashing
from bot.images.hashing import CENTRE, Fingerprint, QueryHashes, Span, inner

CANDIDATE_DISTANCE = 72
CONFIDENT_DISTANCE = 56
CONFIDENT_QUARTERS = 80
CONFIDENT_COLOUR = 10.0
#: |log2| of the ratio between the window's and the known picture's width / height.
CONFIDENT_SHAPE = 0.2
#: How many known pictures get the finer check, and how many windows each.
CANDIDATES = 3
WINDOWS_PER_CANDIDATE = 3
NUDGE = 0.012


@dataclass(frozen=True, slots=True)
class Match:
    """The statement whose picture the photo copies; distances in bits (lower is closer)."""

    statement_id: int  # the id the index was built with
    distance: int  # coarse: 256-bit pHash of the best window vs the known whole or centre
    quarters: int  # fine: the four 64-bit quarter pHashes, summed (256 when not checked)
    colour: float  # mean difference of the centre's colour grid, 0-255 (255 if not checked)
    shape: float  # |log2| of the ratio of the shapes (width / height); 9.0 if not checked
    confident: bool


class KnownImages:
    """The fingerprints of the pictures attached to statements, ready to look photos up."""

    def __init__(self, images: Iterable[tuple[int, Fingerprint]]) -> None:
        pairs = list(images)
        self.statement_ids = [statement_id for statement_id, _ in pairs]
        bits = hashing.HASH_SIDE * hashing.HASH_SIDE
        big = np.zeros((2 * len(pairs), bits), dtype=np.float32)
        quarters = np.zeros((len(pairs), 4), dtype=np.uint64)
        colours = np.zeros((len(pairs), hashing.COLOUR_BYTES), dtype=np.float64)
        self._aspects = [hashing.aspect_of(fp.aspect) for _, fp in pairs]
        for n, (_, fp) in enumerate(pairs):
            colours[n] = np.frombuffer(fp.colour, dtype=np.uint8)
            big[2 * n] = hashing.unpack_signs(fp.whole)
            big[2 * n + 1] = hashing.unpack_signs(fp.centre)
            quarters[n] = fp.quarters
        self._big = big
        self._quarters = quarters
        self._colours = colours

    def __len__(self) -> int:
        return len(self.statement_ids)

    def lookup(self, photo: bytes | QueryHashes) -> Match | None:
        """The closest known picture to `photo` (its bytes, or `hashing.query_hashes` of
        them), or None when none is near. Raises opening.ImageRejected for bytes that are
        not a picture it will decode."""
        if not self.statement_ids:
            return None
        query = photo if isinstance(photo, QueryHashes) else hashing.query_hashes(photo)
        dist = hashing.sign_distances(query.signs, self._big)  # (windows, 2 * known)
        per_known = dist.min(axis=0).reshape(len(self), 2).min(axis=1)
        near = np.flatnonzero(per_known <= CANDIDATE_DISTANCE)
        if not len(near):
            return None
        near = near[np.argsort(per_known[near], kind="stable")][:CANDIDATES]
        spans = hashing.windows()
        matches = [self._check(query, spans, dist, int(n)) for n in near]
        return min(matches, key=lambda m: (not m.confident, m.distance + m.quarters))

    def _check(
        self, query: QueryHashes, spans: list[tuple[Span, Span]], dist: np.ndarray, n: int
    ) -> Match:
        columns = dist[:, 2 * n : 2 * n + 2]
        coarse = int(columns.min())
        if coarse > CONFIDENT_DISTANCE:  # cannot be confident: the finer checks are skipped
            return Match(self.statement_ids[n], coarse, 4 * 64, 255.0, 9.0, False)
        order = np.argsort(columns, axis=None, kind="stable")[:WINDOWS_PER_CANDIDATE]
        best: tuple[int, Span, Span] = (4 * 64, CENTRE, CENTRE)
        for flat in order:
            window, region = divmod(int(flat), 2)
            y_span, x_span = spans[window]
            if region == 0:  # the window is the known whole: its centre is inside it
                y_span, x_span = inner(y_span, CENTRE), inner(x_span, CENTRE)
            best = min(best, self._aligned(query.grey, y_span, x_span, n))
        fine, y_span, x_span = best
        found = hashing.colour_grid(query.picture, y_span, x_span)
        colour = float(np.abs(found - self._colours[n]).mean())
        height, width = query.grey.shape
        window_shape = np.log2((x_span[1] * width) / (y_span[1] * height))
        shape = abs(float(window_shape) - self._aspects[n])
        confident = (
            coarse <= CONFIDENT_DISTANCE
            and fine <= CONFIDENT_QUARTERS
            and colour <= CONFIDENT_COLOUR
            and shape <= CONFIDENT_SHAPE
        )
        return Match(
            self.statement_ids[n], coarse, fine, round(colour, 1), round(shape, 3), confident
        )

    def _aligned(
        self, grey: np.ndarray, y_span: Span, x_span: Span, n: int
    ) -> tuple[int, Span, Span]:
        """The window nudged by -NUDGE, 0 or NUDGE each way whose quarters differ the fewest
        bits from known picture n's (all nine in one `phashes` call): (bits, y, x)."""
        nudges = (-NUDGE, 0.0, NUDGE)
        ys = [(y_span[0] + d, y_span[1]) for d in nudges]
        xs = [(x_span[0] + d, x_span[1]) for d in nudges]
        halves_y = tuple(half for span in ys for half in hashing.halves(span))
        halves_x = tuple(half for span in xs for half in hashing.halves(span))
        found = hashing.phashes(grey, halves_y, halves_x, hashing.QUARTER_SIDE)
        known = self._quarters[n].reshape(1, 2, 1, 2)
        bits = np.bitwise_count(found[:, 0].reshape(3, 2, 3, 2) ^ known).sum(axis=(1, 3))
        i, j = np.unravel_index(int(bits.argmin()), bits.shape)
        return int(bits[i, j]), ys[int(i)], xs[int(j)]


def same_picture(pictures: KnownImages, photo: bytes | QueryHashes) -> int | None:
    """Grouping photos nobody has answered yet: build `KnownImages` over their fingerprints
    keyed by any id (a claim's, a cluster's), and this gives the id of the one `photo` is a
    copy of (confident matches only), or None for a picture not seen before. Copies that
    are cropped, framed or screenshotted group too, which no exact key could do."""
    match = pictures.lookup(photo)
    return match.statement_id if match is not None and match.confident else None
