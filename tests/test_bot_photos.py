"""The real bot over the fake Bot API receives photos: it downloads them (getFile and the
file URL, bounded), reads them with OCR and answers from the text read, quoting it; what
it cannot read gets the photo how-to. In groups /cek in reply to a photo reads it. The
moderators' queue says a claim came from an image, and /fotoklaim shows the image again."""

from __future__ import annotations

import random

import pytest
from botharness import GROUP, Bot, claims, visible
from imagegen import crop10, encode, picture, png, statusbar
from screenshots import plain_screenshot

import storage
from bot.curation import Curation
from bot.replies.texts_id import ID
from storage.claim_images import images_of

pytestmark = pytest.mark.bot_env(MODERATOR_IDS="4242")

DELAY = "Pemilu 2024 diundur, gak jadi tanggal 14 Februari"
QUOTE = "📷 Tulisan yang saya baca dari gambar:"


async def test_a_photo_without_caption_is_answered_from_its_text(bot: Bot) -> None:
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    call = await bot.send(bot.fake.message_update(media={"photo": sizes}))
    shown = visible(call)
    assert shown.startswith(QUOTE) and "Februari" in shown.split("\n")[1]
    assert "HOAKS" in shown
    assert bot.fake.file_downloads == [sizes[-1]["file_id"]]  # the largest size only
    row = claims(bot.core)[0]
    assert row["best_statement_id"] is not None and row["tier"] == "confident"
    image = images_of(bot.core.db, [row["id"]])[row["id"]]
    assert image.file_id == sizes[-1]["file_id"] and "Pemilu" in image.read_text


async def test_a_short_caption_is_read_with_the_photo_a_long_one_alone(bot: Bot) -> None:
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    short = await bot.send(bot.fake.message_update(caption="bener ga?", media={"photo": sizes}))
    assert visible(short).startswith(QUOTE)
    downloads = len(bot.fake.file_downloads)
    long = bot.fake.message_update(
        caption="katanya pemilu 2024 diundur ke tahun depan", media={"photo": sizes}
    )
    assert not visible(await bot.send(long)).startswith(QUOTE)  # the caption is the claim
    assert len(bot.fake.file_downloads) == downloads


async def test_an_image_sent_as_a_file_is_read(bot: Bot) -> None:
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    document = {"file_id": sizes[-1]["file_id"], "file_unique_id": "AgADdoc",
                "mime_type": "image/jpeg", "file_size": sizes[-1]["file_size"]}  # fmt: skip
    call = await bot.send(bot.fake.message_update(media={"document": document}))
    assert visible(call).startswith(QUOTE) and "HOAKS" in visible(call)


async def test_what_cannot_be_read_gets_the_photo_howto_never_an_error(bot: Bot) -> None:
    blank = await bot.send(bot.fake.message_update(photo=True))  # a blank page
    assert visible(blank) == ID["photo_unreadable"].replace("<code>", "").replace("</code>", "")
    broken = bot.fake.add_photo(b"\xff\xd8 not really a jpeg")
    assert "tidak bisa membaca" in visible(
        await bot.send(bot.fake.message_update(media={"photo": broken}))
    )
    bot.fake.fail_next("getFile", 400, description="Bad Request: file is too big")
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    failed = await bot.send(bot.fake.message_update(media={"photo": sizes}))
    assert "tidak bisa membaca" in visible(failed)
    huge = [{**sizes[-1], "file_size": 50 * 1024 * 1024}]  # announced too large: not fetched
    downloads = len(bot.fake.file_downloads)
    assert "tidak bisa membaca" in visible(
        await bot.send(bot.fake.message_update(media={"photo": huge}))
    )
    assert len(bot.fake.file_downloads) == downloads
    assert claims(bot.core) == []


async def test_cek_in_reply_to_a_photo_in_a_group_reads_it(bot: Bot) -> None:
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    photo = bot.group_message(media={"photo": sizes})
    call = await bot.send(bot.group_message("/cek", reply_to=photo))
    shown = visible(call)
    assert shown.startswith(QUOTE) and "HOAKS" in shown
    assert call.params["reply_parameters"]["message_id"] == photo["message"]["message_id"]


