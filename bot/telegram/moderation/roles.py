"""Who moderates: admins (MODERATOR_IDS) add and remove moderators; each moderator's own
chat shows the moderator commands."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommandScopeChat, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.replies.texts import text
from bot.telegram.menus import moderator_commands
from bot.telegram.moderation.common import Context, actor, admin_only, arguments, curation
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


@admin_only
async def add_moderator(update: Update, context: Context) -> None:
    """/tambahmod ID (admins only)."""
    message = update.effective_message
    assert message is not None
    args = await arguments(update, context, 1, "usage_mod", numeric=True)
    if args is None:
        return
    user_id = int(args[0])
    added = curation(context).add_moderator(user_id, actor=actor(update.effective_user))
    if added:
        await set_moderator_commands(context.bot, user_id)
    await message.reply_text(text("id", "mod_added" if added else "mod_exists", id=user_id))


@admin_only
async def remove_moderator(update: Update, context: Context) -> None:
    """/hapusmod ID (admins only)."""
    message = update.effective_message
    assert message is not None
    args = await arguments(update, context, 1, "usage_mod", numeric=True)
    if args is None:
        return
    user_id = int(args[0])
    removed = curation(context).remove_moderator(user_id, actor=actor(update.effective_user))
    if removed:
        try:
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError:
            log.info("could not reset commands for a removed moderator")
    await message.reply_text(text("id", "mod_removed" if removed else "mod_not_found", id=user_id))


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
