"""The fake Telegram Bot API for end-to-end tests, in its parts:

- entities.py  Telegram's HTML parse mode (visible text, entities, Telegram's refusals)
- validate.py  what Telegram refuses in a sent message (HTML, lengths, keyboards, URLs)
- wire.py      request parameters decoded as the Bot API reads them
- updates.py   update builders (messages, buttons, inline queries, membership changes)
- methods.py   the Bot API methods the bot calls, answered as Telegram answers them
- server.py    the HTTP server on 127.0.0.1, the call record, injected faults
"""

from fakebot.entities import EntityParseError, parse_html, utf16_len
from fakebot.server import BOT_USER, Call, FakeBotAPI, Fault
from fakebot.validate import MAX_MESSAGE_LENGTH, ApiError, check_reply_markup, check_text
from fakebot.wire import decode_params

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
