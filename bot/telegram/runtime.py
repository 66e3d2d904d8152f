"""The bot's runtime state in one typed object, reached through `runtime(context)`.

It is the only thing the bot keeps in `bot_data` (under RUNTIME_KEY): every limiter, task
and service the handlers share is a typed field here, not a loose key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import User
from telegram.ext import Application, CallbackContext

from bot import citizens
from bot.core import Core
from bot.curation import Curation
from bot.replies.texts import DEFAULT_LANGUAGE
from bot.settings import Settings
from bot.telegram.ratelimit import RateLimiter

RUNTIME_KEY = "cekklaim"


@dataclass(slots=True)
class Runtime:
    settings: Settings
    core: Core
    limiter: RateLimiter  # per user id: updates a user may send a minute (handlers.py)
    group_limiter: RateLimiter  # per group chat id: messages the bot says there (group_limit.py)
    quality: str  # the measured-quality line shown by /tentang
    curation: Curation  # every moderator operation (bot/curation.py)
    refresher: asyncio.Task[None] | None = None  # the background upkeep loop (app.py)
    feed_poll: asyncio.Task[None] | None = None  # the SOURCE_FEEDS poll running, if any

    def user_hash(self, user_id: int) -> str:
        """The keyed hash of a Telegram id: `Core.pseudonym`, the one place ids are hashed."""
        hashed = self.core.pseudonym(user_id)
        assert hashed is not None  # an id always has one
        return hashed

    def language(self, user: User | None) -> str:
        if user is None:
            return DEFAULT_LANGUAGE
        return citizens.chosen_language(self.core, self.user_hash(user.id)) or DEFAULT_LANGUAGE


def runtime(context: CallbackContext) -> Runtime:  # type: ignore[type-arg]
    return runtime_of(context.application)


def runtime_of(app: Application) -> Runtime:  # type: ignore[type-arg]
    """The Runtime `build_application` stored (for code that holds the Application)."""
    value = app.bot_data[RUNTIME_KEY]
    assert isinstance(value, Runtime)
    return value
