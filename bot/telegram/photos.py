"""Photos and image files as claims: find the image in a message, download it (bounded),
hand it to the photo use case (bot/photos.py), send its answer.

    message -> image_in (the largest photo size within bounds, or an image document)
            -> download: getFile + the file URL, size-checked before and after, time-bounded
            -> photos.check_photo (known image? OCR in the worker, match, record)
            -> replies/photos.py -> reply_text (private) / send_to_group (groups)

A download that fails, is too large or too slow gets the photo how-to, like an unreadable
image: a hostile file neither exhausts memory nor holds the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Message
from telegram.ext import ContextTypes

from bot import claims, photos
from bot.domain import Statement
from bot.images.opening import MAX_BYTES, MAX_PIXELS
from bot.replies.photos import group_photo_reply, photo_reply
from bot.telegram.group_limit import send_to_group
from bot.telegram.keyboards import markup
from bot.telegram.picture_files import DownloadFailed, PictureTooLarge, fetch
from bot.telegram.runtime import Asker, runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
DOWNLOAD_SECONDS = 15.0  # getFile and the download together


@dataclass(frozen=True, slots=True)
class ImageRef:
    file_id: str
    file_unique_id: str
    size: int | None  # bytes, as Telegram announced them


def image_in(message: Message) -> ImageRef | None:
    """The image a message carries: the largest photo size within MAX_PIXELS and
    MAX_BYTES, or a document whose type is an image; None otherwise."""
    fitting = [
        p
        for p in message.photo
        if p.width * p.height <= MAX_PIXELS and (p.file_size or 0) <= MAX_BYTES
    ]
    if fitting:
        best = max(fitting, key=lambda p: p.width * p.height)
        return ImageRef(best.file_id, best.file_unique_id, best.file_size)
    doc = message.document
    image = doc is not None and (doc.mime_type or "").startswith("image/")
    if doc is not None and image and (doc.file_size or 0) <= MAX_BYTES:
        return ImageRef(doc.file_id, doc.file_unique_id, doc.file_size)
    return None


def is_image(message: Message) -> bool:
    """A photo, or a document whose type is an image (however large)."""
    doc = message.document
    return bool(message.photo) or (doc is not None and (doc.mime_type or "").startswith("image/"))


def wants_ocr(message: Message, caption: str) -> bool:
    """A message whose image is read: it has one, and no caption that is a claim itself."""
    return is_image(message) and not photos.caption_readable(caption)


async def download(context: Context, ref: ImageRef) -> bytes | None:
    """The image's bytes, or None: too large (announced or received), failed, too slow."""
    try:
        return await asyncio.wait_for(fetch(context.bot, ref.file_id, ref.size), DOWNLOAD_SECONDS)
    except (PictureTooLarge, DownloadFailed, TimeoutError) as err:
        log.info("image not downloaded: %s", type(err).__name__)
        return None


async def known_forward(context: Context, message: Message) -> Statement | None:
    """A forwarded picture's statement by its fingerprint alone (a group's automatic check:
    cheap, confident copies only, no OCR); nothing is downloaded while no picture is known."""
    rt = runtime(context)
    ref = image_in(message)
    if rt.known_images is None or ref is None or not len(rt.known_images.current(rt.core.db)):
        return None
    data = await download(context, ref)
    return None if data is None else await photos.known_statement(rt.core, rt.known_images, data)


async def _check(
    context: Context, asker: Asker, ref: ImageRef | None, caption: str, channel: claims.Channel
) -> photos.PhotoDecision:
    rt = runtime(context)
    if ref is None:  # too large in every size Telegram offers
        return photos.PhotoDecision(failure="unreadable")
    data = await download(context, ref)
    if data is None:
        return photos.PhotoDecision(failure="unreadable")
    photo = photos.Photo(data, ref.file_id, ref.file_unique_id, caption)
    options = claims.PRIVATE if channel is claims.Channel.PRIVATE else claims.GROUP_ASKED
    return await photos.check_photo(
        rt.core, rt.ocr, photo, asker.claim("", (), channel), options, known=rt.known_images
    )


async def answer_private(context: Context, asker: Asker, message: Message, caption: str) -> None:
    """A photo in a private chat: the answer to the text read, or the photo how-to."""
    found = await _check(context, asker, image_in(message), caption, claims.Channel.PRIVATE)
    reply = photo_reply(
        asker.language,
        read=found.read_text,
        decision=found.decision,
        failure=found.failure,
        known=found.known,
    )
    await asker.message.reply_text(reply.text, reply_markup=markup(reply.keyboard))


async def answer_group(context: Context, asker: Asker, target: Message, caption: str) -> None:
    """/cek (or a mention) in reply to a photo in a group: a short answer to it."""
    found = await _check(context, asker, image_in(target), caption, claims.Channel.GROUP)
    answer = found.decision.answer if found.decision is not None else None
    reply = group_photo_reply(
        asker.language,
        context.bot.username,
        read=found.read_text,
        answer=answer,
        failure=found.failure,
        known=found.known,
    )
    await send_to_group(context, asker.message, reply, reply_to=target)
