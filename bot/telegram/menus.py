"""The command menus Telegram shows: citizens' everywhere, moderators' in their own chats.

A neutral module, so the wiring (app.py) and the role changes (moderation/roles.py) share
the lists without importing each other.
"""

from __future__ import annotations

from telegram import BotCommand

from bot.replies.texts import CATALOGUES

#: Commands citizens see, in the order Telegram's menu shows them.
CITIZEN_COMMANDS = ("start", "cek", "bantuan", "tentang", "bahasa", "berhenti")
MOD_COMMANDS = (
    "tambah", "batal", "lihat", "cari", "ubah", "arsip", "ganti", "riwayat", "antrean",
    "tautkan", "statistik", "draf",
)  # fmt: skip
ADMIN_COMMANDS = ("tambahmod", "hapusmod")


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
