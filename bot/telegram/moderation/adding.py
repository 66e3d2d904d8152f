"""The /tambah conversation: a new statement field by field (or in one message, or pre-filled
from a page, a queue cluster or a source draft), previewed as citizens will see it, saved
on ✅ by the curation service."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import drafts, reports
from bot.replies import callbacks, render
from bot.replies.reply import Button, Keyboard
from bot.replies.texts import text
from bot.sources.fetch import policy_from
from bot.sources.fetch_error import FetchError
from bot.sources.prefill import prefill_from_url
from bot.sources.urls import host_of, official_body
from bot.telegram.keyboards import markup
from bot.telegram.keys import MODERATOR_DRAFT, MODERATOR_EDIT
from bot.telegram.moderation.common import (
    SAVE_NEW,
    VERDICT,
    Context,
    actor,
    curation,
    echo,
    echo_lines,
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

VERDICT_BUTTONS = ("HOAKS", "SALAH", "MENYESATKAN", "KLARIFIKASI", "BENAR")
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
    if len(args) > 1 and _looks_like_url(args[1]):  # /tambah URL: pre-filled from the page
        state[MODERATOR_DRAFT] = await _prefilled(update, context, args[1].strip())
        return await _ask_next(update, context, state[MODERATOR_DRAFT])
    state[MODERATOR_DRAFT] = {}
    return await _ask_next(update, context, state[MODERATOR_DRAFT])


def _looks_like_url(value: str) -> bool:
    value = value.strip()
    return bool(value) and not any(ch.isspace() for ch in value) and "://" in value


def _sanitized(draft: dict[str, Any]) -> dict[str, Any]:
    """Pre-filled values pass the same checks as typed ones; a value that fails is dropped
    (and so asked for). A fetched http source is kept: it is the page that was read."""
    clean: dict[str, Any] = {}
    for name, value in draft.items():
        if name == "source_url" and (not isinstance(value, str) or not drafts.is_http_url(value)):
            continue  # e.g. "https://[::1" from a ClaimReview queued before it was checked
        if name not in drafts.EDITABLE or name == "source_url":
            clean[name] = value
            continue
        try:
            clean[name] = drafts.parse_field(name, str(value))
        except drafts.DraftError:
            continue
        if clean[name] is None:
            del clean[name]
    return clean


async def _prefilled(update: Update, context: Context, url: str) -> dict[str, Any]:
    """Fetch the page and pre-fill a draft, saying what was found; {} when it fails."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    try:
        found = await prefill_from_url(url, policy_from(rt.settings), rt.settings.official_domains)
    except FetchError as exc:
        log.info("pre-fill fetch failed: %s", exc.reason)
        reason = text("id", f"fetch_{exc.reason}")
        await message.reply_text(text("id", "prefill_failed", reason=html.escape(reason)))
        return {}
    await message.reply_text(render.prefill_summary(found))
    return {**_sanitized(found.draft), "evidence": found.evidence}


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
    draft = {"claim": reports.one_line(cluster.example, 1000), "cluster": cluster.key}
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
    draft = await _prefilled(update, context, found.url) if found.url else {}
    # a ClaimReview states the claim, verdict and clarification; the page the rest
    draft.update(_sanitized({k: v for k, v in found.fields.items() if k not in ("org",)}))
    known = {
        "source_title": found.title, "clarification": found.summary,
        "published_at": found.published_at, "org": found.fields.get("org"),
    }  # fmt: skip
    for name, value in _sanitized({k: v for k, v in known.items() if v}).items():
        draft.setdefault(name, value)
    draft["source_draft"] = found.id
    user_data(context)[MODERATOR_DRAFT] = draft
    return await _ask_next(update, context, draft)


def _preview_header(context: Context, draft: dict[str, Any]) -> str:
    """The preview's title, a warning for a source off the official domains, an edit hint."""
    header = text("id", "preview")
    source = draft.get("source_url")
    domains = runtime(context).settings.official_domains
    if source and official_body(source, domains) is None:
        host = host_of(source) or source
        header += "\n" + text("id", "preview_unofficial", host=html.escape(host))
    fields = ", ".join(drafts.EDITABLE)
    return header + "\n" + text("id", "preview_edit_hint", fields=html.escape(fields))


async def _ask_next(update: Update, context: Context, draft: dict[str, Any]) -> int:
    message = update.effective_message
    assert message is not None
    for name in drafts.FIELDS:
        if name not in draft:
            keyboard: Keyboard = ()
            if name == "verdict":
                row = (Button(v, callback=callbacks.encode(VERDICT, v)) for v in VERDICT_BUTTONS)
                keyboard = (tuple(row),)
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
    message = update.effective_message
    draft = user_data(context).get(MODERATOR_DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    name = next(n for n in drafts.FIELDS if n not in draft)
    if name == "org" and _looks_like_url(message.text or ""):  # a URL as the first answer
        for key, value in (await _prefilled(update, context, (message.text or "").strip())).items():
            draft.setdefault(key, value)
        return await _ask_next(update, context, draft)
    try:
        draft[name] = drafts.parse_field(name, message.text or "")
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=echo(exc)))
        return STEPS[name]
    return await _ask_next(update, context, draft)


@moderator_only
async def add_verdict_button(update: Update, context: Context) -> int:
    """Take the verdict pressed under the question."""
    query, found = pressed(update)
    draft = user_data(context).get(MODERATOR_DRAFT)
    await query.answer()
    if draft is None:
        return ConversationHandler.END
    try:
        draft["verdict"] = drafts.parse_field("verdict", found.word(0) if found else "")
    except drafts.DraftError as exc:  # forged data, e.g. v:A: ask again
        if update.effective_message is not None:
            await update.effective_message.reply_text(text("id", "draft_error", error=echo(exc)))
        return STEPS["verdict"]
    return await _ask_next(update, context, draft)


@moderator_only
async def add_edit_field(update: Update, context: Context) -> int:
    """At the preview, `kolom nilai` changes one field (pre-filled or typed), then re-previews."""
    message = update.effective_message
    draft = user_data(context).get(MODERATOR_DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    name, _, raw = (message.text or "").strip().partition(" ")
    field = name.lower().rstrip(":")
    try:
        draft[field] = drafts.parse_field(field, raw)
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=echo(exc)))
        return CONFIRM
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
