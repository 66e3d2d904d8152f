"""How log lines look: text for a terminal, or one JSON object per line for a log collector
(LOG_FORMAT=json: journald, Docker, Loki, Elasticsearch read it without a parser of their own).

A JSON line has `time` (UTC, ISO 8601 with milliseconds), `level`, `logger`, `message`, and
`exc` when an exception is logged. Messages are already scrubbed of the bot token when the
record is made (bot/redact.py); a rendered traceback is scrubbed here too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.redact import scrub

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a newline inside a message stays inside its string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exc"] = scrub(record.exc_text)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, fmt: str) -> None:
    """The root logger's one handler (stderr), at `level`, in `fmt` ("text" or "json")."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