async def test_the_queue_shows_a_claim_came_from_an_image_and_shows_it(bot: Bot) -> None:
    text = "Katanya surat suara pemilu dicetak di luar negeri oleh pihak asing"
    sizes = bot.fake.add_photo(plain_screenshot(text))
    await bot.send(bot.fake.message_update(media={"photo": sizes}))
    claim_id = claims(bot.core)[0]["id"]
    queue = visible(await bot.say("/antrean", user_id=4242))
    assert f"📷 dari gambar (lihat: /fotoklaim {claim_id})" in queue
    shown = await bot.send(bot.fake.message_update(f"/fotoklaim {claim_id}", user_id=4242),
                           "sendPhoto")  # fmt: skip
    assert shown.params["photo"] == sizes[-1]["file_id"]
    assert f"Klaim {claim_id}" in shown.params["caption"]


async def test_cek_in_reply_to_a_photo_in_a_private_chat_reads_it(bot: Bot) -> None:
    sizes = bot.fake.add_photo(plain_screenshot(DELAY))
    photo = bot.fake.message_update(media={"photo": sizes})
    call = await bot.send(bot.fake.message_update("/cek", reply_to=photo))
    assert visible(call).startswith(QUOTE) and "HOAKS" in visible(call)


async def test_a_download_is_not_read_past_its_limit(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.botapi import transport

    image = plain_screenshot(DELAY)
    monkeypatch.setattr(transport, "MAX_RESPONSE_BYTES", len(image) // 2)
    call = await bot.send(bot.fake.message_update(media={"photo": bot.fake.add_photo(image)}))
    assert "tidak bisa membaca" in visible(call)  # the how-to: nothing read, nothing recorded
    assert claims(bot.core) == []


async def test_a_copy_of_an_attached_picture_is_answered_from_its_fingerprint(bot: Bot) -> None:
    poster = picture(11)
    Curation(bot.core.db, frozenset()).attach_image(
        "kpu-2024-hari-pemungutan", png(poster), actor="mod:1"
    )
    copy = encode(statusbar(poster, random.Random(2)), 70)  # a screenshot of it, re-sent
    call = await bot.send(bot.fake.message_update(media={"photo": bot.fake.add_photo(copy)}))
    assert visible(call).startswith("📷 Gambar ini sudah dikenal moderator kami.")
    assert "HOAKS" in visible(call)
    [tracked] = claims(bot.core)  # counted for the moderators, answered
    assert tracked["status"] == "answered" and tracked["text"].startswith("[foto dikenal")
    assert images_of(bot.core.db, [tracked["id"]])[tracked["id"]].read_text == ""


CHANNEL = {"type": "channel", "date": 1700000000, "message_id": 77,
           "chat": {"id": -1001234, "type": "channel", "title": "Berita Viral"}}  # fmt: skip


async def test_a_group_checks_forwarded_pictures_by_fingerprint_only(bot: Bot) -> None:
    poster = picture(12)
    Curation(bot.core.db, frozenset()).attach_image(
        "kpu-2024-hari-pemungutan", png(poster), actor="mod:1"
    )
    storage.set_auto_check(bot.core.db, GROUP, True)
    copy = encode(crop10(poster, random.Random(3)), 60)  # cropped and re-sent
    post = bot.group_message(media={"photo": bot.fake.add_photo(copy)}, forward_origin=CHANNEL)
    call = await bot.send(post)
    assert "Gambar ini sudah dikenal" in visible(call) and "HOAKS" in visible(call)
    # a picture nobody attached, without words: quiet (no OCR for posts nobody asked about)
    other = encode(picture(13))
    await bot.quiet(
        bot.group_message(media={"photo": bot.fake.add_photo(other)}, forward_origin=CHANNEL)
    )
    assert claims(bot.core) == []
