"""Known pictures: fingerprints, copies found through what a picture goes through when it
is passed around, unrelated pictures left alone, hostile bytes refused (bench:
bench/images_known.py measures the same over hundreds of pictures)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from imagegen import CHANGES, changed, encode, picture, png
from PIL import Image

from bot.images import hashing, opening
from bot.images.hashing import Fingerprint
from bot.images.known import KnownImages, same_picture
from bot.images.opening import ImageRejected

BASES = range(6)
UNRELATED = range(500_000, 500_012)


@pytest.fixture(scope="module")
def index() -> KnownImages:
    return KnownImages((seed + 100, hashing.fingerprint(encode(picture(seed)))) for seed in BASES)


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_of_a_known_picture_gets_its_statement(index: KnownImages, change: str) -> None:
    for seed in BASES:
        match = index.lookup(changed(picture(seed), change, seed))
        assert match is not None and match.statement_id == seed + 100, (change, seed)
        assert match.confident, (change, seed, match)


def test_unrelated_pictures_of_the_same_kinds_are_never_confident(index: KnownImages) -> None:
    for seed in UNRELATED:
        match = index.lookup(encode(picture(seed)))
        assert match is None or not match.confident, (seed, match)


def test_a_whole_image_phash_alone_misses_a_cropped_copy() -> None:
    """Why the windows: the baseline's 64-bit pHash of a 10%-cropped copy is far off."""
    seed = 1
    whole = hashing.phashes(hashing.load_gray(encode(picture(seed))).astype(float),
                            (hashing.WHOLE,), (hashing.WHOLE,), side=8)
    cropped = hashing.phashes(
        hashing.load_gray(changed(picture(seed), "crop 10%", seed)).astype(float),
        (hashing.WHOLE,), (hashing.WHOLE,), side=8)
    assert int(np.bitwise_count(whole ^ cropped).sum()) > 10


def test_a_fingerprint_reads_back_from_its_text() -> None:
    fp = hashing.fingerprint(png(picture(3)))
    assert fp.text.startswith("ck1:") and len(fp.text) == 4 + 64 + 64 + 64 + 216 + 2
    assert Fingerprint.parse(fp.text) == fp
    assert Fingerprint.parse(fp.text.upper().replace("CK1", "ck1")) == fp
    for bad in ("", "ck1:", "ck2:" + fp.text[4:], fp.text[:-1], fp.text[:-1] + "g"):
        with pytest.raises(ValueError):
            Fingerprint.parse(bad)


def test_the_same_picture_gives_the_same_fingerprint_whatever_the_file() -> None:
    image = picture(4)
    assert hashing.fingerprint(png(image)) == hashing.fingerprint(png(image))
    jpeg, lossless = hashing.fingerprint(encode(image)), hashing.fingerprint(png(image))
    assert bin(jpeg.whole ^ lossless.whole).count("1") < 20


def test_an_empty_index_finds_nothing() -> None:
    assert KnownImages([]).lookup(encode(picture(1))) is None


def _bytes(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


def test_hostile_or_broken_files_are_refused_before_decoding() -> None:
    for data in (b"", b"not a picture", encode(picture(1))[:200], _bytes((10, 10))):
        with pytest.raises(ImageRejected):
            hashing.fingerprint(data)
    with pytest.raises(ImageRejected):
        hashing.load_gray(b"\xff" * (opening.MAX_BYTES + 1))


def test_a_picture_over_the_pixel_limit_is_refused_from_its_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(opening, "MAX_PIXELS", 300 * 300)
    with pytest.raises(ImageRejected, match="too large"):
        hashing.fingerprint(_bytes((400, 400)))
    hashing.fingerprint(_bytes((200, 200)))  # under the limit: read


def test_a_plain_picture_has_a_fingerprint_and_matches_only_itself() -> None:
    plain = _bytes((300, 300))
    index = KnownImages([(1, hashing.fingerprint(plain))])
    match = index.lookup(plain)
    assert match is not None and match.statement_id == 1


def test_uniform_borders_are_trimmed_not_content() -> None:
    grey = np.full((100, 120), 255.0, dtype=np.float32)
    grey[10:90, 20:100] = np.random.default_rng(1).uniform(0, 200, (80, 80))
    trimmed = hashing.trim(grey)
    assert trimmed.shape == (80, 80)
    assert hashing.trim(trimmed).shape == trimmed.shape


def test_unanswered_photos_group_by_picture_across_changes() -> None:
    seen = [(claim_id, hashing.query_hashes(encode(picture(seed))).fingerprint())
            for claim_id, seed in ((11, 1), (12, 2), (13, 3))]
    pictures = KnownImages(seen)
    assert same_picture(pictures, changed(picture(2), "crop 10%", 2)) == 12
    assert same_picture(pictures, changed(picture(3), "status bar", 3)) == 13
    assert same_picture(pictures, encode(picture(4))) is None
