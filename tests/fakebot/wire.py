"""Bot API request parameters as Telegram reads them: query string, form, multipart or JSON,
with python-telegram-bot's JSON-encoded non-string values decoded."""

from __future__ import annotations

import json
from email.message import Message
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

# Form values that are always plain strings. Every other form value is JSON-decoded when it
# parses as JSON, because python-telegram-bot JSON-encodes all non-string values.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "result_id",
        "inline_message_id", "next_offset", "switch_pm_text", "switch_pm_parameter", "url",
        "action", "title", "description", "short_description", "name", "language_code",
        "business_connection_id", "message_effect_id", "custom_title", "emoji",
        "custom_emoji_id", "question", "explanation", "photo", "document", "sticker", "audio",
        "video", "voice", "animation", "file_id", "secret_token", "query", "data",
    }
)  # fmt: skip


def _decode_value(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Decode query-string + form / multipart / JSON parameters like the Bot API does."""
    params: dict[str, Any] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        params[key] = _decode_value(key, values[-1])
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        for key, value in data.items():
            if isinstance(value, str) and key not in _STRING_PARAMS and value[:1] in "{[":
                value = _decode_value(key, value)
            params[key] = value
    elif kind == "multipart/form-data":
        message = BytesParser().parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        if not message.is_multipart():
            raise ValueError("malformed multipart body")
        for part in message.get_payload():
            if not isinstance(part, Message):
                raise ValueError("malformed multipart body")
            name = str(part.get_param("name", header="content-disposition"))
            content = part.get_payload(decode=True) or b""
            if not isinstance(content, bytes):
                raise ValueError("malformed multipart part")
            if part.get_filename() is not None:
                params[name] = {"filename": part.get_filename(), "content": content}
            else:
                params[name] = _decode_value(name, content.decode())
    else:  # application/x-www-form-urlencoded (or unlabelled)
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
            params[key] = _decode_value(key, values[-1])
    return params


def send_file(handler: BaseHTTPRequestHandler, data: bytes | None) -> None:
    """Answer a file download (``GET /file/bot<token>/<path>``): the bytes, or 404."""
    handler.send_response(404 if data is None else 200)
    handler.send_header("Content-Length", str(len(data or b"")))
    handler.end_headers()
    handler.wfile.write(data or b"")
