"""Build the python-telegram-bot Application and register every handler in one place."""

from __future__ import annotations

import asyncio
import functools
import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import upkeep
from bot.botapi.concurrency import DEFAULT_CONCURRENT_UPDATES, OrderedUpdateProcessor
from bot.botapi.faults import BotApiLimiter
from bot.botapi.inbox import with_inbox
from bot.botapi.transport import AiohttpRequest
from bot.core import Core
from bot.curation import Curation
from bot.images.library import KnownPictures
from bot.images.worker import OcrWorker
from bot.indexing import database_file
from bot.ratelimit import RateLimiter
from bot.redact import redact_in_logs
from bot.replies import moderators as mr
from bot.replies.callbacks import pattern
from bot.replies.group_settings import CB_SETTINGS
from bot.settings import Settings
from bot.site.publisher import Publisher, site_dir_for
from bot.sources.fetch import policy_from
from bot.telegram import feeds, group_limit, group_settings, groups, handlers, inline, menus
from bot.telegram.moderation import adding, notify, pictures, queue, roles, statements
from bot.telegram.runtime import RUNTIME_KEY, Runtime, runtime, runtime_of

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
LIMIT_GROUP = -2  # the per-user limit: before the group handlers (-1) and all others


def build_application(
    settings: Settings,
    core: Core,
    *,
    concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES,
    http: str = "aiohttp",
) -> Application:  # type: ignore[type-arg]
    """The Application `cekklaim run` starts; tests start the very same one.

    Updates are handled concurrently, in order per chat and per user
    (bot/botapi/concurrency.py); `concurrent_updates=1` handles one at a time. Bot API
    calls go through aiohttp (bot/botapi/transport.py); `http="httpx"` keeps PTB's
    default client (bench/throughput.py compares the two).
    """
    token = settings.require_bot_token()
    redact_in_logs(token)
    # httpx logs every request URL (with the token, redacted above): too chatty below WARNING
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    t = settings.bot_api_timeout_seconds
    if http == "aiohttp":
        calls: BaseRequest = AiohttpRequest(64, read_timeout=t, write_timeout=t, connect_timeout=t)
        updates: BaseRequest = AiohttpRequest(1, read_timeout=t, write_timeout=t, connect_timeout=t)
    else:
        calls = HTTPXRequest(
            connection_pool_size=256, read_timeout=t, write_timeout=t, connect_timeout=t
        )
        updates = HTTPXRequest(
            connection_pool_size=1, read_timeout=t, write_timeout=t, connect_timeout=t
        )
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
        .rate_limiter(BotApiLimiter(settings.bot_api_max_rate))  # faults: bot/botapi/faults.py
        .concurrent_updates(OrderedUpdateProcessor(concurrent_updates))
    )
    # the inbox: no fetched update is lost in a crash (CEKKLAIM_INBOX=0 turns it off)
    app = with_inbox(builder, core.db, updates, enabled=settings.inbox).build()
    # the one thing kept in bot_data: every handler reaches it through runtime(context)
    app.bot_data[RUNTIME_KEY] = Runtime(
        settings=settings,
        core=core,
        limiter=RateLimiter(settings.rate_limit_per_minute),
        group_limiter=RateLimiter(group_limit.GROUP_MESSAGES_PER_MINUTE),
        curation=Curation(core.db, settings.moderator_ids),
        fetch_policy=policy_from(settings),
        publisher=_publisher(settings, core),
        ocr=OcrWorker(),
        known_images=KnownPictures(),
    )
    register_handlers(app)
    return app


