"""Short answers for group chats and inline mode: HTML text plus keyboard, nothing sent here.

A group is a shared space, so the answer there is a few lines: verdict, the claim, one
sentence of the official clarification, body and date, with buttons to the full statement
(in a private chat, via deep link) and to the source. Same rules as render.py: every value
is escaped, callback data is not used at all (URL buttons only). Every part is bounded (the
claim, one sentence, the body's name), so a short card stays far below 4,096 units.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain import Statement
from bot.matcher.match import Match, MatchResult, Tier
from bot.replies.decisions import Matched
from bot.replies.render import (
    Button,
    Keyboard,
    Reply,
    deep_link,
    esc,
    format_date,
    full_statement_button,
    page_button,
    source_button,
    validity_note,
    verdict_label,
)
from bot.replies.texts import first_sentence, shorten, text

SHORT_CLAIM_CHARS = 200


def short_card_text(
    statement: Statement,
    language: str,
    *,
    match: Match | None = None,
    note: str | None = None,
) -> str:
    """Verdict, claim, one sentence of the clarification, body and date (HTML)."""
    lines = []
    if note:
        lines.append(note)
    if match is not None and match.polarity_differs:
        lines.append(text(language, "short_polarity"))
    lines.append(
        f"<b>{verdict_label(statement.verdict, language)}</b> · "
        f"<i>{esc(shorten(statement.claim, SHORT_CLAIM_CHARS))}</i>"
    )
    if (validity := validity_note(statement, language)) is not None:
        lines.append(validity)
    official = esc(text(language, "card_official", org=statement.org))
    lines.append(f"<b>{official}:</b> {esc(first_sentence(statement.clarification))}")
    lines.append(f"<i>{esc(statement.org)} · {format_date(statement.published_at, language)}</i>")
    return "\n".join(lines)


def short_card_keyboard(
    statement: Statement, language: str, bot_username: str, base_url: str | None = None
) -> Keyboard:
    """The full statement in a private chat, the source (when there is one) and the public
    page (with `base_url`, PUBLIC_BASE_URL)."""
    row = [full_statement_button(bot_username, statement, language)]
    source = source_button(statement, language)
    if source is not None:
        row.append(source)
    page = page_button(statement, language, base_url)
    return (tuple(row),) if page is None else (tuple(row), (page,))


def short_card(
    statement: Statement,
    language: str,
    bot_username: str,
    *,
    match: Match | None = None,
    note: str | None = None,
    base_url: str | None = None,
) -> Reply:
    return Reply(
        short_card_text(statement, language, match=match, note=note),
        short_card_keyboard(statement, language, bot_username, base_url),
    )


def group_unsure(language: str, bot_username: str) -> Reply:
    """Not sure: in front of the whole group no candidate is named (an unrelated statement
    listed there reads as the answer); the asker can see them in a private chat."""
    private = Button(text(language, "btn_check_private"), url=deep_link(bot_username))
    return Reply(text(language, "group_unsure"), ((private,),))


def group_none(language: str) -> Reply:
    return Reply(text(language, "group_none"))


def inline_title(statement: Statement, language: str) -> str:
    """Plain text (no HTML): verdict and claim."""
    return shorten(f"{verdict_label(statement.verdict, language)} {statement.claim}", 120)


def inline_description(statement: Statement, language: str) -> str:
    """Plain text: body and date."""
    date = format_date(statement.published_at, language)
    return text(language, "inline_description", org=statement.org, date=date)


#: Why an inline query lists nothing (bot/claims.py inline_listing) -> its hint's string.
INLINE_HINTS = {
    "missing": "inline_missing",
    "unreadable": "inline_hint",
    "no_match": "inline_no_match",
}


def inline_hint(empty: str, language: str) -> str:
    """Plain text on the button shown instead of results: why there are none."""
    return text(language, INLINE_HINTS[empty])


class Answered(Matched, Protocol):
    """What a group's reply reads of a matched claim (bot/core.py Answer)."""

    @property
    def result(self) -> MatchResult: ...


def group_reply(
    answer: Answered,
    language: str,
    bot_username: str,
    linked: Statement | None = None,
    base_url: str | None = None,
) -> Reply:
    """A short answer to someone who asked in a group."""
    if answer.claim_id is None:
        return Reply(text(language, "group_unreadable"))
    if linked is not None:
        note = text(language, "group_from_link")
        return short_card(linked, language, bot_username, note=note, base_url=base_url)
    if answer.tier is Tier.CONFIDENT:
        best = answer.result.best
        return short_card(
            answer.statements[0], language, bot_username, match=best, base_url=base_url
        )
    if answer.tier is Tier.POSSIBLE:
        return group_unsure(language, bot_username)
    return group_none(language)
