"""Build the python-telegram-bot Application and register every handler in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.core import Core
from bot.settings import Settings
from bot.telegram import feeds, handlers, moderation
from bot.telegram.concurrency import DEFAULT_CONCURRENT_UPDATES, OrderedUpdateProcessor
from bot.telegram.faults import BotApiLimiter
from bot.telegram.groups import register_group_handlers, set_group_commands
from bot.telegram.inbox import with_inbox
from bot.telegram.inline import register_inline_handlers
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.redact import redact_in_logs
from bot.telegram.runtime import RUNTIME_KEY, Runtime, runtime
from bot.telegram.texts import CATALOGUES, text
from bot.telegram.transport import AiohttpRequest
from storage.groups import purge_removed_groups

log = logging.getLogger(__name__)

#: Commands citizens see, in the order Telegram's menu shows them.
CITIZEN_COMMANDS = ("start", "cek", "bantuan", "tentang", "bahasa", "berhenti")
REFRESH_SECONDS = 3.0  # how soon a change made elsewhere (cekklaim import) reaches the bot
LIMIT_GROUP = -2  # the per-user limit: before the group handlers (-1) and all others
ALERT_EVERY_TICKS = 20  # fast-growing clusters are looked for once a minute
PURGE_EVERY_TICKS = 1200  # settings of groups that removed the bot long ago: hourly


def build_application(
    settings: Settings,
    core: Core,
    *,
    concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES,
    http: str = "aiohttp",
) -> Application:  # type: ignore[type-arg]
    """The Application `cekklaim run` starts; tests start the very same one.

    Updates are handled concurrently, in order per chat and per user
    (bot/telegram/concurrency.py); `concurrent_updates=1` handles one at a time. Bot API
    calls go through aiohttp (bot/telegram/transport.py); `http="httpx"` keeps PTB's
    default client (bench/throughput.py compares the two).
    """
    token = settings.require_bot_token()
    redact_in_logs(token)
    # httpx logs every request URL (with the token, redacted above): too chatty below WARNING
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    timeouts = {
        name: settings.bot_api_timeout_seconds
        for name in ("read_timeout", "write_timeout", "connect_timeout")
    }
    if http == "aiohttp":
        calls: BaseRequest = AiohttpRequest(64, **timeouts)
        updates: BaseRequest = AiohttpRequest(1, **timeouts)
    else:
        calls = HTTPXRequest(connection_pool_size=256, **timeouts)
        updates = HTTPXRequest(connection_pool_size=1, **timeouts)
    builder = (
        ApplicationBuilder()
        .request(calls)
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .rate_limiter(BotApiLimiter(settings.bot_api_max_rate))  # faults: bot/telegram/faults.py
        .concurrent_updates(OrderedUpdateProcessor(concurrent_updates))
    )
    app = with_inbox(builder, core.db, updates).build()  # no fetched update lost in a crash
    app.bot_data[RUNTIME_KEY] = Runtime(
        settings=settings,
        core=core,
        limiter=RateLimiter(settings.rate_limit_per_minute),
        quality=text("id", "quality"),
    )
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in order. Note: order matters, the first matching handler wins."""
    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE
    # first of all, in its own group: every message, command and button press counts
    # against its sender's per-minute limit; past it the update goes no further
    app.add_handler(TypeHandler(Update, handlers.per_user_limit), group=LIMIT_GROUP)
    # groups and inline mode live in handler group -1: they run first and stop the update
    register_group_handlers(app)
    register_inline_handlers(app)
    # moderators first in group 0: their conversation and buttons beat the citizen catch-alls
    moderation.register(app)
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler(["bantuan", "help"], handlers.help_command))
    app.add_handler(CommandHandler(["tentang", "about"], handlers.about))
    app.add_handler(CommandHandler(["bahasa", "language"], handlers.language))
    app.add_handler(CommandHandler("berhenti", handlers.stop_notifications))
    app.add_handler(CommandHandler(["cek", "check"], handlers.check_command))
    app.add_handler(CallbackQueryHandler(handlers.button))
    # after the known commands: anything else starting with "/" in a private chat
    app.add_handler(
        MessageHandler(private & new_message & filters.COMMAND, handlers.unknown_command)
    )
    app.add_handler(
        MessageHandler(
            private & new_message & (filters.TEXT | filters.CAPTION), handlers.private_message
        )
    )
    # last: stickers, voice notes, locations... in private chats
    app.add_handler(MessageHandler(private & new_message, handlers.unreadable))
    # an edited claim is checked again (edits without text, e.g. live locations, are not)
    app.add_handler(
        MessageHandler(
            private
            & filters.UpdateType.EDITED_MESSAGE
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND,
            handlers.edited_message,
        )
    )
    app.add_error_handler(handlers.on_error)


def bot_commands(language: str) -> list[BotCommand]:
    catalogue = CATALOGUES[language]
    return [BotCommand(name, catalogue[f"cmd_{name}"]) for name in CITIZEN_COMMANDS]


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot.set_my_commands(bot_commands("id"), scope=BotCommandScopeDefault())
    await app.bot.set_my_commands(
        bot_commands("en"), scope=BotCommandScopeDefault(), language_code="en"
    )
    await set_group_commands(app)
    await moderation.set_all_moderator_commands(app)
    app.bot_data["refresher"] = asyncio.create_task(_refresh_loop(app))


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    await feeds.stop(app)
    task = app.bot_data.pop("refresher", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _refresh_loop(app: Application) -> None:  # type: ignore[type-arg]
    """Background upkeep: pick up changes made elsewhere (cekklaim import) within seconds,
    notify citizens they answer, and announce fast-growing clusters to the moderators."""
    rt: Runtime = app.bot_data[RUNTIME_KEY]
    ticks = 0
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        ticks += 1
        try:
            if await rt.core.refresh_async():  # built off the loop; answers go on meanwhile
                log.info("statements changed: index rebuilt (%d)", len(rt.core.snapshot.statements))
                await moderation.notify_due(app.bot, rt)
            if ticks % ALERT_EVERY_TICKS == 0:
                await moderation.announce_fast_growing(app.bot, rt)
            if ticks % PURGE_EVERY_TICKS == 0:
                purge_removed_groups(rt.core.db)
            feeds.schedule(app, rt, ticks, REFRESH_SECONDS)  # SOURCE_FEEDS, own task
        except Exception:  # keep serving with the old index; try again next tick
            log.exception("background upkeep failed")


def run_bot(settings: Settings, core: Core) -> int:
    """Long polling by default; a webhook (with Telegram's secret token) when configured."""
    app = build_application(settings, core)
    if settings.webhook_url:
        from bot.telegram import webhook  # tornado only in webhook mode

        asyncio.run(webhook.serve(app, settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    core.close()  # after SIGTERM: in-flight updates finished, the WAL checkpointed
    return 0


__all__ = ["build_application", "register_handlers", "run_bot", "runtime"]