def _publisher(settings: Settings, core: Core) -> Publisher | None:
    """The public pages beside the database, with PUBLIC_BASE_URL (not for :memory:)."""
    path = database_file(core.db)
    if settings.public_base_url is None or path is None:
        return None
    return Publisher(path, site_dir_for(path), settings.public_base_url)


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in order, top to bottom. Note: order matters, the first matching
    handler of a group wins, and lower groups run first."""
    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE
    text_input = private & new_message & filters.TEXT & ~filters.COMMAND
    picture_input = private & new_message & (filters.PHOTO | filters.Document.IMAGE)
    forwarded_post = filters.TEXT | filters.CAPTION | filters.PHOTO | filters.Document.IMAGE

    # 1. first of all, in its own group: every message, command and button press counts
    # against its sender's per-minute limit; past it the update goes no further
    app.add_handler(TypeHandler(Update, handlers.per_user_limit), group=LIMIT_GROUP)

    # 2. groups and inline mode, in group -1: they run before the private handlers, and a
    # group command stops there, so group 0 never answers the same update again
    any_group = filters.ChatType.GROUPS & filters.UpdateType.MESSAGES  # edited /cek too
    in_group = filters.ChatType.GROUPS & new_message
    app.add_handlers(
        [
            CommandHandler(["cek", "check"], _stop_after(groups.check_command), filters=any_group),
            CommandHandler(
                ["pengaturan", "settings"],
                _stop_after(group_settings.settings_command),
                filters=any_group,
            ),
            CommandHandler(
                ["pengaturan", "settings"],
                _stop_after(group_settings.settings_private),
                filters=private & new_message,
            ),
            MessageHandler(
                in_group & groups.MENTIONS_BOT & ~filters.COMMAND, _stop_after(groups.mention)
            ),
            MessageHandler(in_group & filters.FORWARDED & forwarded_post, groups.auto_check),
            MessageHandler(filters.StatusUpdate.MIGRATE, groups.chat_migrated),
            ChatMemberHandler(groups.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
            CallbackQueryHandler(
                _stop_after(group_settings.settings_button),
                pattern=rf"^{CB_SETTINGS}:",
            ),
            InlineQueryHandler(inline.inline_query),
            ChosenInlineResultHandler(inline.chosen_result),
        ],
        group=groups.GROUP,
    )

    # 3. moderators, first in group 0: their conversation and buttons beat the citizen
    # catch-alls below. Every moderator handler checks rights itself (moderation/common.py).
    with warnings.catch_warnings():
        # PTB warns that button presses are tracked per chat and user, not per message:
        # exactly what a one-draft-at-a-time conversation wants.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        tambah = ConversationHandler(
            entry_points=[
                CommandHandler("tambah", adding.add_start, filters=private),
                CallbackQueryHandler(adding.add_from_queue, pattern=pattern(mr.QUEUE_ADD)),
                CallbackQueryHandler(adding.add_from_source_draft, pattern=pattern(mr.DRAFT_ADD)),
            ],
            states={
                # new messages only: an edited earlier answer must not fill the field asked now
                # ✔️ keeps a pre-filled value shown with the question
                # a photo at any step: the picture the statement answers (kept with the draft)
                **{
                    step: [
                        CallbackQueryHandler(adding.add_keep_button, pattern=pattern(mr.KEEP)),
                        MessageHandler(text_input, adding.add_step),
                        MessageHandler(picture_input, adding.add_picture),
                    ]
                    for step in adding.STEPS.values()
                },
                adding.STEPS["verdict"]: [
                    CallbackQueryHandler(adding.add_verdict_button, pattern=pattern(mr.VERDICT)),
                    CallbackQueryHandler(adding.add_keep_button, pattern=pattern(mr.KEEP)),
                    MessageHandler(text_input, adding.add_step),
                    MessageHandler(picture_input, adding.add_picture),
                ],
                adding.CONFIRM: [
                    CallbackQueryHandler(adding.add_confirm, pattern=pattern(mr.SAVE_NEW)),
                    MessageHandler(text_input, adding.add_edit_field),
                    MessageHandler(picture_input, adding.add_picture),
                ],
            },
            fallbacks=[CommandHandler("batal", adding.cancel)],
            allow_reentry=True,
        )
    app.add_handlers(
        [
            tambah,
            CommandHandler("batal", adding.cancel, filters=private),
            CommandHandler("lihat", statements.show, filters=private),
            CommandHandler("cari", statements.search, filters=private),
            CommandHandler("ubah", statements.edit, filters=private),
            CallbackQueryHandler(statements.edit_confirm, pattern=pattern(mr.SAVE_EDIT)),
            CommandHandler("arsip", statements.retire, filters=private),
            CommandHandler("ganti", statements.supersede, filters=private),
            CommandHandler("riwayat", statements.history, filters=private),
            CommandHandler("gambar", pictures.attach, filters=private),
            CommandHandler("hapusgambar", pictures.detach, filters=private),
            CommandHandler("antrean", queue.queue, filters=private),
            CallbackQueryHandler(queue.queue_dismiss, pattern=pattern(mr.QUEUE_DISMISS)),
            CommandHandler("tautkan", queue.link, filters=private),
            CommandHandler("fotoklaim", queue.show_image, filters=private),
            CommandHandler("statistik", queue.statistics, filters=private),
            CommandHandler("draf", queue.source_drafts, filters=private),
            CallbackQueryHandler(queue.source_draft_dismiss, pattern=pattern(mr.DRAFT_DISMISS)),
            CommandHandler("tambahmod", roles.add_moderator, filters=private),
            CommandHandler("hapusmod", roles.remove_moderator, filters=private),
        ]
    )

    # 4. citizens in private chats
    app.add_handlers(
        [
            CommandHandler("start", handlers.start),
            CommandHandler(["bantuan", "help"], handlers.help_command),
            CommandHandler(["tentang", "about"], handlers.about),
            CommandHandler(["bahasa", "language"], handlers.language),
            CommandHandler("berhenti", handlers.stop_notifications),
            CommandHandler(["cek", "check"], handlers.check_command),
            CallbackQueryHandler(handlers.button),
            # after the known commands: anything else starting with "/" in a private chat
            MessageHandler(private & new_message & filters.COMMAND, handlers.unknown_command),
            MessageHandler(
                private & new_message & (filters.TEXT | filters.CAPTION), handlers.private_message
            ),
            # last: stickers, voice notes, locations... in private chats
            MessageHandler(private & new_message, handlers.unreadable),
            # an edited claim is checked again (edits without text, e.g. live locations, are not)
            MessageHandler(
                private
                & filters.UpdateType.EDITED_MESSAGE
                & (filters.TEXT | filters.CAPTION)
                & ~filters.COMMAND,
                handlers.edited_message,
            ),
        ]
    )
    app.add_error_handler(handlers.on_error)


def _stop_after(handler: Callback) -> Callback:
    """Run `handler`, then stop: group 0 must not answer the same update again.

    An exception goes to the application's error handlers first (as it would unwrapped).
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as exc:
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop

    return wrapper


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    rt = runtime_of(app)
    await menus.set_menus(app.bot)
    await roles.set_all_moderator_commands(app.bot, rt)
    if rt.publisher is not None:
        rt.publisher.bot_username = app.bot.username  # the pages' deep links
    if rt.serve_pages and rt.publisher is not None:
        from bot.telegram import webhook  # tornado only when there is a server

        rt.page_server = webhook.serve_pages(app, rt.settings, rt.publisher.out_dir)
    rt.core.checkpoint_off_loop()
    rt.core.commit_off_loop()
    rt.refresher = asyncio.create_task(_refresh_loop(app))


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    rt = runtime_of(app)
    await feeds.stop(rt)
    rt.ocr.close()
    task, rt.refresher = rt.refresher, None
    await upkeep.cancel(task)
    rt.core.commit_off_loop(False)  # what was written is committed first
    rt.core.checkpoint_off_loop(False)
    if rt.page_server is not None:
        rt.page_server.stop()
    if rt.publisher is not None:
        await rt.publisher.close()


