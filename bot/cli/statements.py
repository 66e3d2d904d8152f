"""`cekklaim import`, `export` and `statement ...`: the base in and out, and each statement
through the curation service (`bot.curation`), as moderators in Telegram change it."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import TextIO

import storage
from bot import reports
from bot.cli.common import fail, open_curation
from bot.core import Core
from bot.curation import CLI_ACTOR, Curation, HistoryLine
from bot.kept_terms import import_statements
from bot.settings import Settings
from bot.site.paths import page_url
from storage import Statement
from storage.statement_images import fingerprints_by_statement


def file_or_url(value: str) -> Path | str:
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
    # and each text read for the matcher's index here, so the bot need not (bot/kept_terms.py)
    summary = import_statements(
        db, parsed.rows, actor=CLI_ACTOR, lock_seconds=IMPORT_LOCK_SECONDS, images=parsed.images
    )
    print(
        f"{args.file}: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged"
    )
    return 0


CLAIMREVIEW_SUFFIXES = (".json", ".jsonld")
# Longest a running bot waits to record a claim during an import: with 0.2 s its event loop
# stalled 0.2-0.25 s per batch (bench/index_changes.py); 0.03 s keeps stalls under 50 ms and
# makes a large import about twice as slow (5,000 statements: 4.6 -> 9.7 s).
IMPORT_LOCK_SECONDS = 0.03


def import_claimreviews(source: Path | str, settings: Settings, db_path: Path) -> int:
    """ClaimReview JSON-LD from a file or a URL (fetched safely) into the drafts queue."""
    import asyncio

    from bot.sources.claimreview import queue_reviews, reviews_from_json, reviews_in
    from bot.sources.fetch import HTML_TYPES, JSON_TYPES, fetch, policy_from
    from bot.sources.fetch_error import FetchError
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
            return fail("import", f"{source}: cannot fetch ({exc.reason})")
    else:
        try:
            reviews = reviews_from_json(source.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            return fail("import", f"{source}: cannot read file ({exc})")
    if not reviews:
        return fail("import", f"{source}: no ClaimReview found; nothing queued")
    db = storage.open_db(db_path)
    summary = queue_reviews(db, reviews, origin_url=source if isinstance(source, str) else None)
    for problem in summary.problems:
        print(f"  {problem}", file=sys.stderr)
    if summary.problems and not summary.queued and not summary.already:
        return fail("import", f"{source}: {len(summary.problems)} error(s); nothing queued")
    print(
        f"{source}: {summary.queued} ClaimReview drafts queued, {summary.already} already "
        "queued; nothing is served until a moderator saves it (/draf in Telegram)"
    )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    db = storage.open_db(db_path)
    statements = storage.list_statements(db, include_retired=args.include_retired)
    images = fingerprints_by_statement(db, (s.id for s in statements))

    def jsonl(statements: list[Statement], fp: TextIO) -> int:  # with the pictures (not CSV)
        return storage.export_jsonl(statements, fp, images)

    writer = {
        "jsonl": jsonl,
        "csv": storage.export_csv,
        "claimreview": storage.export_claimreview,
    }[args.format]
    if args.format == "claimreview" and settings.public_base_url:
        base = settings.public_base_url
        writer = partial(storage.export_claimreview, page_url=lambda s: page_url(base, s))
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as fp:
            count = writer(statements, fp)
        print(f"{count} statements written to {args.output}", file=sys.stderr)
    else:
        writer(statements, sys.stdout)
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
    curation = open_curation(settings, db_path)
    s = curation.statement(args.external_id)
    if s is None:
        return fail("statement show", f"no statement with id {args.external_id!r}")
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
    curation = open_curation(settings, db_path)
    s = curation.statement(args.external_id)
    if s is None:
        return fail("statement evidence", f"no statement with id {args.external_id!r}")
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
        done = open_curation(settings, db_path).retire(args.external_id, actor=CLI_ACTOR).value
    except LookupError as exc:
        return fail("statement retire", exc)
    if done.already:
        print(f"[{done.statement.external_id}] was already retired; nothing changed")
    else:
        print(f"[{done.statement.external_id}] retired: the bot no longer answers with it")
    return 0


def cmd_statement_supersede(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    try:
        old = open_curation(settings, db_path).supersede(args.old, args.new, actor=CLI_ACTOR).value
    except (LookupError, ValueError) as exc:
        return fail("statement supersede", exc)
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
    curation = open_curation(settings, db_path)
    if curation.statement(args.external_id) is None:
        return fail("statement history", f"no statement with id {args.external_id!r}")
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
        return fail("statement link", exc)
    if outcome.reindex:
        core.refresh()
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
