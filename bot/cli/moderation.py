"""`cekklaim queue`, `stats`, `moderators ...`, `drafts` and `feeds poll`: the moderators'
queues and roles at a terminal, through the curation service (`bot.curation`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import storage
from bot import reports
from bot.cli.common import fail, open_curation
from bot.curation import CLI_ACTOR, Curation
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
    roster = open_curation(settings, db_path).roster()
    if not roster:
        print("Belum ada moderator / no moderators")
        print("(set MODERATOR_IDS, or run: cekklaim moderators add ID)")
    for role in roster:
        if role.admin:
            print(f"{role.user_id}  admin (MODERATOR_IDS)")
        else:
            when = reports.wib(role.added_at)
            print(f"{role.user_id}  added by {role.added_by or '-'} on {when}")
    return 0


_IS_ADMIN = "{id} is an admin from MODERATOR_IDS: remove it from the settings"
#: What `moderators add` and `remove` say for each outcome, keyed by (changed, is an admin):
#: the exit status (1: printed on stderr as a refusal) and the sentence.
ROLE_OUTCOMES: dict[str, dict[tuple[bool, bool], tuple[int, str]]] = {
    "add": {
        (True, False): (0, "{id} is now a moderator"),
        (True, True): (0, "{id} is now a moderator"),
        (False, True): (0, "{id} is already an admin (MODERATOR_IDS)"),
        (False, False): (0, "{id} was already a moderator; nothing changed"),
    },
    "remove": {
        (True, False): (0, "{id} is no longer a moderator"),
        (True, True): (1, "the added entry was removed, but " + _IS_ADMIN),
        (False, True): (1, _IS_ADMIN),
        (False, False): (1, "{id} is not a moderator"),
    },
}


def cmd_moderators_add(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = open_curation(settings, db_path)
    return _change_role("add", curation.add_moderator, curation, args.user_id)


def cmd_moderators_remove(args: argparse.Namespace, settings: Settings, db_path: Path) -> int:
    curation = open_curation(settings, db_path)
    return _change_role("remove", curation.remove_moderator, curation, args.user_id)


def _change_role(action: str, change: Callable[..., bool], curation: Curation, user_id: int) -> int:
    """Run one role change through the curation service and say what it did."""
    try:
        changed = change(user_id, actor=CLI_ACTOR)
    except ValueError as exc:  # not a user's id
        return fail(f"moderators {action}", exc)
    status, sentence = ROLE_OUTCOMES[action][changed, curation.is_admin(user_id)]
    if status:
        return fail(f"moderators {action}", sentence.format(id=user_id))
    print(sentence.format(id=user_id))
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
