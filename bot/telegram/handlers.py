"""Thin callbacks for private chats: parse the update, call the use case, render, send.

update -> extract_claim -> claims.decide (readable?, links, page, match, record) -> render.reply_for
       -> send
"""

from __future__ import annotations

import contextlib
import html
import logging
import sqlite3

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot import citizens, claims, media
from bot.botapi.faults import expected_fault
from bot.replies import render
from bot.replies.texts import DEFAULT_LANGUAGE, text
from bot.telegram import photos
from bot.telegram.buttons import edit_unless_shown, take_press
from bot.telegram.groups import MENTIONS_BOT
from bot.telegram.keyboards import markup
from bot.telegram.keys import MODERATOR_DRAFT  # a /tambah in progress
from bot.telegram.runtime import ExtractedClaim, extract_claim, media_in, runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
#: Buttons that act on a claim (pressed only by its asker, in their private chat): the
#: citizens' use case each one is.
CLAIM_BUTTONS = {
    render.PICK: citizens.Action.PICK,
    render.NONE_OF_THESE: citizens.Action.NONE_OF_THESE,
    render.HELPFUL: citizens.Action.HELPFUL,
    render.WRONG: citizens.Action.WRONG,
    render.NOTIFY: citizens.Action.NOTIFY,
}


async def start(update: Update, context: Context) -> None:
    """Greet, or open the statement named in a deep link (t.me/<bot>?start=s<id>)."""
    rt = runtime(context)
    lang = rt.language(update.effective_user)
    message = update.effective_message
    if message is None:
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(render.STATEMENT_PAYLOAD) and len(payload) > 1:
        statement = citizens.statement_by_id(rt.core, payload[1:])
        if statement is None:
            await message.reply_text(text(lang, "statement_missing"))
            return
        reply = render.statement_card(statement, lang, base_url=rt.settings.public_base_url)
        await message.reply_text(reply.text, reply_markup=markup(reply.keyboard))
        return
    await message.reply_text(text(lang, "start"))


