"""The work waiting for moderators: unanswered claims grouped (/antrean, 🗑, /tautkan),
drafts from feeds and ClaimReview imports (/draf, 🗑), and the numbers (/statistik). What
each answers: bot/moderating.py."""

from __future__ import annotations

import html
from typing import Any

from telegram import Message, Update

from bot import moderating
from bot.curation import Curation, Outcome
from bot.replies.texts import shorten, text
from bot.telegram.moderation.common import (
    Context,
    actor,
    command,
    curation,
    moderator_only,
    pressed,
    say,
)
from bot.telegram.moderation.notify import curate, curated
from bot.telegram.runtime import runtime

CAPTION_CHARS = 600  # a photo's caption holds 1,024 characters


@moderator_only
async def queue(update: Update, context: Context) -> None:
    """/antrean: unanswered claims grouped, most asked and most recent first."""
    assert update.effective_message is not None
    await say(update.effective_message, [moderating.queue(curation(context))])


@moderator_only
async def queue_dismiss(update: Update, context: Context) -> None:
    """🗑 under /antrean: the cluster's claims leave the queue."""
    query, found = pressed(update)
    key = found.word(0) if found is not None else ""
    who = actor(update.effective_user)
    count = await curate(runtime(context), lambda c: c.dismiss_cluster(key, actor=who))
    if count is None:
        await query.answer(text("id", "queue_gone"))
        return
    await query.answer(text("id", "queue_dismissed", cluster=key, count=count))


@moderator_only
async def source_drafts(update: Update, context: Context) -> None:
    """/draf: drafts from feeds and ClaimReview imports, waiting for a moderator."""
    assert update.effective_message is not None
    await say(update.effective_message, [moderating.source_drafts(curation(context))])


@moderator_only
async def source_draft_dismiss(update: Update, context: Context) -> None:
    """🗑 under /draf: the draft is set aside."""
    query, found = pressed(update)
    draft_id = found.id(0) if found is not None else 0
    who = actor(update.effective_user)
    done = draft_id > 0 and await curate(
        runtime(context), lambda c: c.dismiss_source_draft(draft_id, actor=who)
    )
    await query.answer(text("id", "draft_dismissed" if done else "draft_gone", id=f"d{draft_id}"))


@moderator_only
@curated(2, "usage_tautkan", moderating.linked)
def link(c: Curation, args: list[str], who: str) -> Outcome[Any]:
    """/tautkan KUNCI ID: a cluster's claims become phrasings of a statement; askers told."""
    return c.link_cluster(args[0], args[1], actor=who)


@moderator_only
@command(1, "usage_fotoklaim", numeric=True)
async def show_image(message: Message, context: Context, args: list[str]) -> None:
    """/fotoklaim NOMOR: the image a claim was read from, sent again by its file id."""
    claim_id = int(args[0])
    image = curation(context).images_of([claim_id]).get(claim_id)
    if image is None:
        await message.reply_text(text("id", "image_missing", claim=claim_id))
        return
    read = html.escape(shorten(image.read_text, CAPTION_CHARS))
    caption = text("id", "image_caption", claim=claim_id, read=read)
    await message.reply_photo(image.file_id, caption=caption)


@moderator_only
async def statistics(update: Update, context: Context) -> None:
    """/statistik: today and 7 days, tiers, top claims, feedback, statements served."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(moderating.statistics(curation(context)))
