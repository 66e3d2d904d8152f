"""The command menus Telegram shows: citizens' everywhere, moderators' in their own chats,
members' and admins' in groups. Which commands, in what order and words:
bot/replies/commands.py.

A neutral module, so the wiring (app.py) and the role changes (moderation/roles.py) share
the lists without importing each other.
"""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
)

from bot.replies.commands import Menu, citizen_menu, group_menu, moderator_menu


def _commands(menu: Menu) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menu]


def moderator_commands() -> list[BotCommand]:
    return _commands(moderator_menu())


async def set_menus(bot: Bot) -> None:
    """Every menu but the moderators' (call from post_init), in Indonesian and for English
    clients in English: citizens' everywhere; in groups members see /cek and /bantuan,
    admins also /pengaturan."""
    for language, code in (("id", None), ("en", "en")):
        menus = (
            (citizen_menu(language), BotCommandScopeDefault()),
            (group_menu(language), BotCommandScopeAllGroupChats()),
            (group_menu(language, admins=True), BotCommandScopeAllChatAdministrators()),
        )
        for menu, scope in menus:
            await bot.set_my_commands(_commands(menu), scope=scope, language_code=code)
