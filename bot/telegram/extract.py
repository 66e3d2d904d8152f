"""Take the claim out of a Telegram message: its text or caption, and any links in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Message, MessageEntity

from bot import claims


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    text: str  # "" when the message carries no readable text
    urls: tuple[str, ...]


def extract_claim(message: Message, *, strip_command: bool = False) -> ExtractedClaim:
    raw = message.text or message.caption or ""
    if strip_command and raw.startswith("/"):
        raw = raw.split(maxsplit=1)[1] if len(raw.split(maxsplit=1)) > 1 else ""
    links = []  # the links the message marks (a text link's target, a recognised URL)
    for entity, value in entity_values(message, (MessageEntity.TEXT_LINK, MessageEntity.URL)):
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            links.append(entity.url)
        elif entity.type == MessageEntity.URL:
            links.append(value)
    text, urls = claims.received(raw, links)  # what is stored: bounded, clean
    return ExtractedClaim(text, urls)


def entity_values(message: Message, types: Sequence[str]) -> list[tuple[MessageEntity, str]]:
    """The text or caption entities of `types` with the text they cover.

    Unlike `Message.parse_entities` this never raises: an entity whose offsets split a
    UTF-16 surrogate pair (an emoji) or run past the text is read as far as it can be.
    """
    body = message.text if message.text is not None else message.caption
    entities = message.entities if message.text is not None else message.caption_entities
    if not body:
        return []
    encoded = body.encode("utf-16-le", "surrogatepass")  # a lone surrogate must not raise
    found = []
    for entity in entities:
        if entity.type in types:
            start, end = 2 * max(entity.offset, 0), 2 * max(entity.offset + entity.length, 0)
            found.append((entity, encoded[start:end].decode("utf-16-le", errors="replace")))
    return found
