"""Bot API faults, decided without Telegram: what is retried, what is only logged, and what
is simply dropped. bot/botapi/faults.py reads python-telegram-bot's errors into these
terms and applies them.

- 429 Too Many Requests: the rate limiter keeps the bot under Telegram's overall flood limit
  (BOT_API_MAX_RATE messages a second) and waits out `retry_after` up to
  RETRY_AFTER_RETRIES times. It keeps no per-group limit: bot/telegram/group_limit.py is the
  only one (a group past it gets no answer rather than a queue of them). The few other
  messages in a group are bounded elsewhere: the intro is sent once per group, and an
  admin's settings edits only when a setting changes, within the admin's per-user limit.
- 5xx: Telegram answered but failed; the request is retried (NETWORK_RETRIES, short back-off).
- Timeouts and dropped connections: the request may have reached Telegram, so only methods
  that are harmless to repeat (IDEMPOTENT) are retried; a send is not, to never say it twice.
- What still fails reaches the error handler, which logs it in one line (`Fault`): the
  user blocked the bot, or a button press answered too late (e.g. one redone from the inbox
  after a crash), at INFO; network trouble at WARNING; and the bot goes on with the next
  update. The claim was stored before the reply, so nothing is lost or counted twice.
- The database, not Telegram, failing to take a fetched batch (busy, read-only, disk full):
  logged as such; the batch stays unconfirmed and is fetched again.
"""

from __future__ import annotations

import logging
from enum import Enum

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


def retry_delay(endpoint: str, *, answered: bool, attempt: int) -> float | None:
    """Seconds to wait before calling `endpoint` again after its failed `attempt` (0 first);
    None: give up. `answered`: Telegram answered with a 5xx (else no answer came, and the
    call may have arrived)."""
    if attempt >= NETWORK_RETRIES or not (answered or endpoint in IDEMPOTENT):
        return None
    return BACKOFF_SECONDS * 2**attempt


class Fault(Enum):
    """A failure that is not a bug of ours, and its one log line: (level, message)."""

    STORAGE = (logging.ERROR, "%s; updates not confirmed, fetched again shortly")
    BLOCKED = (logging.INFO, "dropped a reply: %s")  # e.g. the user blocked the bot
    TOO_LATE = (logging.INFO, "button press answered too late: %s")  # e.g. redone at start
    UNREACHABLE = (logging.WARNING, "Bot API unavailable, update not answered: %s")

    @property
    def from_telegram(self) -> bool:
        """Telegram refused or could not be reached: nothing for the inbox to set aside."""
        return self is not Fault.STORAGE
