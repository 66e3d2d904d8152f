"""Bot API faults as python-telegram-bot raises them, read into bot/fault_policy.py's terms:
the rate limiter that retries what the policy allows, and the one-line log of what is
expected (a blocked user, Telegram unreachable, the database refusing a fetched batch).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from bot.fault_policy import RETRY_AFTER_RETRIES, UNTHROTTLED, Fault, retry_delay

log = logging.getLogger(__name__)


def _server_error(exc: NetworkError) -> bool:
    """Telegram answered with a 5xx (as opposed to no answer: timeout, dropped connection)."""
    message = str(exc)
    return not isinstance(exc, TimedOut) and not message.startswith(
        ("httpx.", "aiohttp.", "Unknown error in HTTP implementation")
    )


class BotApiLimiter(AIORateLimiter):
    """AIORateLimiter plus the retries of 5xx answers and of idempotent methods.

    Only the overall rate: AIORateLimiter's own per-group limit (20 a minute) is off, since
    it would queue a group's answers where group_limit.py, the one per-group limit, drops them.
    """

    def __init__(self, max_rate: int) -> None:
        super().__init__(
            overall_max_rate=max_rate, group_max_rate=0, max_retries=RETRY_AFTER_RETRIES
        )

    async def process_request(  # type: ignore[override]
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                if endpoint in UNTHROTTLED:
                    return await callback(*args, **kwargs)
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError to python-telegram-bot, but our request is wrong
                raise
            except NetworkError as exc:
                delay = retry_delay(endpoint, answered=_server_error(exc), attempt=attempt)
                if delay is None:
                    raise
                attempt += 1
                log.warning(
                    "Bot API %s failed (%s: %s); retry %d", endpoint, type(exc).__name__, exc,
                    attempt,
                )  # fmt: skip
                await asyncio.sleep(delay)


class StorageUnavailable(NetworkError):
    """The inbox could not store a fetched batch because of the database.

    A TelegramError, so python-telegram-bot's Updater backs off and fetches the same batch
    again (unconfirmed, nothing lost); its own class, so the log names the database and not
    the Bot API.
    """


def fault_of(error: BaseException | None) -> Fault | None:
    """The expected fault `error` is; None for anything else (a bug: the handler's apology)."""
    if isinstance(error, StorageUnavailable):
        return Fault.STORAGE
    if isinstance(error, Forbidden):
        return Fault.BLOCKED
    if isinstance(error, BadRequest):
        return Fault.TOO_LATE if "query is too old" in error.message.lower() else None
    if isinstance(error, NetworkError | RetryAfter):
        return Fault.UNREACHABLE
    return None


def bot_api_fault(error: BaseException | None) -> bool:
    """Telegram refused or could not be reached (not a bug of ours, nothing to set aside)."""
    fault = fault_of(error)
    return fault is not None and fault.from_telegram


def expected_fault(error: BaseException | None) -> bool:
    """Log a Bot API fault that is not a bug in one line; True when that is all to do."""
    fault = fault_of(error)
    if fault is None:
        return False
    detail = error.message if isinstance(error, Forbidden | BadRequest) else str(error)
    if fault is Fault.UNREACHABLE:
        detail = f"{type(error).__name__}: {error}"
    level, message = fault.value
    log.log(level, message, detail)
    return True


__all__ = ["BotApiLimiter", "StorageUnavailable", "bot_api_fault", "expected_fault", "fault_of"]
