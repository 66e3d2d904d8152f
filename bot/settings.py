"""Runtime settings for CekKlaim, read from the environment and an optional ``.env`` file.

Precedence, highest first:

1. the process environment (or the ``environ`` mapping passed to :func:`load_settings`);
2. a ``.env`` file (``./.env`` by default, or the ``env_file`` path given), which only fills
   names the environment lacks. A name set to an empty string counts as unset, so a
   ``.env.example`` copied with blank values never overrides anything;
3. the built-in defaults below.

Every problem is collected and reported at once in a single :class:`SettingsError`. Secret
values (the bot token, ``CEKKLAIM_SECRET``, ``WEBHOOK_SECRET``) never appear in an error
message or in ``repr(settings)``.

``CEKKLAIM_SECRET`` keys the HMAC that turns Telegram user ids into pseudonyms before they
are stored. When it is unset, a random secret is generated once and written next to the
database as ``<CEKKLAIM_DB>.secret`` (mode 0600), and that file is reused on every later
start. Keep that file with the database: losing or changing the secret makes previously
stored pseudonyms unmatchable. For an in-memory database (``CEKKLAIM_DB=:memory:``) an
unset secret is generated per process and not written anywhere.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from urllib.parse import urlsplit

from bot.sources.urls import parse_official_domains

__all__ = [
    "DEFAULT_DB_NAME",
    "DEFAULT_ENV_FILE",
    "LOG_LEVELS",
    "MIN_SECRET_LENGTH",
    "SETTING_NAMES",
    "Settings",
    "SettingsError",
    "load_settings",
    "parse_env_file",
    "secret_file_for",
]

DEFAULT_ENV_FILE = ".env"
DEFAULT_DB_NAME = "cekklaim.db"
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TELEGRAM_API_FILE_URL = "https://api.telegram.org/file/bot"
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_RATE_LIMIT_PER_MINUTE = 10
DEFAULT_ALERT_THRESHOLD = 20
DEFAULT_ALERT_WINDOW_MINUTES = 60
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_OFFICIAL_DOMAINS = "kpu.go.id,bawaslu.go.id"
DEFAULT_FETCH_TIMEOUT_SECONDS = 8
DEFAULT_FEED_POLL_MINUTES = 30
_TRUE = ("1", "true", "yes", "on", "ya")
_FALSE = ("0", "false", "no", "off", "tidak")
DEFAULT_BOT_API_TIMEOUT_SECONDS = 5.0  # python-telegram-bot's own default
DEFAULT_BOT_API_MAX_RATE = 30  # Telegram's limit of about 30 messages a second per bot
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_SECRET_LENGTH = 16
MEMORY_DB = ":memory:"

#: Every environment name this module reads, in the order they are documented.
SETTING_NAMES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_API_FILE_URL",
    "CEKKLAIM_DB",
    "CEKKLAIM_SECRET",
    "MODERATOR_IDS",
    "MODERATOR_CHAT_ID",
    "LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "RATE_LIMIT_PER_MINUTE",
    "ALERT_THRESHOLD",
    "ALERT_WINDOW_MINUTES",
    "OFFICIAL_DOMAINS",
    "FETCH_LINKS",
    "FETCH_TIMEOUT_SECONDS",
    "FETCH_ALLOW_LOOPBACK",
    "SOURCE_FEEDS",
    "FEED_POLL_MINUTES",
    "BOT_API_TIMEOUT_SECONDS",
    "BOT_API_MAX_RATE",
)
_SENSITIVE = ("TELEGRAM_BOT_TOKEN", "CEKKLAIM_SECRET", "WEBHOOK_SECRET")

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXPORT_RE = re.compile(r"^export\s+")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
# Anything shaped like a bot token, wherever it was pasted; scrubbed from error messages.
_TOKEN_ANYWHERE_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_REDACTED = "<redacted>"


class SettingsError(ValueError):
    """One or more settings are missing or invalid.

    ``problems`` lists each problem as ``"NAME: explanation"``; ``str(error)`` joins them
    into one message starting with ``"Invalid settings: "``.
    """

    def __init__(self, problems: list[str] | tuple[str, ...]):
        self.problems = list(problems)
        super().__init__("Invalid settings: " + "; ".join(self.problems))


@dataclass(frozen=True, repr=False)
class Settings:
    """Validated, immutable runtime settings. Build with :func:`load_settings`."""

    telegram_bot_token: str | None
    telegram_api_base_url: str
    telegram_api_file_url: str
    db_path: Path
    secret: str
    moderator_ids: frozenset[int]
    moderator_chat_id: int | None
    log_level: str
    webhook_url: str | None
    webhook_secret: str | None
    webhook_listen: str
    webhook_port: int
    rate_limit_per_minute: int
    alert_threshold: int = DEFAULT_ALERT_THRESHOLD
    alert_window_minutes: int = DEFAULT_ALERT_WINDOW_MINUTES
    #: Official domain -> issuing body; subdomains count (OFFICIAL_DOMAINS).
    official_domains: Mapping[str, str] = _field(
        default_factory=lambda: {"kpu.go.id": "KPU", "bawaslu.go.id": "Bawaslu"}
    )
    fetch_links: bool = True
    fetch_timeout_seconds: int = DEFAULT_FETCH_TIMEOUT_SECONDS
    fetch_allow_loopback: bool = False  # tests only
    source_feeds: tuple[str, ...] = ()
    feed_poll_minutes: int = DEFAULT_FEED_POLL_MINUTES
    bot_api_timeout_seconds: float = DEFAULT_BOT_API_TIMEOUT_SECONDS
    bot_api_max_rate: int = DEFAULT_BOT_API_MAX_RATE

    def __repr__(self) -> str:
        def masked(value: str | None) -> str:
            return "None" if value is None else "'***'"

        return (
            "Settings("
            f"telegram_bot_token={masked(self.telegram_bot_token)}, "
            f"telegram_api_base_url={self.telegram_api_base_url!r}, "
            f"telegram_api_file_url={self.telegram_api_file_url!r}, "
            f"db_path={self.db_path!r}, "
            "secret='***', "
            f"moderator_ids={sorted(self.moderator_ids)!r}, "
            f"moderator_chat_id={self.moderator_chat_id!r}, "
            f"log_level={self.log_level!r}, "
            f"webhook_url={self.webhook_url!r}, "
            f"webhook_secret={masked(self.webhook_secret)}, "
            f"webhook_listen={self.webhook_listen!r}, "
            f"webhook_port={self.webhook_port!r}, "
            f"rate_limit_per_minute={self.rate_limit_per_minute!r}, "
            f"alert_threshold={self.alert_threshold!r}, "
            f"alert_window_minutes={self.alert_window_minutes!r}, "
            f"official_domains={dict(self.official_domains)!r}, "
            f"fetch_links={self.fetch_links!r}, "
            f"fetch_timeout_seconds={self.fetch_timeout_seconds!r}, "
            f"fetch_allow_loopback={self.fetch_allow_loopback!r}, "
            f"source_feeds={self.source_feeds!r}, "
            f"feed_poll_minutes={self.feed_poll_minutes!r}, "
            f"bot_api_timeout_seconds={self.bot_api_timeout_seconds!r}, "
            f"bot_api_max_rate={self.bot_api_max_rate!r})"
        )

    __str__ = __repr__

    @property
    def webhook_enabled(self) -> bool:
        """True when ``WEBHOOK_URL`` is set (run as webhook rather than long polling)."""
        return self.webhook_url is not None

    def is_moderator(self, user_id: int) -> bool:
        return user_id in self.moderator_ids

    def require_bot_token(self) -> str:
        """Return the bot token, or raise :class:`SettingsError` if it is not configured."""
        if self.telegram_bot_token is None:
            raise SettingsError(
                [
                    "TELEGRAM_BOT_TOKEN: not set; get a token from @BotFather and set it in the "
                    "environment or in .env"
                ]
            )
        return self.telegram_bot_token


def secret_file_for(db_path: Path) -> Path:
    """Where the generated HMAC secret for ``db_path`` lives: ``<db_path>.secret``."""
    return db_path.with_name(db_path.name + ".secret")


def parse_env_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """Parse a ``.env`` file; return ``(values, problems)``.

    Accepted syntax, one assignment per line::

        # a comment line
        KEY=value            # unquoted; a `#` preceded by whitespace starts a comment
        export KEY=value     # optional `export ` prefix
        KEY="value"          # or 'value': quotes are removed, no escape processing

    Blank lines and comment lines are skipped. Later assignments win. Malformed lines are
    reported by line number only, never by content, since they may hold secrets.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    text = path.read_text(encoding="utf-8-sig")
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = _EXPORT_RE.sub("", line, count=1)
        key, sep, rest = line.partition("=")
        key = key.strip()
        where = f"{path} line {lineno}"
        if not sep or not _ENV_KEY_RE.match(key):
            problems.append(f"{where}: expected KEY=VALUE")
            continue
        rest = rest.strip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            end = rest.find(quote, 1)
            if end == -1:
                problems.append(f"{where}: {key} has an unterminated {quote} quote")
                continue
            value = rest[1:end]
            trailing = rest[end + 1 :].strip()
            if trailing and not trailing.startswith("#"):
                problems.append(f"{where}: {key} has text after the closing quote")
                continue
        else:
            value = re.split(r"\s#", rest, maxsplit=1)[0].rstrip()
        values[key] = value
    return values, problems


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read, validate and return the settings.

    ``environ`` defaults to ``os.environ``. ``env_file`` defaults to ``.env`` in the current
    directory, which is optional; an explicitly given ``env_file`` must exist. Raises
    :class:`SettingsError` naming every invalid setting at once.
    """
    env = os.environ if environ is None else environ
    problems: list[str] = []

    file_values: dict[str, str] = {}
    file_path = Path(env_file) if env_file is not None else Path.cwd() / DEFAULT_ENV_FILE
    if file_path.is_file():
        try:
            file_values, file_problems = parse_env_file(file_path)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"env file {file_path}: cannot be read ({type(exc).__name__})")
        else:
            problems.extend(file_problems)
    elif env_file is not None:
        problems.append(f"env file {file_path}: not found")

    raw: dict[str, str | None] = {}
    origin: dict[str, str] = {}
    for name in SETTING_NAMES:
        value = _clean(env.get(name))
        if value is not None:
            origin[name] = "environment"
        else:
            value = _clean(file_values.get(name))
            if value is not None:
                origin[name] = str(file_path)
        raw[name] = value

    def bad(name: str, message: str) -> None:
        where = origin.get(name)
        suffix = f" (set in {where})" if where and where != "environment" else ""
        problems.append(f"{name}: {message}{suffix}")

    # TELEGRAM_BOT_TOKEN
    token = raw["TELEGRAM_BOT_TOKEN"]
    if token is not None and not _TOKEN_RE.match(token):
        bad(
            "TELEGRAM_BOT_TOKEN",
            "does not look like a bot token from @BotFather (expected <digits>:<at least 30 "
            "letters, digits, '_' or '-'>); value not shown",
        )

    # Telegram API URLs
    api_base = raw["TELEGRAM_API_BASE_URL"] or DEFAULT_TELEGRAM_API_BASE_URL
    if not _is_http_url(api_base):
        bad("TELEGRAM_API_BASE_URL", f"{api_base!r} is not an http(s) URL")
    api_file = raw["TELEGRAM_API_FILE_URL"] or DEFAULT_TELEGRAM_API_FILE_URL
    if not _is_http_url(api_file):
        bad("TELEGRAM_API_FILE_URL", f"{api_file!r} is not an http(s) URL")

    # CEKKLAIM_DB
    db_raw = raw["CEKKLAIM_DB"]
    db_path: Path | None
    if db_raw is None:
        db_path = Path.cwd() / DEFAULT_DB_NAME
    elif db_raw == MEMORY_DB:
        db_path = Path(MEMORY_DB)
    else:
        db_path = Path(db_raw).expanduser()
        if not db_path.is_absolute():
            db_path = Path.cwd() / db_path
        if db_path.is_dir():
            bad("CEKKLAIM_DB", f"{db_raw!r} is a directory, expected a database file path")
            db_path = None

    # CEKKLAIM_SECRET (the generated-file fallback is handled at the end)
    secret = raw["CEKKLAIM_SECRET"]
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        bad(
            "CEKKLAIM_SECRET",
            f"must be at least {MIN_SECRET_LENGTH} characters (got {len(secret)}); value not shown",
        )

    # MODERATOR_IDS
    moderator_ids: frozenset[int] = frozenset()
    mods_raw = raw["MODERATOR_IDS"]
    if mods_raw is not None:
        parts = [p for p in re.split(r"[\s,]+", mods_raw) if p]
        if not all(_INT_RE.match(p) for p in parts):
            bad(
                "MODERATOR_IDS",
                f"{mods_raw!r} is not a list of integer Telegram user ids "
                "(separate them with commas or spaces)",
            )
        elif any(int(p) <= 0 for p in parts):
            bad(
                "MODERATOR_IDS",
                f"{mods_raw!r} is not a list of positive integer Telegram user ids "
                "(group or channel ids belong in MODERATOR_CHAT_ID)",
            )
        else:
            moderator_ids = frozenset(int(p) for p in parts)

    # MODERATOR_CHAT_ID
    moderator_chat_id: int | None = None
    chat_raw = raw["MODERATOR_CHAT_ID"]
    if chat_raw is not None:
        if _INT_RE.match(chat_raw) and int(chat_raw) != 0:
            moderator_chat_id = int(chat_raw)
        else:
            bad(
                "MODERATOR_CHAT_ID",
                f"{chat_raw!r} is not a Telegram chat id (a non-zero integer; group ids are "
                "negative, e.g. -1001234567890)",
            )

    # LOG_LEVEL
    log_level = (raw["LOG_LEVEL"] or DEFAULT_LOG_LEVEL).upper()
    if log_level not in LOG_LEVELS:
        bad("LOG_LEVEL", f"{raw['LOG_LEVEL']!r} is not one of {', '.join(LOG_LEVELS)}")
        log_level = DEFAULT_LOG_LEVEL

    # WEBHOOK_URL
    webhook_url = raw["WEBHOOK_URL"]
    if webhook_url is not None and not _is_http_url(webhook_url, schemes=("https",)):
        bad("WEBHOOK_URL", f"{webhook_url!r} is not an https URL (Telegram requires https)")

    # WEBHOOK_SECRET
    webhook_secret = raw["WEBHOOK_SECRET"]
    if webhook_secret is not None and not _WEBHOOK_SECRET_RE.match(webhook_secret):
        bad(
            "WEBHOOK_SECRET",
            f"must be 1-256 characters of A-Z, a-z, 0-9, '_' or '-' (got {len(webhook_secret)} "
            "characters); value not shown",
        )
    webhook_url_ok = webhook_url is not None and _is_http_url(webhook_url, schemes=("https",))
    if webhook_url_ok and webhook_secret is None:
        bad(
            "WEBHOOK_SECRET",
            "required when WEBHOOK_URL is set: without it anyone who finds the URL can post "
            "forged updates (generate one, e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')",
        )

    # WEBHOOK_LISTEN
    webhook_listen = raw["WEBHOOK_LISTEN"] or DEFAULT_WEBHOOK_LISTEN
    if not _is_listen_address(webhook_listen):
        bad("WEBHOOK_LISTEN", f"{webhook_listen!r} is not an IP address or host name")

    # WEBHOOK_PORT
    webhook_port = DEFAULT_WEBHOOK_PORT
    port_raw = raw["WEBHOOK_PORT"]
    if port_raw is not None:
        if _INT_RE.match(port_raw) and 1 <= int(port_raw) <= 65535:
            webhook_port = int(port_raw)
        else:
            bad("WEBHOOK_PORT", f"{port_raw!r} is not a TCP port number (1-65535)")

    # RATE_LIMIT_PER_MINUTE
    rate_limit = DEFAULT_RATE_LIMIT_PER_MINUTE
    rate_raw = raw["RATE_LIMIT_PER_MINUTE"]
    if rate_raw is not None:
        if _INT_RE.match(rate_raw) and int(rate_raw) >= 1:
            rate_limit = int(rate_raw)
        else:
            bad("RATE_LIMIT_PER_MINUTE", f"{rate_raw!r} is not an integer >= 1")

    # ALERT_THRESHOLD / ALERT_WINDOW_MINUTES: when a cluster is announced to moderators
    positive: dict[str, int] = {}
    for name, default in (
        ("ALERT_THRESHOLD", DEFAULT_ALERT_THRESHOLD),
        ("ALERT_WINDOW_MINUTES", DEFAULT_ALERT_WINDOW_MINUTES),
    ):
        value = raw[name]
        positive[name] = default
        if value is not None:
            if _INT_RE.match(value) and int(value) >= 1:
                positive[name] = int(value)
            else:
                bad(name, f"{value!r} is not an integer >= 1")

    # OFFICIAL_DOMAINS: which sites count as official, and the body each one speaks for
    official_domains, domain_problems = parse_official_domains(
        raw["OFFICIAL_DOMAINS"] or DEFAULT_OFFICIAL_DOMAINS
    )
    for problem in domain_problems:
        bad("OFFICIAL_DOMAINS", problem)
    if not domain_problems and not official_domains:
        bad("OFFICIAL_DOMAINS", "lists no domain (leave it unset for kpu.go.id,bawaslu.go.id)")

    # FETCH_LINKS / FETCH_ALLOW_LOOPBACK: yes/no switches
    switches: dict[str, bool] = {}
    for name, default in (("FETCH_LINKS", True), ("FETCH_ALLOW_LOOPBACK", False)):
        value = raw[name]
        switches[name] = default
        if value is not None:
            if value.lower() in _TRUE:
                switches[name] = True
            elif value.lower() in _FALSE:
                switches[name] = False
            else:
                bad(name, f"{value!r} is not a yes/no value (use 1 or 0)")

    # FETCH_TIMEOUT_SECONDS / FEED_POLL_MINUTES
    for name, default, low, high in (
        ("FETCH_TIMEOUT_SECONDS", DEFAULT_FETCH_TIMEOUT_SECONDS, 1, 60),
        ("FEED_POLL_MINUTES", DEFAULT_FEED_POLL_MINUTES, 1, 10080),
    ):
        value = raw[name]
        positive[name] = default
        if value is not None:
            if _INT_RE.match(value) and low <= int(value) <= high:
                positive[name] = int(value)
            else:
                bad(name, f"{value!r} is not an integer from {low} to {high}")

    # SOURCE_FEEDS: RSS/Atom feeds or sitemaps of official sites, polled for drafts
    feeds_raw = raw["SOURCE_FEEDS"]
    source_feeds: tuple[str, ...] = ()
    if feeds_raw is not None:
        parts = [p for p in re.split(r"[\s,]+", feeds_raw) if p]
        wrong = [p for p in parts if not _is_http_url(p)]
        if wrong:
            bad("SOURCE_FEEDS", f"{wrong[0]!r} is not an http(s) URL (separate feeds by commas)")
        source_feeds = tuple(dict.fromkeys(parts))
    # BOT_API_TIMEOUT_SECONDS / BOT_API_MAX_RATE: Bot API requests (see bot/telegram/faults.py)
    api_timeout = DEFAULT_BOT_API_TIMEOUT_SECONDS
    timeout_raw = raw["BOT_API_TIMEOUT_SECONDS"]
    if timeout_raw is not None:
        try:
            api_timeout = float(timeout_raw)
        except ValueError:
            api_timeout = -1.0
        if not 0.1 <= api_timeout <= 300:
            bad("BOT_API_TIMEOUT_SECONDS", f"{timeout_raw!r} is not a number of seconds (0.1-300)")
            api_timeout = DEFAULT_BOT_API_TIMEOUT_SECONDS
    api_rate = DEFAULT_BOT_API_MAX_RATE
    api_rate_raw = raw["BOT_API_MAX_RATE"]
    if api_rate_raw is not None:
        if _INT_RE.match(api_rate_raw) and int(api_rate_raw) >= 0:
            api_rate = int(api_rate_raw)
        else:
            bad("BOT_API_MAX_RATE", f"{api_rate_raw!r} is not an integer >= 0 (0: no limit)")

    # Generated secret: only when everything else is valid, so a bad configuration
    # leaves no files behind.
    if secret is None and db_path is not None and not problems:
        secret = _secret_from_file(db_path, problems)

    if problems:
        raise SettingsError(_redact(problems, raw))

    assert secret is not None and db_path is not None
    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=api_base,
        telegram_api_file_url=api_file,
        db_path=db_path,
        secret=secret,
        moderator_ids=moderator_ids,
        moderator_chat_id=moderator_chat_id,
        log_level=log_level,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=webhook_listen,
        webhook_port=webhook_port,
        rate_limit_per_minute=rate_limit,
        alert_threshold=positive["ALERT_THRESHOLD"],
        alert_window_minutes=positive["ALERT_WINDOW_MINUTES"],
        official_domains=official_domains,
        fetch_links=switches["FETCH_LINKS"],
        fetch_timeout_seconds=positive["FETCH_TIMEOUT_SECONDS"],
        fetch_allow_loopback=switches["FETCH_ALLOW_LOOPBACK"],
        source_feeds=source_feeds,
        feed_poll_minutes=positive["FEED_POLL_MINUTES"],
        bot_api_timeout_seconds=api_timeout,
        bot_api_max_rate=api_rate,
    )


def _clean(value: str | None) -> str | None:
    """Strip whitespace; treat empty as unset."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _is_http_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def _is_listen_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return bool(_HOSTNAME_RE.match(value))
    return True


