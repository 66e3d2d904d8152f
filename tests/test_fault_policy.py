"""The Bot API fault policy, decided without Telegram (bot/fault_policy.py), and how
python-telegram-bot's errors are read into it (bot/botapi/faults.py fault_of)."""

from __future__ import annotations

import logging

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.botapi.faults import StorageUnavailable, bot_api_fault, fault_of
from bot.fault_policy import BACKOFF_SECONDS, NETWORK_RETRIES, Fault, retry_delay


@pytest.mark.parametrize(
    ("endpoint", "answered", "attempt", "delay"),
    [
        ("sendMessage", True, 0, BACKOFF_SECONDS),  # a 5xx: Telegram said it failed
        ("sendMessage", True, 1, BACKOFF_SECONDS * 2),  # back-off doubles
        ("sendMessage", True, NETWORK_RETRIES, None),  # and stops
        ("sendMessage", False, 0, None),  # no answer: it may have arrived, never twice
        ("getChatMember", False, 0, BACKOFF_SECONDS),  # harmless to repeat
        ("setMyCommands", False, 1, BACKOFF_SECONDS * 2),
        ("getChatMember", False, NETWORK_RETRIES, None),
    ],
)
def test_what_is_retried_and_when(
    endpoint: str, answered: bool, attempt: int, delay: float | None
) -> None:
    assert retry_delay(endpoint, answered=answered, attempt=attempt) == delay


def test_every_fault_has_a_level_and_a_line() -> None:
    for fault in Fault:
        level, message = fault.value
        assert level in (logging.INFO, logging.WARNING, logging.ERROR)
        assert message.count("%s") == 1
    assert [f for f in Fault if not f.from_telegram] == [Fault.STORAGE]


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (Forbidden("bot was blocked by the user"), Fault.BLOCKED),
        (BadRequest("Query is too old and response timeout expired"), Fault.TOO_LATE),
        (BadRequest("Message text is empty"), None),  # our request is wrong: a bug
        (TimedOut(), Fault.UNREACHABLE),
        (NetworkError("Bad Gateway"), Fault.UNREACHABLE),
        (RetryAfter(3), Fault.UNREACHABLE),
        (StorageUnavailable("database is locked"), Fault.STORAGE),
        (RuntimeError("handler bug"), None),
        (None, None),
    ],
)
def test_telegram_errors_read_as_faults(error: BaseException | None, fault: Fault | None) -> None:
    assert fault_of(error) is fault
    assert bot_api_fault(error) == (fault is not None and fault is not Fault.STORAGE)
