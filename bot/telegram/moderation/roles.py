"""Who moderates: admins (MODERATOR_IDS) add and remove moderators; each moderator's own
chat shows the moderator commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, BotCommandScopeChat, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.replies.texts import text
from bot.telegram.menus import moderator_commands
from bot.telegram.moderation.common import (
    Context,
    actor,
    admin_only,
    command,
    command_args,
    curation,
)
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


async def _change(
    message: Message,
    context: Context,
    changed: bool,
    then: Callable[[Bot, int], Awaitable[None]],
    keys: tuple[str, str],
) -> None:
    """After /tambahmod or /hapusmod: the moderator's command menu set or reset (`then`) if
    the list `changed`, and the reply, `keys` as (changed, unchanged)."""
    user_id = int(command_args(context)[0])
    if changed:
        await then(context.bot, user_id)
    await message.reply_text(text("id", keys[0] if changed else keys[1], id=user_id))


@admin_only
@command(1, "usage_mod", numeric=True)
async def add_moderator(message: Message, context: Context, args: list[str]) -> None:
    """/tambahmod ID (admins only)."""
    added = curation(context).add_moderator(int(args[0]), actor=actor(message.from_user))
    await _change(message, context, added, set_moderator_commands, ("mod_added", "mod_exists"))


@admin_only
@command(1, "usage_mod", numeric=True)
async def remove_moderator(message: Message, context: Context, args: list[str]) -> None:
    """/hapusmod ID (admins only)."""
    removed = curation(context).remove_moderator(int(args[0]), actor=actor(message.from_user))
    keys = ("mod_removed", "mod_not_found")
    await _change(message, context, removed, _reset_moderator_commands, keys)


async def _reset_moderator_commands(bot: Bot, user_id: int) -> None:
    """A removed moderator's chat shows the citizen commands again."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.info("could not reset commands for a removed moderator")


async def set_moderator_commands(bot: Bot, user_id: int) -> None:
    """Moderator commands appear only in moderators' own chats (a chat-scoped command list)."""
    try:
        await bot.set_my_commands(moderator_commands(), scope=BotCommandScopeChat(user_id))
    except (BadRequest, Forbidden):  # a moderator who never opened the bot: no chat yet
        log.info("moderator commands not set for a chat the bot cannot reach yet")


async def set_all_moderator_commands(bot: Bot, rt: Runtime) -> None:
    """At start: every admin's and moderator's chat gets the moderator menu."""
    for user_id in rt.curation.everyone_moderating():
        await set_moderator_commands(bot, user_id)
