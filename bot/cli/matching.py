"""`cekklaim check`, `match` and `eval`: the claim path (`bot.claims`) at a terminal, in a
pipe, and measured on labelled data."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import storage
from bot import claims
from bot.cli.common import EXIT_USAGE
from bot.core import Core
from bot.evaluation import evaluate, read_jsonl, read_queries
from bot.matcher.index import MatchIndex
from bot.matcher.match import MatchResult, match_text
from bot.settings import Settings
from bot.snapshot import index_docs
from storage import Statement
from storage.statement_input import LONE_SURROGATE_RE


def cmd_check(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    if args.image is not None:
        return check_image(args, settings, db_path)
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


def check_image(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """`cekklaim check --image FILE`: the photo path (bot/photos.py), OCR on this thread."""
    from bot import photos  # OCR's libraries only when an image is checked
    from bot.images.library import KnownPictures
    from bot.images.opening import MAX_BYTES
    from bot.images.worker import OcrWorker

    path: Path = args.image
    try:
        if path.stat().st_size > MAX_BYTES:
            print(f"cekklaim check: {path}: file too large (> {MAX_BYTES} bytes)",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        image = path.read_bytes()
    except OSError as exc:
        print(f"cekklaim check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    core = Core.open(db_path, settings.secret)
    options = claims.CLI_PREVIEW if args.no_record else claims.CLI
    worker = OcrWorker()
    found = photos.check_photo_now(
        core,
        worker,
        image,
        claims.Claim("", channel=claims.Channel.CLI),
        options,
        known=KnownPictures(),
    )
    if found.known is not None:
        print(f"Gambar dikenal / known image: [{found.known.external_id}] {found.known.claim}")
        return 0
    if found.decision is None or found.decision.answer is None:
        print("Tidak ada tulisan yang terbaca / no text could be read from the image")
        return 1
    print(f"Teks terbaca / read from the image: {found.read_text}\n")
    print(describe(found.decision.answer.result, found.decision.statements))
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
