"""/pengaturan in a group: the automatic check and its sensitivity, for admins only.

Admin rights are asked of Telegram (getChatMember) on every command and button press,
never read from the message. What the settings message shows, and its buttons' data:
bot/replies/group_settings.py."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import citizens
from bot.citizens import GroupSettings
from bot.replies.group_settings import SETTINGS, setting_pressed, settings_reply
from bot.replies.render import Reply
from bot.replies.texts import text
from bot.telegram.buttons import edit_unless_shown, take_press
from bot.telegram.group_limit import send_to_group
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


async def is_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Ask Telegram (getChatMember): the only source trusted for admin rights."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("getChatMember failed for a group: %s", exc)
        return False
    return member.status in ADMIN_STATUSES


async def _bot_sees_forwards(context: Context, chat_id: int) -> bool:
    """Privacy mode hides forwarded posts unless the bot is an admin or privacy is off."""
    if context.bot.can_read_all_group_messages:
        return True
    return await is_admin(context, chat_id, context.bot.id)


async def settings_view(context: Context, settings: GroupSettings, language: str) -> Reply:
    sees = not settings.auto_check or await _bot_sees_forwards(context, settings.chat_id)
    return settings_reply(settings, language, sees_forwards=sees)


async def settings_command(update: Update, context: Context) -> None:
    """/pengaturan in a group: admins get the settings, everyone else a polite refusal."""
    message = update.message  # not an edited one
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None:
        return
    rt = runtime(context)
    lang = rt.language(user)
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        await send_to_group(context, message, Reply(text(lang, "settings_anonymous")))
        return
    if not await is_admin(context, chat.id, user.id):
        await send_to_group(context, message, Reply(text(lang, "settings_not_admin")))
        return
    settings = citizens.open_group_settings(rt.core, chat.id)
    await send_to_group(context, message, await settings_view(context, settings, lang))


async def settings_private(update: Update, context: Context) -> None:
    """/pengaturan in a private chat: it is a group command."""
    message = update.effective_message
    if message is not None:
        lang = runtime(context).language(update.effective_user)
        await message.reply_text(text(lang, "settings_private"))


async def settings_button(update: Update, context: Context) -> None:
    """A settings button: admin rights are checked again, for whoever pressed it."""
    press = await take_press(update, context, SETTINGS)  # only on the settings message
    if press is None:
        return
    query, lang, message = press.query, press.language, press.query.message
    setting = setting_pressed(press.pressed)
    if (
        setting is None
        or not isinstance(message, Message)
        or message.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP)
    ):
        await query.answer(text(lang, "ack_stale"))
        return
    rt = runtime(context)
    chat_id = message.chat.id
    if not await is_admin(context, chat_id, query.from_user.id):
        await query.answer(text(lang, "ack_settings_not_admin"), show_alert=True)
        return
    after, changed = citizens.change_group_setting(rt.core, chat_id, *setting)
    await query.answer(text(lang, "ack_settings_saved"))
    if not changed:
        return  # a double tap: the message already shows these settings
    view = await settings_view(context, after, lang)
    await edit_unless_shown(query, view.text, view.keyboard)
