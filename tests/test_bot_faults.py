"""Bot API faults over the real Application: each ends with the claim stored exactly once
and the bot answering the next message."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from botharness import Bot, claims, running_bot
from fakebotapi import Call

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
NEXT = "surat suara dicoblos duluan sebelum hari pemungutan"
MODERATORS_CHAT = -1009999


def _ok(chat_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c.status == 200 and c.params.get("chat_id") == chat_id


async def _claim_then_next(bot: Bot, first_calls: int = 1) -> list[Call]:
    """Send a claim from user 1001 (under the fault), then one from 1002; returns the first
    user's sendMessage calls once the second user was answered and the first user's
    `first_calls` attempts were made (updates are handled concurrently, so 1002 is usually
    answered while 1001 still waits out the fault)."""
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update(CLAIM, user_id=1001))
    bot.fake.push_update(bot.fake.message_update(NEXT, user_id=1002))
    await bot.fake.wait_for("sendMessage", _ok(1002), after=mark, timeout=10)

    def first_user() -> list[Call]:
        return [c for c in bot.fake.sent("sendMessage") if c.params.get("chat_id") == 1001]

    for _ in range(100):  # at most 10 s
        if len(first_user()) >= first_calls:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)  # room for a call that should not come (a repeat)
    # exactly one submission per update: nothing counted twice, nothing lost
    assert sorted(c["count"] for c in claims(bot.core)) == [1, 1]
    return first_user()


def _env(**extra: str) -> dict[str, str]:
    return {"BOT_API_TIMEOUT_SECONDS": "0.5", "MODERATOR_CHAT_ID": str(MODERATORS_CHAT), **extra}


def _error_notes(bot: Bot) -> list[Call]:
    return [c for c in bot.fake.sent("sendMessage") if c.params.get("chat_id") == MODERATORS_CHAT]


async def test_429_is_waited_out_and_the_reply_sent(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("sendMessage", 429, retry_after=1, chat_id=1001)
        first = await _claim_then_next(bot, 2)
        assert [c.status for c in first] == [429, 200]
        assert "HOAKS" in first[1].response["text"]
        assert bot.fake.injected == ["sendMessage -> 429"]
        assert _error_notes(bot) == []


async def test_a_5xx_answer_is_retried(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("sendMessage", 500, chat_id=1001)
        bot.fake.fail_next("sendMessage", 502, chat_id=1001)
        first = await _claim_then_next(bot, 3)
        assert [c.status for c in first] == [500, 502, 200]


async def test_a_lasting_5xx_is_logged_and_the_bot_serves_the_next_update(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("sendMessage", 502, times=3, chat_id=1001)  # more than the retries
        first = await _claim_then_next(bot, 3)
        assert [c.status for c in first] == [502, 502, 502]
        assert _error_notes(bot) == []  # not a bug: no note to the moderators
    assert "Bot API unavailable, update not answered: NetworkError" in caplog.text


async def test_a_send_that_times_out_is_not_repeated(tmp_path: Path) -> None:
    """The request may have reached Telegram: sending again could say it twice."""
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("sendMessage", delay=1.5, chat_id=1001)  # longer than the 0.5 s timeout
        first = await _claim_then_next(bot)
        assert len(first) == 1  # handled late by "Telegram", never sent twice


async def test_a_dropped_connection_is_survived(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("sendMessage", drop=True, chat_id=1001)
        first = await _claim_then_next(bot)
        assert [c.status for c in first] == [-1]
        assert bot.fake.injected == ["sendMessage -> dropped"]


async def test_an_idempotent_call_that_fails_is_retried_and_the_update_answered(
    tmp_path: Path,
) -> None:
    """getChatMember (the admin check of /pengaturan) is harmless to repeat: a dropped
    connection is retried, and the admin still gets the settings."""
    group, admin = -4_000_000_777, 1001
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.chat_members[(group, admin)] = "administrator"
        bot.fake.fail_next("getChatMember", drop=True, times=2, chat_id=group)
        mark = bot.fake.mark()
        settings = bot.fake.message_update(
            "/pengaturan", user_id=admin, chat_id=group, chat_type="group"
        )
        bot.fake.push_update(settings)
        call = await bot.fake.wait_for("sendMessage", _ok(group), after=mark, timeout=10)
        data = [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"]
                for b in row]  # fmt: skip
        assert data == ["gs:a:1", "gs:s:strict"]  # the settings, for the admin
        assert len(bot.fake.sent("getChatMember")) >= 3  # retried: it is idempotent


async def test_a_blocked_user_is_logged_at_info_and_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.blocked_users.add(1001)
        first = await _claim_then_next(bot)
        assert [c.status for c in first] == [403]
        assert _error_notes(bot) == []
    dropped = [r for r in caplog.records if "dropped a reply" in r.getMessage()]
    assert [r.levelno for r in dropped] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_polling_survives_getupdates_failures(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next("getUpdates", 502)
        bot.fake.fail_next("getUpdates", 429, retry_after=1)
        bot.fake.fail_next("getUpdates", drop=True)
        first = await _claim_then_next(bot)
        assert [c.status for c in first] == [200]
        assert len(bot.fake.injected) == 3


async def test_a_button_press_answered_too_late_is_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A press redone from the inbox after a crash is past Telegram's answer deadline."""
    caplog.set_level(logging.INFO)
    async for bot in running_bot(tmp_path, **_env()):
        await bot.say("/bahasa")
        bot.fake.fail_next(
            "answerCallbackQuery", 400,
            description="Bad Request: query is too old and response timeout expired or "
            "query ID is invalid",
        )  # fmt: skip
        mark = bot.fake.mark()
        bot.fake.push_update(bot.fake.callback_update("l:en"))
        answer = await bot.fake.wait_for("answerCallbackQuery", after=mark)
        assert answer.status == 400
        await bot.say("/bantuan", user_id=1002)
        assert _error_notes(bot) == []
    assert [r.levelno for r in caplog.records if "answered too late" in r.getMessage()] == [
        logging.INFO
    ]


async def test_a_request_telegram_refuses_is_still_a_bug_for_the_moderators(
    tmp_path: Path,
) -> None:
    """A 400 is not a network fault (python-telegram-bot files it under NetworkError)."""
    async for bot in running_bot(tmp_path, **_env()):
        bot.fake.fail_next(
            "sendMessage", 400, description="Bad Request: can't parse entities", chat_id=1001
        )
        first = await _claim_then_next(bot)
        assert [c.status for c in first][:1] == [400]  # not retried
        assert len(_error_notes(bot)) == 1
