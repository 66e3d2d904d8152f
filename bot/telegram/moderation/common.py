"""What every moderator handler shares: the one rights check, its buttons, bounded replies
quoting the moderator's input, and the preview with ✅/✖️ before anything is saved."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Coroutine
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

from bot.curation import Curation, Statement, StatementInput, moderator_actor
from bot.replies import callbacks, render
from bot.replies.callbacks import Arg
from bot.replies.reply import Button, Keyboard
from bot.replies.texts import text
from bot.telegram.keyboards import markup, pressed_on_its_message
from bot.telegram.keys import MODERATOR_DRAFT, MODERATOR_EDIT
from bot.telegram.runtime import Runtime, runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, Any]]

ECHO_LIMIT = 300  # characters of a moderator's input quoted back in a reply
PRE_LIMIT = 3600  # a <pre> report is cut to stay under Telegram's 4096 with a hint below
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")  # positive, and well inside SQLite's 64-bit integers

# Moderators' buttons. The data already sent in chats ("q:a:c12", "sd:d:5", "v:HOAKS",
# "t:ok", "e:no") keeps its shape: these declarations decode it.
QUEUE_ADD = callbacks.declare("q:a", Arg.WORD)  # ➕ under /antrean: /tambah for a cluster
QUEUE_DISMISS = callbacks.declare("q:d", Arg.WORD)  # 🗑 under /antrean
DRAFT_ADD = callbacks.declare("sd:a", Arg.ID)  # ➕ under /draf: /tambah from a source draft
DRAFT_DISMISS = callbacks.declare("sd:d", Arg.ID)  # 🗑 under /draf
VERDICT = callbacks.declare("v", Arg.WORD)  # a verdict while /tambah asks for it
SAVE_NEW = callbacks.declare("t", Arg.WORD)  # t:ok / t:no under a /tambah preview
SAVE_EDIT = callbacks.declare("e", Arg.WORD)  # e:ok / e:no under an /ubah preview
OK, NO = "ok", "no"


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


# ------------------------------------------------------------------------------ replies


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A moderator's own input (an id, a value, an error naming it) quoted back: escaped
    and bounded, so the reply stays within Telegram's limit whatever was typed."""
    return html.escape(render.shorten(str(value), limit))


def echo_lines(lines: list[str]) -> str:
    return "\n".join(echo(line) for line in lines[:10])


def pre(body: str) -> str:
    """A plain-text report as a <pre> block, cut by lines to stay under Telegram's limit."""
    if render.units(body) > PRE_LIMIT:  # as Telegram counts: an emoji is 2 units
        while render.units(body) > PRE_LIMIT:
            body = body[: len(body) * PRE_LIMIT // render.units(body)]
        body = body.rsplit("\n", 1)[0] + "\n…"
    return f"<pre>{html.escape(body)}</pre>"


def command_args(context: Context) -> list[str]:
    return list(getattr(context, "args", None) or [])


async def arguments(
    update: Update, context: Context, count: int, usage: str, *, numeric: bool = False
) -> list[str] | None:
    """The command's arguments when there are exactly `count` (Telegram user ids if
    `numeric`: ASCII digits, 1 up to SQLite's integer range); otherwise the usage line is
    sent and None returned."""
    args = command_args(context)
    if len(args) == count and (not numeric or all(_USER_ID.fullmatch(a) for a in args)):
        return args
    if update.effective_message is not None:
        await update.effective_message.reply_text(text("id", usage))
    return None


# ------------------------------------------------------------------------------ preview


def as_statement(data: StatementInput) -> Statement:
    """An unsaved statement, to render exactly as citizens will see it."""
    return Statement(
        id=0, external_id=data.external_id, org=data.org, verdict=data.verdict, claim=data.claim,
        clarification=data.clarification, source_url=data.source_url,
        source_title=data.source_title, published_at=data.published_at,
        valid_until=data.valid_until, superseded_by=None, status="active", created_by=None,
        created_at="", updated_at="", variants=data.variants,
    )  # fmt: skip


def _confirm_keyboard(kind: callbacks.Kind) -> Keyboard:
    save = Button(text("id", "btn_save"), callback=callbacks.encode(kind, OK))
    cancel = Button(text("id", "btn_cancel"), callback=callbacks.encode(kind, NO))
    return ((save, cancel),)


async def preview(
    update: Update, data: StatementInput, header: str, confirm: callbacks.Kind
) -> None:
    """Header, the card as citizens will see it, then ✅/✖️ (buttons of kind `confirm`)."""
    message = update.effective_message
    assert message is not None
    card = render.statement_card(as_statement(data), "id")
    await message.reply_text(header)
    await message.reply_text(card.text, reply_markup=markup(card.keyboard))
    await message.reply_text("⬇️", reply_markup=markup(_confirm_keyboard(confirm)))


def confirmed(found: callbacks.Pressed | None) -> bool:
    """✅ was pressed (anything else under a preview cancels it)."""
    return found is not None and found.word(0) == OK


async def take_confirmed(update: Update, context: Context, key: str) -> tuple[CallbackQuery, Any]:
    """A ✅/✖️ press under a preview: the pending value under `key` taken out of this user's
    state, or None (and the preview replaced by "cancelled") unless ✅ was pressed on one."""
    query, found = pressed(update)
    pending = user_data(context).pop(key, None)
    await query.answer()
    if not confirmed(found) or pending is None:
        await edit_text(query, text("id", "cancelled"))
        return query, None
    return query, pending


async def edit_text(query: CallbackQuery, body: str) -> None:
    """Replace the ✅/✖️ message with the outcome, unless it already shows it (a second
    press on an answered preview would be refused by Telegram as "not modified")."""
    shown = query.message
    if isinstance(shown, Message) and shown.reply_markup is None and shown.text_html == body:
        return
    await query.edit_message_text(body)
