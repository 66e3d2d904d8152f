"""Buttons under citizens' answers and groups' settings: the press taken, and the message it
was pressed on edited unless it already shows the new content.

A press is decoded and checked against the keyboard of the message it came with, and the
presser's language found, once for every such button (`take_press`). A double tap, or a
press on an answer already edited, would otherwise send an edit that Telegram refuses
("message is not modified"): `edit_unless_shown` is the one way to do it for every button;
moderators' buttons (their ✅/✖️ previews) use it too.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from dataclasses import dataclass

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.replies import callbacks
from bot.replies.render import Keyboard
from bot.replies.texts import DEFAULT_LANGUAGE, text
from bot.telegram.keyboards import markup, pressed_on_its_message
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Press:
    """A press on one of the buttons its message shows, and who pressed it."""

    query: CallbackQuery
    pressed: callbacks.Pressed
    user_hash: str  # the presser, hashed once for this update
    language: str


async def take_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kinds: Container[callbacks.Kind]
) -> Press | None:
    """The press behind a button handler when its data is of one of `kinds` and is a button
    of the message it was pressed on; otherwise (forged, or a keyboard since replaced) the
    presser hears the button is stale, and None."""
    query = update.callback_query
    if query is None:
        return None
    rt = runtime(context)
    user_hash = rt.user_hash(query.from_user.id)
    language = rt.core.language(user_hash) or DEFAULT_LANGUAGE
    pressed = callbacks.decode(query.data)
    if pressed is None or pressed.kind not in kinds or not pressed_on_its_message(query):
        await query.answer(text(language, "ack_stale"))
        return None
    return Press(query, pressed, user_hash, language)


async def edit_unless_shown(query: CallbackQuery, body: str, keyboard: Keyboard = ()) -> bool:
    """Show `body` (and `keyboard`) in place of the pressed message; False if skipped.

    Every keyboard names what its message shows (a claim and a statement), so an identical
    keyboard means the message already shows this. A refusal that slips through anyway
    (two presses racing, both carrying the message as it was) is only logged; a caller
    that knows the press changed nothing (a group's settings) does not edit at all.
    """
    shown, wanted = query.message, markup(keyboard)
    if isinstance(shown, Message) and shown.reply_markup == wanted:
        log.debug("edit skipped: the message already shows this")
        return False
    try:
        await query.edit_message_text(body, reply_markup=wanted)
    except BadRequest as exc:  # "message is not modified" when two presses race
        log.debug("edit skipped: %s", exc)
        return False
    return True
