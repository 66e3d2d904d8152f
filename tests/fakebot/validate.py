"""What Telegram refuses in a sent message: HTML, lengths, inline keyboards, button data and
URLs. These checks are the reason the fake exists: a test passes only if Telegram would have
accepted everything the bot sent."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

from fakebot.entities import EntityParseError, parse_html, strip, utf16_len

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


class ApiError(Exception):
    """An error answer: HTTP status ``code`` and Telegram's ``description``."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def check_text(
    text: Any, parse_mode: Any = None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text as sendMessage does; return (visible text, entities).

    Raises ApiError(400, ...) with Telegram's description.
    """
    if text is None:
        raise bad("message text is empty")
    text = str(text)
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        try:
            visible, ents = parse_html(text)
        except EntityParseError as err:
            raise bad(f"can't parse entities: {err}") from None
    elif mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unchecked
        visible, ents = text, list(entities or [])
    else:
        raise bad("unsupported parse_mode")
    visible, ents = strip(visible, ents)
    if not visible:
        raise bad("message text is empty")
    if utf16_len(visible) > MAX_MESSAGE_LENGTH:
        raise bad("message is too long")
    return visible, ents


def valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or any(ch.isspace() for ch in url):
        return False
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.hostname)
    return parts.scheme.lower() == "tg" and len(url) > len("tg://")


def check_reply_markup(markup: Any) -> None:
    """Validate reply_markup; only inline keyboards are checked in detail."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad(
            'can\'t parse inline keyboard button: Field "inline_keyboard" must be an '
            "Array of Arrays"
        )
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad('can\'t parse inline keyboard button: Field "text" must be of type String')
        actions = [key for key in _BUTTON_ACTIONS if key in button]
        if not actions:
            raise bad(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            raise bad(
                "can't parse inline keyboard button: exactly one of the optional fields "
                f"must be used, got {', '.join(actions)}"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise bad("BUTTON_DATA_INVALID")
        if "url" in button and not valid_button_url(button["url"]):
            raise bad("BUTTON_URL_INVALID")