async def _refresh_loop(app: Application) -> None:  # type: ignore[type-arg]
    """Background upkeep (bot/upkeep.py runs the ticks and decides what is due); what it
    does here: citizens told when the base now answers them, fast-growing clusters
    announced, feeds polled in their own task."""
    rt = runtime_of(app)
    await upkeep.run(
        rt.core,
        feed_minutes=rt.settings.feed_poll_minutes if rt.settings.source_feeds else None,
        changed=lambda: notify.notify_due(app.bot, rt),
        alerts=lambda: notify.announce_fast_growing(app.bot, rt),
        feeds=lambda: feeds.start(app.bot, rt),  # SOURCE_FEEDS, own task
        site=rt.publisher,  # the public pages rewritten when the statements change
    )


def run_bot(settings: Settings, core: Core) -> int:
    """Long polling by default; a webhook (with Telegram's secret token) when configured."""
    app = build_application(settings, core)
    if settings.webhook_url:
        from bot.telegram import webhook  # tornado only in webhook mode

        asyncio.run(webhook.serve(app, settings))
    else:
        runtime_of(app).serve_pages = True  # the public pages (PUBLIC_BASE_URL), if any
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    core.close()  # after SIGTERM: in-flight updates finished, the WAL checkpointed
    return 0


__all__ = ["build_application", "register_handlers", "run_bot", "runtime"]
