"""The command menus Telegram shows: citizens' everywhere, moderators' in their own chats,
members' and admins' in groups.

A neutral module, so the wiring (app.py) and the role changes (moderation/roles.py) share
the lists without importing each other.
"""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats
from telegram.ext import Application

from bot.replies.texts import CATALOGUES, text

#: Commands citizens see, in the order Telegram's menu shows them.
CITIZEN_COMMANDS = ("start", "cek", "bantuan", "tentang", "bahasa", "berhenti")
MOD_COMMANDS = (
    "tambah", "batal", "lihat", "cari", "ubah", "arsip", "ganti", "riwayat", "antrean",
    "tautkan", "statistik", "draf",
)  # fmt: skip
ADMIN_COMMANDS = ("tambahmod", "hapusmod")
#: Group commands, as Telegram's menu shows them; admins also see /pengaturan.
GROUP_COMMANDS = ("cek", "bantuan")
ADMIN_GROUP_COMMANDS = ("cek", "pengaturan", "bantuan")


def bot_commands(language: str) -> list[BotCommand]:
    catalogue = CATALOGUES[language]
    return [BotCommand(name, catalogue[f"cmd_{name}"]) for name in CITIZEN_COMMANDS]


def moderator_commands() -> list[BotCommand]:
    """The citizen list first, then every moderator and admin command (in Indonesian)."""
    catalogue = CATALOGUES["id"]
    return [
        *bot_commands("id"),
        *(BotCommand(name, catalogue[f"cmd_{name}"]) for name in (*MOD_COMMANDS, *ADMIN_COMMANDS)),
    ]


def group_bot_commands(language: str, *, admins: bool = False) -> list[BotCommand]:
    names = ADMIN_GROUP_COMMANDS if admins else GROUP_COMMANDS
    return [BotCommand(name, text(language, f"cmd_{name}")) for name in names]


async def set_group_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu in groups (call from post_init): members see /cek and /bantuan,
    admins also /pengaturan."""
    for language, code in (("id", None), ("en", "en")):
        await app.bot.set_my_commands(
            group_bot_commands(language), scope=BotCommandScopeAllGroupChats(), language_code=code
        )
        await app.bot.set_my_commands(
            group_bot_commands(language, admins=True),
            scope=BotCommandScopeAllChatAdministrators(),
            language_code=code,
        )
