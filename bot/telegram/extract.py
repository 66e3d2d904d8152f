"""Take the claim out of a Telegram message: its text or caption, and any links in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Message, MessageEntity

from bot.domain import LONE_SURROGATE_RE
from bot.sources.urls import URL_IN_TEXT

MAX_CLAIM_CHARS = 20_000  # beyond this nothing helps matching; the rest is dropped


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    text: str  # "" when the message carries no readable text
    urls: tuple[str, ...]


def extract_claim(message: Message, *, strip_command: bool = False) -> ExtractedClaim:
    raw = message.text or message.caption or ""
    if strip_command and raw.startswith("/"):
        raw = raw.split(maxsplit=1)[1] if len(raw.split(maxsplit=1)) > 1 else ""
    # NUL and lone surrogates (a JSON "\\ud800" escape is no character) cannot be stored
    raw = LONE_SURROGATE_RE.sub("\ufffd", raw.replace("\x00", " ")[:MAX_CLAIM_CHARS])
    urls = list(URL_IN_TEXT.findall(raw))
    for entity, value in entity_values(message, (MessageEntity.TEXT_LINK, MessageEntity.URL)):
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            urls.append(entity.url)
        elif entity.type == MessageEntity.URL:
            urls.append(value)
    return ExtractedClaim(
        text=raw.strip(),
        urls=tuple(dict.fromkeys(u.rstrip(".,)") for u in urls)),
    )


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
