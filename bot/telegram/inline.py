"""Inline mode: `@bot teks` in any chat lists the best matching statements as short cards.

    @bot <claim>      -> up to 5 statements that at least possibly match, best first
    @bot s:<id>       -> exactly that statement (the "Bagikan" button, links.share_button)
    too short / none  -> no results, and a button that opens the bot

Recording: an inline query is recorded as a submission (channel "inline") only when the
user actually sends a result (`chosen_inline_result`), never while they type, so a query
typed letter by letter does not flood the claims table. This needs inline feedback turned
on in @BotFather (/setinlinefeedback). Shares ("s:<id>") are not claims and are not recorded.

Caching: results are the same for everyone (`is_personal=False`) and Telegram caches them
for `CACHE_SECONDS`; matching costs a few milliseconds, so there is no cache in the process.
Cards are in Indonesian whatever the sender's language: they are posted into a chat for
others to read, and a shared cache cannot be per-language anyway.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import claims
from bot.citizens import Statement
from bot.core import Core
from bot.replies import short_cards
from bot.replies.render import SHARE_PREFIX
from bot.replies.texts import DEFAULT_LANGUAGE
from bot.telegram.keyboards import markup
from bot.telegram.runtime import runtime

Context = ContextTypes.DEFAULT_TYPE

CACHE_SECONDS = 30
MAX_RESULTS = 5
HINT_START_PARAMETER = "inline"  # /start inline: the ordinary welcome
RESULT_MATCH = "m"  # result id m<statement rowid>: a match for a typed claim
RESULT_SHARE = "s"  # result id s<statement rowid>: a shared statement
LANGUAGE = DEFAULT_LANGUAGE


def article(
    statement: Statement, kind: str, bot_username: str, base_url: str | None = None
) -> InlineQueryResultArticle:
    """One statement as an inline result: a short card to post, in LANGUAGE."""
    language = LANGUAGE
    return InlineQueryResultArticle(
        id=f"{kind}{statement.id}",
        title=short_cards.inline_title(statement, language),
        description=short_cards.inline_description(statement, language),
        input_message_content=InputTextMessageContent(
            short_cards.short_card_text(statement, language),
            parse_mode=ParseMode.HTML,
        ),
        reply_markup=markup(
            short_cards.short_card_keyboard(statement, language, bot_username, base_url)
        ),
    )


def results_for(
    core: Core, query: str, username: str, base_url: str | None = None
) -> tuple[list[InlineQueryResultArticle], InlineQueryResultsButton | None]:
    """The articles for a query, or none and a button with a hint (nothing is recorded)."""
    listing = claims.inline_listing(core, query, SHARE_PREFIX, MAX_RESULTS)
    if listing.empty is not None:
        hint = short_cards.inline_hint(listing.empty, LANGUAGE)
        return [], InlineQueryResultsButton(text=hint, start_parameter=HINT_START_PARAMETER)
    kind = RESULT_SHARE if listing.shared else RESULT_MATCH
    found = listing.found
    return [article(statement, kind, username, base_url) for statement, _match in found], None


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    rt = runtime(context)
    base_url = rt.settings.public_base_url
    results, button = results_for(rt.core, query.query, context.bot.username, base_url)
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, button=button)


async def chosen_result(update: Update, context: Context) -> None:
    """The user sent a match into a chat: now the query counts as a question asked."""
    chosen = update.chosen_inline_result
    if chosen is None or not chosen.result_id.startswith(RESULT_MATCH):
        return
    rt = runtime(context)
    sent = claims.Claim(
        chosen.query,
        channel=claims.Channel.INLINE,
        user_hash=rt.user_hash(chosen.from_user.id),
        update_id=update.update_id,
    )
    await claims.decide(rt.core, sent, claims.INLINE_CHOSEN)  # recorded, and on the log line
