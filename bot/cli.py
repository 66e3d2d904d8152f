"""`cekklaim` command line: the same core the bot uses, for operators and pipelines."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import storage
from bot.core import Core, index_docs
from bot.evaluation import evaluate, read_jsonl, read_queries
from bot.matcher.index import MatchIndex
from bot.matcher.match import MatchResult, match_text
from bot.settings import Settings, SettingsError, load_settings
from storage import Statement

log = logging.getLogger("cekklaim")

EXIT_USAGE = 2
CLI_ACTOR = "cli"
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
    # httpx logs request URLs, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db_path = Path(args.db) if args.db else settings.db_path
    return int(args.handler(args, settings, db_path) or 0)


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

    p = sub.add_parser("import", parents=[common], help="import statements (JSONL or CSV)")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", parents=[common], help="export statements")
    p.add_argument("--format", choices=("jsonl", "csv", "claimreview"), default="jsonl")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    p.add_argument("--include-retired", action="store_true")
    p.set_defaults(handler=cmd_export)
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
    text = " ".join(args.text)
    if not text.strip():
        print("cekklaim check: teks klaim kosong / the claim text is empty", file=sys.stderr)
        return EXIT_USAGE
    if args.no_record:
        result, statements = core.match(text)
    else:
        answer = core.check(text, channel="cli")
        result, statements = answer.result, answer.statements
    print(describe(result, statements))
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
    return match_stream(core.snapshot.index, sys.stdin, sys.stdout)


def match_stream(index: MatchIndex, fin: TextIO, fout: TextIO) -> int:
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
            out = {"id": None, "error": f"line {lineno}: {exc}"}
            if isinstance(row := _maybe_obj(line), dict):
                out["id"] = row.get("id")
            fout.write(json.dumps(out, ensure_ascii=False) + "\n")
            fout.flush()
            continue
        result = match_text(index, text)
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


def cmd_import(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    parsed = storage.parse_statements_file(args.file)
    if not parsed.ok:
        print(f"{args.file}: {len(parsed.errors)} error(s); nothing imported", file=sys.stderr)
        for error in parsed.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    db = storage.open_db(db_path)
    summary = storage.import_statements(db, parsed.rows, actor=CLI_ACTOR)
    print(
        f"{args.file}: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged"
    )
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
