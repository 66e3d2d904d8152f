"""`cekklaim site OUT_DIR`: the public statement pages (bot/site) as a static folder."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import storage
from bot.cli.common import EXIT_USAGE, fail
from bot.core import seed_if_empty
from bot.setting_values import Invalid, http_url
from bot.settings import Settings
from bot.site.build import NotASiteFolder, build_site

_BOT_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")


def bot_username(value: str) -> str:
    """An argparse type: a Telegram bot's username, with or without '@'."""
    found = _BOT_USERNAME.fullmatch(value.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"not a Telegram username: {value!r}")
    return found.group(1)


def base_url(value: str) -> str:
    try:
        return http_url(value.strip())
    except Invalid as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_site(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    base = args.base_url or settings.public_base_url
    if base is None:
        print(
            "cekklaim site: set PUBLIC_BASE_URL (or pass --base-url): each page's address, "
            "its ClaimReview and the sitemap need it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    db = storage.open_db(db_path)
    seed_if_empty(db)  # a new database holds the starter base, as on every first use
    statements = storage.list_statements(db, include_retired=True)
    try:
        summary = build_site(statements, args.out_dir, base_url=base, bot_username=args.bot)
    except NotASiteFolder as exc:
        return fail("site", exc)
    except OSError as exc:
        return fail("site", f"cannot write {args.out_dir} ({exc.strerror or exc})")
    page, size = summary.largest_page
    print(
        f"{args.out_dir}: {summary.statements} statement pages ({summary.current} current), "
        f"{summary.files} files; largest page {page} ({size / 1024:.1f} KB)"
    )
    return 0


def add_site_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "site", parents=[common], help="write the public statement pages (a static site)"
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write (replaced)")
    p.add_argument("--base-url", type=base_url, help="public address (default: PUBLIC_BASE_URL)")
    p.add_argument("--bot", type=bot_username, help="the bot's username, for deep links")
    p.set_defaults(handler=cmd_site)
