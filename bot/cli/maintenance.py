"""`cekklaim backup` and `purge`: the operator's care of the database file."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import storage
from bot.cli.common import fail
from bot.settings import Settings, secret_file_for
from storage import maintenance


def cmd_backup(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Safe while the bot runs; the generated HMAC secret travels with the copy."""
    db = storage.open_db(db_path)
    try:
        result = maintenance.backup(db, args.path)
    except (FileExistsError, OSError, sqlite3.Error) as exc:
        return fail("backup", exc)
    print(f"backup {result.path}: {result.pages} pages, integrity {result.integrity}")
    secret = secret_file_for(db_path)
    if secret.exists():
        copy = secret_file_for(result.path)
        copy.write_bytes(secret.read_bytes())
        copy.chmod(0o600)
        print(f"secret {copy} (keep it with the backup: it keys the user pseudonyms)")
    return 0 if result.integrity == "ok" else 1


def cmd_purge(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    db = storage.open_db(db_path)
    try:
        result = maintenance.purge(db, older_than_days=args.older_than)
    except ValueError as exc:
        return fail("purge", exc)
    print(
        f"purged before {result.cutoff}: {result.submissions} submissions, "
        f"{result.subscriptions} notification requests (claim counts kept)"
    )
    return 0
