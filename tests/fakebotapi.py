"""The fake Telegram Bot API (tests/fakebot/), under the name tests and bench import.

See tests/fakebot/__init__.py for its parts.
"""

from fakebot import (
    BOT_USER,
    MAX_MESSAGE_LENGTH,
    ApiError,
    Call,
    EntityParseError,
    FakeBotAPI,
    Fault,
    check_reply_markup,
    check_text,
    decode_params,
    parse_html,
    utf16_len,
)

__all__ = [
    "BOT_USER",
    "MAX_MESSAGE_LENGTH",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeBotAPI",
    "Fault",
    "check_reply_markup",
    "check_text",
    "decode_params",
    "parse_html",
    "utf16_len",
]
