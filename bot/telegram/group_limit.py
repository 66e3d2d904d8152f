"""The one limit on what the bot says in a group: at most GROUP_MESSAGES_PER_MINUTE
messages per group, then quiet until the minute has passed.

Every group answer (/cek, mentions, the automatic check, /pengaturan) goes out through
`send_to_group`. Below Telegram's own per-group limit (about 20 a minute), a flood in one
group never makes the bot queue answers there or hold up other chats: past the limit it
simply stays quiet. This is the only per-group limit: the Bot API rate limiter in faults.py
keeps only the bot's overall rate (and waits out a 429 Telegram sends anyway). The limiter,
per group chat id, is `Runtime.group_limiter`.
"""

from __future__ import annotations

import logging

from telegram import Message, ReplyParameters
from telegram.ext import ContextTypes

from bot.replies.render import Reply
from bot.telegram.keyboards import markup
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

#: Messages the bot sends per group per minute; Telegram allows about 20.
GROUP_MESSAGES_PER_MINUTE = 15


async def send_to_group(
    context: Context,
    message: Message,
    reply: Reply,
    *,
    reply_to: Message | None = None,
) -> Message | None:
    """Reply in the message's chat and topic, within the group's rate limit (else quiet)."""
    if not runtime(context).group_limiter.allow(message.chat_id):
        log.debug("group %s over its rate limit: quiet", message.chat_id)
        return None
    target = reply_to or message
    return await message.reply_text(
        reply.text,
        reply_markup=markup(reply.keyboard),
        reply_parameters=ReplyParameters(target.message_id, allow_sending_without_reply=True),
    )
