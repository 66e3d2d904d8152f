"""What every moderator handler shares: the one rights check, a command's arguments, the
conversation state, and the preview with ✅/✖️ before anything is saved (what these show
is bot/replies/moderators.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from functools import wraps
from typing import Any

from telegram import (
    CallbackQuery,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.ext import ContextTypes, ConversationHandler

from bot import moderating
from bot.curation import Curation, moderator_actor
from bot.replies import callbacks
from bot.replies.moderators import confirmed
from bot.replies.render import Reply
from bot.replies.texts import text
from bot.telegram.buttons import edit_unless_shown
from bot.telegram.keyboards import markup, pressed_on_its_message
from bot.telegram.keys import MODERATOR_DRAFT, MODERATOR_EDIT
from bot.telegram.runtime import Runtime, runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, Any]]


def curation(context: Context) -> Curation:
    return runtime(context).curation


def actor(user: User | None) -> str:
    assert user is not None  # guarded handlers only run for a known user
    return moderator_actor(user.id)


def may(rt: Runtime, user: User | None, *, admin: bool = False) -> bool:
    """The one rights check: admins come from MODERATOR_IDS, moderators also from /tambahmod."""
    if user is None:
        return False
    return rt.curation.is_admin(user.id) if admin else rt.curation.is_moderator(user.id)


def _guard(*, admin: bool) -> Callable[[Handler], Handler]:
    def decorate(func: Handler) -> Handler:
        @wraps(func)
        async def wrapper(update: Update, context: Context) -> Any:
            rt = runtime(context)
            user = update.effective_user
            if not may(rt, user, admin=admin):
                who = rt.user_hash(user.id)[:12] if user else "?"
                log.warning("refused %s for user %s", func.__name__, who)
                if user is not None and context.user_data is not None:
                    context.user_data.pop(MODERATOR_DRAFT, None)  # rights removed mid-way:
                    context.user_data.pop(MODERATOR_EDIT, None)  # the draft goes too
                if update.callback_query is not None:
                    await update.callback_query.answer(text("id", "mod_refused"))
                elif update.effective_message is not None:
                    key = "admin_refused" if admin else "mod_refused"
                    await update.effective_message.reply_text(text(rt.language(user), key))
                return ConversationHandler.END
            query = update.callback_query
            if query is not None and not _own_private_button(query):
                await query.answer(text("id", "ack_stale"))
                return None  # a conversation stays where it was
            return await func(update, context)

        wrapper.guarded = True  # type: ignore[attr-defined]  # tests check every handler
        return wrapper

    return decorate


def _own_private_button(query: CallbackQuery) -> bool:
    """Moderators' buttons are only ever sent in their own private chat, and the data must
    be a button of the message it was pressed on: anything else is forged."""
    message = query.message
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.chat.id == query.from_user.id
        and pressed_on_its_message(query)
    )


moderator_only = _guard(admin=False)
admin_only = _guard(admin=True)


def pressed(update: Update) -> tuple[CallbackQuery, callbacks.Pressed | None]:
    """The press behind a button handler and its decoded data (None if malformed)."""
    query = update.callback_query
    assert query is not None  # registered as a CallbackQueryHandler
    return query, callbacks.decode(query.data)


def user_data(context: Context) -> dict[Any, Any]:
    """This user's conversation state (python-telegram-bot keeps one per user)."""
    assert context.user_data is not None  # every moderator update has a user
    return context.user_data


def command_args(context: Context) -> list[str]:
    return list(getattr(context, "args", None) or [])


Body = Callable[[Message, Context, list[str]], Coroutine[Any, Any, None]]


def command(count: int, usage: str, *, numeric: bool = False) -> Callable[[Body], Handler]:
    """A command of exactly `count` arguments (Telegram user ids if `numeric`: ASCII digits,
    1 up to SQLite's integer range): the body gets its message and the arguments; anything
    else is answered with the `usage` line."""

    def decorate(body: Body) -> Handler:
        @wraps(body)
        async def handler(update: Update, context: Context) -> None:
            message = update.effective_message
            assert message is not None  # registered for commands
            args = command_args(context)
            if moderating.arguments_fit(args, count, numeric=numeric):
                await body(message, context, args)
            else:
                await message.reply_text(text("id", usage))

        return handler

    return decorate


# ------------------------------------------------------------------------------ replies


async def say(message: Message, replies: Iterable[Reply]) -> None:
    """Send `replies` in order in the message's chat, each with its keyboard."""
    for reply in replies:
        await message.reply_text(reply.text, reply_markup=markup(reply.keyboard))


async def take_confirmed(update: Update, context: Context, key: str) -> tuple[CallbackQuery, Any]:
    """A ✅/✖️ press under a preview: the pending value under `key` taken out of this user's
    state, or None (and the preview replaced by "cancelled") unless ✅ was pressed on one."""
    query, found = pressed(update)
    pending = user_data(context).pop(key, None)
    await query.answer()
    if not confirmed(found) or pending is None:
        await edit_unless_shown(query, text("id", "cancelled"))
        return query, None
    return query, pending
