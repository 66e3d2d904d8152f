"""Setting values: each parser takes the text of one setting (stripped, never empty) and
returns its value or raises Invalid with a message a person can act on."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bot.sources.urls import parse_official_domains

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_SECRET_LENGTH = 16
MEMORY_DB = ":memory:"
_TRUE = ("1", "true", "yes", "on", "ya")
_FALSE = ("0", "false", "no", "off", "tidak")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


class Invalid(ValueError):
    """A setting's value is wrong; each message says why (the loader adds the name)."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = messages


def integer(low: int, high: int | None = None, *, hint: str = "") -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if _INT_RE.match(raw) and low <= int(raw) and (high is None or int(raw) <= high):
            return int(raw)
        bound = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
        raise Invalid(f"{raw!r} is not {bound}{hint}")

    return parse


def switch(raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise Invalid(f"{raw!r} is not a yes/no value (use 1 or 0)")


def http_url(raw: str) -> str:
    if not is_http_url(raw):
        raise Invalid(f"{raw!r} is not an http(s) URL")
    return raw


def token(raw: str) -> str:
    if not _TOKEN_RE.match(raw):
        raise Invalid(
            "does not look like a bot token from @BotFather (expected <digits>:<at least 30 "
            "letters, digits, '_' or '-'>); value not shown"
        )
    return raw


def db_path(raw: str) -> Path:
    if raw == MEMORY_DB:
        return Path(MEMORY_DB)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if path.is_dir():
        raise Invalid(f"{raw!r} is a directory, expected a database file path")
    return path


def secret(raw: str) -> str:
    if len(raw) < MIN_SECRET_LENGTH:
        raise Invalid(
            f"must be at least {MIN_SECRET_LENGTH} characters (got {len(raw)}); value not shown"
        )
    return raw


def moderator_ids(raw: str) -> frozenset[int]:
    parts = [p for p in re.split(r"[\s,]+", raw) if p]
    if not all(_INT_RE.match(p) for p in parts):
        raise Invalid(
            f"{raw!r} is not a list of integer Telegram user ids "
            "(separate them with commas or spaces)"
        )
    if any(int(p) <= 0 for p in parts):
        raise Invalid(
            f"{raw!r} is not a list of positive integer Telegram user ids "
            "(group or channel ids belong in MODERATOR_CHAT_ID)"
        )
    return frozenset(int(p) for p in parts)


def chat_id(raw: str) -> int:
    if _INT_RE.match(raw) and int(raw) != 0:
        return int(raw)
    raise Invalid(
        f"{raw!r} is not a Telegram chat id (a non-zero integer; group ids are "
        "negative, e.g. -1001234567890)"
    )


def log_level(raw: str) -> str:
    if raw.upper() not in LOG_LEVELS:
        raise Invalid(f"{raw!r} is not one of {', '.join(LOG_LEVELS)}")
    return raw.upper()


def log_format(raw: str) -> str:
    if raw.lower() not in ("text", "json"):
        raise Invalid(f"{raw!r} is not text or json")
    return raw.lower()


def https_url(raw: str) -> str:
    if not is_http_url(raw, schemes=("https",)):
        raise Invalid(f"{raw!r} is not an https URL (Telegram requires https)")
    return raw


def webhook_secret(raw: str) -> str:
    if not _WEBHOOK_SECRET_RE.match(raw):
        raise Invalid(
            f"must be 1-256 characters of A-Z, a-z, 0-9, '_' or '-' (got {len(raw)} "
            "characters); value not shown"
        )
    return raw


def listen_address(raw: str) -> str:
    if not is_listen_address(raw):
        raise Invalid(f"{raw!r} is not an IP address or host name")
    return raw


def port(raw: str) -> int:
    if _INT_RE.match(raw) and 1 <= int(raw) <= 65535:
        return int(raw)
    raise Invalid(f"{raw!r} is not a TCP port number (1-65535)")


def official_domains(raw: str) -> Mapping[str, str]:
    found, problems = parse_official_domains(raw)
    if problems:
        raise Invalid(*problems)
    if not found:
        raise Invalid("lists no domain (leave it unset for kpu.go.id,bawaslu.go.id)")
    return found


def feeds(raw: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"[\s,]+", raw) if p]
    wrong = [p for p in parts if not is_http_url(p)]
    if wrong:
        raise Invalid(f"{wrong[0]!r} is not an http(s) URL (separate feeds by commas)")
    return tuple(dict.fromkeys(parts))


def seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 300:
        raise Invalid(f"{raw!r} is not a number of seconds (0.1-300)")
    return value


def is_http_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def is_listen_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return bool(_HOSTNAME_RE.match(value))
    return True
