"""Who moderates: admins (MODERATOR_IDS) add and remove moderators; each moderator's own
chat shows the moderator commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    BotCommandScopeChat,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import moderating
from bot.replies.texts import text
from bot.telegram.menus import moderator_commands
from bot.telegram.moderation.common import (
    Context,
    actor,
    admin_only,
    command_args,
)
from bot.telegram.moderation.notify import curate
from bot.telegram.runtime import Runtime, runtime

log = logging.getLogger(__name__)


async def _change(
    message: Message,
    context: Context,
    user_id: int,
    changed: bool,
    then: Callable[[Bot, int], Awaitable[None]],
    keys: tuple[str, str],
) -> None:
    """After /tambahmod or /hapusmod: the moderator's command menu set or reset (`then`) if
    the list `changed`, and the reply, `keys` as (changed, unchanged)."""
    if changed:
        await then(context.bot, user_id)
    await message.reply_text(text("id", keys[0] if changed else keys[1], id=user_id))


def _replied_sender(message: Message) -> int | None:
    """The sender of the message this one replies to: the author of a forwarded message
    (0 when their account is hidden), or the person who wrote it (not the admin, not a bot)."""
    replied = message.reply_to_message
    if replied is None:
        return None
    origin = replied.forward_origin
    if isinstance(origin, MessageOriginUser):
        return None if origin.sender_user.is_bot else origin.sender_user.id
    if isinstance(origin, MessageOriginHiddenUser):
        return 0
    author = replied.from_user
    if origin is None and author is not None and not author.is_bot:
        return author.id if message.from_user is None or author.id != message.from_user.id else None
    return None


async def _target(update: Update, context: Context) -> tuple[Message, int | None]:
    """The command's message and whom it names: an id, or the sender of the message it
    replies to; None when neither (the usage line or the hidden account is said)."""
    message = update.effective_message
    assert message is not None  # registered for commands
    replied = _replied_sender(message)
    user_id = moderating.moderator_target(command_args(context), replied)
    if user_id is None:
        hidden = replied == 0 and not command_args(context)
        await message.reply_text(text("id", "mod_hidden" if hidden else "usage_mod"))
    return message, user_id


@admin_only
async def add_moderator(update: Update, context: Context) -> None:
    """/tambahmod ID, or as a reply to a (forwarded) message of the new moderator."""
    await _role(update, context, adding=True)


@admin_only
async def remove_moderator(update: Update, context: Context) -> None:
    """/hapusmod ID, or as a reply to a (forwarded) message of the moderator."""
    await _role(update, context, adding=False)


async def _role(update: Update, context: Context, *, adding: bool) -> None:
    """Add or remove the moderator the command names, then their command menu."""
    message, user_id = await _target(update, context)
    if user_id is None:
        return
    who = actor(message.from_user)
    if adding:
        done = await curate(runtime(context), lambda c: c.add_moderator(user_id, actor=who))
        await _change(message, context, user_id, done, set_moderator_commands,
                      ("mod_added", "mod_exists"))  # fmt: skip
    else:
        done = await curate(runtime(context), lambda c: c.remove_moderator(user_id, actor=who))
        await _change(message, context, user_id, done, _reset_moderator_commands,
                      ("mod_removed", "mod_not_found"))  # fmt: skip


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
