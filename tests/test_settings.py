from __future__ import annotations

import dataclasses
import os
import stat
import sys
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_TELEGRAM_API_BASE_URL,
    DEFAULT_TELEGRAM_API_FILE_URL,
    SETTING_NAMES,
    Settings,
    SettingsError,
    load_settings,
    parse_env_file,
    secret_file_for,
)

# Fictional values of the right shape; never real credentials.
TOKEN = "123456789:AAFakeTokenForTests_0123456789-abcdefXYZ"
SECRET = "s3cret-for-tests-0123456789"
WEBHOOK_SECRET = "hook_Secret-123"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty directory so no real .env or database is touched."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(**env: str) -> Settings:
    return load_settings(environ=env)


def errors(**env: str) -> SettingsError:
    with pytest.raises(SettingsError) as info:
        load_settings(environ=env)
    return info.value


# --------------------------------------------------------------------------- defaults


def test_defaults(tmp_path: Path) -> None:
    s = load()
    assert s.telegram_bot_token is None
    assert s.telegram_api_base_url == DEFAULT_TELEGRAM_API_BASE_URL
    assert s.telegram_api_file_url == DEFAULT_TELEGRAM_API_FILE_URL
    assert s.db_path == tmp_path / "cekklaim.db"
    assert len(s.secret) >= 16
    assert s.moderator_ids == frozenset()
    assert s.moderator_chat_id is None
    assert s.log_level == "INFO"
    assert s.webhook_url is None
    assert s.webhook_secret is None
    assert s.webhook_listen == "127.0.0.1"  # plain HTTP: only the TLS proxy in front reaches it
    assert s.webhook_port == 8443
    assert s.rate_limit_per_minute == 10


