"""The `.env` file, and the generated HMAC secret kept beside the database."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

from bot.setting_values import MEMORY_DB, MIN_SECRET_LENGTH

_ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXPORT_RE = re.compile(r"^export\s+")


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


def adopt_old_secret(db_path: Path, old_places: Sequence[Path], notices: list[str]) -> None:
    """Bring a secret written in an old place to ``<db>.secret``, before one is generated.

    Before the secret followed ``--db``, a database given with ``--db`` was keyed by the
    secret of the configured database (``./cekklaim.db.secret`` by default). When the
    database exists but has no secret beside it, that file is what keyed its pseudonyms:
    it is moved beside the database, or copied when its own database still exists (both
    keep working). Never when a secret is already there: nothing is replaced.
    """
    path = secret_file_for(db_path)
    if str(db_path) == MEMORY_DB or path.exists() or not db_path.is_file():
        return
    for old in old_places:
        if str(old) == MEMORY_DB or old == db_path or not secret_file_for(old).is_file():
            continue
        old_secret = secret_file_for(old)
        path.parent.mkdir(parents=True, exist_ok=True)
        if old.exists():  # still keys its own database: both keep it
            shutil.copyfile(old_secret, path)
            path.chmod(0o600)
            how = f"copied from {old_secret} (still used by {old})"
        else:
            shutil.move(old_secret, path)
            path.chmod(0o600)
            how = f"moved from {old_secret}"
        notices.append(
            f"the pseudonym secret of {db_path} now lives beside it: {path}, {how}; "
            "keep it with the database"
        )
        return


def secret_from_file(db_path: Path, problems: list[str]) -> str | None:
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
