"""What every handler reads first: the bot's runtime state, who sent an update, and the
claim in its message.

The runtime is one typed object, reached through `runtime(context)`, and the only thing the
bot keeps in `bot_data` (under RUNTIME_KEY): every limiter, task and service the handlers
share is a typed field here, not a loose key. `Runtime.asker` names the sender as the use
cases do (hashed once, with their language); `extract_claim` reads a message's text and
links, made storable by `bot.claims.received`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Message, MessageEntity, Update, User
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext

from bot import claims
from bot.core import Core
from bot.curation import Curation
from bot.domain import Media
from bot.images.library import KnownPictures
from bot.images.worker import OcrWorker
from bot.ratelimit import RateLimiter
from bot.replies.texts import DEFAULT_LANGUAGE
from bot.settings import Settings
from bot.site.publisher import Publisher
from bot.sources.fetch import FetchPolicy

if TYPE_CHECKING:
    import tornado.httpserver

RUNTIME_KEY = "cekklaim"


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


def media_in(message: Message) -> Media | None:
    """The voice note, audio, video, round video or document a message carries, as the use
    cases name it (photos are not files here); None for anything else or a malformed id."""
    carried = (
        ("voice", message.voice),
        ("audio", message.audio),
        ("video", message.video),
        ("video_note", message.video_note),
        ("document", message.document),
    )
    for kind, item in carried:
        if item is None:
            continue
        fields = item.to_dict()  # seconds as Telegram sent them (PTB 22 warns on .duration)
        duration = fields.get("duration")
        mime = fields.get("mime_type")
        try:
            return Media(
                kind,
                item.file_id,
                item.file_unique_id,
                int(duration) if isinstance(duration, int | float) else None,
                str(mime) if mime else None,
            )
        except ValueError:
            return None
    return None


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


@dataclass(frozen=True, slots=True)
class Asker:
    """Who sent a message, where, and in what language, as the use cases name them: the
    sender hashed once for the whole update."""

    message: Message
    user_hash: str
    chat_hash: str | None
    language: str
    private: bool  # a private chat with the bot (else a group)
    update_id: int

    def claim(self, text: str, urls: tuple[str, ...], channel: claims.Channel) -> claims.Claim:
        """What came in, for the claim use case."""
        return claims.Claim(text, urls, channel, self.user_hash, self.chat_hash, self.update_id)


@dataclass(slots=True)
class Runtime:
    settings: Settings
    core: Core
    limiter: RateLimiter  # per user id: updates a user may send a minute (handlers.py)
    group_limiter: RateLimiter  # per group chat id: messages the bot says there (group_limit.py)
    curation: Curation  # every moderator operation (bot/curation.py)
    fetch_policy: FetchPolicy  # how pages are fetched (citizens' links, /tambah URL, feeds)
    ocr: OcrWorker  # reads photos' text off the event loop (bot/images/worker.py)
    known_images: KnownPictures | None = None  # pictures tied to statements, looked up
    # before OCR (bot/photos.py check_photo)
    refresher: asyncio.Task[None] | None = None  # the background upkeep loop (app.py)
    feed_poll: asyncio.Task[None] | None = None  # the SOURCE_FEEDS poll running, if any
    #: the public pages kept in step with the base (PUBLIC_BASE_URL set; bot/site)
    publisher: Publisher | None = None
    serve_pages: bool = False  # long polling: serve them on WEBHOOK_LISTEN:WEBHOOK_PORT
    page_server: tornado.httpserver.HTTPServer | None = None

    def user_hash(self, user_id: int) -> str:
        """The keyed hash of a Telegram id: `Core.pseudonym`, the one place ids are hashed."""
        hashed = self.core.pseudonym(user_id)
        assert hashed is not None  # an id always has one
        return hashed

    def asker(self, update: Update) -> Asker | None:
        """The sender of `update`'s message (None without a message, sender or chat)."""
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return None
        user_hash = self.user_hash(user.id)
        chat_hash = user_hash if chat.id == user.id else self.core.pseudonym(chat.id)
        language = self.core.language(user_hash) or DEFAULT_LANGUAGE
        private = chat.type == ChatType.PRIVATE
        return Asker(message, user_hash, chat_hash, language, private, update.update_id)

    def language(self, user: User | None) -> str:
        if user is None:
            return DEFAULT_LANGUAGE
        return self.core.language(self.user_hash(user.id)) or DEFAULT_LANGUAGE


def runtime(context: CallbackContext) -> Runtime:  # type: ignore[type-arg]
    return runtime_of(context.application)


def runtime_of(app: Application) -> Runtime:  # type: ignore[type-arg]
    """The Runtime `build_application` stored (for code that holds the Application)."""
    value = app.bot_data[RUNTIME_KEY]
    assert isinstance(value, Runtime)
    return value
