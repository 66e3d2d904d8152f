"""The command menus in words (bot/replies/commands.py), without a bot: each kind of user's
list, in order, every command described in both languages."""

from __future__ import annotations

from bot.replies import commands
from bot.replies.texts_en import EN
from bot.replies.texts_id import ID


def test_every_menu_command_is_described() -> None:
    """Citizens' and groups' menus in both languages; moderators' in Indonesian only."""
    everyone = {*commands.CITIZEN_COMMANDS, *commands.ADMIN_GROUP_COMMANDS}
    assert sorted(n for n in everyone if f"cmd_{n}" not in ID or f"cmd_{n}" not in EN) == []
    moderating = {*commands.MOD_COMMANDS, *commands.ADMIN_COMMANDS}
    assert sorted(n for n in moderating if f"cmd_{n}" not in ID) == []


def test_each_kind_of_user_sees_its_own_list() -> None:
    citizens = [name for name, _ in commands.citizen_menu("en")]
    assert citizens == list(commands.CITIZEN_COMMANDS)
    moderators = commands.moderator_menu()
    assert moderators[: len(citizens)] == commands.citizen_menu("id")  # citizens' first
    assert [n for n, _ in moderators[len(citizens) :]] == [
        *commands.MOD_COMMANDS, *commands.ADMIN_COMMANDS,
    ]  # fmt: skip
    assert [n for n, _ in commands.group_menu("id")] == ["cek", "bantuan"]
    admins = commands.group_menu("en", admins=True)
    assert ("pengaturan", EN["cmd_pengaturan"]) in admins
