"""The command menus in words: which commands each kind of user sees, in the order the menu
shows them, each with its description from the catalogue. bot/telegram/menus.py hands them
to Telegram."""

from __future__ import annotations

from bot.replies.texts import text

#: Commands citizens see, in the order Telegram's menu shows them.
CITIZEN_COMMANDS = ("start", "cek", "bantuan", "tentang", "bahasa", "berhenti")
MOD_COMMANDS = (
    "tambah", "batal", "lihat", "cari", "ubah", "arsip", "ganti", "riwayat", "gambar",
    "hapusgambar", "antrean", "tautkan", "fotoklaim", "statistik", "draf",
)  # fmt: skip
ADMIN_COMMANDS = ("tambahmod", "hapusmod")
#: Group commands, as Telegram's menu shows them; admins also see /pengaturan.
GROUP_COMMANDS = ("cek", "bantuan")
ADMIN_GROUP_COMMANDS = ("cek", "pengaturan", "bantuan")

#: (command, description) pairs, in menu order.
Menu = list[tuple[str, str]]


def _menu(language: str, names: tuple[str, ...]) -> Menu:
    return [(name, text(language, f"cmd_{name}")) for name in names]


def citizen_menu(language: str) -> Menu:
    return _menu(language, CITIZEN_COMMANDS)


def moderator_menu() -> Menu:
    """The citizen list first, then every moderator and admin command (in Indonesian)."""
    return _menu("id", (*CITIZEN_COMMANDS, *MOD_COMMANDS, *ADMIN_COMMANDS))


def group_menu(language: str, *, admins: bool = False) -> Menu:
    return _menu(language, ADMIN_GROUP_COMMANDS if admins else GROUP_COMMANDS)
