"""Statements already in the base: look (/lihat, /cari, /riwayat), edit (/ubah then ✅),
retire (/arsip) and replace (/ganti), each change made by the curation service."""

from __future__ import annotations

import html

from telegram import Update

from bot import drafts, reports
from bot.curation import HistoryLine, Statement
from bot.replies import render
from bot.replies.texts import text
from bot.telegram.keyboards import markup
from bot.telegram.keys import MODERATOR_EDIT
from bot.telegram.moderation.common import (
    SAVE_EDIT,
    Context,
    actor,
    arguments,
    command_args,
    curation,
    echo,
    echo_lines,
    edit_text,
    moderator_only,
    pre,
    preview,
    take_confirmed,
    user_data,
)
from bot.telegram.moderation.notify import curate, follow
from bot.telegram.runtime import runtime


async def _statement_or_say(update: Update, context: Context, external_id: str) -> Statement | None:
    statement = curation(context).statement(external_id)
    if statement is None and update.effective_message is not None:
        await update.effective_message.reply_text(
            text("id", "unknown_statement", id=echo(external_id))
        )
    return statement


@moderator_only
async def show(update: Update, context: Context) -> None:
    """/lihat ID: the card as citizens see it, plus status and history in brief."""
    message = update.effective_message
    assert message is not None
    args = await arguments(update, context, 1, "usage_lihat")
    if args is None:
        return
    statement = await _statement_or_say(update, context, args[0])
    if statement is None:
        return
    card = render.statement_card(statement, "id")
    superseded = f" → {statement.superseded_by}" if statement.superseded_by else ""
    await message.reply_text(card.text, reply_markup=markup(card.keyboard))
    await message.reply_text(
        text(
            "id",
            "statement_meta",
            id=html.escape(statement.external_id),
            status=statement.status,
            superseded=html.escape(superseded),
            variants=len(statement.variants),
            created=reports.wib(statement.created_at),
            by=html.escape(statement.created_by or "-"),
        )
        + _evidence_line(context, statement)
    )


def _evidence_line(context: Context, statement: Statement) -> str:
    kept = curation(context).evidence(statement)
    if not kept:
        return ""
    last = kept[-1]
    return "\n" + text(
        "id", "statement_evidence", at=reports.wib(last.fetched_at), sha=last.body_sha256[:16]
    )


@moderator_only
async def search(update: Update, context: Context) -> None:
    """/cari teks: what a citizen would get for this text, with scores (nothing recorded)."""
    message = update.effective_message
    assert message is not None
    query_text = " ".join(command_args(context))
    if not query_text:
        await message.reply_text(text("id", "usage_cari"))
        return
    result, statements = runtime(context).core.match(query_text)
    lines = [text("id", "search_header", tier=result.tier.value)]
    for m, s in zip(result.matches, statements, strict=True):
        lines.append(
            f"<code>{html.escape(s.external_id)}</code> {m.score:.0f} "
            f"(cov {m.coverage:.2f}, fuzzy {m.fuzzy:.2f}) "
            f"{html.escape(render.shorten(s.claim, 80))}"
        )
    await message.reply_text("\n".join(lines))


@moderator_only
async def edit(update: Update, context: Context) -> None:
    """/ubah ID kolom nilai: preview the changed card, then ✅ to save."""
    message = update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=3)
    if len(parts) < 4:
        await message.reply_text(text("id", "usage_ubah", fields=", ".join(drafts.EDITABLE)))
        return
    _, external_id, field, raw = parts
    statement = await _statement_or_say(update, context, external_id)
    if statement is None:
        return
    try:
        value = drafts.parse_field(field, raw)
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=echo(exc)))
        return
    changed = drafts.edited(statement, field, value)
    if problems := drafts.problems(changed):  # e.g. valid_until before published_at
        await message.reply_text(text("id", "draft_error", error=echo_lines(problems)))
        return
    user_data(context)[MODERATOR_EDIT] = changed
    header = text("id", "edit_preview", field=html.escape(field))
    await preview(update, changed, header, SAVE_EDIT)


@moderator_only
async def edit_confirm(update: Update, context: Context) -> None:
    """✅ under an /ubah preview saves the change; ✖️ drops it."""
    query, changed = await take_confirmed(update, context, MODERATOR_EDIT)
    if changed is None:
        return
    try:
        outcome = curation(context).edit(changed, actor=actor(update.effective_user))
    except ValueError as exc:
        await edit_text(query, text("id", "failed", error=echo(exc)))
        return
    if not outcome.value:
        await edit_text(query, text("id", "edit_unchanged"))
        return
    notified = await follow(context, outcome)
    saved = text("id", "edit_saved", id=html.escape(changed.external_id), notified=notified)
    await edit_text(query, saved)


@moderator_only
async def retire(update: Update, context: Context) -> None:
    """/arsip ID: stop serving a statement."""
    await curate(
        update,
        context,
        "usage_arsip",
        1,
        lambda args, who: curation(context).retire(args[0], actor=who),
        lambda args, _outcome, _told: text("id", "retired", id=html.escape(args[0])),
        unknown="unknown_statement",
    )


@moderator_only
async def supersede(update: Update, context: Context) -> None:
    """/ganti ID_LAMA ID_BARU: the newer statement answers from now on."""
    await curate(
        update,
        context,
        "usage_ganti",
        2,
        lambda args, who: curation(context).supersede(args[0], args[1], actor=who),
        lambda args, _outcome, told: (
            text("id", "superseded", old=html.escape(args[0]), new=html.escape(args[1]))
            + (f" {told} warga diberi tahu." if told else "")
        ),
    )


def history_text(lines: list[HistoryLine]) -> str:
    """/riwayat's report: one line per change, then before → after for each changed field."""
    out = []
    for line in lines:
        out.append(f"{reports.wib(line.at)} · {line.action} · {line.actor or '-'}")
        if line.summary:
            out.append(f"  {line.summary}")
        for change in line.changes:
            out.append(
                f"  {change.field}: {reports.one_line(str(change.before), 60)} → "
                f"{reports.one_line(str(change.after), 60)}"
            )
    return "\n".join(out)


@moderator_only
async def history(update: Update, context: Context) -> None:
    """/riwayat ID: who changed what, when (before → after per field)."""
    message = update.effective_message
    assert message is not None
    args = await arguments(update, context, 1, "usage_riwayat")
    if args is None:
        return
    lines = curation(context).history(args[0])
    if not lines:
        await message.reply_text(text("id", "history_empty", id=echo(args[0])))
        return
    await message.reply_text(pre(history_text(lines)))
