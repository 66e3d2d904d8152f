"""Statements already in the base: look (/lihat, /cari, /riwayat), edit (/ubah then ✅),
retire (/arsip) and replace (/ganti), each change made by the curation service. What each
answers: bot/moderating.py."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot import moderating
from bot.curation import Curation, Outcome
from bot.telegram.keys import MODERATOR_EDIT
from bot.telegram.moderation.common import (
    Context,
    command,
    command_args,
    curation,
    moderator_only,
    say,
    user_data,
)
from bot.telegram.moderation.notify import curated, save_previewed
from bot.telegram.runtime import runtime


@moderator_only
@command(1, "usage_lihat")
async def show(message: Message, context: Context, args: list[str]) -> None:
    """/lihat ID: the card as citizens see it, plus status and history in brief."""
    await say(message, moderating.show(curation(context), args[0]))


@moderator_only
async def search(update: Update, context: Context) -> None:
    """/cari teks: what a citizen would get for this text, with scores (nothing recorded)."""
    message = update.effective_message
    assert message is not None
    query_text = " ".join(command_args(context))
    await message.reply_text(moderating.search(runtime(context).core, query_text))


@moderator_only
async def edit(update: Update, context: Context) -> None:
    """/ubah ID kolom nilai: preview the changed card, then ✅ to save."""
    message = update.effective_message
    assert message is not None
    changed, replies = moderating.edit(curation(context), message.text or "")
    if changed is not None:
        user_data(context)[MODERATOR_EDIT] = changed
    await say(message, replies)


@moderator_only
async def edit_confirm(update: Update, context: Context) -> None:
    """✅ under an /ubah preview saves the change; ✖️ drops it."""
    await save_previewed(update, context, MODERATOR_EDIT, Curation.edit, moderating.edit_saved)


@moderator_only
@curated(1, "usage_arsip", moderating.retired, unknown="unknown_statement")
def retire(c: Curation, args: list[str], who: str) -> Outcome[Any]:
    """/arsip ID: stop serving a statement."""
    return c.retire(args[0], actor=who)


@moderator_only
@curated(2, "usage_ganti", moderating.superseded)
def supersede(c: Curation, args: list[str], who: str) -> Outcome[Any]:
    """/ganti ID_LAMA ID_BARU: the newer statement answers from now on."""
    return c.supersede(args[0], args[1], actor=who)


@moderator_only
@command(1, "usage_riwayat")
async def history(message: Message, context: Context, args: list[str]) -> None:
    """/riwayat ID: who changed what, when (before → after per field)."""
    await message.reply_text(moderating.history(curation(context), args[0]))
