"""`cekklaim` command line: the same core the bot uses, for operators and pipelines.

`main` parses the arguments (every command, in `--help` order, is wired in `build_parser`)
and runs one command; each is a thin adapter in this package, by job: run.py (the bot),
matching.py (check, match, eval), statements.py (import, export, statement ...),
moderation.py (queue, stats, moderators, drafts, feeds), maintenance.py (backup, restore,
health, purge), site.py (the public statement pages).
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.common import EXIT_DATABASE, EXIT_USAGE, NESTED_DB_HELP, fail, positive_int
from bot.cli.images import add_image_parser
from bot.cli.maintenance import cmd_backup, cmd_health, cmd_purge, cmd_restore
from bot.cli.matching import cmd_check, cmd_eval, cmd_match, match_stream
from bot.cli.moderation import (
    cmd_drafts,
    cmd_feeds_poll,
    cmd_moderators_add,
    cmd_moderators_list,
    cmd_moderators_remove,
    cmd_queue,
    cmd_stats,
)
from bot.cli.run import NO_TOKEN_HELP, cmd_run
from bot.cli.site import add_site_command
from bot.cli.statements import (
    cmd_export,
    cmd_import,
    cmd_statement_evidence,
    cmd_statement_history,
    cmd_statement_link,
    cmd_statement_retire,
    cmd_statement_show,
    cmd_statement_supersede,
    file_or_url,
    history_detail,
)
from bot.logformat import configure_logging
from bot.settings import SettingsError, load_settings
from storage.db import UnusableDatabase
from storage.maintenance import MIN_RETENTION_DAYS
from storage.statement_input import LONE_SURROGATE_RE

__all__ = ["EXIT_DATABASE", "EXIT_USAGE", "NO_TOKEN_HELP", "history_detail", "main", "match_stream"]

log = logging.getLogger("cekklaim")
EXIT_PIPE_CLOSED = 128 + signal.SIGPIPE  # what a shell shows for `yes | head -1`


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that closed the pipe early (`cekklaim export | head`) ends it
    quietly, with the status a Unix tool killed by SIGPIPE has (128 + 13)."""
    try:
        try:
            code = _main(argv)
        finally:  # --help and usage errors leave through SystemExit: flushed here too
            sys.stdout.flush()  # the last buffered lines fail here, not at the interpreter's exit
    except BrokenPipeError:
        return _pipe_closed()
    return code


def _pipe_closed() -> int:
    """Nothing more can be written: point stdout at /dev/null so the flush at exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real file (tests)
        pass
    return EXIT_PIPE_CLOSED


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    notices: list[str] = []
    given_db = getattr(args, "db", None)
    try:  # after --db: the secret is the one beside the database used
        settings = load_settings(
            db_path=Path(given_db) if given_db else None,
            notices=notices,
            generate_secret=getattr(args, "makes_secret", True),
        )
    except SettingsError as exc:
        print(f"cekklaim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for notice in notices:
        print(f"cekklaim: {notice}", file=sys.stderr)
    configure_logging(settings.log_level, settings.log_format)
    db_path = settings.db_path
    if (bad := _undecodable_argument(args)) is not None:
        fail(args.command, f"{render_error(bad)}: not valid UTF-8 text")
        return EXIT_USAGE
    for stream in (sys.stdout, sys.stderr):  # echoed input never crashes a print
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        return int(args.handler(args, settings, db_path) or 0)
    except BrokenPipeError:
        raise  # the reader went away: not an error of the command
    except UnusableDatabase as exc:  # corrupt, unknown schema, empty, busy, read-only
        print(f"cekklaim: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # a bug, not bad input (that gets its own message): no traceback
        log.debug("%s failed", args.command, exc_info=True)
        return fail(
            args.command,
            f"unexpected error ({type(exc).__name__}: {render_error(exc)}); "
            "LOG_LEVEL=DEBUG shows the details",
        )


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """An id, URL or name given as bytes that are not UTF-8 (they arrive as lone surrogates).
    File paths may be any bytes; a claim's text is cleaned, not refused (cmd_check)."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if name != "text" and isinstance(item, str) and LONE_SURROGATE_RE.search(item):
                return item
    return None


