"""What the bot reads of a group chat, without Telegram (bot/group_chats.py). Through the
real bot: tests/test_bot_groups.py."""

from __future__ import annotations

import pytest

from bot.group_chats import in_chat, without_mention


@pytest.mark.parametrize(
    ("status", "is_member", "inside"),
    [
        ("creator", False, True),
        ("administrator", False, True),
        ("member", False, True),
        ("restricted", True, True),  # restricted, but still a member
        ("restricted", False, False),
        ("left", False, False),
        ("kicked", False, False),
    ],
)
def test_which_statuses_are_in_the_chat(status: str, is_member: bool, inside: bool) -> None:
    assert in_chat(status, is_member) is inside


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("@CekKlaimBot pemilu diundur?", "pemilu diundur?"),
        ("pemilu   @cekklaimbot  diundur", "pemilu diundur"),  # any case, spaces collapsed
        ("@CekKlaimBot", ""),
        ("@CekKlaimBotFan pemilu", "@CekKlaimBotFan pemilu"),  # another user, not the bot
        ("tanya @CekKlaimBot, @CekKlaimBot!", "tanya , !"),
    ],
)
def test_a_mention_asks_about_the_rest_of_the_text(text: str, asked: str) -> None:
    assert without_mention(text, "CekKlaimBot") == asked
