"""What a moderator command answers, without Telegram: the command's arguments checked, the
curation service or the core asked, and the answer composed through bot/replies/.

bot/telegram/moderation/ sends these Replies and texts; the changes themselves (and what
must follow them) are bot/curation.py's.

    /lihat ID        -> show        the card as citizens see it, then status and history
    /cari teks       -> search      the tier and each candidate's scores (nothing recorded)
    /ubah ID k nilai -> edit        the changed statement and its preview, or why not
    /riwayat ID      -> history     who changed what, when
    /antrean, /draf  -> queue, source_drafts   the list and its ➕/🗑 buttons
    /statistik       -> statistics
    /tautkan, /arsip, /ganti -> linked, retired, superseded   the reply after the change
    /gambar, /hapusgambar -> images, image_attached, image_removed   a statement's pictures
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot import drafts, reports
from bot.clusters import Cluster
from bot.core import Core
from bot.curation import (
    Curation,
    ImageAttached,
    LinkResult,
    Outcome,
    Statement,
    StatementInput,
)
from bot.replies import moderator_reports, moderators, render
from bot.replies.moderators import (
    DRAFT_ADD,
    DRAFT_DISMISS,
    QUEUE_ADD,
    QUEUE_DISMISS,
    SAVE_EDIT,
    add_dismiss_row,
    echo,
    echo_lines,
    pre,
    preview,
    search_report,
)
from bot.replies.render import Reply
from bot.replies.texts import text

QUEUE_SHOWN = 10  # clusters listed by /antrean: short blocks, well within one message
QUEUE_BUTTONS = 5  # clusters (or drafts) that get ➕/🗑 buttons under the list
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")  # positive, and well inside SQLite's 64-bit integers


def arguments_fit(args: Sequence[str], count: int, *, numeric: bool = False) -> bool:
    """Exactly `count` arguments, each a Telegram user id if `numeric` (ASCII digits, 1 up
    to SQLite's integer range)."""
    return len(args) == count and (not numeric or all(_USER_ID.fullmatch(a) for a in args))


def moderator_target(args: Sequence[str], replied_to: int | None) -> int | None:
    """Whom /tambahmod or /hapusmod names: the Telegram id typed (one argument), else the
    sender of the message it replies to (`replied_to`); None: the usage line is said."""
    if arguments_fit(args, 1, numeric=True):
        return int(args[0])
    return replied_to if not args and replied_to is not None and replied_to > 0 else None


def unknown_statement(external_id: str) -> Reply:
    return Reply(text("id", "unknown_statement", id=echo(external_id)))


def show(curation: Curation, external_id: str) -> tuple[Reply, ...]:
    """/lihat ID: the card as citizens see it, plus status and history in brief."""
    statement = curation.statement(external_id)
    if statement is None:
        return (unknown_statement(external_id),)
    superseded = f" → {statement.superseded_by}" if statement.superseded_by else ""
    meta = text(
        "id",
        "statement_meta",
        id=html.escape(statement.external_id),
        status=text("id", f"status_{statement.status}"),
        superseded=html.escape(superseded),
        variants=len(statement.variants),
        created=reports.wib(statement.created_at),
        by=html.escape(statement.created_by or "-"),
    )
    kept = curation.evidence(statement)
    if kept:
        last = kept[-1]
        meta += "\n" + text(
            "id", "statement_evidence", at=reports.wib(last.fetched_at), sha=last.body_sha256[:16]
        )
    return render.statement_card(statement, "id"), Reply(meta)


def search(core: Core, query: str) -> str:
    """/cari teks: what a citizen would get for this text, with scores (nothing recorded)."""
    if not query:
        return text("id", "usage_cari")
    result, statements = core.match(query)
    return search_report(result, statements)


def edit(curation: Curation, command: str) -> tuple[StatementInput | None, tuple[Reply, ...]]:
    """/ubah ID kolom nilai: the changed statement (to keep until ✅) and its preview, or
    None and why not (usage, an unknown id, a wrong value, a change that breaks a rule)."""
    parts = command.split(maxsplit=3)
    if len(parts) < 4:
        return None, (Reply(text("id", "usage_ubah", fields=drafts.field_choices())),)
    _, external_id, typed_field, raw = parts
    statement = curation.statement(external_id)
    if statement is None:
        return None, (unknown_statement(external_id),)
    try:
        field = drafts.field_named(typed_field)  # Indonesian, or the English name
        value = drafts.parse_field(field, raw)
    except drafts.DraftError as exc:
        return None, (Reply(text("id", "draft_error", error=echo(exc))),)
    changed = drafts.edited(statement, field, value)
    if problems := drafts.problems(changed):  # e.g. valid_until before published_at
        return None, (Reply(text("id", "draft_error", error=echo_lines(problems))),)
    header = text("id", "edit_preview", field=html.escape(drafts.field_label(field)))
    return changed, preview(drafts.as_statement(changed), header, SAVE_EDIT)


def history(curation: Curation, external_id: str) -> str:
    """/riwayat ID: who changed what, when (before → after per field)."""
    lines = curation.history(external_id)
    if not lines:
        return text("id", "history_empty", id=echo(external_id))
    return pre(reports.history_report(lines, drafts.FIELD_LABELS))


def images(curation: Curation, external_id: str) -> str:
    """/gambar ID (not a reply to a photo): the statement's pictures, and how to detach one."""
    try:
        found = curation.images(external_id)
    except LookupError:
        return text("id", "unknown_statement", id=echo(external_id))
    if not found:
        return text("id", "image_list_empty", id=echo(external_id))
    lines = "\n".join(
        text("id", "image_list_line", number=image.id, at=reports.wib(image.added_at),
             by=echo(image.added_by or "-"))
        for image in found
    )  # fmt: skip
    return text("id", "image_list", id=echo(external_id), lines=lines)


def image_attached(external_id: str, outcome: Outcome[ImageAttached]) -> str:
    """After /gambar ID in reply to a photo."""
    key = "image_attached" if outcome.value.new else "image_already"
    return text("id", key, id=echo(external_id), number=outcome.value.image.id)


def image_removed(external_id: str, number: int, outcome: Outcome[bool]) -> str:
    """After /hapusgambar ID NOMOR."""
    key = "image_removed" if outcome.value else "image_not_found"
    return text("id", key, id=echo(external_id), number=number)


def queue(curation: Curation) -> Reply:
    """/antrean: unanswered claims grouped, most asked and most recent first."""
    found = curation.queue(limit=QUEUE_SHOWN)
    rows = tuple(
        add_dismiss_row(QUEUE_ADD, QUEUE_DISMISS, c.key, c.key) for c in found[:QUEUE_BUTTONS]
    )
    images = curation.images_of([i for c in found for i in c.claim_ids])
    body = moderator_reports.queue_list(found, datetime.now(UTC), images)
    if found:
        body += "\n\n" + text("id", "queue_hint")
    return Reply(body, rows)


def source_drafts(curation: Curation) -> Reply:
    """/draf: drafts from feeds and ClaimReview imports, waiting for a moderator."""
    found, total = curation.source_drafts(limit=10)
    if not found:
        return Reply(text("id", "drafts_empty"))
    rows = tuple(
        add_dismiss_row(DRAFT_ADD, DRAFT_DISMISS, d.id, f"d{d.id}") for d in found[:QUEUE_BUTTONS]
    )
    return Reply(moderators.drafts_list(found, total), rows)


def statistics(curation: Curation) -> str:
    """/statistik: today and 7 days, tiers, top claims, feedback, statements served."""
    found = curation.stats()
    return moderator_reports.statistics(found, reports.wib(found.generated_at))


def linked(args: list[str], outcome: Outcome[LinkResult], told: int) -> str:
    """After /tautkan KUNCI ID: how many claims the statement now answers, who was told."""
    done = outcome.value
    return text(
        "id",
        "linked",
        count=len(done.claim_ids),
        cluster=html.escape(args[0]),
        id=html.escape(done.external_id),
        variants=done.variants_added,
        notified=told,
    )


def retired(args: list[str], _outcome: Outcome[Any], _told: int) -> str:
    """After /arsip ID."""
    return text("id", "retired", id=html.escape(args[0]))


def superseded(args: list[str], _outcome: Outcome[Any], told: int) -> str:
    """After /ganti ID_LAMA ID_BARU: and how many who asked were told."""
    old, new = (html.escape(a) for a in args)
    told_line = text("id", "superseded_told", count=told) if told else ""
    return text("id", "superseded", old=old, new=new) + told_line


def saved(draft: Any, outcome: Outcome[Statement], told: int) -> str:
    """After ✅ under a /tambah preview: the new statement's id, who was told, and the queue
    cluster it answered (➕ under /antrean), which left the queue with the save."""
    done = text("id", "saved", id=html.escape(outcome.value.external_id), notified=told)
    if isinstance(draft, dict) and draft.get("cluster"):
        done += "\n" + text("id", "saved_cluster", cluster=html.escape(str(draft["cluster"])))
    return done


def edit_saved(changed: StatementInput, outcome: Outcome[bool], told: int) -> str:
    """After ✅ under an /ubah preview: saved (and who was told), or nothing changed."""
    if not outcome.value:
        return text("id", "edit_unchanged")
    return text("id", "edit_saved", id=html.escape(changed.external_id), notified=told)


def alert(cluster: Cluster, window_minutes: float) -> str:
    """A fast-growing unanswered cluster, for the moderators' chat."""
    return text(
        "id",
        "alert",
        count=cluster.count,
        minutes=window_minutes,
        cluster=cluster.key,
        example=html.escape(reports.one_line(cluster.example, 300)),
    )