def render_error(exc: BaseException | str) -> str:
    """An exception's message on one bounded line, safe to print whatever it quotes."""
    return " ".join(str(exc).split())[:300].encode("utf-8", "backslashreplace").decode()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cekklaim",
        description="CekKlaim: cocokkan klaim pemilu dengan pernyataan resmi KPU/Bawaslu.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="database file (default: CEKKLAIM_DB)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", parents=[common], help="start the Telegram bot")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("check", parents=[common], help="show the best matches for a claim")
    p.add_argument("text", nargs="*", help="the claim text (with --image: none)")
    p.add_argument(
        "--image", type=Path, help="read the claim from this image (OCR), as the bot does"
    )
    p.add_argument("--no-record", action="store_true", help="do not record the claim")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("match", parents=[common], help="match JSON lines from stdin")
    p.add_argument("--jsonl", action="store_true", required=True, help='{"id", "text"} per line')
    p.set_defaults(handler=cmd_match)

    p = sub.add_parser("eval", parents=[common], help="measure the matcher on labelled data")
    p.add_argument("--base", type=Path, required=True, help="statements (import JSONL or dev set)")
    p.add_argument("--queries", type=Path, nargs="+", required=True, help="labelled queries")
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser(
        "import",
        parents=[common],
        help="import statements (JSONL or CSV); ClaimReview (.json/.jsonld or URL) as drafts",
    )
    p.add_argument("file", type=file_or_url, metavar="FILE_OR_URL")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", parents=[common], help="export statements")
    p.add_argument("--format", choices=("jsonl", "csv", "claimreview"), default="jsonl")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    p.add_argument("--include-retired", action="store_true")
    p.set_defaults(handler=cmd_export)

    add_site_command(sub, common)
    add_moderation_commands(sub, common)

    p = sub.add_parser(
        "backup", parents=[common], help="online backup: database, secret, checked manifest"
    )
    p.add_argument("path", type=Path, help="new file to write (never overwritten)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore", parents=[common], help="check a backup and put it in place (bot stopped)"
    )
    p.add_argument("backup", type=Path, help="the PATH given to `cekklaim backup`")
    p.set_defaults(handler=cmd_restore, makes_secret=False)

    p = sub.add_parser("health", parents=[common], help="exit 0 when the bot is serving")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds for /healthz (3)")
    p.set_defaults(handler=cmd_health, makes_secret=False)

    p = sub.add_parser("purge", parents=[common], help="delete old submissions, keep counts")
    p.add_argument(
        "--older-than", type=positive_int, required=True, metavar="DAYS",
        help=f"age in days (at least {MIN_RETENTION_DAYS})",
    )  # fmt: skip
    p.set_defaults(handler=cmd_purge)

    p = sub.add_parser("feeds", parents=[common], help="official feeds (SOURCE_FEEDS)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("poll", help="poll the feeds once now; new items become drafts")
    a.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=NESTED_DB_HELP)
    a.add_argument("--feed", action="append", metavar="URL", help="poll this feed instead")
    a.set_defaults(handler=cmd_feeds_poll)

    p = sub.add_parser("drafts", parents=[common], help="drafts waiting for a moderator")
    p.add_argument("--limit", type=positive_int, default=50)
    p.set_defaults(handler=cmd_drafts)
    return parser


def add_moderation_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """queue, stats, moderators ..., statement ... (the moderators' tools at a terminal)."""
    # Nested subcommands take --db too; SUPPRESS keeps a value given before the action word
    # ("moderators --db x list") from being reset by the nested parser's default.
    nested = argparse.ArgumentParser(add_help=False)
    nested.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=NESTED_DB_HELP)

    p = sub.add_parser("queue", parents=[common], help="unanswered claims, grouped by similarity")
    p.add_argument("--limit", type=positive_int, default=20, help="clusters to show (20)")
    p.set_defaults(handler=cmd_queue)

    p = sub.add_parser("stats", parents=[common], help="usage statistics (today, 7 days)")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("moderators", parents=[common], help="list, add or remove moderators")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", parents=[nested], help="admins and added moderators")
    a.set_defaults(handler=cmd_moderators_list)
    for name, handler, text in (
        ("add", cmd_moderators_add, "make a Telegram user a moderator"),
        ("remove", cmd_moderators_remove, "withdraw an added moderator"),
    ):
        a = actions.add_parser(name, parents=[nested], help=text)
        a.add_argument("user_id", type=int, metavar="ID", help="Telegram user id")
        a.set_defaults(handler=handler)

    p = sub.add_parser(
        "statement", parents=[common], help="show, retire, supersede, history, link, image"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, handler, text in (
        ("show", cmd_statement_show, "a statement with its phrasings and answered claims"),
        ("retire", cmd_statement_retire, "stop serving a statement"),
        ("history", cmd_statement_history, "every recorded change of a statement"),
        ("evidence", cmd_statement_evidence, "what the source page said when it was made"),
    ):
        a = actions.add_parser(name, parents=[nested], help=text)
        a.add_argument("external_id", metavar="ID")
        a.set_defaults(handler=handler)
    a = actions.add_parser("supersede", parents=[nested], help="serve NEW instead of OLD")
    a.add_argument("old", metavar="OLD")
    a.add_argument("new", metavar="NEW")
    a.set_defaults(handler=cmd_statement_supersede)
    a = actions.add_parser(
        "link", parents=[nested], help="answer a cluster of the queue with a statement"
    )
    a.add_argument("cluster_key", metavar="CLUSTER_KEY", help="as shown by `cekklaim queue`")
    a.add_argument("external_id", metavar="ID")
    a.set_defaults(handler=cmd_statement_link)
    add_image_parser(actions, nested)
