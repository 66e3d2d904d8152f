"""Moderators' journeys end to end (issue 15): their help, Indonesian field names, pre-filled
fields confirmed step by step, one preview message, the queue and statistics on a phone, a
queued cluster answered by /tambah, /tambahmod as a reply."""

from __future__ import annotations

import pytest
from botharness import Bot, visible

from bot.replies.texts_id import ID

ADMIN = 42
CITIZEN = 1001

pytestmark = [pytest.mark.timeout(40), pytest.mark.bot_env(MODERATOR_IDS=str(ADMIN))]


async def to_admin(bot: Bot, text: str, replies: int = 1) -> list[str]:
    """What the admin sees in reply: the first `replies` messages to their chat."""
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update(text, user_id=ADMIN))
    seen: list[str] = []
    for _ in range(replies):
        call = await bot.fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == ADMIN, after=mark
        )
        mark = bot.fake.calls.index(call) + 1
        seen.append(visible(call))
    return seen


@pytest.mark.parametrize("command", ["/bantuan", "/help"])
async def test_help_shows_a_moderator_their_commands(bot: Bot, command: str) -> None:
    citizen_help, mod_help = await to_admin(bot, command, replies=2)
    assert citizen_help.startswith("Cara memakai CekKlaim")
    assert mod_help.startswith("Perintah moderator") and "/antrean" in mod_help
    assert "/tambahmod" in mod_help


async def test_help_to_a_citizen_has_no_moderator_commands(bot: Bot) -> None:
    mark = bot.fake.mark()
    reply = visible(await bot.say("/bantuan", user_id=CITIZEN))
    assert reply.startswith("Cara memakai CekKlaim") and "/antrean" not in reply
    await bot.say("/start", user_id=9999)  # updates are handled in order: /bantuan is done
    sent = [c for c in bot.fake.calls[mark:] if c.params.get("chat_id") == CITIZEN]
    assert len(sent) == 1  # the citizen help only
