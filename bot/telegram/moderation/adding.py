"""The /tambah conversation: a new statement field by field (or in one message, or pre-filled
from a page, a queue cluster or a source draft), previewed as citizens will see it, saved
on ✅ by the curation service."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import drafts
from bot.replies.moderators import SAVE_NEW, echo, echo_lines, prefill_summary, verdict_keyboard
from bot.replies.texts import text
from bot.sources.fetch_error import FetchError
from bot.sources.prefill import prefill_from_url
from bot.telegram.keyboards import markup
from bot.telegram.keys import MODERATOR_DRAFT, MODERATOR_EDIT
from bot.telegram.moderation.common import (
    Context,
    actor,
    curation,
    edit_text,
    moderator_only,
    pressed,
    preview,
    take_confirmed,
    user_data,
)
from bot.telegram.moderation.notify import follow
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)

# Conversation states: one per field, then the preview.
STEPS = {name: n for n, name in enumerate(drafts.FIELDS)}
CONFIRM = len(drafts.FIELDS)


@moderator_only
async def add_start(update: Update, context: Context) -> int:
    """Start the guided /tambah, or take the one-message form in one go."""
    message = update.effective_message
    assert message is not None
    args = (message.text or "").split(maxsplit=1)
    state = user_data(context)
    if len(args) > 1 and "|" in args[1]:
        draft, errors = drafts.parse_one_message(args[1])
        if errors:
            await message.reply_text(text("id", "draft_error", error=echo_lines(errors)))
            return ConversationHandler.END
        state[MODERATOR_DRAFT] = draft
        await preview(update, drafts.to_input(draft, "baru"), text("id", "preview"), SAVE_NEW)
        return CONFIRM
    if len(args) > 1 and drafts.looks_like_url(args[1]):  # /tambah URL: pre-filled from the page
        state[MODERATOR_DRAFT] = await _prefilled(update, context, args[1].strip())
        return await _ask_next(update, context, state[MODERATOR_DRAFT])
    state[MODERATOR_DRAFT] = {}
    return await _ask_next(update, context, state[MODERATOR_DRAFT])


async def _prefilled(update: Update, context: Context, url: str) -> dict[str, Any]:
    """Fetch the page and pre-fill a draft, saying what was found; {} when it fails."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    try:
        found = await prefill_from_url(url, rt.fetch_policy, rt.settings.official_domains)
    except FetchError as exc:
        log.info("pre-fill fetch failed: %s", exc.reason)
        reason = text("id", f"fetch_{exc.reason}")
        await message.reply_text(text("id", "prefill_failed", reason=html.escape(reason)))
        return {}
    await message.reply_text(prefill_summary(found))
    return {**drafts.sanitized(found.draft), "evidence": found.evidence}


@moderator_only
async def add_from_queue(update: Update, context: Context) -> int:
    """➕ under /antrean: /tambah with the cluster's example as the claim."""
    query, found = pressed(update)
    cluster = curation(context).cluster(found.word(0)) if found is not None else None
    await query.answer()
    if cluster is None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(text("id", "queue_gone"))
        return ConversationHandler.END
    draft = drafts.from_cluster(cluster)
    user_data(context)[MODERATOR_DRAFT] = draft
    return await _ask_next(update, context, draft)


@moderator_only
async def add_from_source_draft(update: Update, context: Context) -> int:
    """➕ under /draf: /tambah pre-filled from a feed item or an imported ClaimReview."""
    query, pressed_data = pressed(update)
    await query.answer()
    found = (
        curation(context).pending_source_draft(pressed_data.id(0))
        if pressed_data is not None
        else None
    )
    if found is None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(text("id", "draft_gone"))
        return ConversationHandler.END
    page = await _prefilled(update, context, found.url) if found.url else {}
    draft = drafts.from_source_draft(found, page)
    user_data(context)[MODERATOR_DRAFT] = draft
    return await _ask_next(update, context, draft)


