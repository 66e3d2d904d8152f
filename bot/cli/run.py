"""`cekklaim run`: start the Telegram bot (Telegram is imported only here, when it runs)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.cli.common import EXIT_USAGE, fail
from bot.core import Core
from bot.runlock import DatabaseInUse, RunLock
from bot.settings import Settings

log = logging.getLogger(__name__)

NO_TOKEN_HELP = """\
TELEGRAM_BOT_TOKEN belum diisi / is not set.

1. Buka @BotFather di Telegram, kirim /newbot, dan ikuti petunjuknya.
   (Open @BotFather in Telegram, send /newbot and follow the steps.)
2. Salin token itu ke file .env di folder ini:   TELEGRAM_BOT_TOKEN=123456:ABC...
   (Copy the token into .env here; see .env.example for every setting.)
3. Jalankan lagi / run again:   cekklaim run

Sementara itu, coba pencocok klaim tanpa Telegram / meanwhile, try the matcher:
   cekklaim check "pemilu 2024 diundur ya?"
"""


def cmd_run(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    lock, no_lock = None, None
    try:  # held until the bot stops: restore (and a second bot) see it running
        lock = RunLock(db_path) if str(db_path) != ":memory:" else None
    except DatabaseInUse as exc:
        return fail("run", exc)
    except OSError as exc:  # a read-only folder: opening the database says why, below
        no_lock = exc
    try:
        core = Core.open(db_path, settings.secret)
        if no_lock is not None:
            log.warning("no run lock beside %s (%s)", db_path, type(no_lock).__name__)
        count = len(core.snapshot.statements)
        print(f"database {db_path}: {count} statements ready")
        if not settings.telegram_bot_token:
            print(NO_TOKEN_HELP, file=sys.stderr)
            return EXIT_USAGE
        from bot.telegram.app import run_bot  # Telegram only when the bot runs

        return run_bot(settings, core)
    finally:
        if lock is not None:
            lock.release()
