"""Thin callbacks: parse the update, call the core, render, send.

update -> extract claim text -> core.check (normalize, match, record) -> render -> send
"""

from __future__ import annotations

import contextlib
import html
import logging
import sqlite3

from sqlite_utils import Database
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.core import Answer
from bot.matcher.match import MIN_CONTENT_WORDS, Tier
from bot.matcher.normalize import normalize
from bot.sources.citizen import claim_text_with_page
from bot.sources.fetch import policy_from
from bot.telegram import render, updatelog
from bot.telegram.extract import ExtractedClaim, extract_claim
from bot.telegram.faults import expected_fault
from bot.telegram.groups import MENTIONS_BOT
from bot.telegram.keys import MODERATOR_DRAFT  # a /tambah in progress
from bot.telegram.runtime import Runtime, runtime
from bot.telegram.texts import DEFAULT_LANGUAGE, text
from storage import Statement, get_statement, get_statement_by_rowid, is_moderator
from storage.claims import claim_recorded
from storage.db import describe_error
from storage.people import asked_by, record_feedback, set_language, subscribe, unsubscribe_all

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
STATEMENT_PAYLOAD = "s"  # /start s<statement-id> opens a statement
MAX_ROW_ID = 2**63 - 1  # SQLite's largest rowid: larger ids in callback data are forged
# A "typing..." action before each answer: off, because the answer follows within
# milliseconds (the indicator would never show) and the extra Bot API call cost about a fifth
# of a claim's CPU and half of its Bot API calls (bench/throughput.py; README "Scaling").
TYPING_ACTION = False


async def start(update: Update, context: Context) -> None:
    """Greet, or open the statement named in a deep link (t.me/<bot>?start=s<id>)."""
    rt = runtime(context)
    lang = rt.language(update.effective_user)
    message = update.effective_message
    if message is None:
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(STATEMENT_PAYLOAD) and len(payload) > 1:
        statement = get_statement(rt.core.db, payload[1:])
        if statement is None:
            await message.reply_text(text(lang, "statement_missing"))
            return
        reply = render.statement_card(statement, lang)
        await message.reply_text(reply.text, reply_markup=reply.markup)
        return
    await message.reply_text(text(lang, "start"))


async def help_command(update: Update, context: Context) -> None:
    """Explain what to send and list the commands."""
    lang = runtime(context).language(update.effective_user)
    if update.effective_message:
        await update.effective_message.reply_text(
            text(lang, "help", commands=text(lang, "commands"))
        )


async def about(update: Update, context: Context) -> None:
    """Say where answers come from, how matching works and how well it measured."""
    rt = runtime(context)
    lang = rt.language(update.effective_user)
    if update.effective_message:
        await update.effective_message.reply_text(
            text(
                lang,
                "about",
                count=len(rt.core.snapshot.statements),
                quality=html.escape(rt.quality),
            )
        )


async def language(update: Update, context: Context) -> None:
    """Offer Indonesian or English."""
    if update.effective_message:
        await update.effective_message.reply_text(
            text("id", "language_prompt"), reply_markup=render.language_keyboard()
        )


async def stop_notifications(update: Update, context: Context) -> None:
    """Forget every "Kabari saya" request of this user, and so their chat id."""
    rt = runtime(context)
    user = update.effective_user
    if user is None or update.effective_message is None:
        return
    removed = unsubscribe_all(rt.core.db, rt.user_hash(user.id))
    await update.effective_message.reply_text(text(rt.language(user), "stopped", count=removed))


async def check_command(update: Update, context: Context) -> None:
    """Check the text after /cek, or the message it replies to."""
    message = update.effective_message
    if message is None:
        return
    claim = extract_claim(message, strip_command=True)
    if not claim.text and message.reply_to_message is not None:
        claim = extract_claim(message.reply_to_message)
    if not claim.text:
        lang = runtime(context).language(update.effective_user)
        await message.reply_text(text(lang, "cek_usage"))
        return
    await answer_claim(update, context, claim)


