"""/pengaturan in a group: the automatic check and its sensitivity, for admins only.

Admin rights are asked of Telegram (getChatMember) on every command and button press,
never read from the message. Buttons: gs:a:1 / gs:a:0 (automatic check on/off),
gs:s:normal / gs:s:strict (sensitivity), through the codec (bot/replies/callbacks.py).
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import citizens
from bot.citizens import SENSITIVITIES, SENSITIVITY_NORMAL, SENSITIVITY_STRICT, GroupSettings
from bot.replies import callbacks
from bot.replies.callbacks import Arg
from bot.replies.reply import Button, Keyboard, Reply
from bot.replies.texts import text
from bot.telegram.edits import edit_unless_shown
from bot.telegram.group_limit import send_to_group
from bot.telegram.keyboards import pressed_on_its_message
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

CB_SETTINGS = "gs"
AUTO_CHECK = callbacks.declare("gs:a", Arg.WORD)
SENSITIVITY = callbacks.declare("gs:s", Arg.WORD)
_SETTING_VALUES = {AUTO_CHECK: ("0", "1"), SENSITIVITY: SENSITIVITIES}
ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


async def is_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Ask Telegram (getChatMember): the only source trusted for admin rights."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("getChatMember failed for a group: %s", exc)
        return False
    return member.status in ADMIN_STATUSES


def _settings_keyboard(settings: GroupSettings, language: str) -> Keyboard:
    auto = (
        Button(text(language, "btn_auto_off"), callback=callbacks.encode(AUTO_CHECK, "0"))
        if settings.auto_check
        else Button(text(language, "btn_auto_on"), callback=callbacks.encode(AUTO_CHECK, "1"))
    )
    other = SENSITIVITY_NORMAL if settings.sensitivity == SENSITIVITY_STRICT else SENSITIVITY_STRICT
    sensitivity = Button(
        text(language, f"btn_sensitivity_{other}"), callback=callbacks.encode(SENSITIVITY, other)
    )
    return ((auto,), (sensitivity,))


async def _bot_sees_forwards(context: Context, chat_id: int) -> bool:
    """Privacy mode hides forwarded posts unless the bot is an admin or privacy is off."""
    if context.bot.can_read_all_group_messages:
        return True
    return await is_admin(context, chat_id, context.bot.id)


async def settings_view(context: Context, settings: GroupSettings, language: str) -> Reply:
    body = text(
        language,
        "settings",
        auto=text(language, "settings_on" if settings.auto_check else "settings_off"),
        sensitivity=text(language, f"sensitivity_{settings.sensitivity}"),
    )
    if settings.auto_check and not await _bot_sees_forwards(context, settings.chat_id):
        body += text(language, "settings_need_access")
    return Reply(body, _settings_keyboard(settings, language))


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
    query = update.callback_query
    if query is None:
        return
    rt = runtime(context)
    user = query.from_user
    lang = rt.language(user)
    message = query.message
    pressed = callbacks.decode(query.data)
    if (
        pressed is None
        or pressed.kind not in _SETTING_VALUES
        or pressed.word(0) not in _SETTING_VALUES[pressed.kind]
        or not isinstance(message, Message)
        or message.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP)
        or not pressed_on_its_message(query)  # only ever on the settings message
    ):
        await query.answer(text(lang, "ack_stale"))
        return
    chat_id = message.chat.id
    if not await is_admin(context, chat_id, user.id):
        await query.answer(text(lang, "ack_settings_not_admin"), show_alert=True)
        return
    name = "a" if pressed.kind is AUTO_CHECK else "s"
    after, changed = citizens.change_group_setting(rt.core, chat_id, name, pressed.word(0))
    await query.answer(text(lang, "ack_settings_saved"))
    if not changed:
        return  # a double tap: the message already shows these settings
    view = await settings_view(context, after, lang)
    await edit_unless_shown(query, view.text, view.keyboard)
