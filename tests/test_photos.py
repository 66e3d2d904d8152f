"""A photo as a claim, without Telegram: the image read safely off the event loop (a
bounded queue, one image per user at a time), words OCR ran together split again, the
text matched and recorded like typed text, and where it came from kept for the
moderators. What cannot be read is a `failure`, never an exception."""

from __future__ import annotations

import asyncio
import io
import random
import struct
import threading
import zlib
from pathlib import Path

import pytest
from imagegen import encode, jpeg30, picture, png, statusbar
from PIL import Image
from screenshots import plain_screenshot

from bot import photos
from bot.claims import CLI_PREVIEW, PRIVATE, Channel, Claim
from bot.core import Core
from bot.curation import Curation
from bot.images.library import KnownPictures
from bot.images.ocr import OcrEngine, ReadText, UnreadableImage, decode
from bot.images.opening import MAX_PIXELS
from bot.images.worker import OcrBusy, OcrWorker
from bot.matcher.segment import split_joined, split_word
from bot.replies.photos import photo_reply
from bot.replies.texts_id import ID
from storage.claim_images import images_of

SECRET = "test-secret"
DELAY = "Pemilu 2024 diundur, gak jadi tanggal 14 Februari"


@pytest.fixture
def core(tmp_path: Path) -> Core:
    opened = Core.open(tmp_path / "c.db", SECRET)  # the starter base
    yield opened
    opened.close()


@pytest.fixture
def worker() -> OcrWorker:
    found = OcrWorker()  # the process's one engine: loaded once for the whole session
    yield found
    found.close()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with almost no data after it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    body = struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    return b"\x89PNG\r\n\x1a\n" + ihdr + body


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    side = int(MAX_PIXELS**0.5) + 100
    with pytest.raises(UnreadableImage, match="pixels"):
        decode(png_claiming(side, side))


@pytest.mark.parametrize("data", [b"", b"not an image", b"GIF89a" + b"\x00" * 20, b"%PDF-1.4"])
def test_what_is_not_an_image_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableImage):
        decode(data)


def test_a_large_image_is_scaled_down_before_ocr() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(out, "PNG")
    assert decode(out.getvalue()).shape == (1200, 1600, 3)


def test_words_run_together_are_split_into_words_the_index_knows() -> None:
    vocabulary = {"info", "penting", "pemilu", "ditunda", "kpu", "di", "tunda"}
    known = vocabulary.__contains__
    assert split_word("infopenting", known) == ["info", "penting"]
    assert split_word("pemiluditunda", known) == ["pemilu", "ditunda"]  # fewest words
    assert split_word("pemiluxyz", known) is None  # not wholly known: left alone
    joined = "INFOPENTING!!!Pemilu2024DITUNDA, kata KPU"
    assert split_joined(joined, known) == "info penting !!!Pemilu 2024 DITUNDA, kata KPU"


def test_words_run_together_are_split_against_the_base(core: Core) -> None:
    assert photos.matchable(core, "PEMILUDIUNDUR kata KPU", "") == "pemilu diundur kata KPU"


def test_a_caption_long_enough_is_checked_without_reading_the_photo() -> None:
    assert photos.caption_readable("Pemilu 2024 diundur?")
    assert not photos.caption_readable("")
    assert not photos.caption_readable("bener?")  # too short to check alone
    assert not photos.caption_readable("makasih")  # small talk


async def test_a_screenshot_is_read_matched_and_recorded(core: Core, worker: OcrWorker) -> None:
    image = plain_screenshot(DELAY)
    photo = photos.Photo(image, "AgAC-file", "AQAD-unique", caption="bener?")
    claim = Claim("", channel=Channel.PRIVATE, user_hash="u1", update_id=7)
    found = await photos.check_photo(core, worker, photo, claim, PRIVATE)
    assert found.failure is None and found.decision is not None
    assert "diundur" in found.read_text.lower()
    assert found.decision.statements[0].external_id == "kpu-2024-hari-pemungutan"
    assert found.decision.claim.text.endswith("bener?")  # the caption is part of the claim
    claim_id = found.decision.claim_id
    assert claim_id is not None
    image_row = images_of(core.db, [claim_id])[claim_id]
    assert (image_row.file_id, image_row.file_unique_id) == ("AgAC-file", "AQAD-unique")
    assert image_row.read_text == found.read_text
    reply = photo_reply("id", read=found.read_text, decision=found.decision, failure=None)
    assert reply.text.startswith("📷 Tulisan yang saya baca dari gambar:")
    assert "HOAKS" in reply.text


async def test_an_image_without_text_gets_the_photo_howto(core: Core, worker: OcrWorker) -> None:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 220, 240)).save(out, "JPEG")
    for data in (out.getvalue(), b"\x89PNG broken"):
        photo = photos.Photo(data, "f", "u")
        found = await photos.check_photo(core, worker, photo, Claim(""), PRIVATE)
        assert found.failure == "unreadable" and found.decision is None
        reply = photo_reply("id", read="", decision=None, failure=found.failure)
        assert reply.text == ID["photo_unreadable"]
    assert core.db.execute("SELECT count(*) FROM claims").fetchone()[0] == 0


KEY = "kpu-2024-hari-pemungutan"  # a starter statement


