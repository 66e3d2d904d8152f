"""The bot in group chats: /cek as a reply, mentions, automatic checks, /pengaturan.

Works with Telegram's default privacy mode: the bot then receives commands, mentions and
replies to its own messages. Forwarded posts reach it only when it is a group admin (or
privacy mode is off), which is why the automatic check says so in /pengaturan.

    /cek (reply) or @bot (reply)  -> claims.decide(GROUP_ASKED) -> short card
                                     or a short "possible"/"none" note
    forwarded post, auto on       -> claims.decide(GROUP_AUTO) -> short card only when
                                     `claims.speaks_unprompted`, else silence

Handlers run in handler group `GROUP` (-1), before the private handlers in group 0, and the
ones that answer raise `ApplicationHandlerStop` so group 0's generic /cek does not answer
again. /pengaturan (admins only) lives in group_settings.py, and every group answer goes out
through the one per-group limit in group_limit.py.
"""

from __future__ import annotations

import dataclasses
import logging

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes
from telegram.ext.filters import MessageFilter

from bot import citizens, claims, group_chats
from bot.claims import speaks_unprompted
from bot.group_chats import without_mention
from bot.replies import short_cards
from bot.replies.render import Reply
from bot.replies.texts import DEFAULT_LANGUAGE, text
from bot.telegram import photos
from bot.telegram.group_limit import send_to_group
from bot.telegram.runtime import ExtractedClaim, entity_values, extract_claim, runtime

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

GROUP = -1  # handler group: before the private handlers (group 0)


# ------------------------------------------------------------------------------ filters


