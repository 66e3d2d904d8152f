"""What the bot says to a photo: the answer to the text read from it, under a quote of
that text (so the citizen sees what was read), or the photo how-to. No Telegram, no use
case: the decision is read through render's protocols."""

from __future__ import annotations

from bot.domain import Statement
from bot.replies.render import Decided, Reply, esc, plain, reply_for, statement_card, with_headers
from bot.replies.short_cards import Answered, group_reply, short_card
from bot.replies.texts import shorten, text

EXCERPT_CHARS = 160  # what a private answer quotes of the text read
GROUP_EXCERPT_CHARS = 80  # a group's answer stays short


def read_header(read: str, language: str, limit: int = EXCERPT_CHARS) -> str:
    return text(language, "photo_read", excerpt=esc(shorten(read, limit)))


def photo_reply(
    language: str,
    *,
    read: str,
    decision: Decided | None,
    failure: str | None,
    known: Statement | None = None,
) -> Reply:
    """A private chat's answer to a photo."""
    if known is not None:
        return statement_card(known, language, headers=[text(language, "photo_known")])
    if failure is not None or decision is None or decision.claim_id is None:
        return plain(language, "photo_busy" if failure == "busy" else "photo_unreadable")
    return with_headers(reply_for(decision, language), [read_header(read, language)])


def group_photo_reply(
    language: str,
    bot_username: str,
    *,
    read: str,
    answer: Answered | None,
    failure: str | None,
    known: Statement | None = None,
) -> Reply:
    """A group's short answer to /cek on a photo."""
    if known is not None:
        return short_card(known, language, bot_username, note=text(language, "photo_known"))
    if failure is not None or answer is None or answer.claim_id is None:
        return plain(language, "photo_busy" if failure == "busy" else "photo_unreadable")
    reply = group_reply(answer, language, bot_username)
    return with_headers(reply, [read_header(read, language, GROUP_EXCERPT_CHARS)])
