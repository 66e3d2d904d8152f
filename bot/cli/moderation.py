"""`cekklaim queue`, `stats`, `moderators ...`, `drafts` and `feeds poll`: the moderators'
queues and roles at a terminal, through the curation service (`bot.curation`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import storage
from bot import reports
from bot.cli.common import fail, open_curation
from bot.curation import CLI_ACTOR
from bot.settings import Settings


def cmd_queue(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    print(reports.queue_report(open_curation(settings, db_path).queue(limit=args.limit)))
    print()
    print("Jawab satu kelompok / answer a cluster:  cekklaim statement link CLUSTER_KEY ID")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    print(reports.stats_report(open_curation(settings, db_path).stats()))
    return 0


def cmd_moderators_list(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    added = open_curation(settings, db_path).moderators()
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
    curation = open_curation(settings, db_path)
    try:
        added = curation.add_moderator(args.user_id, actor=CLI_ACTOR)
    except ValueError as exc:
        return fail("moderators add", exc)
    if added:
        print(f"{args.user_id} is now a moderator")
    elif curation.is_admin(args.user_id):
        print(f"{args.user_id} is already an admin (MODERATOR_IDS)")
    else:
        print(f"{args.user_id} was already a moderator; nothing changed")
    return 0


def cmd_moderators_remove(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = open_curation(settings, db_path)
    try:
        removed = curation.remove_moderator(args.user_id, actor=CLI_ACTOR)
    except ValueError as exc:
        return fail("moderators remove", exc)
    if curation.is_admin(args.user_id):
        done = "the added entry was removed, but " if removed else ""
        return fail(
            "moderators remove",
            f"{done}{args.user_id} is an admin from MODERATOR_IDS: remove it from the settings",
        )
    if not removed:
        return fail("moderators remove", f"{args.user_id} is not a moderator")
    print(f"{args.user_id} is no longer a moderator")
    return 0


def cmd_drafts(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """The drafts queue (feeds, ClaimReview imports) as moderators see it under /draf."""
    found, _ = open_curation(settings, db_path).source_drafts(limit=args.limit)
    if not found:
        print("no drafts waiting")
    for d in found:
        title = d.title or d.fields.get("claim") or ""
        print(f"d{d.id}  {d.origin:<11} {d.published_at or '-':<10}  {title}  {d.url or ''}")
    return 0


def cmd_feeds_poll(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    """Poll the feeds once now (SOURCE_FEEDS, or --feed) and say what each gave."""
    import asyncio

    from bot.sources.feeds import poll_feeds
    from bot.sources.fetch import policy_from

    feeds = tuple(args.feed or settings.source_feeds)
    if not feeds:
        return fail("feeds poll", "no feeds: set SOURCE_FEEDS or give --feed URL")
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
