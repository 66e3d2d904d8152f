"""How far a private claim travels: the project files its handling enters, from the handler
to the reply sent, read by tracing the real bot (against the fake Bot API) while it answers.

The matcher and storage are the floors below `bot/core.py` and are not listed (they change on
their own); everything above them is, so a new step on the path is a decision made here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from botharness import Bot

from bot.telegram import handlers

pytestmark = pytest.mark.timeout(30)

ROOT = Path(handlers.__file__).resolve().parents[2]
BELOW_CORE = ("bot/matcher/", "storage/")

#: The path of a private text message, in the order first entered.
PRIVATE_CLAIM_PATH = [
    "bot/telegram/handlers.py",  # private_message -> answer_claim
    "bot/telegram/extract.py",  # the text and links of the message
    "bot/claims.py",  # received (storable text, links); later ask_options, decide
    "bot/telegram/runtime.py",  # Runtime.asker: who asked, hashed once, in what language
    "bot/core.py",  # the keyed hash; then match + record (the floors below)
    "bot/citizens.py",  # the asker's chosen language
    "bot/updatelog.py",  # what was recorded, on the update's log line
    "bot/replies/render.py",  # reply_for: the card, candidates or "none"
    "bot/replies/texts.py",
    "bot/plaintext.py",
    "bot/replies/links.py",
    "bot/replies/reply.py",
    "bot/replies/callbacks.py",
    "bot/telegram/keyboards.py",  # the neutral keyboard as Telegram's, at send time
    "bot/telegram/faults.py",  # the send: the Bot API rate limiter and retries
    "bot/telegram/transport.py",  # aiohttp
]
CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"


async def _files_entered(bot: Bot, say: str) -> list[str]:
    """Project files entered below `handlers.private_message` while it handles `say`."""
    original = handlers.private_message
    entered: list[str] = []

    def under_handler(frame: FrameType | None) -> bool:
        while frame is not None:  # a resumed outer frame (the update processor) is not below
            if frame.f_code is original.__code__:
                return True
            frame = frame.f_back
        return False

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename
        if event == "call" and name.startswith(str(ROOT)) and under_handler(frame):
            relative = Path(name).relative_to(ROOT).as_posix()
            mine = relative.startswith(("bot/", "storage/"))  # not .venv/, not tests/
            if mine and relative not in entered and not relative.startswith(BELOW_CORE):
                entered.append(relative)

    async def traced(update: Any, context: Any) -> None:
        sys.setprofile(hook)
        try:
            await original(update, context)
        finally:
            sys.setprofile(None)

    registered = [
        h for g in bot.app.handlers.values() for h in g if getattr(h, "callback", None) is original
    ]
    assert registered  # the handler the private chat really uses
    for handler in registered:
        handler.callback = traced
    try:
        await bot.say(say)
    finally:
        for handler in registered:
            handler.callback = original
    return entered


async def test_a_private_claim_enters_these_files(bot: Bot) -> None:
    assert await _files_entered(bot, CLAIM) == PRIVATE_CLAIM_PATH