def test_settings_are_frozen() -> None:
    s = load(CEKKLAIM_SECRET=SECRET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.log_level = "DEBUG"  # type: ignore[misc]


def test_uses_os_environ_when_environ_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CEKKLAIM_SECRET", SECRET)
    monkeypatch.setenv("LOG_LEVEL", "warning")
    assert load_settings().log_level == "WARNING"


# --------------------------------------------------------------------- valid values

VALID = [
    ("TELEGRAM_BOT_TOKEN", TOKEN, "telegram_bot_token", TOKEN),
    ("TELEGRAM_BOT_TOKEN", f"  {TOKEN}  ", "telegram_bot_token", TOKEN),
    ("TELEGRAM_BOT_TOKEN", "", "telegram_bot_token", None),
    (
        "TELEGRAM_API_BASE_URL",
        "http://localhost:8081/bot",
        "telegram_api_base_url",
        "http://localhost:8081/bot",
    ),
    (
        "TELEGRAM_API_FILE_URL",
        "https://tg.example.org/file/bot",
        "telegram_api_file_url",
        "https://tg.example.org/file/bot",
    ),
    ("CEKKLAIM_SECRET", "x" * 16, "secret", "x" * 16),
    ("MODERATOR_IDS", "42", "moderator_ids", frozenset({42})),
    ("MODERATOR_IDS", "1, 2 3,,4", "moderator_ids", frozenset({1, 2, 3, 4})),
    ("MODERATOR_IDS", "", "moderator_ids", frozenset()),
    ("MODERATOR_CHAT_ID", "-1001234567890", "moderator_chat_id", -1001234567890),
    ("MODERATOR_CHAT_ID", "987654", "moderator_chat_id", 987654),
    ("LOG_LEVEL", "debug", "log_level", "DEBUG"),
    ("LOG_LEVEL", "ERROR", "log_level", "ERROR"),
    ("WEBHOOK_URL", "https://bot.example.org/tg", "webhook_url", "https://bot.example.org/tg"),
    (
        "WEBHOOK_URL",
        "https://bot.example.org:8443/x",
        "webhook_url",
        "https://bot.example.org:8443/x",
    ),
    ("WEBHOOK_SECRET", WEBHOOK_SECRET, "webhook_secret", WEBHOOK_SECRET),
    ("WEBHOOK_SECRET", "a" * 256, "webhook_secret", "a" * 256),
    ("WEBHOOK_LISTEN", "127.0.0.1", "webhook_listen", "127.0.0.1"),
    ("WEBHOOK_LISTEN", "::", "webhook_listen", "::"),
    ("WEBHOOK_LISTEN", "localhost", "webhook_listen", "localhost"),
    ("WEBHOOK_PORT", "443", "webhook_port", 443),
    ("WEBHOOK_PORT", "65535", "webhook_port", 65535),
    ("RATE_LIMIT_PER_MINUTE", "1", "rate_limit_per_minute", 1),
    ("RATE_LIMIT_PER_MINUTE", "120", "rate_limit_per_minute", 120),
    ("BOT_API_TIMEOUT_SECONDS", "0.5", "bot_api_timeout_seconds", 0.5),
    ("BOT_API_TIMEOUT_SECONDS", "", "bot_api_timeout_seconds", 5.0),
    ("BOT_API_MAX_RATE", "0", "bot_api_max_rate", 0),
    ("BOT_API_MAX_RATE", "", "bot_api_max_rate", 30),
]


@pytest.mark.parametrize(("name", "value", "attr", "expected"), VALID)
def test_valid_values(name: str, value: str, attr: str, expected: object) -> None:
    env = {"CEKKLAIM_SECRET": SECRET, name: value}
    if name == "WEBHOOK_URL":
        env["WEBHOOK_SECRET"] = WEBHOOK_SECRET
    assert getattr(load(**env), attr) == expected


def test_relative_db_path_resolves_against_cwd(tmp_path: Path) -> None:
    s = load(CEKKLAIM_DB="data/bot.db", CEKKLAIM_SECRET=SECRET)
    assert s.db_path == tmp_path / "data" / "bot.db"


def test_moderator_helpers() -> None:
    s = load(
        CEKKLAIM_SECRET=SECRET,
        MODERATOR_IDS="7 8",
        WEBHOOK_URL="https://x.example/h",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    assert s.moderator_ids == frozenset({7, 8})  # who may moderate: bot/curation.py
    assert s.webhook_url == "https://x.example/h"


def test_webhook_requires_its_secret_token() -> None:
    err = errors(CEKKLAIM_SECRET=SECRET, WEBHOOK_URL="https://x.example/h")
    assert [p.split(":", 1)[0] for p in err.problems] == ["WEBHOOK_SECRET"]
    assert "required when WEBHOOK_URL is set" in str(err)


def test_require_bot_token() -> None:
    assert load(CEKKLAIM_SECRET=SECRET, TELEGRAM_BOT_TOKEN=TOKEN).require_bot_token() == TOKEN
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN: not set"):
        load(CEKKLAIM_SECRET=SECRET).require_bot_token()


# ------------------------------------------------------------------- invalid values

INVALID = [
    ("TELEGRAM_BOT_TOKEN", "not-a-token", "does not look like a bot token"),
    ("TELEGRAM_BOT_TOKEN", "123456:tooShort", "does not look like a bot token"),
    ("TELEGRAM_BOT_TOKEN", "abc:" + "A" * 35, "does not look like a bot token"),
    ("TELEGRAM_BOT_TOKEN", "123:" + "A" * 30 + "!", "does not look like a bot token"),
    ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot", "is not an http(s) URL"),
    ("TELEGRAM_API_BASE_URL", "ftp://api.telegram.org/bot", "is not an http(s) URL"),
    ("TELEGRAM_API_FILE_URL", "https://", "is not an http(s) URL"),
    ("CEKKLAIM_SECRET", "short", "at least 16 characters (got 5)"),
    ("MODERATOR_IDS", "abc", "'abc' is not a list of integer Telegram user ids"),
    ("MODERATOR_IDS", "1,2,x", "is not a list of integer Telegram user ids"),
    ("MODERATOR_IDS", "1.5", "is not a list of integer Telegram user ids"),
    ("MODERATOR_IDS", "12 -1001234", "positive integer Telegram user ids"),
    ("MODERATOR_CHAT_ID", "group", "is not a Telegram chat id"),
    ("MODERATOR_CHAT_ID", "0", "is not a Telegram chat id"),
    ("MODERATOR_CHAT_ID", "-12,-13", "is not a Telegram chat id"),
    ("LOG_LEVEL", "verbose", "'verbose' is not one of DEBUG, INFO, WARNING, ERROR"),
    ("LOG_LEVEL", "CRITICAL", "is not one of DEBUG, INFO, WARNING, ERROR"),
    ("WEBHOOK_URL", "http://bot.example.org/tg", "is not an https URL"),
    ("WEBHOOK_URL", "bot.example.org", "is not an https URL"),
    ("WEBHOOK_URL", "https://bot.example.org:99999/x", "is not an https URL"),
    ("WEBHOOK_SECRET", "has space", "1-256 characters"),
    ("WEBHOOK_SECRET", "a" * 257, "1-256 characters"),
    ("WEBHOOK_SECRET", "semi;colon", "1-256 characters"),
    ("WEBHOOK_LISTEN", "not a host", "is not an IP address or host name"),
    ("WEBHOOK_PORT", "0", "is not a TCP port number"),
    ("WEBHOOK_PORT", "70000", "is not a TCP port number"),
    ("WEBHOOK_PORT", "https", "is not a TCP port number"),
    ("RATE_LIMIT_PER_MINUTE", "0", "is not an integer >= 1"),
    ("RATE_LIMIT_PER_MINUTE", "-3", "is not an integer >= 1"),
    ("RATE_LIMIT_PER_MINUTE", "ten", "is not an integer >= 1"),
    ("RATE_LIMIT_PER_MINUTE", "1_000", "is not an integer >= 1"),
    ("BOT_API_TIMEOUT_SECONDS", "0", "is not a number of seconds (0.1-300)"),
    ("BOT_API_TIMEOUT_SECONDS", "nan", "is not a number of seconds (0.1-300)"),
    ("BOT_API_TIMEOUT_SECONDS", "soon", "is not a number of seconds (0.1-300)"),
    ("BOT_API_MAX_RATE", "-1", "is not an integer >= 0 (0: no limit)"),
]


@pytest.mark.parametrize(("name", "value", "fragment"), INVALID)
def test_invalid_values(name: str, value: str, fragment: str) -> None:
    env = {"CEKKLAIM_SECRET": SECRET, name: value}
    err = errors(**env)
    assert len(err.problems) == 1, err.problems
    assert err.problems[0].startswith(f"{name}: ")
    assert fragment in str(err)
    assert str(err).startswith("Invalid settings: ")


def test_db_path_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "dbdir").mkdir()
    err = errors(CEKKLAIM_DB="dbdir", CEKKLAIM_SECRET=SECRET)
    assert err.problems == ["CEKKLAIM_DB: 'dbdir' is a directory, expected a database file path"]


def test_all_problems_reported_together() -> None:
    err = errors(
        TELEGRAM_BOT_TOKEN="nope",
        TELEGRAM_API_BASE_URL="telegram",
        CEKKLAIM_SECRET="tiny",
        MODERATOR_IDS="abc",
        MODERATOR_CHAT_ID="chat",
        LOG_LEVEL="loud",
        WEBHOOK_URL="http://insecure.example",
        WEBHOOK_SECRET="bad secret",
        WEBHOOK_LISTEN="no such host!",
        WEBHOOK_PORT="-1",
        RATE_LIMIT_PER_MINUTE="0",
    )
    names = [p.split(":", 1)[0] for p in err.problems]
    assert names == [
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "CEKKLAIM_SECRET",
        "MODERATOR_IDS",
        "MODERATOR_CHAT_ID",
        "LOG_LEVEL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN",
        "WEBHOOK_PORT",
        "RATE_LIMIT_PER_MINUTE",
    ]
    message = str(err)
    assert message.startswith("Invalid settings: ")
    assert "MODERATOR_IDS: 'abc' is not a list of integer Telegram user ids" in message
    assert message.count("; ") >= len(names) - 1


# ---------------------------------------------------------------- secrets stay secret


def test_token_and_secrets_absent_from_repr_and_str() -> None:
    s = load(TELEGRAM_BOT_TOKEN=TOKEN, CEKKLAIM_SECRET=SECRET, WEBHOOK_SECRET=WEBHOOK_SECRET)
    for text in (repr(s), str(s), f"{s}", f"{s!r}"):
        assert TOKEN not in text
        assert TOKEN.split(":", 1)[1] not in text
        assert SECRET not in text
        assert WEBHOOK_SECRET not in text
        assert "telegram_bot_token='***'" in text
        assert "secret='***'" in text
    assert "telegram_bot_token=None" in repr(load(CEKKLAIM_SECRET=SECRET))


def test_generated_secret_absent_from_repr() -> None:
    s = load()
    assert s.secret not in repr(s)


BAD_TOKENS = [
    "123456:tooShortButSecretish",
    "12345678:" + "B" * 29,
    "noColonAtAllButQuiteLongSecretValue1234567890",
    TOKEN + "!",
]


@pytest.mark.parametrize("bad_token", BAD_TOKENS)
def test_invalid_token_value_never_in_error(bad_token: str) -> None:
    err = errors(TELEGRAM_BOT_TOKEN=bad_token, CEKKLAIM_SECRET=SECRET)
    assert bad_token not in str(err)
    assert bad_token.split(":")[-1] not in str(err)
    assert "value not shown" in str(err)


def test_token_pasted_into_another_setting_is_redacted() -> None:
    err = errors(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=TOKEN,
        MODERATOR_IDS=f"12 {TOKEN}",
        CEKKLAIM_SECRET=SECRET,
    )
    assert TOKEN not in str(err)
    assert "<redacted>" in str(err)
    # even when the token variable itself is unset
    err = errors(LOG_LEVEL=TOKEN, CEKKLAIM_SECRET=SECRET)
    assert TOKEN not in str(err)


def test_short_secret_and_webhook_secret_values_never_in_error() -> None:
    err = errors(CEKKLAIM_SECRET="hunter2hunter", WEBHOOK_SECRET="bad secret value")
    assert "hunter2hunter" not in str(err)
    assert "bad secret value" not in str(err)


# ------------------------------------------------------------------------- .env file


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_env_file_in_cwd_fills_only_what_environment_lacks(tmp_path: Path) -> None:
    write(
        tmp_path / ".env",
        "LOG_LEVEL=DEBUG\nRATE_LIMIT_PER_MINUTE=5\nCEKKLAIM_SECRET=from-the-file-1234567\n",
    )
    s = load(LOG_LEVEL="ERROR")
    assert s.log_level == "ERROR"  # environment wins
    assert s.rate_limit_per_minute == 5  # file fills the gap
    assert s.secret == "from-the-file-1234567"


def test_environment_wins_over_file_even_when_file_is_invalid_for_that_name(
    tmp_path: Path,
) -> None:
    write(tmp_path / ".env", "LOG_LEVEL=shouty\nWEBHOOK_PORT=notaport\n")
    s = load(LOG_LEVEL="INFO", WEBHOOK_PORT="88", CEKKLAIM_SECRET=SECRET)
    assert (s.log_level, s.webhook_port) == ("INFO", 88)


def test_empty_environment_value_is_filled_from_file(tmp_path: Path) -> None:
    write(tmp_path / ".env", "MODERATOR_IDS=5,6\n")
    assert load(MODERATOR_IDS="", CEKKLAIM_SECRET=SECRET).moderator_ids == {5, 6}


def test_explicit_env_file_is_used_instead_of_cwd(tmp_path: Path) -> None:
    write(tmp_path / ".env", "LOG_LEVEL=DEBUG\n")
    other = write(tmp_path / "prod.env", "LOG_LEVEL=WARNING\n")
    s = load_settings(environ={"CEKKLAIM_SECRET": SECRET}, env_file=other)
    assert s.log_level == "WARNING"


def test_explicit_env_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(environ={"CEKKLAIM_SECRET": SECRET}, env_file=tmp_path / "missing.env")


def test_missing_default_env_file_is_fine() -> None:
    assert load(CEKKLAIM_SECRET=SECRET).log_level == "INFO"


def test_error_names_the_file_a_bad_value_came_from(tmp_path: Path) -> None:
    write(tmp_path / ".env", "LOG_LEVEL=verbose\n")
    err = errors(CEKKLAIM_SECRET=SECRET)
    assert "LOG_LEVEL: 'verbose' is not one of" in str(err)
    assert f"(set in {tmp_path / '.env'})" in str(err)


def test_env_file_syntax(tmp_path: Path) -> None:
    path = write(
        tmp_path / "syntax.env",
        "\ufeff# full-line comment\n"
        "\n"
        "PLAIN=value\n"
        "SPACED = spaced value  \n"
        "export EXPORTED=yes\n"
        'DOUBLE="quoted # not a comment"\n'
        "SINGLE='single quoted'  # trailing comment\n"
        "INLINE=abc # comment\n"
        "HASH_INSIDE=abc#def\n"
        "EMPTY=\n"
        'EMPTY_QUOTED=""\n'
        "EQUALS=a=b=c\n"
        "DUP=first\n"
        "DUP=second\n",
    )
    values, problems = parse_env_file(path)
    assert problems == []
    assert values == {
        "PLAIN": "value",
        "SPACED": "spaced value",
        "EXPORTED": "yes",
        "DOUBLE": "quoted # not a comment",
        "SINGLE": "single quoted",
        "INLINE": "abc",
        "HASH_INSIDE": "abc#def",
        "EMPTY": "",
        "EMPTY_QUOTED": "",
        "EQUALS": "a=b=c",
        "DUP": "second",
    }


def test_env_file_malformed_lines_reported_without_content(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".env",
        "OK=1\n"
        f"{TOKEN}\n"  # no '=': someone pasted the bare token
        "1BAD=x\n"
        f'TELEGRAM_BOT_TOKEN="{TOKEN}\n'  # unterminated quote
        "X='a' b\n",
    )
    err = errors(CEKKLAIM_SECRET=SECRET)
    assert len(err.problems) == 4
    assert f"{path} line 2: expected KEY=VALUE" in err.problems
    assert f"{path} line 3: expected KEY=VALUE" in err.problems
    assert any("line 4" in p and "unterminated" in p for p in err.problems)
    assert any("line 5" in p and "after the closing quote" in p for p in err.problems)
    assert TOKEN not in str(err)


def test_env_file_and_value_problems_reported_together(tmp_path: Path) -> None:
    write(tmp_path / ".env", "garbage line\nWEBHOOK_PORT=abc\n")
    err = errors(LOG_LEVEL="nope", CEKKLAIM_SECRET=SECRET)
    text = str(err)
    assert "line 1: expected KEY=VALUE" in text
    assert "WEBHOOK_PORT:" in text
    assert "LOG_LEVEL:" in text


# ----------------------------------------------------------------- generated secret


def test_secret_file_generated_once_and_reused(tmp_path: Path) -> None:
    first = load(CEKKLAIM_DB="var/cekklaim.db")
    path = tmp_path / "var" / "cekklaim.db.secret"
    assert secret_file_for(first.db_path) == path
    assert path.read_text(encoding="utf-8").strip() == first.secret
    assert len(first.secret) >= 32
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = load(CEKKLAIM_DB="var/cekklaim.db")
    assert second.secret == first.secret
    # a different database gets its own secret
    other = load(CEKKLAIM_DB="other.db")
    assert other.secret != first.secret
    assert (tmp_path / "other.db.secret").is_file()


def test_default_db_secret_file_lives_in_cwd(tmp_path: Path) -> None:
    s = load()
    assert (tmp_path / "cekklaim.db.secret").read_text(encoding="utf-8").strip() == s.secret


def test_explicit_secret_creates_no_file(tmp_path: Path) -> None:
    s = load(CEKKLAIM_SECRET=SECRET)
    assert s.secret == SECRET
    assert not (tmp_path / "cekklaim.db.secret").exists()


def test_invalid_settings_leave_no_secret_file(tmp_path: Path) -> None:
    errors(LOG_LEVEL="nope")
    assert not (tmp_path / "cekklaim.db.secret").exists()


def test_existing_secret_file_is_respected(tmp_path: Path) -> None:
    write(tmp_path / "cekklaim.db.secret", "kept-from-backup-0123456789\n")
    assert load().secret == "kept-from-backup-0123456789"


def test_too_short_secret_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "cekklaim.db.secret", "short\n")
    err = errors()
    assert err.problems[0].startswith("CEKKLAIM_SECRET: not set, and the secret file")
    assert "short\n" not in str(err)


def test_memory_database_gets_ephemeral_secret(tmp_path: Path) -> None:
    a = load(CEKKLAIM_DB=":memory:")
    b = load(CEKKLAIM_DB=":memory:")
    assert str(a.db_path) == ":memory:"
    assert len(a.secret) >= 16
    assert a.secret != b.secret
    assert list(tmp_path.iterdir()) == []
