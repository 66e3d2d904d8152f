"""Bot API faults: what is retried, what is only logged, and what is simply dropped.

- 429 Too Many Requests: python-telegram-bot's AIORateLimiter keeps the bot under Telegram's
  overall flood limit (BOT_API_MAX_RATE messages a second) and waits out `retry_after` up to
  RETRY_AFTER_RETRIES times. It keeps no per-group limit: group_limit.py is the only one (a
  group past it gets no answer rather than a queue of them). The few other messages in a
  group are bounded elsewhere: the intro is sent once per group, and an admin's settings
  edits only when a setting changes, within the admin's per-user limit.
- 5xx: Telegram answered but failed; the request is retried (NETWORK_RETRIES, short back-off).
- Timeouts and dropped connections: the request may have reached Telegram, so only methods
  that are harmless to repeat (IDEMPOTENT) are retried; a send is not, to never say it twice.
- What still fails reaches the error handler: `expected_fault` logs it in one line (Forbidden,
  the user blocked the bot, and a button press answered too late, e.g. one redone from the
  inbox after a crash, at INFO; network trouble at WARNING) and the bot goes on with the
  next update. The claim was stored before the reply, so nothing is lost or counted twice.
- The database, not Telegram, failing to take a fetched batch (busy, read-only, disk full):
  `StorageUnavailable`, logged as such; the batch stays unconfirmed and is fetched again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_AFTER_RETRIES = 3
NETWORK_RETRIES = 2
BACKOFF_SECONDS = 0.25  # doubled on each retry
#: Methods Telegram may receive twice with no visible effect.
IDEMPOTENT = frozenset(
    {
        "getMe", "getChat", "getChatMember", "getMyCommands", "setMyCommands",
        "deleteMyCommands", "sendChatAction", "setChatMenuButton", "getChatMenuButton",
        "deleteWebhook", "setWebhook",
    }
)  # fmt: skip
#: Not counted against BOT_API_MAX_RATE: the typing indicator is cosmetic, and counting it
#: would halve the replies a second the limit allows. getChatMember (the admin check of
#: /pengaturan and its buttons) sends nothing, so it takes no share of the replies either.
UNTHROTTLED = frozenset({"sendChatAction", "getChatMember"})


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
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                if endpoint in UNTHROTTLED:
                    return await callback(*args, **kwargs)
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError to python-telegram-bot, but our request is wrong
                raise
            except NetworkError as exc:
                retry = _server_error(exc) or endpoint in IDEMPOTENT
                if not retry or attempt == NETWORK_RETRIES:
                    raise
                log.warning(
                    "Bot API %s failed (%s: %s); retry %d of %d",
                    endpoint, type(exc).__name__, exc, attempt + 1, NETWORK_RETRIES,
                )  # fmt: skip
                await asyncio.sleep(BACKOFF_SECONDS * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover


class StorageUnavailable(NetworkError):
    """The inbox could not store a fetched batch because of the database.

    A TelegramError, so python-telegram-bot's Updater backs off and fetches the same batch
    again (unconfirmed, nothing lost); its own class, so the log names the database and not
    the Bot API.
    """


def bot_api_fault(error: BaseException | None) -> bool:
    """Telegram refused or could not be reached (not a bug of ours, nothing to set aside)."""
    if isinstance(error, StorageUnavailable):
        return False
    if isinstance(error, Forbidden):
        return True
    if isinstance(error, BadRequest):
        return "query is too old" in error.message.lower()
    return isinstance(error, NetworkError | RetryAfter)


def expected_fault(error: BaseException | None) -> bool:
    """Log a Bot API fault that is not a bug in one line; True when that is all to do."""
    if isinstance(error, StorageUnavailable):
        log.error("%s; updates not confirmed, fetched again shortly", error)
        return True
    if isinstance(error, Forbidden):
        log.info("dropped a reply: %s", error.message)  # e.g. the user blocked the bot
        return True
    if isinstance(error, BadRequest) and "query is too old" in error.message.lower():
        log.info("button press answered too late: %s", error.message)  # e.g. redone at start
        return True
    if isinstance(error, NetworkError | RetryAfter) and not isinstance(error, BadRequest):
        log.warning("Bot API unavailable, update not answered: %s: %s", type(error).__name__, error)
        return True
    return False


__all__ = ["BotApiLimiter", "StorageUnavailable", "bot_api_fault", "expected_fault"]