def _secret_from_file(db_path: Path, problems: list[str]) -> str | None:
    """Read ``<db>.secret``, creating it (0600) with a random secret on first use."""
    if str(db_path) == MEMORY_DB:
        return secrets.token_urlsafe(32)
    path = secret_file_for(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_urlsafe(32) + "\n")
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            f"CEKKLAIM_SECRET: not set, and the secret file {path} cannot be created or read "
            f"({type(exc).__name__}); set CEKKLAIM_SECRET or fix the file"
        )
        return None
    if len(value) < MIN_SECRET_LENGTH:
        problems.append(
            f"CEKKLAIM_SECRET: not set, and the secret file {path} holds fewer than "
            f"{MIN_SECRET_LENGTH} characters; restore it from backup or set CEKKLAIM_SECRET "
            "(a new secret makes stored user pseudonyms unmatchable)"
        )
        return None
    return value


def _redact(problems: list[str], raw: Mapping[str, str | None]) -> list[str]:
    """Belt and braces: scrub secret values from messages, wherever they were pasted."""
    sensitive = sorted(
        {v for name in _SENSITIVE if (v := raw.get(name)) and len(v) >= 4},
        key=len,
        reverse=True,
    )
    out = []
    for message in problems:
        for value in sensitive:
            message = message.replace(value, _REDACTED)
        out.append(_TOKEN_ANYWHERE_RE.sub(_REDACTED, message))
    return out