async def private_message(update: Update, context: Context) -> None:
    """Check any text, forwarded post or caption sent in a private chat."""
    message = update.effective_message
    if message is None:
        return
    await answer_claim(update, context, extract_claim(message))


async def edited_message(update: Update, context: Context) -> None:
    """A citizen edited a claim in a private chat, usually to fix it: check the new text
    and answer in reply to it (a new ask; the first answer stays as it was)."""
    message = update.effective_message
    if message is None or context.user_data.get(MODERATOR_DRAFT) is not None:
        return  # a moderator fixing an earlier answer in /tambah: not a claim
    await answer_claim(update, context, extract_claim(message), quote=True)


async def unreadable(update: Update, context: Context) -> None:
    """Stickers, voice notes and other messages without text get a short how-to."""
    lang = runtime(context).language(update.effective_user)
    if update.effective_message:
        await update.effective_message.reply_text(text(lang, "howto"))


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /bantuan for commands the bot does not know."""
    lang = runtime(context).language(update.effective_user)
    if update.effective_message:
        await update.effective_message.reply_text(text(lang, "unknown_command"))


def counts_against_limit(update: Update) -> bool:
    """What a user makes the bot do: anything in a private chat, every button press, and
    in groups commands and mentions of the bot (not the chatter the bot may also see)."""
    if update.callback_query is not None:
        return True
    message = update.message or update.edited_message
    if message is None or message.from_user is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    return bool(filters.COMMAND.check_update(update) or MENTIONS_BOT.check_update(update))


async def per_user_limit(update: Update, context: Context) -> None:
    """Count the update against its sender's per-minute limit; past it, one polite note
    (never in a group), then quiet: the update goes no further. Moderators are not held
    back: a guided /tambah alone is a dozen steps."""
    user = update.effective_user
    if user is None or not counts_against_limit(update):
        return
    rt = runtime(context)
    if rt.limiter.allow(user.id) or is_moderator(rt.core.db, user.id, rt.settings.moderator_ids):
        return
    if rt.limiter.first_refusal(user.id):
        note = text(rt.language(user), "rate_limited")
        query, message, chat = update.callback_query, update.message, update.effective_chat
        if query is not None:
            await query.answer(note)
        elif message is not None and chat is not None and chat.type == ChatType.PRIVATE:
            await message.reply_text(note)
    log.debug("over the per-user limit: update %d dropped", update.update_id)
    raise ApplicationHandlerStop


async def answer_claim(
    update: Update, context: Context, claim: ExtractedClaim, *, quote: bool = False
) -> None:
    """The citizen path (within the per-user limit, `per_user_limit`): match and record, then
    one reply (quoting the message when `quote`, e.g. for an edited one)."""
    rt = runtime(context)
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None:
        return
    lang = rt.language(user)
    if (not claim.text or not normalize(claim.text).content) and not claim.urls:
        await message.reply_text(text(lang, "howto"))
        return
    if TYPING_ACTION:
        with contextlib.suppress(TelegramError):  # only cosmetic: the claim is handled anyway
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    found = rt.core.link_answer(claim.urls)
    linked, how = found if found else (None, None)
    claim_text, note = claim.text or " ".join(claim.urls), None
    private = chat.type == ChatType.PRIVATE
    if linked is None and claim.urls and rt.settings.fetch_links and private:
        # a link known to no statement or earlier claim: what the page says is the claim
        read = await claim_text_with_page(claim.text, claim.urls, policy_from(rt.settings))
        claim_text = read.text
        if read.failure is not None:
            note = text(lang, "link_fetch_failed", reason=text(lang, f"fetch_{read.failure}"))
    answer = await rt.core.check_async(
        claim_text,
        channel="private" if private else "group",
        user_id=user.id,
        chat_id=chat.id,
        update_id=update.update_id,
    )
    rt.core.remember_links(answer.claim_id, claim.urls)
    log.debug("claim %d tier %s", answer.claim_id, answer.tier.value)
    updatelog.note_answer(answer)
    reply = reply_for(rt, answer, lang, linked, seen=how == "seen")
    if note is not None and answer.claim_id is not None and render.units(reply.text) < 3800:
        reply = render.Reply(html.escape(note) + "\n\n" + reply.text, reply.markup)
    await message.reply_text(reply.text, reply_markup=reply.markup, do_quote=quote or None)


def reply_for(
    rt: Runtime, answer: Answer, lang: str, linked: Statement | None = None, *, seen: bool = False
) -> render.Reply:
    """Choose the reply for a recorded answer: card, candidates, or an honest "none".

    `seen`: `linked` answered earlier claims with the same link (it is not its source)."""
    if answer.claim_id is None:  # nothing readable to record or answer
        return render.plain(lang, "howto")
    if linked is not None:
        card = render.statement_card(linked, lang, claim_id=answer.claim_id)
        header = text(lang, "statement_from_seen_link" if seen else "statement_from_link")
        return render.Reply(header + "\n\n" + card.text, card.markup)
    if answer.tier is Tier.CONFIDENT:
        return render.statement_card(
            answer.statements[0], lang, match=answer.result.best, claim_id=answer.claim_id
        )
    if answer.tier is Tier.POSSIBLE:
        return render.possible_reply(list(answer.statements[:3]), lang, answer.claim_id)
    if len(set(answer.result.query.content)) < MIN_CONTENT_WORDS:
        short = render.none_reply(lang, answer.claim_id)
        return render.Reply(text(lang, "too_short") + "\n\n" + short.text, short.markup)
    return render.none_reply(lang, answer.claim_id)


async def button(update: Update, context: Context) -> None:
    """Every inline button: candidates, feedback, notifications, language. Always answered."""
    query = update.callback_query
    if query is None:
        return
    rt = runtime(context)
    user = query.from_user
    lang = rt.language(user)
    kind, _, rest = (query.data or "").partition(":")
    parts = rest.split(":")
    if not render.pressed_on_its_message(query):  # forged, or a keyboard since replaced
        await query.answer(text(lang, "ack_stale"))
        return
    try:
        if kind == render.CB_LANGUAGE and rest in ("id", "en"):
            if not _asked_by_presser(query):
                await query.answer(text(lang, "ack_stale"))
                return
            set_language(rt.core.db, rt.user_hash(user.id), rest)
            await query.answer()
            await _edit(query, text(rest, "language_set"))
            return
        claim_id = int(parts[0])
        statement_rowid = int(parts[1]) if len(parts) > 1 else None
    except (ValueError, IndexError):
        await query.answer(text(lang, "ack_stale"))
        return
    user_hash = rt.user_hash(user.id)
    db = rt.core.db
    if not _own_claim_button(db, kind, claim_id, statement_rowid, user_hash, query):
        # forged or foreign data (someone else's claim, an unknown statement): change nothing
        await query.answer(text(lang, "ack_stale"))
        return
    if kind == render.CB_PICK and statement_rowid is not None:
        statement = get_statement_by_rowid(db, statement_rowid)
        if statement is None:
            await query.answer(text(lang, "ack_stale"))
            return
        await query.answer()
        card = render.statement_card(statement, lang, claim_id=claim_id)
        await _edit(query, card.text, card.markup)
    elif kind == render.CB_NONE:
        record_feedback(db, claim_id=claim_id, statement_id=None, user_hash=user_hash, kind="wrong")
        await query.answer(text(lang, "ack_none_of_these"))
        reply = render.none_reply(lang, claim_id)
        await _edit(query, reply.text, reply.markup)
    elif kind in (render.CB_HELPFUL, render.CB_WRONG) and statement_rowid is not None:
        feedback = "helpful" if kind == render.CB_HELPFUL else "wrong"
        new = record_feedback(
            db, claim_id=claim_id, statement_id=statement_rowid, user_hash=user_hash, kind=feedback
        )
        await query.answer(text(lang, f"ack_{feedback}" if new else "ack_already"))
    elif kind == render.CB_NOTIFY and query.message is not None:
        chat_id = query.message.chat.id
        new = subscribe(db, claim_id=claim_id, user_hash=user_hash, chat_id=chat_id, language=lang)
        await query.answer(text(lang, "ack_notify" if new else "ack_notify_already"))
    else:
        await query.answer(text(lang, "ack_stale"))


def _own_claim_button(
    db: Database,
    kind: str,
    claim_id: int,
    statement_rowid: int | None,
    user_hash: str,
    query: CallbackQuery,
) -> bool:
    """Checked again on every press, never trusted from the callback data: the ids are in
    range, the statement exists, and every claim button (candidates, votes, "Bukan ini",
    "Kabari saya") comes from the claim's own asker in their private chat, the only place
    these buttons are sent. So a forged press cannot edit a group's or anyone else's answer.
    """
    if not 0 < claim_id <= MAX_ROW_ID or not 0 < (statement_rowid or 1) <= MAX_ROW_ID:
        return False
    if kind in (render.CB_HELPFUL, render.CB_WRONG) and (
        statement_rowid is None or get_statement_by_rowid(db, statement_rowid) is None
    ):
        return False
    if query.message is None or query.message.chat.id != query.from_user.id:
        return False
    return asked_by(db, claim_id, user_hash)


def _asked_by_presser(query: CallbackQuery) -> bool:
    """The language keyboard: in a private chat it is the user's own; in a group only the
    member whose /bahasa it answers may press it (it edits that message)."""
    message = query.message
    if message is None:
        return False
    if message.chat.id == query.from_user.id:
        return True
    asked = message.reply_to_message if isinstance(message, Message) else None
    return (
        asked is not None
        and asked.from_user is not None
        and asked.from_user.id == query.from_user.id
    )


async def _edit(
    query: CallbackQuery, body: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `body` in place of the pressed message, unless it already shows it.

    A double tap (or a press on an answer already edited) would otherwise send an edit that
    Telegram refuses ("message is not modified"). Each reply's keyboard names its claim and
    statement, so an identical keyboard means the message already shows this reply.
    """
    shown = query.message
    if isinstance(shown, Message) and shown.reply_markup == markup:
        log.debug("edit skipped: the message already shows this")
        return
    try:
        await query.edit_message_text(body, reply_markup=markup)
    except BadRequest as exc:  # "message is not modified" on a double tap
        log.debug("edit skipped: %s", exc)


async def on_error(update: object, context: Context) -> None:
    """Log first, tell the moderators briefly, and give the user a short, true apology."""
    if expected_fault(context.error):  # a blocked user, Telegram unreachable: one log line
        return
    error = context.error
    cause = describe_error(error) if isinstance(error, sqlite3.Error) else "handler failed"
    log.error("update %s not handled: %s", getattr(update, "update_id", "-"), cause, exc_info=error)
    rt = runtime(context)
    chat_id = rt.settings.moderator_chat_id
    if chat_id is not None:
        try:
            await context.bot.send_message(
                chat_id, text("id", "error_note", name=html.escape(type(error).__name__))
            )
        except TelegramError:
            log.warning("could not notify the moderators' chat")
    if (
        isinstance(update, Update)
        and update.effective_message
        and update.effective_chat
        and update.effective_chat.type == ChatType.PRIVATE
    ):
        try:  # the database may be what failed: then Indonesian, and "not recorded"
            lang = rt.language(update.effective_user)
            recorded = claim_recorded(rt.core.db, update.update_id)
        except sqlite3.Error:
            lang, recorded = DEFAULT_LANGUAGE, False
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(
                text(lang, "error_recorded" if recorded else "error")
            )
