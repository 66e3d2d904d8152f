"""Moderators attach the circulating picture to a statement over the Bot API: /gambar in
reply to a photo (downloaded through getFile, bounded), /gambar alone, /hapusgambar."""

from __future__ import annotations

import pytest
from botharness import Bot, visible
from imagegen import changed, encode, picture

import storage
from bot.images.library import KnownPictures
from bot.replies.texts_id import ID
from bot.telegram.picture_files import MAX_PICTURE_BYTES

ADMIN = 42
KEY = "kpu-2024-hari-pemungutan"

pytestmark = [pytest.mark.timeout(60), pytest.mark.bot_env(MODERATOR_IDS=str(ADMIN))]


def photo_message(bot: Bot, content: bytes, **size: int) -> dict:
    sizes = bot.fake.add_photo(content)
    sizes[-1].update(size)
    return bot.fake.message_update(None, user_id=ADMIN, media={"photo": sizes})


async def reply(bot: Bot, command: str, to: dict | None = None, user_id: int = ADMIN) -> str:
    return visible(await bot.say(command, user_id=user_id, reply_to=to))


async def test_a_moderator_attaches_lists_and_detaches_a_picture(bot: Bot) -> None:
    poster = photo_message(bot, encode(picture(7)))
    answer = await reply(bot, f"/gambar {KEY}", poster)
    assert "Gambar 1 dilampirkan" in answer
    assert bot.fake.file_downloads  # fetched through getFile and the file URL
    [image] = storage.statement_images.images_of(bot.core.db, KEY)
    assert image.added_by == f"mod:{ADMIN}" and image.file_id == poster["message"]["photo"][-1][
        "file_id"]
    assert storage.history(bot.core.db, KEY)[-1].action == "add_image"

    statement = storage.get_statement(bot.core.db, KEY)
    assert statement is not None
    match = KnownPictures().current(bot.core.db).lookup(changed(picture(7), "status bar", 7))
    assert match is not None and match.confident and match.statement_id == statement.id

    assert "sudah terlampir" in await reply(bot, f"/gambar {KEY}", photo_message(
        bot, encode(picture(7))))
    listed = await reply(bot, f"/gambar {KEY}")
    assert "1. ditambahkan" in listed and f"mod:{ADMIN}" in listed
    assert "dilepas" in await reply(bot, f"/hapusgambar {KEY} 1")
    assert "tidak punya gambar" in await reply(bot, f"/hapusgambar {KEY} 1")
    assert "Belum ada gambar" in await reply(bot, f"/gambar {KEY}")
    assert storage.history(bot.core.db, KEY)[-1].action == "remove_image"


async def test_refusals_attach_nothing(bot: Bot) -> None:
    poster = photo_message(bot, encode(picture(8)))
    assert "tidak ditemukan" in await reply(bot, "/gambar no-such-id", poster)
    junk = photo_message(bot, b"\x89PNG not really")
    assert "tidak bisa dibaca" in await reply(bot, f"/gambar {KEY}", junk)
    huge = photo_message(bot, encode(picture(8)), file_size=MAX_PICTURE_BYTES + 1)
    assert "terlalu besar" in await reply(bot, f"/gambar {KEY}", huge)
    assert await reply(bot, f"/hapusgambar {KEY} satu") == ID["usage_hapusgambar"]
    assert await reply(bot, "/gambar", poster) == ID["usage_gambar"]
    assert await reply(bot, f"/gambar {KEY}", poster, user_id=1001) == ID["mod_refused"]
    assert storage.statement_images.images_of(bot.core.db, KEY) == []
    huge_downloads = [c for c in bot.fake.calls if c.method == "getFile"
                      and c.params.get("file_id") == huge["message"]["photo"][-1]["file_id"]]
    assert huge_downloads == []  # refused from the declared size, nothing fetched


async def test_a_photo_sent_during_tambah_is_saved_with_the_statement(bot: Bot) -> None:
    assert "Lembaga" in await reply(bot, "/tambah")
    poster = photo_message(bot, encode(picture(9)))
    assert "Gambar dicatat (1)" in visible(await bot.send(poster))
    assert "sudah dicatat" in visible(await bot.send(photo_message(bot, encode(picture(9)))))
    assert "Label" in await reply(bot, "KPU")  # the field asked stayed the organisation
    assert await reply(bot, "/batal") == ID["cancelled"]
    assert storage.statement_images.servable_fingerprints(bot.core.db) == []

    preview = await reply(
        bot,
        "/tambah KPU | HOAKS | Poster KPU soal coblos dua kali beredar | "
        "KPU tidak pernah membuat poster itu. | https://www.kpu.go.id/p | 2024-01-12 | -",
        None,
    )
    assert "Pratinjau" in preview
    assert "Gambar dicatat (1)" in visible(await bot.send(photo_message(bot, encode(picture(9)))))
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Tersimpan sebagai" in visible(saved)
    [image] = storage.statement_images.images_of(bot.core.db, "kpu-0001")
    assert image.added_by == f"mod:{ADMIN}"
    match = KnownPictures().current(bot.core.db).lookup(changed(picture(9), "crop 10%", 9))
    assert match is not None and match.confident
    statement = storage.get_statement(bot.core.db, "kpu-0001")
    assert statement is not None and match.statement_id == statement.id
