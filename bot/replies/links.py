"""Links into the bot: deep links that open a statement in a private chat, and the "Bagikan"
button that shares a statement through inline mode.

No import of render.py, so render.py can import `share_button` from here without a cycle.
"""

from __future__ import annotations

import re

from bot.domain import Statement
from bot.replies.reply import Button
from bot.replies.texts import text

STATEMENT_PAYLOAD = "s"  # /start s<external id> (handlers.start)
SHARE_PREFIX = "s:"  # inline query "s:<external id>" returns exactly that statement's card
# Telegram accepts start parameters of up to 64 characters from A-Z a-z 0-9 _ -
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def deep_link(bot_username: str, external_id: str | None = None) -> str:
    """t.me link opening the bot, on a statement when its id fits in a start parameter
    (ids with "." or ":" or longer than 63 characters open the bot's welcome instead)."""
    base = f"https://t.me/{bot_username}"
    if external_id is None:
        return base
    payload = STATEMENT_PAYLOAD + external_id
    return f"{base}?start={payload}" if _START_PARAMETER.fullmatch(payload) else base


def full_statement_button(bot_username: str, statement: Statement, language: str) -> Button:
    """Opens the statement's full card in a private chat with the bot."""
    return Button(text(language, "btn_full"), url=deep_link(bot_username, statement.external_id))


def source_button(statement: Statement, language: str) -> Button | None:
    if not statement.source_url:
        return None
    return Button(text(language, "btn_source"), url=statement.source_url)


def share_query(statement: Statement) -> str:
    return SHARE_PREFIX + statement.external_id


def share_button(statement: Statement, language: str) -> Button:
    """ "Bagikan": pick a chat, and the statement's short card is posted there via inline mode."""
    return Button(text(language, "btn_share"), switch_inline=share_query(statement))
