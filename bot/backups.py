"""A backup that carries everything a restore needs, and the restore that checks it.

`cekklaim backup PATH` writes three files: `PATH` (the database, copied with SQLite's online
backup API while the bot runs), `PATH.secret` (the pseudonym key beside the database, 0600)
and `PATH.manifest.json` (what was copied, with SHA-256 checksums, and a check value of the
secret so a restore can tell the right key from another). The copy is read back and checked
before the backup is reported.

`restore` checks the manifest and every checksum, and the database's integrity, before it
touches anything; it takes the database's run lock (bot/runlock.py), so it is refused while
a bot runs on it; a database already in the place is kept aside, never overwritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.envfile import secret_file_for
from bot.runlock import RunLock
from storage import maintenance

FORMAT = "cekklaim-backup"
VERSION = 1
_CHECK_MESSAGE = b"cekklaim secret check"


class BadBackup(ValueError):
    """The backup is incomplete, altered, or not a CekKlaim backup: nothing was restored."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    manifest: Path
    secret: Path | None  # None: the key is CEKKLAIM_SECRET, not a file
    pages: int
    integrity: str
    statements: int


@dataclass(frozen=True, slots=True)
class Restored:
    path: Path
    secret: Path | None
    statements: int
    taken_at: str
    kept_aside: tuple[Path, ...]


def manifest_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def secret_check(secret: str) -> str:
    """A value that tells whether two keys are the same without showing either."""
    return hmac.new(secret.encode(), _CHECK_MESSAGE, hashlib.sha256).hexdigest()[:16]


def make_backup(db: Database, db_path: Path, target: Path, secret: str) -> Backup:
    """Copy the database, its secret file (when the key is one) and write the manifest."""
    result = maintenance.backup(db, target)
    source_secret = secret_file_for(db_path)
    secret_copy: Path | None = None
    files: dict[str, dict[str, object]] = {
        "database": {"file": target.name, "sha256": sha256(target), "bytes": target.stat().st_size}
    }
    if source_secret.is_file() and source_secret.read_text(encoding="utf-8").strip() == secret:
        secret_copy = secret_file_for(target)
        fd = os.open(secret_copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(source_secret.read_bytes())
        files["secret"] = {"file": secret_copy.name, "sha256": sha256(secret_copy)}
    integrity, statements = maintenance.check_copy(target)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(db_path),
        "statements": statements,
        "integrity": integrity,
        "secret_check": secret_check(secret),
        "files": files,
    }
    path = manifest_for(target)
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    read_manifest(target)  # read back: what restore will check, checked now
    return Backup(target, path, secret_copy, result.pages, integrity, statements)


def read_manifest(backup: Path) -> dict[str, object]:
    """The manifest of `backup`, every file it names checked against its checksum."""
    path = manifest_for(backup)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadBackup(f"{path} not found: not a backup made by `cekklaim backup`") from None
    except (OSError, ValueError) as exc:
        raise BadBackup(f"{path} cannot be read ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadBackup(f"{path} is not a CekKlaim backup manifest")
    if manifest.get("version") != VERSION:
        raise BadBackup(f"{path}: backup format version {manifest.get('version')} is unknown")
    files = manifest.get("files")
    if not isinstance(files, dict) or "database" not in files:
        raise BadBackup(f"{path} names no database file")
    for role, entry in files.items():
        file = backup.parent / str(entry.get("file", ""))
        if not file.is_file() or file.parent != backup.parent:
            raise BadBackup(f"{role} file {file} is missing")
        if sha256(file) != entry.get("sha256"):
            raise BadBackup(f"{role} file {file} does not match its checksum: altered or cut")
    return manifest


def restore(backup: Path, db_path: Path, *, env_secret: str | None) -> Restored:
    """Put `backup` in place as `db_path` (and its secret beside it), after checking it all.

    Raises BadBackup (nothing done) or runlock.DatabaseInUse (a bot runs on `db_path`)."""
    if db_path.exists() and db_path.resolve() == backup.resolve():
        raise BadBackup(f"{backup} is the database to restore into; give another --db")
    manifest = read_manifest(backup)
    files = manifest["files"]
    assert isinstance(files, dict)
    integrity, statements = maintenance.check_copy(backup)
    if integrity != "ok":
        raise BadBackup(f"{backup}: integrity check says {integrity}")
    secret_file = backup.parent / files["secret"]["file"] if "secret" in files else None
    if secret_file is None:
        if env_secret is None or secret_check(env_secret) != manifest.get("secret_check"):
            raise BadBackup(
                f"{backup} was keyed by CEKKLAIM_SECRET, not a file; set the same "
                "CEKKLAIM_SECRET to restore it (another key breaks every pseudonym)"
            )
    elif secret_check(secret_file.read_text(encoding="utf-8").strip()) != manifest.get(
        "secret_check"
    ):
        raise BadBackup(f"{secret_file} is not the key this backup was taken with")
    elif env_secret is not None and secret_check(env_secret) != manifest.get("secret_check"):
        raise BadBackup(
            "CEKKLAIM_SECRET is set to another key than this backup's: the bot would use it "
            f"instead of {secret_file.name}; unset it (or set it to the backup's key) first"
        )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with RunLock(db_path):
        # copies first, beside the target: a full disk stops here, with nothing moved yet
        partial = db_path.with_name(db_path.name + ".restoring")
        shutil.copyfile(backup, partial)
        secret_partial = None
        if secret_file is not None:
            secret_partial = db_path.with_name(db_path.name + ".secret.restoring")
            secret_partial.unlink(missing_ok=True)
            fd = os.open(secret_partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secret_file.read_bytes())
        if sha256(partial) != files["database"]["sha256"]:
            partial.unlink()
            raise BadBackup(f"{backup} changed while it was copied")
        kept = _set_aside(db_path)
        os.replace(partial, db_path)
        target_secret = None
        if secret_partial is not None:
            target_secret = secret_file_for(db_path)
            os.replace(secret_partial, target_secret)
    return Restored(db_path, target_secret, statements, str(manifest.get("taken_at")), kept)


def _set_aside(db_path: Path) -> tuple[Path, ...]:
    """Move the database in the place, its WAL, shared memory and secret, to a dated name;
    the saved index is only deleted (it is rebuilt at the next start)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = []
    for suffix in ("", "-wal", "-shm", ".secret"):
        old = db_path.with_name(db_path.name + suffix)
        if old.exists():
            aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}{suffix}")
            os.replace(old, aside)
            kept.append(aside)
    db_path.with_name(db_path.name + ".index").unlink(missing_ok=True)
    return tuple(kept)
