"""What every `cekklaim` command shares: exit codes, the error line, the curation service."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import storage
from bot.curation import Curation
from bot.settings import Settings

EXIT_USAGE = 2
EXIT_DATABASE = 3  # the database cannot be used safely: nothing was done
NESTED_DB_HELP = "database file (default: CEKKLAIM_DB)"


def positive_int(value: str) -> int:
    """An argparse type: counts and ages below 1 are refused as a usage error."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def fail(command: str, message: object) -> int:
    """One line on stderr naming the command, and exit status 1: what every refusal prints."""
    print(f"cekklaim {command}: {message}", file=sys.stderr)
    return 1


def open_curation(settings: Settings, db_path: Path) -> Curation:
    """The curation service the bot's moderators use, over the command's database."""
    return Curation(storage.open_db(db_path), settings.moderator_ids)
