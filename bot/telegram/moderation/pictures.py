"""The circulating picture a statement answers: /gambar ID in reply to a photo attaches it
(its fingerprint is kept, never the picture), /gambar ID lists a statement's pictures,
/hapusgambar ID NOMOR detaches one. What each answers: bot/moderating.py."""

from __future__ import annotations

from telegram import Message

from bot import moderating
from bot.images.opening import ImageRejected
from bot.replies.moderators import echo
from bot.replies.texts import text
from bot.telegram.moderation.common import Context, actor, command, curation, moderator_only
from bot.telegram.moderation.notify import curate, follow
from bot.telegram.picture_files import (
    MAX_PICTURE_BYTES,
    DownloadFailed,
    PictureTooLarge,
    download_picture,
    picture_in,
)
from bot.telegram.runtime import runtime


@moderator_only
@command(1, "usage_gambar")
async def attach(message: Message, context: Context, args: list[str]) -> None:
    """/gambar ID in reply to a photo: attach it to the statement; alone: list its pictures."""
    external_id = args[0]
    source = message.reply_to_message
    if source is None or picture_in(source) is None:
        await message.reply_text(moderating.images(curation(context), external_id))
        return
    if curation(context).statement(external_id) is None:
        await message.reply_text(text("id", "unknown_statement", id=echo(external_id)))
        return
    try:
        picture = await download_picture(context.bot, source)
    except PictureTooLarge:
        await message.reply_text(text("id", "image_too_large", mb=MAX_PICTURE_BYTES >> 20))
        return
    except DownloadFailed:
        await message.reply_text(text("id", "image_download_failed"))
        return
    assert picture is not None  # picture_in found one
    try:
        who, content, file_id = actor(message.from_user), picture.content, picture.file_id
        outcome = await curate(
            runtime(context),
            lambda c: c.attach_image(external_id, content, actor=who, file_id=file_id),
        )
    except ImageRejected as exc:
        await message.reply_text(text("id", "image_unreadable", error=echo(exc)))
        return
    except LookupError:  # retired or removed meanwhile
        await message.reply_text(text("id", "unknown_statement", id=echo(external_id)))
        return
    await follow(context, outcome)
    await message.reply_text(moderating.image_attached(external_id, outcome))


@moderator_only
@command(2, "usage_hapusgambar")
async def detach(message: Message, context: Context, args: list[str]) -> None:
    """/hapusgambar ID NOMOR: the picture numbered as /gambar ID lists it is detached."""
    external_id, number = args
    if not (number.isascii() and number.isdigit()) or len(number) > 18:
        await message.reply_text(text("id", "usage_hapusgambar"))
        return
    try:
        who, at = actor(message.from_user), int(number)
        outcome = await curate(
            runtime(context), lambda c: c.detach_image(external_id, at, actor=who)
        )
    except LookupError:
        await message.reply_text(text("id", "unknown_statement", id=echo(external_id)))
        return
    await follow(context, outcome)
    await message.reply_text(moderating.image_removed(external_id, int(number), outcome))
