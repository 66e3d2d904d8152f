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

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from dataclasses import field as _field
from pathlib import Path
from typing import Any

from bot import setting_values as values
from bot.envfile import adopt_old_secret, parse_env_file, secret_file_for, secret_from_file
from bot.setting_values import LOG_LEVELS, MIN_SECRET_LENGTH, Invalid

__all__ = [
    "DEFAULT_DB_NAME",
    "DEFAULT_ENV_FILE",
    "LOG_LEVELS",
    "MIN_SECRET_LENGTH",
    "SETTINGS",
    "SETTING_NAMES",
    "Setting",
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
DEFAULT_ALERT_THRESHOLD = 20
DEFAULT_ALERT_WINDOW_MINUTES = 60
DEFAULT_FETCH_TIMEOUT_SECONDS = 8
DEFAULT_FEED_POLL_MINUTES = 30
DEFAULT_BOT_API_TIMEOUT_SECONDS = 5.0  # python-telegram-bot's own default
DEFAULT_BOT_API_MAX_RATE = 30  # Telegram's limit of about 30 messages a second per bot
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
    inbox: bool = True  # CEKKLAIM_INBOX=0 only for the crash bench's baseline
    log_format: str = "text"  # LOG_FORMAT: text or json
    #: PUBLIC_BASE_URL: where the public statement pages are served (bot/site), e.g.
    #: https://cekklaim.example.id; None: no pages, cards link to the source only.
    public_base_url: str | None = None

    def __repr__(self) -> str:
        def shown(name: str, value: Any) -> str:
            if name in _SENSITIVE_FIELDS:
                return "None" if value is None else "'***'"
            if isinstance(value, frozenset):
                return repr(sorted(value))
            if isinstance(value, Mapping):
                return repr(dict(value))
            return repr(value)

        body = ", ".join(f"{f.name}={shown(f.name, getattr(self, f.name))}" for f in fields(self))
        return f"Settings({body})"

    __str__ = __repr__

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


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment setting: where it goes, how it is read, its default, what it does.

    `parse` turns the text (stripped, never empty) into the value or raises Invalid;
    `default` is the text used when the setting is unset (parsed the same way), or None
    when unset means `unset`. `doc` is the line README and .env.example expand on.
    """

    name: str
    field: str
    parse: Callable[[str], Any]
    default: str | None
    doc: str
    unset: Any = None
    secret: bool = False  # never shown in repr or error messages


#: Every setting, in the order README and .env.example document them.
SETTINGS: tuple[Setting, ...] = (
    Setting("TELEGRAM_BOT_TOKEN", "telegram_bot_token", values.token, None,
            "bot token from @BotFather; required by `cekklaim run`", secret=True),
    Setting("TELEGRAM_API_BASE_URL", "telegram_api_base_url", values.http_url,
            DEFAULT_TELEGRAM_API_BASE_URL, "Bot API base URL"),
    Setting("TELEGRAM_API_FILE_URL", "telegram_api_file_url", values.http_url,
            DEFAULT_TELEGRAM_API_FILE_URL, "Bot API file base URL"),
    Setting("CEKKLAIM_DB", "db_path", values.db_path, DEFAULT_DB_NAME, "SQLite database file"),
    Setting("CEKKLAIM_SECRET", "secret", values.secret, None,
            "HMAC key for user pseudonyms; generated into <db>.secret when unset", secret=True),
    Setting("MODERATOR_IDS", "moderator_ids", values.moderator_ids, None,
            "Telegram user ids of the admins", unset=frozenset()),
    Setting("MODERATOR_CHAT_ID", "moderator_chat_id", values.chat_id, None,
            "chat that receives moderation notes"),
    Setting("LOG_LEVEL", "log_level", values.log_level, "INFO", "DEBUG, INFO, WARNING or ERROR"),
    Setting("LOG_FORMAT", "log_format", values.log_format, "text",
            "text, or json: one JSON object per line (time, level, logger, message)"),
    Setting("WEBHOOK_URL", "webhook_url", values.https_url, None,
            "public https URL: a webhook instead of long polling"),
    Setting("WEBHOOK_SECRET", "webhook_secret", values.webhook_secret, None,
            "secret token Telegram sends with webhook calls", secret=True),
    Setting("WEBHOOK_LISTEN", "webhook_listen", values.listen_address, "127.0.0.1",
            "address the webhook server listens on; the TLS reverse proxy is in front"),
    Setting("WEBHOOK_PORT", "webhook_port", values.port, "8443",
            "port the webhook server listens on"),
    Setting("RATE_LIMIT_PER_MINUTE", "rate_limit_per_minute", values.integer(1), "10",
            "updates per user per minute"),
    Setting("ALERT_THRESHOLD", "alert_threshold", values.integer(1), str(DEFAULT_ALERT_THRESHOLD),
            "askers within the window that make a cluster announced"),
    Setting("ALERT_WINDOW_MINUTES", "alert_window_minutes", values.integer(1),
            str(DEFAULT_ALERT_WINDOW_MINUTES), "the window of ALERT_THRESHOLD"),
    Setting("OFFICIAL_DOMAINS", "official_domains", values.official_domains,
            "kpu.go.id,bawaslu.go.id", "domains whose pages count as official"),
    Setting("FETCH_LINKS", "fetch_links", values.switch, "1", "read the pages citizens link to"),
    Setting("FETCH_TIMEOUT_SECONDS", "fetch_timeout_seconds", values.integer(1, 60),
            str(DEFAULT_FETCH_TIMEOUT_SECONDS), "total time of one fetch"),
    Setting("FETCH_ALLOW_LOOPBACK", "fetch_allow_loopback", values.switch, "0",
            "tests only: fetch from loopback"),
    Setting("SOURCE_FEEDS", "source_feeds", values.feeds, None,
            "feeds and sitemaps polled for drafts", unset=()),
    Setting("FEED_POLL_MINUTES", "feed_poll_minutes", values.integer(1, 10080),
            str(DEFAULT_FEED_POLL_MINUTES), "how often SOURCE_FEEDS are polled"),
    Setting("BOT_API_TIMEOUT_SECONDS", "bot_api_timeout_seconds", values.seconds, "5",
            "timeout of one Bot API request"),
    Setting("BOT_API_MAX_RATE", "bot_api_max_rate",
            values.integer(0, hint=" (0: no limit)"), str(DEFAULT_BOT_API_MAX_RATE),
            "messages a second to Telegram"),
    Setting("CEKKLAIM_INBOX", "inbox", values.switch, "1",
            "0 turns the update inbox off (the crash bench's baseline only)"),
    Setting("PUBLIC_BASE_URL", "public_base_url", values.http_url, None,
            "address of the public statement pages (cekklaim site), e.g. https://cek.example.id"),
)  # fmt: skip

#: Every environment name this module reads, in the order they are documented.
SETTING_NAMES = tuple(s.name for s in SETTINGS)
_SENSITIVE = tuple(s.name for s in SETTINGS if s.secret)
_SENSITIVE_FIELDS = frozenset(s.field for s in SETTINGS if s.secret)


def _clean(value: str | None) -> str | None:
    """Strip whitespace; treat empty as unset."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    *,
    db_path: Path | None = None,
    notices: list[str] | None = None,
    generate_secret: bool = True,
) -> Settings:
    """Read, validate and return the settings.

    ``environ`` defaults to ``os.environ``. ``env_file`` defaults to ``.env`` in the current
    directory, which is optional; an explicitly given ``env_file`` must exist. ``db_path``
    (a command's ``--db``) overrides CEKKLAIM_DB before the secret is read, so the secret is
    always the one beside the database used. A secret found in an old place and moved
    beside the database is told in ``notices``. Raises :class:`SettingsError` naming every
    invalid setting at once. With ``generate_secret=False`` no secret file is read or made
    (``secret`` is then CEKKLAIM_SECRET or ``""``): for `cekklaim restore`, which brings its own.
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
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        where = ""
        value = _clean(env.get(setting.name))
        if value is None:
            value = _clean(file_values.get(setting.name))
            where = f" (set in {file_path})" if value is not None else ""
        raw[setting.name] = value
        text = value if value is not None else setting.default
        if text is None:
            values[setting.field] = setting.unset
            continue
        try:
            values[setting.field] = setting.parse(text)
        except Invalid as exc:
            problems.extend(f"{setting.name}: {message}{where}" for message in exc.messages)
            values[setting.field] = None

    if values["webhook_url"] is not None and raw["WEBHOOK_SECRET"] is None:
        problems.append(
            "WEBHOOK_SECRET: required when WEBHOOK_URL is set: without it anyone who finds "
            "the URL can post forged updates (generate one, e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')"
        )

    configured = values["db_path"]
    if db_path is not None:
        values["db_path"] = values_db_path(db_path, problems)

    # Generated secret: only when everything else is valid, so a bad configuration
    # leaves no files behind.
    if values["secret"] is None and not generate_secret:
        values["secret"] = ""
    elif values["secret"] is None and values["db_path"] is not None and not problems:
        old = [configured] if configured is not None else []
        adopt_old_secret(values["db_path"], old, notices if notices is not None else [])
        values["secret"] = secret_from_file(values["db_path"], problems)
    elif values["secret"] is not None and values["db_path"] is not None and notices is not None:
        notices.extend(shadowed_secret_file(values["db_path"], values["secret"]))

    if problems:
        raise SettingsError(_redact(problems, raw))
    return Settings(**values)


def shadowed_secret_file(db_path: Path, secret: str) -> list[str]:
    """A warning when CEKKLAIM_SECRET is set but another key sits beside the database."""
    path = secret_file_for(db_path)
    try:
        found = path.read_text(encoding="utf-8").strip() if path.is_file() else secret
    except (OSError, UnicodeDecodeError):
        return []
    if found == secret:
        return []
    return [
        f"CEKKLAIM_SECRET is set and is not the key in {path}, which is ignored: pseudonyms "
        "made with that file (and citizens' earlier buttons) no longer match; unset "
        "CEKKLAIM_SECRET to use the file, or remove the file if the variable is right"
    ]


def values_db_path(path: Path, problems: list[str]) -> Path | None:
    """A ``--db`` given on the command line, checked like CEKKLAIM_DB."""
    try:
        return values.db_path(str(path))
    except Invalid as exc:
        problems.extend(f"--db: {message}" for message in exc.messages)
        return None


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
