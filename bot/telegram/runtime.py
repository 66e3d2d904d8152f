"""The bot's runtime state in one typed object, reached through `runtime(context)`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import User
from telegram.ext import CallbackContext

from bot.core import Core
from bot.curation import Curation
from bot.settings import Settings
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.texts import DEFAULT_LANGUAGE
from storage import hash_user_id
from storage.people import get_language

RUNTIME_KEY = "cekklaim"


@dataclass(slots=True)
class Runtime:
    settings: Settings
    core: Core
    limiter: RateLimiter
    quality: str  # the measured-quality line shown by /tentang
    curation: Curation  # every moderator operation (bot/curation.py)
    refresher: asyncio.Task[None] | None = None  # the background upkeep loop (app.py)
    feed_poll: asyncio.Task[None] | None = None  # the SOURCE_FEEDS poll running, if any

    def user_hash(self, user_id: int) -> str:
        return hash_user_id(self.core.secret, user_id)

    def language(self, user: User | None) -> str:
        if user is None:
            return DEFAULT_LANGUAGE
        chosen = get_language(self.core.db, self.user_hash(user.id))
        return chosen or DEFAULT_LANGUAGE


def runtime(context: CallbackContext) -> Runtime:  # type: ignore[type-arg]
    value = context.application.bot_data[RUNTIME_KEY]
    assert isinstance(value, Runtime)
    return value
