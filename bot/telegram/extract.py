"""Take the claim out of a Telegram message: its text or caption, and any links in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, MessageEntity

MAX_CLAIM_CHARS = 20_000  # beyond this nothing helps matching; the rest is dropped
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    text: str  # "" when the message carries no readable text
    urls: tuple[str, ...]
    forwarded: bool


def extract_claim(message: Message, *, strip_command: bool = False) -> ExtractedClaim:
    raw = message.text or message.caption or ""
    if strip_command and raw.startswith("/"):
        raw = raw.split(maxsplit=1)[1] if len(raw.split(maxsplit=1)) > 1 else ""
    raw = raw.replace("\x00", " ")[:MAX_CLAIM_CHARS]
    urls = list(_URL.findall(raw))
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, value in entities.items():
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            urls.append(entity.url)
        elif entity.type == MessageEntity.URL:
            urls.append(value)
    return ExtractedClaim(
        text=raw.strip(),
        urls=tuple(dict.fromkeys(u.rstrip(".,)") for u in urls)),
        forwarded=message.forward_origin is not None,
    )
