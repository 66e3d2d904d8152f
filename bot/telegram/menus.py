"""The command menus Telegram shows: citizens' everywhere, moderators' in their own chats,
members' and admins' in groups. Which commands, in what order and words:
bot/replies/commands.py.

A neutral module, so the wiring (app.py) and the role changes (moderation/roles.py) share
the lists without importing each other.
"""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats
from telegram.ext import Application

from bot.replies.commands import Menu, citizen_menu, group_menu, moderator_menu


def _commands(menu: Menu) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menu]


def bot_commands(language: str) -> list[BotCommand]:
    return _commands(citizen_menu(language))


def moderator_commands() -> list[BotCommand]:
    return _commands(moderator_menu())


async def set_group_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu in groups (call from post_init): members see /cek and /bantuan,
    admins also /pengaturan."""
    for language, code in (("id", None), ("en", "en")):
        await app.bot.set_my_commands(
            _commands(group_menu(language)),
            scope=BotCommandScopeAllGroupChats(),
            language_code=code,
        )
        await app.bot.set_my_commands(
            _commands(group_menu(language, admins=True)),
            scope=BotCommandScopeAllChatAdministrators(),
            language_code=code,
        )
