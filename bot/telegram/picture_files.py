"""A picture in a Telegram message, downloaded within bounds: the largest photo size (or an
image sent as a file) up to MAX_PICTURE_BYTES, refused from Telegram's declared size before
any byte is fetched, and fetched within DOWNLOAD_SECONDS."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.images.opening import MAX_BYTES

MAX_PICTURE_BYTES = MAX_BYTES  # one bound for every picture the bot fetches and reads
DOWNLOAD_SECONDS = 20.0


class PictureTooLarge(Exception):
    pass


class DownloadFailed(Exception):
    pass


@dataclass(frozen=True, slots=True)
class PictureFile:
    content: bytes
    file_id: str  # to show the picture again (valid for this bot only)


def picture_in(message: Message) -> tuple[str, int | None] | None:
    """(file id, declared size) of the message's picture: its largest photo size, or a
    document whose type is an image; None when it carries no picture."""
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return largest.file_id, largest.file_size
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return document.file_id, document.file_size
    return None


async def download_picture(bot: Bot, message: Message) -> PictureFile | None:
    """The message's picture, or None when it has none. PictureTooLarge over the limit
    (declared or received), DownloadFailed when Telegram does not give it in time."""
    found = picture_in(message)
    if found is None:
        return None
    file_id, declared = found
    return PictureFile(await fetch(bot, file_id, declared), file_id)


async def fetch(bot: Bot, file_id: str, declared: int | None) -> bytes:
    """A file's bytes through getFile and the file URL, within MAX_PICTURE_BYTES (checked on
    the declared size before any byte is fetched, on getFile's, and on what arrived) and
    DOWNLOAD_SECONDS: PictureTooLarge or DownloadFailed otherwise."""
    if declared is not None and declared > MAX_PICTURE_BYTES:
        raise PictureTooLarge
    try:
        file = await asyncio.wait_for(bot.get_file(file_id), DOWNLOAD_SECONDS)
        if file.file_size is not None and file.file_size > MAX_PICTURE_BYTES:
            raise PictureTooLarge
        content = await asyncio.wait_for(file.download_as_bytearray(), DOWNLOAD_SECONDS)
    except (TelegramError, TimeoutError, OSError) as exc:
        raise DownloadFailed(type(exc).__name__) from exc
    if len(content) > MAX_PICTURE_BYTES:
        raise PictureTooLarge
    return bytes(content)
