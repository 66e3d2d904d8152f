"""Keep the bot token out of every log record, whoever logs it.

httpx logs request URLs and python-telegram-bot logs its API base URL at DEBUG; both carry the
token. Raising their levels is not enough (an operator may run at DEBUG), so every record is
scrubbed when it is created.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_SECRETS: set[str] = set()
_LOCK = threading.Lock()
_installed = False
REPLACEMENT = "<redacted>"


def scrub(text: str) -> str:
    """`text` with every registered secret replaced (for a traceback a formatter renders)."""
    with _LOCK:
        for s in _SECRETS:
            text = text.replace(s, REPLACEMENT)
    return text


def redact_in_logs(secret: str) -> None:
    """From now on, any log record containing `secret` shows REPLACEMENT instead."""
    global _installed
    if not secret:
        return
    with _LOCK:
        _SECRETS.add(secret)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: leave it to logging to report
                return record
            if any(s in message for s in _SECRETS):
                for s in _SECRETS:
                    message = message.replace(s, REPLACEMENT)
                record.msg, record.args = message, None
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