def _preview_header(context: Context, draft: dict[str, Any]) -> str:
    """The preview's title, a warning for a source off the official domains, an edit hint."""
    header = text("id", "preview")
    host = drafts.unofficial_host(draft, runtime(context).settings.official_domains)
    if host is not None:
        header += "\n" + text("id", "preview_unofficial", host=html.escape(host))
    fields = ", ".join(drafts.EDITABLE)
    return header + "\n" + text("id", "preview_edit_hint", fields=html.escape(fields))


async def _ask_next(update: Update, context: Context, draft: dict[str, Any]) -> int:
    message = update.effective_message
    assert message is not None
    name = drafts.next_field(draft)
    if name is not None:
        keyboard = verdict_keyboard() if name == "verdict" else ()
        await message.reply_text(text("id", f"ask_{name}"), reply_markup=markup(keyboard))
        return STEPS[name]
    data = drafts.to_input(draft, "baru")
    if problems := drafts.problems(data):  # e.g. valid_until before published_at
        await message.reply_text(text("id", "draft_error", error=echo_lines(problems)))
        return CONFIRM
    await preview(update, data, _preview_header(context, draft), SAVE_NEW)
    return CONFIRM


@moderator_only
async def add_step(update: Update, context: Context) -> int:
    """Take the answer for the field being asked; re-ask with the reason when it is wrong."""
    return await _take_typed(update, context, at_preview=False)


@moderator_only
async def add_verdict_button(update: Update, context: Context) -> int:
    """Take the verdict pressed under the question."""
    query, found = pressed(update)
    draft = user_data(context).get(MODERATOR_DRAFT)
    await query.answer()
    if draft is None:
        return ConversationHandler.END
    # forged data, e.g. v:A, is refused like a typed value: asked again
    return await _fill(update, context, draft, "verdict", found.word(0) if found else "")


@moderator_only
async def add_edit_field(update: Update, context: Context) -> int:
    """At the preview, `kolom nilai` changes one field (pre-filled or typed), then re-previews."""
    return await _take_typed(update, context, at_preview=True)


async def _take_typed(update: Update, context: Context, *, at_preview: bool) -> int:
    """A typed answer in /tambah: for the field being asked (a URL as the first answer
    pre-fills the draft from that page), or at the preview `kolom nilai` for any field."""
    message = update.effective_message
    draft = user_data(context).get(MODERATOR_DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    typed = message.text or ""
    if at_preview:
        name, _, raw = typed.strip().partition(" ")
        return await _fill(update, context, draft, name.lower().rstrip(":"), raw, stay=CONFIRM)
    asked = drafts.next_field(draft)
    assert asked is not None  # this state asks for a field that is missing
    if asked == "org" and drafts.looks_like_url(typed):
        for key, value in (await _prefilled(update, context, typed.strip())).items():
            draft.setdefault(key, value)
        return await _ask_next(update, context, draft)
    return await _fill(update, context, draft, asked, typed)


async def _fill(
    update: Update,
    context: Context,
    draft: dict[str, Any],
    name: str,
    raw: str,
    stay: int | None = None,
) -> int:
    """Field `name` of the draft from `raw`, checked like every value, then the next step;
    a wrong value is answered with the reason and the conversation stays at `stay` (by
    default the field's own question)."""
    try:
        draft[name] = drafts.parse_field(name, raw)
    except drafts.DraftError as exc:
        if update.effective_message is not None:
            await update.effective_message.reply_text(text("id", "draft_error", error=echo(exc)))
        return STEPS[name] if stay is None else stay
    return await _ask_next(update, context, draft)


@moderator_only
async def add_confirm(update: Update, context: Context) -> int:
    """✅ saves the draft (one transaction, audited), swaps the index and notifies."""
    query, draft = await take_confirmed(update, context, MODERATOR_DRAFT)
    if draft is None:
        return ConversationHandler.END
    try:
        outcome = curation(context).create(draft, actor=actor(update.effective_user))
    except (ValueError, LookupError) as exc:
        await edit_text(query, text("id", "failed", error=echo(exc)))
        return ConversationHandler.END
    notified = await follow(context, outcome)
    saved = text("id", "saved", id=html.escape(outcome.value.external_id), notified=notified)
    await edit_text(query, saved)
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
