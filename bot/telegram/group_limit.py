"""The one limit on what the bot says in a group: at most GROUP_MESSAGES_PER_MINUTE
messages per group, then quiet until the minute has passed.

Every group answer (/cek, mentions, the automatic check, /pengaturan) goes out through
`send_to_group`. Below Telegram's own per-group limit (about 20 a minute, which the Bot
API rate limiter in faults.py only waits out), a flood in one group never makes the bot
queue answers there or hold up other chats: past the limit it simply stays quiet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Message, ReplyParameters
from telegram.ext import ContextTypes

from bot.telegram.ratelimit import RateLimiter
from bot.telegram.render import Reply

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

GROUP_STATE_KEY = "cekklaim.groups"
#: Messages the bot sends per group per minute; Telegram allows about 20.
GROUP_MESSAGES_PER_MINUTE = 15


@dataclass(slots=True)
class GroupState:
    limiter: RateLimiter  # per group chat id: messages the bot sends there


def group_state(context: Context) -> GroupState:
    value = context.application.bot_data[GROUP_STATE_KEY]
    assert isinstance(value, GroupState)
    return value


async def send_to_group(
    context: Context,
    message: Message,
    reply: Reply,
    *,
    reply_to: Message | None = None,
) -> Message | None:
    """Reply in the message's chat and topic, within the group's rate limit (else quiet)."""
    if not group_state(context).limiter.allow(message.chat_id):
        log.debug("group %s over its rate limit: quiet", message.chat_id)
        return None
    target = reply_to or message
    return await message.reply_text(
        reply.text,
        reply_markup=reply.markup,
        reply_parameters=ReplyParameters(target.message_id, allow_sending_without_reply=True),
    )