class _MentionsBot(MessageFilter):
    """The message mentions this bot: @username, or a text mention of its user."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        try:
            bot = message.get_bot()
        except RuntimeError:
            return False
        handle = f"@{bot.username}".lower()
        kinds = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        for entity, value in entity_values(message, kinds):
            if entity.type == MessageEntity.MENTION and value.lower() == handle:
                return True
            if entity.user is not None and entity.user.id == bot.id:
                return True
        return False


MENTIONS_BOT = _MentionsBot(name="MentionsBot")


# ------------------------------------------------------------------------------ helpers


def _replied(message: Message, bot_id: int) -> Message | None:
    """The message this one replies to, if it is a real reply to someone else's message.

    In a forum topic every message "replies" to the topic's creation message; that is not a
    reply. Replies to the bot's own answers are not claims either.
    """
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    if replied.from_user is not None and replied.from_user.id == bot_id:
        return None
    return replied


def _in_chat(member: ChatMember) -> bool:
    return group_chats.in_chat(member.status, bool(getattr(member, "is_member", False)))


# ------------------------------------------------------------------------------ answers


async def _answer_asked(
    update: Update, context: Context, claim: ExtractedClaim, target: Message
) -> None:
    """Someone asked (/cek or a mention): record as asked, always answer, briefly."""
    rt = runtime(context)
    asker = rt.asker(update)
    if asker is None:
        return
    if target is not asker.message and photos.wants_ocr(target, claim.text):
        await photos.answer_group(context, asker, target, claim.text)  # read the photo
        return
    asked = asker.claim(claim.text, claim.urls, claims.Channel.GROUP)
    decision = await claims.decide(rt.core, asked, claims.GROUP_ASKED)
    if decision.answer is None:
        key = "group_unreadable" if target is not asker.message else "group_usage"
        await send_to_group(context, asker.message, Reply(text(asker.language, key)))
        return
    reply = short_cards.group_reply(
        decision.answer,
        asker.language,
        context.bot.username,
        decision.linked,
        base_url=rt.settings.public_base_url,
    )
    await send_to_group(context, asker.message, reply, reply_to=target)


async def check_command(update: Update, context: Context) -> None:
    """/cek in a group: the text after it, else the message it replies to.

    An edited /cek is not answered again (and not by group 0's handler either).
    """
    message = update.message
    if message is None:
        return
    claim = extract_claim(message, strip_command=True)
    target = message
    if not claim.text:
        replied = _replied(message, context.bot.id)
        if replied is None:
            lang = runtime(context).language(update.effective_user)
            await send_to_group(context, message, Reply(text(lang, "group_usage")))
            return
        claim, target = extract_claim(replied), replied
    await _answer_asked(update, context, claim, target)


async def mention(update: Update, context: Context) -> None:
    """@bot in a reply checks the replied message; @bot with text checks that text."""
    message = update.effective_message
    if message is None:
        return
    replied = _replied(message, context.bot.id)
    if replied is not None:
        await _answer_asked(update, context, extract_claim(replied), replied)
        return
    found = extract_claim(message)
    claim = dataclasses.replace(found, text=without_mention(found.text, context.bot.username))
    if not claim.text and not claim.urls:
        lang = runtime(context).language(update.effective_user)
        await send_to_group(context, message, Reply(text(lang, "group_usage")))
        return
    await _answer_asked(update, context, claim, message)


async def auto_check(update: Update, context: Context) -> None:
    """A forwarded post in a group with the automatic check on: answer only when confident.
    A forwarded picture is checked by its fingerprint only (no OCR for posts nobody asked
    about): a copy of a picture moderators attached gets its statement.

    Recorded for trends (asked=False keeps it out of the moderators' queue); nothing is
    recorded for groups that did not turn the check on.
    """
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.is_automatic_forward:
        return  # a linked channel's own posts, copied into its discussion group: not shared
    rt = runtime(context)
    settings = citizens.auto_check_on(rt.core, chat.id)
    if settings is None:
        return
    known = await photos.known_forward(context, message)  # a copy of an attached picture
    if known is not None:
        note = text(DEFAULT_LANGUAGE, "photo_known")
        reply = short_cards.short_card(
            known, DEFAULT_LANGUAGE, context.bot.username, note=note,
            base_url=rt.settings.public_base_url,
        )  # fmt: skip
        await send_to_group(context, message, reply)
        return
    user = update.effective_user
    found = extract_claim(message)
    if not found.text and not found.urls:
        return  # a picture nobody attached, with no words: quiet
    seen = claims.Claim(
        found.text,
        found.urls,
        claims.Channel.GROUP,
        rt.user_hash(user.id) if user else None,
        rt.core.pseudonym(chat.id),
        update.update_id,
    )
    decision = await claims.decide(rt.core, seen, claims.GROUP_AUTO)
    if decision.answer is None:
        return
    if decision.duplicate or not speaks_unprompted(decision, settings.sensitivity):
        return  # quiet: never "no match" unprompted
    reply = short_cards.short_card(
        decision.statements[0],
        DEFAULT_LANGUAGE,
        context.bot.username,
        match=decision.best_match,
        base_url=rt.settings.public_base_url,
    )
    await send_to_group(context, message, reply)


# ------------------------------------------------------------------------------ membership


async def my_chat_member(update: Update, context: Context) -> None:
    """Added to a group: one short introduction. Removed: keep the settings, mark removed."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    core = runtime(context).core
    chat_id = change.chat.id
    was_in, is_in = _in_chat(change.old_chat_member), _in_chat(change.new_chat_member)
    if is_in and not was_in:
        if citizens.group_added(core, chat_id):
            intro = text(DEFAULT_LANGUAGE, "group_intro", mention=f"@{context.bot.username}")
            try:
                await context.bot.send_message(chat_id, intro)
            except TelegramError as exc:  # e.g. not allowed to write there
                log.info("group introduction not sent: %s", exc)
    elif was_in and not is_in:
        citizens.group_removed(core, chat_id)


async def chat_migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its settings move to the new chat id."""
    message = update.effective_message
    if message is None:
        return
    core = runtime(context).core
    if message.migrate_to_chat_id:
        citizens.group_migrated(core, message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        citizens.group_migrated(core, message.migrate_from_chat_id, message.chat_id)