async def help_command(update: Update, context: Context) -> None:
    """Explain what to send and list the commands; a moderator also gets theirs."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    lang = rt.language(user)
    if message:
        shown = text(lang, "help", commands=text(lang, "commands"))
        private = message.chat.type == ChatType.PRIVATE
        if private and user is not None and rt.curation.is_moderator(user.id):
            shown += "\n\n" + text("id", "mod_commands")  # moderators work in Indonesian
        await message.reply_text(shown)


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
                quality=text(lang, "quality"),
            )
        )


async def language(update: Update, context: Context) -> None:
    """Offer Indonesian or English."""
    if update.effective_message:
        await update.effective_message.reply_text(
            text("id", "language_prompt"), reply_markup=markup(render.language_keyboard())
        )


async def stop_notifications(update: Update, context: Context) -> None:
    """Forget every "Kabari saya" request of this user, and so their chat id."""
    rt = runtime(context)
    user = update.effective_user
    if user is None or update.effective_message is None:
        return
    removed = citizens.stop_notifications(rt.core, rt.user_hash(user.id))
    await update.effective_message.reply_text(text(rt.language(user), "stopped", count=removed))


async def check_command(update: Update, context: Context) -> None:
    """Check the text after /cek, or the message it replies to."""
    message = update.effective_message
    if message is None:
        return
    claim = extract_claim(message, strip_command=True)
    replied = message.reply_to_message
    if not claim.text and replied is not None:
        claim = extract_claim(replied)
        if photos.wants_ocr(replied, claim.text):  # /cek in reply to a photo: read it
            asker = runtime(context).asker(update)
            if asker is not None:
                await photos.answer_private(context, asker, replied, claim.text)
            return
    if not claim.text:
        lang = runtime(context).language(update.effective_user)
        await message.reply_text(text(lang, "cek_usage"))
        return
    await answer_claim(update, context, claim)


async def private_message(update: Update, context: Context) -> None:
    """Check any text, forwarded post or caption sent in a private chat; a photo whose
    caption is too short to check is read (bot/telegram/photos.py)."""
    message = update.effective_message
    if message is None:
        return
    claim = extract_claim(message)
    carries_file = bool(message.photo) or message.document is not None  # a text: neither
    if carries_file and photos.wants_ocr(message, claim.text):
        asker = runtime(context).asker(update)
        if asker is not None:
            await photos.answer_private(context, asker, message, claim.text)
        return
    await answer_claim(update, context, claim)


async def edited_message(update: Update, context: Context) -> None:
    """A citizen edited a claim in a private chat, usually to fix it: check the new text
    and answer in reply to it (a new ask; the first answer stays as it was)."""
    message = update.effective_message
    if message is None or (context.user_data or {}).get(MODERATOR_DRAFT) is not None:
        return  # a moderator fixing an earlier answer in /tambah: not a claim
    await answer_claim(update, context, extract_claim(message), quote=True)


async def unreadable(update: Update, context: Context) -> None:
    """A message without text in a private chat: a photo or image file is read
    (bot/telegram/photos.py); a voice note, video, audio or other document is recorded for
    the moderators (bot/media.py) and the citizen told so; stickers, locations and the like
    get a short how-to."""
    rt = runtime(context)
    asker = rt.asker(update)
    if asker is None:
        return
    if photos.is_image(asker.message):
        await photos.answer_private(context, asker, asker.message, "")
        return
    found = media_in(asker.message)
    if found is None:
        await asker.message.reply_text(text(asker.language, "howto"))
        return
    recorded = media.record_media(rt.core, found, asker.claim("", (), claims.Channel.PRIVATE))
    reply = render.media_reply(asker.language, recorded.claim_id)
    await asker.message.reply_text(reply.text, reply_markup=markup(reply.keyboard))


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
    if rt.limiter.allow(user.id) or rt.curation.is_moderator(user.id):
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
    """The citizen path (within the per-user limit, `per_user_limit`): the use case decides
    and records, then one reply (quoting the message when `quote`, e.g. for an edited one)."""
    rt = runtime(context)
    asker = rt.asker(update)  # the sender hashed once for this update
    if asker is None:
        return
    fetch = rt.fetch_policy if asker.private and rt.settings.fetch_links else None
    channel, options = claims.ask_options(asker.private, fetch)
    decision = await claims.decide(rt.core, asker.claim(claim.text, claim.urls, channel), options)
    reply = render.reply_for(decision, asker.language, rt.settings.public_base_url)
    await asker.message.reply_text(
        reply.text, reply_markup=markup(reply.keyboard), do_quote=quote or None
    )


async def button(update: Update, context: Context) -> None:
    """Every citizen button: candidates, feedback, notifications, language. Always answered."""
    press = await take_press(update, context, (render.LANGUAGE, *CLAIM_BUTTONS))
    if press is None:
        return
    rt = runtime(context)
    query, pressed, user_hash, lang = press.query, press.pressed, press.user_hash, press.language
    if pressed.kind is render.LANGUAGE:
        chosen = pressed.word(0)
        if chosen not in render.LANGUAGES or not _asked_by_presser(query):
            await query.answer(text(lang, "ack_stale"))
            return
        citizens.choose_language(rt.core, user_hash, chosen)
        await query.answer()
        await edit_unless_shown(query, text(chosen, "language_set"))
        return
    claim_id = pressed.id(0)
    own_chat = query.message is not None and query.message.chat.id == query.from_user.id
    outcome = citizens.press(
        rt.core,
        CLAIM_BUTTONS[pressed.kind],
        claim_id,
        pressed.id(1) if len(pressed.args) > 1 else None,
        user_hash,
        chat_id=query.from_user.id if own_chat else None,
        language=lang,
    )
    await query.answer(text(lang, outcome.note) if outcome.note else None)
    if outcome.show is not None:
        base_url = rt.settings.public_base_url
        card = render.statement_card(outcome.show, lang, claim_id=claim_id, base_url=base_url)
        await edit_unless_shown(query, card.text, card.keyboard)
    elif outcome.show_none:
        reply = render.none_reply(lang, claim_id)
        await edit_unless_shown(query, reply.text, reply.keyboard)


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


async def on_error(update: object, context: Context) -> None:
    """Log first, tell the moderators briefly, and give the user a short, true apology."""
    if expected_fault(context.error):  # a blocked user, Telegram unreachable: one log line
        return
    error = context.error
    cause = citizens.describe_error(error) if isinstance(error, sqlite3.Error) else "handler failed"
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
        user = update.effective_user
        asker = rt.user_hash(user.id) if user is not None else None
        lang, key = citizens.apology(rt.core, update.update_id, asker)
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(text(lang or DEFAULT_LANGUAGE, key))
