"""How far a private claim travels: the project files its handling enters, from the handler
to the reply sent, read by tracing the real bot (against the fake Bot API) while it answers.

The matcher and storage (with core's batched writes, bot/commits.py) are the floors below
`bot/core.py` and are not listed (they change on
their own); everything above them is: the steps of the path (at most six), and the few
shared services it calls. A new file on the path is a decision made here.
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
BELOW_CORE = ("bot/matcher/", "storage/", "bot/commits.py")  # commits.py: core's writes

#: The steps of a private text message, in the order first entered: each holds one step of
#: update -> adapter -> use case -> (matcher, storage) -> decision -> render -> send.
PRIVATE_CLAIM_STEPS = [
    "bot/telegram/handlers.py",  # the adapter: private_message -> answer_claim -> reply sent
    "bot/telegram/runtime.py",  # what the update brings: the claim (extract_claim), the asker
    "bot/claims.py",  # the use case: received, ask_options, decide -> Decision
    "bot/core.py",  # who asks (keyed hash, language); match + record on the floors below
    "bot/replies/render.py",  # reply_for: the card, candidates or "none", as a Reply
    "bot/telegram/keyboards.py",  # the Reply's keyboard as Telegram's, at send time
]
MAX_STEPS = 6
#: Shared services the path calls, each the one place of its job for every path and
#: channel (not a step of this one): a new file on the path is neither.
SHARED = {
    "bot/updatelog.py": "the update's log line: what was recorded",
    "bot/replies/texts.py": "the string catalogue and the text shortener",
    "bot/replies/callbacks.py": "the callback-data codec",
    "bot/botapi/faults.py": "the Bot API client: rate limiter and retries of every call",
    "bot/botapi/transport.py": "the Bot API client: HTTP",
    "bot/pacing.py": "whether a worker thread builds the index: the loop's share of the GIL",
}
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
    entered = await _files_entered(bot, CLAIM)
    assert [f for f in entered if f not in SHARED] == PRIVATE_CLAIM_STEPS
    assert set(entered) - set(PRIVATE_CLAIM_STEPS) == set(SHARED)  # each is really used
    assert len(PRIVATE_CLAIM_STEPS) <= MAX_STEPS