class Refusing(OcrEngine):
    """An engine that fails on any image: a photo it is asked to read gets the how-to."""

    def read(self, data: bytes) -> ReadText:
        raise AssertionError("only a picture nobody attached is read")


async def test_a_copy_of_a_known_picture_answers_before_any_ocr(core: Core) -> None:
    base = picture(3)
    Curation(core.db, frozenset()).attach_image(KEY, png(base), actor="mod:1")
    known, worker = KnownPictures(), OcrWorker(Refusing())
    copy = encode(jpeg30(base, random.Random(1)), 60)
    found = await photos.check_photo(
        core, worker, photos.Photo(copy, "f", "u"), Claim(""), PRIVATE, known=known
    )
    assert found.known is not None and found.known.external_id == KEY
    # a picture nobody attached is read as usual (here: refused by the engine, the how-to)
    other = photos.Photo(encode(picture(4)), "g", "v")
    found = await photos.check_photo(core, worker, other, Claim(""), PRIVATE, known=known)
    worker.close()
    assert found.known is None and found.failure == "unreadable"


class Held(OcrEngine):
    """An engine that reads nothing until released: images wait in the queue meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def read(self, data: bytes) -> ReadText:
        self.release.wait(10)
        return ReadText(("pemilu diundur",), 0.9)


async def test_the_queue_is_bounded_and_one_image_per_user_waits() -> None:
    engine = Held()
    worker = OcrWorker(engine, queue_limit=2, per_user=1)
    first = asyncio.create_task(worker.read(b"1", "alice"))
    await asyncio.sleep(0)
    with pytest.raises(OcrBusy):  # alice's first image is still being read
        await worker.read(b"2", "alice")
    second = asyncio.create_task(worker.read(b"3", "bob"))
    await asyncio.sleep(0)
    with pytest.raises(OcrBusy):  # two images waiting: the queue is full
        await worker.read(b"4", "carol")
    engine.release.set()
    assert (await first).text == (await second).text == "pemilu diundur"
    assert worker.pending == 0
    assert (await worker.read(b"5", "alice")).lines == ("pemilu diundur",)  # free again
    worker.close()


async def test_a_full_queue_gets_the_busy_howto(core: Core) -> None:
    engine = Held()
    worker = OcrWorker(engine, queue_limit=1)
    waiting = asyncio.create_task(worker.read(b"1", "other"))
    await asyncio.sleep(0)
    found = await photos.check_photo(
        core, worker, photos.Photo(b"2", "f", "u"), Claim("", user_hash="me"), PRIVATE
    )
    engine.release.set()
    await waiting
    worker.close()
    assert found.failure == "busy"
    assert photo_reply("en", read="", decision=None, failure="busy").text.startswith("Sorry")


def test_the_cli_reads_an_image_file(core: Core, worker: OcrWorker) -> None:
    found = photos.check_photo_now(core, worker, plain_screenshot(DELAY), Claim(""), CLI_PREVIEW)
    assert found.decision is not None and found.decision.claim_id is None  # a preview
    assert found.decision.statements[0].external_id == "kpu-2024-hari-pemungutan"


def test_cekklaim_check_image_reads_the_file_as_the_bot_does(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    image = db_path.parent / "shot.jpg"
    image.write_bytes(plain_screenshot(DELAY))
    assert main(["check", "--no-record", "--image", str(image)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Teks terbaca / read from the image:") and "Februari" in out
    assert "YAKIN" in out and "[kpu-2024-hari-pemungutan]" in out
    blank = db_path.parent / "blank.png"
    Image.new("RGB", (300, 200), "white").save(blank)
    assert main(["check", "--image", str(blank)]) == 1
    assert "no text could be read" in capsys.readouterr().out
    assert main(["check", "--image", str(db_path.parent / "missing.jpg")]) != 0


class Counting(OcrEngine):
    """Reads every image as the same text, counting the images it was asked to read."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, data: bytes) -> ReadText:
        self.reads += 1
        return ReadText(("Bilik suara dipasangi kamera CCTV oleh petugas",), 0.9)


async def test_a_copy_of_an_unanswered_picture_joins_its_claim_without_a_second_read(
    core: Core,
) -> None:
    engine = Counting()
    worker = OcrWorker(engine)
    first = picture(5)
    sent = photos.Photo(encode(first), "f1", "u1")
    found = await photos.check_photo(core, worker, sent, Claim(""), PRIVATE)
    assert found.decision is not None and found.decision.claim_id is not None
    framed = photos.Photo(encode(statusbar(first, random.Random(4)), 50), "f2", "u2")
    again = await photos.check_photo(core, worker, framed, Claim(""), PRIVATE)
    other = photos.Photo(encode(picture(6)), "f3", "u3")  # another picture: read again
    await photos.check_photo(core, worker, other, Claim(""), PRIVATE)
    worker.close()
    assert again.decision is not None and again.decision.claim_id == found.decision.claim_id
    assert again.read_text == "Bilik suara dipasangi kamera CCTV oleh petugas"
    assert engine.reads == 2  # the first picture and the other one; not the copy
    rows = core.db.execute("SELECT count(*), count(fingerprint) FROM claim_images").fetchone()
    assert tuple(rows) == (3, 3)
