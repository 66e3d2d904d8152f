"""`cekklaim` command line: the same core the bot uses, for operators and pipelines."""

from __future__ import annotations

import argparse
import io
import json
import logging
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import storage
from bot import claims, reports
from bot.core import Core
from bot.curation import CLI_ACTOR, Curation, HistoryLine
from bot.evaluation import evaluate, read_jsonl, read_queries
from bot.indexing import index_docs
from bot.matcher.index import MatchIndex
from bot.matcher.match import MatchResult, match_text
from bot.settings import Settings, SettingsError, load_settings, secret_file_for
from storage import Statement, maintenance
from storage.db import UnusableDatabase
from storage.statements import LONE_SURROGATE_RE

log = logging.getLogger("cekklaim")

EXIT_USAGE = 2
EXIT_DATABASE = 3  # the database cannot be used safely: nothing was done
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"cekklaim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    db_path = Path(args.db) if args.db else settings.db_path
    if (bad := _undecodable_argument(args)) is not None:
        _fail(args.command, f"{render_error(bad)}: not valid UTF-8 text")
        return EXIT_USAGE
    for stream in (sys.stdout, sys.stderr):  # echoed input never crashes a print
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        return int(args.handler(args, settings, db_path) or 0)
    except UnusableDatabase as exc:  # corrupt, unknown schema, empty, busy, read-only
        print(f"cekklaim: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # a bug, not bad input (that gets its own message): no traceback
        log.debug("%s failed", args.command, exc_info=True)
        return _fail(
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
    p.add_argument("text", nargs="+", help="the claim text")
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
    p.add_argument("file", type=_file_or_url, metavar="FILE_OR_URL")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", parents=[common], help="export statements")
    p.add_argument("--format", choices=("jsonl", "csv", "claimreview"), default="jsonl")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    p.add_argument("--include-retired", action="store_true")
    p.set_defaults(handler=cmd_export)

    add_moderation_commands(sub, common)

    p = sub.add_parser("backup", parents=[common], help="online backup of the database")
    p.add_argument("path", type=Path, help="new file to write (never overwritten)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("purge", parents=[common], help="delete old submissions, keep counts")
    p.add_argument(
        "--older-than", type=_positive_int, required=True, metavar="DAYS",
        help=f"age in days (at least {maintenance.MIN_RETENTION_DAYS})",
    )  # fmt: skip
    p.set_defaults(handler=cmd_purge)

    p = sub.add_parser("feeds", parents=[common], help="official feeds (SOURCE_FEEDS)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("poll", help="poll the feeds once now; new items become drafts")
    a.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=NESTED_DB_HELP)
    a.add_argument("--feed", action="append", metavar="URL", help="poll this feed instead")
    a.set_defaults(handler=cmd_feeds_poll)

    p = sub.add_parser("drafts", parents=[common], help="drafts waiting for a moderator")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.set_defaults(handler=cmd_drafts)
    return parser


def cmd_run(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    core = Core.open(db_path, settings.secret)
    count = len(core.snapshot.statements)
    print(f"database {db_path}: {count} statements ready")
    if not settings.telegram_bot_token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return EXIT_USAGE
    from bot.telegram.app import run_bot  # Telegram only when the bot runs

    return run_bot(settings, core)


def cmd_check(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    core = Core.open(db_path, settings.secret)
    # undecodable bytes in argv arrive as lone surrogates: unreadable, never stored as such
    text = LONE_SURROGATE_RE.sub("\ufffd", " ".join(args.text))
    if not text.strip():
        print("cekklaim check: teks klaim kosong / the claim text is empty", file=sys.stderr)
        return EXIT_USAGE
    options = claims.CLI_PREVIEW if args.no_record else claims.CLI
    decision = claims.decide_now(core, claims.Claim(text, channel=claims.Channel.CLI), options)
    assert decision.answer is not None  # the CLI checks any text (`Options.readable_only`)
    print(describe(decision.answer.result, decision.statements))
    return 0


def describe(result: MatchResult, statements: Sequence[Statement]) -> str:
    """A readable report of a match for people at a terminal."""
    labels = {
        "confident": "YAKIN / confident: ada pernyataan resmi untuk klaim ini",
        "possible": "MUNGKIN / possible: kandidat di bawah, periksa dulu",
        "none": "TIDAK ADA / none: belum ada pernyataan resmi yang cocok",
    }
    lines = [labels[result.tier.value], ""]
    if len(set(result.query.content)) == 0:
        lines.append("(teks tidak berisi kata yang bisa dicocokkan / no matchable words)")
    for rank, (m, s) in enumerate(zip(result.matches, statements, strict=True), 1):
        polarity = "  [klaim berlawanan arah dengan pernyataan]" if m.polarity_differs else ""
        lines.append(
            f"{rank}. [{s.external_id}] score {m.score:.1f} "
            f"(coverage {m.coverage:.2f}, fuzzy {m.fuzzy:.2f}){polarity}"
        )
        lines.append(f"   {s.org} · {s.verdict} · {s.published_at or 'tanpa tanggal'}")
        lines.append(f"   Klaim: {s.claim}")
        if rank == 1:
            lines.append(f"   Penjelasan: {s.clarification}")
        if s.source_url:
            lines.append(f"   Sumber: {s.source_title or ''} {s.source_url}".rstrip())
    return "\n".join(lines)


def cmd_match(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    core = Core.open(db_path, settings.secret)
    return match_stream(lambda text: preview(core, text), sys.stdin, sys.stdout)


def preview(core: Core, text: str) -> MatchResult:
    """The claim path's match for `text`, recording nothing (`claims.CLI_PREVIEW`)."""
    decision = claims.decide_now(
        core, claims.Claim(text, channel=claims.Channel.CLI), claims.CLI_PREVIEW
    )
    assert decision.answer is not None  # the CLI checks any text (`Options.readable_only`)
    return decision.answer.result


def match_stream(match: Callable[[str], MatchResult], fin: TextIO, fout: TextIO) -> int:
    """One output line per input line, in order, flushed at once so it works in a pipe."""
    bad = 0
    for lineno, line in enumerate(fin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            bad += 1
            out: dict[str, object] = {"id": None, "error": f"line {lineno}: {exc}"}
            if isinstance(row := _maybe_obj(line), dict):
                out["id"] = row.get("id")
            fout.write(json.dumps(out, ensure_ascii=False) + "\n")
            fout.flush()
            continue
        result = match(text)
        out = {
            "id": row.get("id"),
            "tier": result.tier.value,
            "matches": [{"statement_id": m.statement_id, "score": m.score} for m in result.matches],
        }
        fout.write(json.dumps(out, ensure_ascii=False) + "\n")
        fout.flush()
    return 1 if bad else 0


def _maybe_obj(line: str) -> object:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def cmd_eval(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        rows = list(read_jsonl(args.base))
        queries = read_queries(args.queries)
    except (OSError, ValueError, KeyError) as exc:
        print(f"cekklaim eval: {exc}", file=sys.stderr)
        return 1
    if rows and "title" in rows[0] and "claim" not in rows[0]:
        # the dev set's fact-checks: the hoax summary plays the claim, the explanation the
        # clarification
        rows = [
            {
                "id": r["id"],
                "org": "TurnBackHoax",
                "claim": r["title"],
                "clarification": r["text"],
                "source_url": r.get("source_url"),
                "published_at": r.get("date"),
            }
            for r in rows
        ]
    with tempfile.TemporaryDirectory() as tmp:
        base_file = Path(tmp) / "base.jsonl"
        base_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        parsed = storage.parse_statements_file(base_file)
        if not parsed.ok:
            print("\n".join(parsed.errors[:20]), file=sys.stderr)
            return 1
        db = storage.open_db(Path(tmp) / "eval.db")
        storage.import_statements(db, parsed.rows, actor="eval")
        started = time.perf_counter()
        index = MatchIndex(index_docs(storage.servable_statements(db)))
        built = time.perf_counter() - started
        started = time.perf_counter()
        report = evaluate(lambda text: match_text(index, text), queries)
        took = time.perf_counter() - started
        db.close()
    print(f"statements             {len(index)} (index built in {built:.2f} s)")
    print("\n".join(report.lines()))
    print(f"time per query         {1000 * took / max(len(queries), 1):.2f} ms")
    return 0


def _file_or_url(value: str) -> Path | str:
    """An http(s) URL stays text (Path would fold its "//"); anything else is a file path."""
    return value if value.lower().startswith(("http://", "https://")) else Path(value)


def cmd_import(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    if isinstance(args.file, str) or args.file.suffix.lower() in CLAIMREVIEW_SUFFIXES:
        return import_claimreviews(args.file, settings, db_path)
    parsed = storage.parse_statements_file(args.file)
    if not parsed.ok:
        print(f"{args.file}: {len(parsed.errors)} error(s); nothing imported", file=sys.stderr)
        for error in parsed.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    db = storage.open_db(db_path)
    # short transactions: a running bot records claims in between (see import_statements)
    summary = storage.import_statements(
        db, parsed.rows, actor=CLI_ACTOR, lock_seconds=IMPORT_LOCK_SECONDS
    )
    print(
        f"{args.file}: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged"
    )
    return 0


CLAIMREVIEW_SUFFIXES = (".json", ".jsonld")
IMPORT_LOCK_SECONDS = 0.2  # longest a running bot waits to record a claim during an import


def import_claimreviews(source: Path | str, settings: Settings, db_path: Path) -> int:
    """ClaimReview JSON-LD from a file or a URL (fetched safely) into the drafts queue."""
    import asyncio

    from bot.sources.claimreview import queue_reviews, reviews_from_json, reviews_in
    from bot.sources.fetch import HTML_TYPES, JSON_TYPES, FetchError, fetch, policy_from
    from bot.sources.sandbox import read_page, read_reviews

    async def fetched_reviews(url: str) -> list[dict]:
        fetched = await fetch(url, policy_from(settings), accept=HTML_TYPES | JSON_TYPES)
        if fetched.content_type in HTML_TYPES:  # parsed in a worker, with its budget
            return reviews_in((await read_page(fetched)).claim_reviews)
        return await read_reviews(fetched)

    if isinstance(source, str):
        try:
            reviews = asyncio.run(fetched_reviews(source))
        except FetchError as exc:
            return _fail("import", f"{source}: cannot fetch ({exc.reason})")
    else:
        try:
            reviews = reviews_from_json(source.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            return _fail("import", f"{source}: cannot read file ({exc})")
    if not reviews:
        return _fail("import", f"{source}: no ClaimReview found; nothing queued")
    db = storage.open_db(db_path)
    summary = queue_reviews(db, reviews, origin_url=source if isinstance(source, str) else None)
    for problem in summary.problems:
        print(f"  {problem}", file=sys.stderr)
    if summary.problems and not summary.queued and not summary.already:
        return _fail("import", f"{source}: {len(summary.problems)} error(s); nothing queued")
    print(
        f"{source}: {summary.queued} ClaimReview drafts queued, {summary.already} already "
        "queued; nothing is served until a moderator saves it (/draf in Telegram)"
    )
    return 0


def cmd_feeds_poll(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Poll the feeds once now (SOURCE_FEEDS, or --feed) and say what each gave."""
    import asyncio

    from bot.sources.feeds import poll_feeds
    from bot.sources.fetch import policy_from

    feeds = tuple(args.feed or settings.source_feeds)
    if not feeds:
        return _fail("feeds poll", "no feeds: set SOURCE_FEEDS or give --feed URL")
    db = storage.open_db(db_path)
    results = asyncio.run(poll_feeds(db, feeds, policy_from(settings)))
    for result in results:
        if result.status == "not_modified":
            print(f"{result.url}: not modified (304)")
        elif result.status == "error":
            print(f"{result.url}: failed ({result.reason})")
        else:
            print(f"{result.url}: {result.items} items, {len(result.new)} new drafts")
            for item in result.new:
                print(f"  + {item.published_at or '-'} {item.title or ''} {item.link}".rstrip())
    return 1 if all(r.status == "error" for r in results) else 0


def cmd_drafts(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """The drafts queue (feeds, ClaimReview imports) as moderators see it under /draf."""
    from storage.sources import pending_drafts

    db = storage.open_db(db_path)
    found = pending_drafts(db, limit=args.limit)
    if not found:
        print("no drafts waiting")
    for d in found:
        title = d.title or d.fields.get("claim") or ""
        print(f"d{d.id}  {d.origin:<11} {d.published_at or '-':<10}  {title}  {d.url or ''}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    db = storage.open_db(db_path)
    statements = storage.list_statements(db, include_retired=args.include_retired)
    writer = {
        "jsonl": storage.export_jsonl,
        "csv": storage.export_csv,
        "claimreview": storage.export_claimreview,
    }[args.format]
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as fp:
            count = writer(statements, fp)
        print(f"{count} statements written to {args.output}", file=sys.stderr)
    else:
        writer(statements, sys.stdout)
    return 0


# --------------------------------------------------------------------------- moderation


def add_moderation_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """queue, stats, moderators ..., statement ... (the moderators' tools at a terminal)."""
    # Nested subcommands take --db too; SUPPRESS keeps a value given before the action word
    # ("moderators --db x list") from being reset by the nested parser's default.
    nested = argparse.ArgumentParser(add_help=False)
    nested.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=NESTED_DB_HELP)

    p = sub.add_parser("queue", parents=[common], help="unanswered claims, grouped by similarity")
    p.add_argument("--limit", type=_positive_int, default=20, help="clusters to show (20)")
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

    p = sub.add_parser("statement", parents=[common], help="show, retire, supersede, history, link")
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


NESTED_DB_HELP = "database file (default: CEKKLAIM_DB)"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def _fail(command: str, message: object) -> int:
    print(f"cekklaim {command}: {message}", file=sys.stderr)
    return 1


def _curation(settings: Settings, db_path: Path) -> Curation:
    return Curation(storage.open_db(db_path), settings.moderator_ids)


def cmd_queue(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    print(reports.queue_report(_curation(settings, db_path).queue(limit=args.limit)))
    print()
    print("Jawab satu kelompok / answer a cluster:  cekklaim statement link CLUSTER_KEY ID")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    print(reports.stats_report(_curation(settings, db_path).stats()))
    return 0


def cmd_moderators_list(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    added = _curation(settings, db_path).moderators()
    if not settings.moderator_ids and not added:
        print("Belum ada moderator / no moderators")
        print("(set MODERATOR_IDS, or run: cekklaim moderators add ID)")
        return 0
    for user_id in sorted(settings.moderator_ids):
        print(f"{user_id}  admin (MODERATOR_IDS)")
    for m in added:
        if m.user_id in settings.moderator_ids:
            continue
        print(f"{m.user_id}  added by {m.added_by or '-'} on {reports.wib(m.added_at)}")
    return 0


def cmd_moderators_add(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = _curation(settings, db_path)
    try:
        added = curation.add_moderator(args.user_id, actor=CLI_ACTOR)
    except ValueError as exc:
        return _fail("moderators add", exc)
    if added:
        print(f"{args.user_id} is now a moderator")
    elif curation.is_admin(args.user_id):
        print(f"{args.user_id} is already an admin (MODERATOR_IDS)")
    else:
        print(f"{args.user_id} was already a moderator; nothing changed")
    return 0


def cmd_moderators_remove(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = _curation(settings, db_path)
    try:
        removed = curation.remove_moderator(args.user_id, actor=CLI_ACTOR)
    except ValueError as exc:
        return _fail("moderators remove", exc)
    if curation.is_admin(args.user_id):
        done = "the added entry was removed, but " if removed else ""
        return _fail(
            "moderators remove",
            f"{done}{args.user_id} is an admin from MODERATOR_IDS: remove it from the settings",
        )
    if not removed:
        return _fail("moderators remove", f"{args.user_id} is not a moderator")
    print(f"{args.user_id} is no longer a moderator")
    return 0


def _statement_state(statement: Statement) -> str:
    if statement.status != "active":
        return statement.status
    if statement.superseded_by:
        return f"superseded by {statement.superseded_by}"
    if not statement.is_current():
        return f"expired (valid until {statement.valid_until})"
    return "active, served"


def cmd_statement_show(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = _curation(settings, db_path)
    s = curation.statement(args.external_id)
    if s is None:
        return _fail("statement show", f"no statement with id {args.external_id!r}")
    print(f"[{s.external_id}] {s.org} · {s.verdict} · {s.published_at or 'tanpa tanggal'}")
    print(f"Status: {_statement_state(s)}")
    if s.valid_until:
        print(f"Berlaku sampai / valid until: {s.valid_until}")
    print(f"Klaim: {s.claim}")
    print(f"Penjelasan: {s.clarification}")
    if s.source_url:
        print(f"Sumber: {s.source_title or ''} {s.source_url}".rstrip())
    print(f"Dibuat / created: {reports.wib(s.created_at)} by {s.created_by or '-'}")
    print(f"Diubah / updated: {reports.wib(s.updated_at)}")
    use = curation.usage(s)
    print(f"Rumusan lain / phrasings ({len(use.variants)}):")
    for text, source in use.variants:
        print(f"  - {reports.one_line(text, 80)}  ({source})")
    print(f"Klaim terjawab / claims answered: {use.answered} (asked {use.asked} times)")
    return 0


def cmd_statement_evidence(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """The source text kept when a moderator made the statement from a page, with hashes."""
    curation = _curation(settings, db_path)
    s = curation.statement(args.external_id)
    if s is None:
        return _fail("statement evidence", f"no statement with id {args.external_id!r}")
    kept = curation.evidence(s)
    if not kept:
        print(f"[{s.external_id}] no fetched source kept (typed or imported by hand)")
    for e in kept:
        print(f"[{s.external_id}] {e.final_url}")
        print(f"  fetched {reports.wib(e.fetched_at)}, saved by {e.saved_by or '-'}")
        print(f"  sha256 of the bytes received: {e.body_sha256}")
        print(f"  sha256 of the text below:     {e.text_sha256}")
        print("\n" + e.text + "\n")
    return 0


def cmd_statement_retire(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        done = _curation(settings, db_path).retire(args.external_id, actor=CLI_ACTOR).value
    except LookupError as exc:
        return _fail("statement retire", exc)
    if done.already:
        print(f"[{done.statement.external_id}] was already retired; nothing changed")
    else:
        print(f"[{done.statement.external_id}] retired: the bot no longer answers with it")
    return 0


def cmd_statement_supersede(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        old = _curation(settings, db_path).supersede(args.old, args.new, actor=CLI_ACTOR).value
    except (LookupError, ValueError) as exc:
        return _fail("statement supersede", exc)
    print(f"[{old.external_id}] is superseded by [{old.superseded_by}]: only the newer is served")
    return 0


def history_detail(line: HistoryLine) -> str:
    """The CLI's one-line form of a history entry (the bot shows the same fields in full)."""
    if line.summary:
        return line.summary
    if line.changes:
        return "changed: " + ", ".join(c.field for c in line.changes)
    return ""


def cmd_statement_history(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = _curation(settings, db_path)
    if curation.statement(args.external_id) is None:
        return _fail("statement history", f"no statement with id {args.external_id!r}")
    for entry in curation.history(args.external_id):
        detail = history_detail(entry)
        line = f"{reports.wib(entry.at)}  {entry.action:<12} by {entry.actor or '-'}"
        print(f"{line}  ({detail})" if detail else line)
    return 0


def cmd_statement_link(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    core = Core.open(db_path, settings.secret)
    try:
        outcome = Curation(core.db, settings.moderator_ids).link_cluster(
            args.cluster_key, args.external_id, actor=CLI_ACTOR
        )
    except (LookupError, ValueError) as exc:  # also StatementNotFound
        return _fail("statement link", exc)
    if outcome.reindex:
        core.refresh(force=True)
    result = outcome.value
    waiting = [s for s, st in core.due_notifications() if st.external_id == result.external_id]
    print(
        f"{len(result.claim_ids)} claim(s) of cluster {args.cluster_key} answered by "
        f"[{result.external_id}]; {result.variants_added} new phrasing(s) added"
    )
    if result.variants_skipped:
        print(f"{result.variants_skipped} claim text(s) too long to be a phrasing were not added")
    print(f"{len(waiting)} notification request(s) are now answered by this statement")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Safe while the bot runs; the generated HMAC secret travels with the copy."""
    db = storage.open_db(db_path)
    try:
        result = maintenance.backup(db, args.path)
    except (FileExistsError, OSError, sqlite3.Error) as exc:
        return _fail("backup", exc)
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
        return _fail("purge", exc)
    print(
        f"purged before {result.cutoff}: {result.submissions} submissions, "
        f"{result.subscriptions} notification requests (claim counts kept)"
    )
    return 0
