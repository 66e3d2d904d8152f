"""The work waiting for moderators: unanswered claims grouped (/antrean, 🗑, /tautkan),
drafts from feeds and ClaimReview imports (/draf, 🗑), and the numbers (/statistik)."""

from __future__ import annotations

import html
from typing import Any

from telegram import Update

from bot import reports
from bot.curation import Curation, LinkResult, Outcome
from bot.replies.moderators import (
    DRAFT_ADD,
    DRAFT_DISMISS,
    QUEUE_ADD,
    QUEUE_DISMISS,
    add_dismiss_row,
    drafts_list,
    pre,
)
from bot.replies.texts import text
from bot.telegram.keyboards import markup
from bot.telegram.moderation.common import (
    Context,
    actor,
    curation,
    moderator_only,
    pressed,
)
from bot.telegram.moderation.notify import curated

QUEUE_BUTTONS = 5  # clusters (or drafts) that get ➕/🗑 buttons under the list


@moderator_only
async def queue(update: Update, context: Context) -> None:
    """/antrean: unanswered claims grouped, most asked and most recent first."""
    message = update.effective_message
    assert message is not None
    found = curation(context).queue(limit=20)
    rows = tuple(
        add_dismiss_row(QUEUE_ADD, QUEUE_DISMISS, c.key, c.key) for c in found[:QUEUE_BUTTONS]
    )
    body = pre(reports.queue_report(found))
    if found:
        body += "\n" + text("id", "queue_hint")
    await message.reply_text(body, reply_markup=markup(rows))


@moderator_only
async def queue_dismiss(update: Update, context: Context) -> None:
    """🗑 under /antrean: the cluster's claims leave the queue."""
    query, found = pressed(update)
    key = found.word(0) if found is not None else ""
    count = curation(context).dismiss_cluster(key, actor=actor(update.effective_user))
    if count is None:
        await query.answer(text("id", "queue_gone"))
        return
    await query.answer(text("id", "queue_dismissed", cluster=key, count=count))


@moderator_only
async def source_drafts(update: Update, context: Context) -> None:
    """/draf: drafts from feeds and ClaimReview imports, waiting for a moderator."""
    message = update.effective_message
    assert message is not None
    found, total = curation(context).source_drafts(limit=10)
    if not found:
        await message.reply_text(text("id", "drafts_empty"))
        return
    rows = tuple(
        add_dismiss_row(DRAFT_ADD, DRAFT_DISMISS, d.id, f"d{d.id}") for d in found[:QUEUE_BUTTONS]
    )
    await message.reply_text(drafts_list(found, total), reply_markup=markup(rows))


@moderator_only
async def source_draft_dismiss(update: Update, context: Context) -> None:
    """🗑 under /draf: the draft is set aside."""
    query, found = pressed(update)
    draft_id = found.id(0) if found is not None else 0
    done = draft_id > 0 and curation(context).dismiss_source_draft(
        draft_id, actor=actor(update.effective_user)
    )
    await query.answer(text("id", "draft_dismissed" if done else "draft_gone", id=f"d{draft_id}"))


def _linked(args: list[str], outcome: Outcome[LinkResult], told: int) -> str:
    linked = outcome.value
    return text(
        "id",
        "linked",
        count=len(linked.claim_ids),
        cluster=html.escape(args[0]),
        id=html.escape(linked.external_id),
        variants=linked.variants_added,
        notified=told,
    )


@moderator_only
@curated(2, "usage_tautkan", _linked)
def link(c: Curation, args: list[str], who: str) -> Outcome[Any]:
    """/tautkan KUNCI ID: a cluster's claims become phrasings of a statement; askers told."""
    return c.link_cluster(args[0], args[1], actor=who)


@moderator_only
async def statistics(update: Update, context: Context) -> None:
    """/statistik: today and 7 days, tiers, top claims, feedback, statements served."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(pre(reports.stats_report(curation(context).stats())))
