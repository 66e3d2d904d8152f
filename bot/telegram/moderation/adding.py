"""The /tambah conversation on Telegram: each step handed to bot/tambah.py (what to say, the
state that follows, the draft kept in the moderator's `user_data`), what it says sent, and
the draft saved on ✅ by the curation service."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ConversationHandler

from bot import moderating, tambah
from bot.curation import Curation
from bot.images.hashing import fingerprint
from bot.images.opening import ImageRejected
from bot.replies.moderators import echo
from bot.replies.texts import text
from bot.sources.prefill import prefill_from_url
from bot.telegram.keys import MODERATOR_DRAFT, MODERATOR_EDIT
from bot.telegram.moderation.common import (
    Context,
    curation,
    moderator_only,
    pressed,
    say,
    user_data,
)
from bot.telegram.moderation.notify import save_previewed
from bot.telegram.picture_files import (
    MAX_PICTURE_BYTES,
    DownloadFailed,
    PictureTooLarge,
    download_picture,
)
from bot.telegram.runtime import runtime

# Conversation states (bot/tambah.py): one per field, then the preview.
STEPS, CONFIRM = tambah.STEPS, tambah.CONFIRM
assert tambah.END == ConversationHandler.END


def _adding(context: Context) -> tambah.Adding:
    """The steps, fetching pages as this bot does."""
    rt = runtime(context)
    domains = rt.settings.official_domains
    return tambah.Adding(lambda url: prefill_from_url(url, rt.fetch_policy, domains), domains)


async def _said(update: Update, step: tambah.Step) -> int:
    """Send what the step says; the conversation's state after it."""
    if update.effective_message is not None:
        await say(update.effective_message, step.say)
    return step.state


async def _started(
    update: Update, context: Context, draft: tambah.Draft | None, step: tambah.Step
) -> int:
    """A new draft (None: the one there is stays) and what its first step says."""
    if draft is not None:
        user_data(context)[MODERATOR_DRAFT] = draft
    return await _said(update, step)


@moderator_only
async def add_start(update: Update, context: Context) -> int:
    """Start the guided /tambah, or take the one-message form or a URL in one go."""
    message = update.effective_message
    assert message is not None
    args = (message.text or "").split(maxsplit=1)
    draft, step = await _adding(context).start(args[1] if len(args) > 1 else "")
    return await _started(update, context, draft, step)


@moderator_only
async def add_from_queue(update: Update, context: Context) -> int:
    """➕ under /antrean: /tambah with the cluster's example as the claim."""
    query, found = pressed(update)
    cluster = curation(context).cluster(found.word(0)) if found is not None else None
    await query.answer()
    return await _started(update, context, *_adding(context).from_cluster(cluster))


@moderator_only
async def add_from_source_draft(update: Update, context: Context) -> int:
    """➕ under /draf: /tambah pre-filled from a feed item or an imported ClaimReview."""
    query, found = pressed(update)
    await query.answer()
    source = curation(context).pending_source_draft(found.id(0)) if found is not None else None
    return await _started(update, context, *await _adding(context).from_source_draft(source))


@moderator_only
async def add_step(update: Update, context: Context) -> int:
    """Take the answer for the field being asked; re-ask with the reason when it is wrong."""
    return await _take_typed(update, context, at_preview=False)


@moderator_only
async def add_verdict_button(update: Update, context: Context) -> int:
    """Take the verdict pressed under the question (forged data, e.g. v:A, is refused like
    a typed value: asked again)."""
    return await _answer_pressed(update, context, verdict=True)


@moderator_only
async def add_keep_button(update: Update, context: Context) -> int:
    """✔️ under a pre-filled field's question: keep that value, go on."""
    return await _answer_pressed(update, context, verdict=False)


async def _answer_pressed(update: Update, context: Context, *, verdict: bool) -> int:
    """A button under the question asked: the verdict chosen, or the pre-filled value kept."""
    query, found = pressed(update)
    draft = user_data(context).get(MODERATOR_DRAFT)
    await query.answer()
    if draft is None:
        return ConversationHandler.END
    word = found.word(0) if found else ""
    adding = _adding(context)
    step = adding.fill(draft, "verdict", word) if verdict else adding.keep(draft, word)
    return await _said(update, step)


@moderator_only
async def add_edit_field(update: Update, context: Context) -> int:
    """At the preview, `kolom nilai` changes one field (pre-filled or typed), then re-previews."""
    return await _take_typed(update, context, at_preview=True)


async def _take_typed(update: Update, context: Context, *, at_preview: bool) -> int:
    """A typed answer in /tambah, for the field asked or, at the preview, any field."""
    message = update.effective_message
    draft = user_data(context).get(MODERATOR_DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    step = await _adding(context).typed(draft, message.text or "", at_preview=at_preview)
    return await _said(update, step)


@moderator_only
async def add_picture(update: Update, context: Context) -> int | None:
    """A photo at any step: the picture the statement answers, kept with the draft (its
    fingerprint) and attached when ✅ saves it; the step asked stays."""
    message = update.effective_message
    draft = user_data(context).get(MODERATOR_DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    try:
        found = await download_picture(context.bot, message)
        if found is None:
            return None
        # in a thread: decoding and hashing a photo takes 30-60 ms, the loop's meanwhile
        seen = await asyncio.to_thread(fingerprint, found.content)
        said = tambah.picture(draft, seen.text, found.file_id)
    except PictureTooLarge:
        said = text("id", "image_too_large", mb=MAX_PICTURE_BYTES >> 20)
    except DownloadFailed:
        said = text("id", "image_download_failed")
    except ImageRejected as exc:
        said = text("id", "image_unreadable", error=echo(exc))
    await message.reply_text(said)
    return None  # the field asked, or the preview, stays


@moderator_only
async def add_confirm(update: Update, context: Context) -> int:
    """✅ saves the draft (one transaction, audited), swaps the index and notifies."""
    await save_previewed(update, context, MODERATOR_DRAFT, Curation.create, moderating.saved)
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/batal at any step: nothing is saved."""
    state = user_data(context)
    had = (
        state.pop(MODERATOR_DRAFT, None) is not None or state.pop(MODERATOR_EDIT, None) is not None
    )
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text("id", "cancelled" if had else "nothing_to_cancel")
        )
    return ConversationHandler.END
