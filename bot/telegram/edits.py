"""Edit the message a button was pressed on, unless it already shows the new content.

A double tap, or a press on an answer already edited, would otherwise send an edit that
Telegram refuses ("message is not modified"). The one way to do it for every button;
moderators' buttons can use it too.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message
from telegram.error import BadRequest

from bot.replies.reply import Keyboard
from bot.telegram.keyboards import markup

log = logging.getLogger(__name__)


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
