"""`cekklaim backup`, `restore`, `health` and `purge`: the operator's care of the database file."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

import storage
from bot import backups
from bot.cli.common import fail
from bot.runlock import DatabaseInUse, is_held
from bot.settings import Settings
from storage import maintenance


def cmd_backup(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Safe while the bot runs; the secret and a checked manifest travel with the copy."""
    db = storage.open_db(db_path)
    try:
        result = backups.make_backup(db, db_path, args.path, settings.secret)
    except (FileExistsError, OSError, sqlite3.Error, backups.BadBackup) as exc:
        return fail("backup", exc)
    print(f"backup {result.path}: {result.pages} pages, integrity {result.integrity}")
    if result.secret is not None:
        print(f"secret {result.secret} (keep it with the backup: it keys the user pseudonyms)")
    else:
        print("secret: CEKKLAIM_SECRET, not copied: keep it with the backup", file=sys.stderr)
    print(f"manifest {result.manifest}: {result.statements} statements, checksums verified")
    return 0 if result.integrity == "ok" else 1


def cmd_restore(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Refused while a bot runs on the database; what was there is kept aside."""
    try:
        done = backups.restore(args.backup, db_path, env_secret=settings.secret or None)
    except (backups.BadBackup, DatabaseInUse, OSError, sqlite3.Error) as exc:
        return fail("restore", f"{exc}; nothing was restored")
    for aside in done.kept_aside:
        print(f"kept what was there as {aside}")
    key = done.secret if done.secret is not None else "CEKKLAIM_SECRET (unchanged)"
    print(
        f"restored {done.path} from {args.backup} (taken {done.taken_at}): "
        f"{done.statements} statements, checksums and integrity ok; secret {key}"
    )
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """For a container's HEALTHCHECK or a monitor: 0 when the bot serves. In webhook mode its
    /healthz answers 200; in polling mode a `cekklaim run` holds the database's lock."""
    if settings.webhook_url is None:
        if is_held(db_path):
            print(f"ok: a cekklaim run holds {db_path}")
            return 0
        return fail("health", f"no cekklaim run holds {db_path}")
    import httpx

    from bot.webhook_server import HEALTH_PATH

    host = settings.webhook_listen
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    host = f"[{host}]" if ":" in host else host
    url = f"http://{host}:{settings.webhook_port}{HEALTH_PATH}"
    try:
        response = httpx.get(url, timeout=args.timeout)
    except httpx.HTTPError as exc:
        return fail("health", f"{url}: {type(exc).__name__}")
    if response.status_code != 200:
        return fail("health", f"{url}: {response.status_code} {response.text[:200]}")
    print(f"ok: {response.text.strip()}")
    return 0


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
