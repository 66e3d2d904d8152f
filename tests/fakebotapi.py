"""A small fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot ``Bot``/``Application`` talks to it over real HTTP on
127.0.0.1 (OS-assigned port)::

    with FakeBotAPI() as fake:
        app = (
            ApplicationBuilder().token(fake.token)
            .base_url(fake.base_url).base_file_url(fake.file_url).build()
        )
        ...
        fake.push_update(fake.message_update("/start"))
        call = await fake.wait_for("sendMessage")
        assert not fake.errors

The server runs in a daemon thread (``ThreadingHTTPServer``), independent of the test's
event loop. It answers the handful of methods the bot uses the way Telegram does and
validates what Telegram validates (HTML parse mode, inline keyboards, lengths). Every error
it returns is recorded in ``errors`` so a test can assert the bot never sent anything
Telegram would refuse. Deliberate 403s (``blocked_users``) go to ``forbidden`` instead.

Faults are injected with ``fail_next``: an error status (429 with ``retry_after``, 500,
502...), a delay longer than the bot's timeout, or a connection closed without an answer.
Each injected fault is recorded in ``injected``, not in ``errors``.

One deliberate difference: Telegram passes an unknown ``&name;`` or a bare ``&`` through
as literal text, while this fake rejects it, following Telegram's documented rule that
every ``&`` not starting an entity must be written ``&amp;``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

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

_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip  # Telegram's default: everything but chat_member and message reactions

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass
class Call:
    """One request the fake received. ``params`` are decoded (JSON values as Python objects,
    uploaded files as ``{"filename": ..., "content": bytes}``)."""

    method: str
    params: dict[str, Any]
    status: int = 0  # HTTP status the fake answered with (0 while still being handled)
    response: Any = None  # ``result`` on success, ``description`` on failure


@dataclass
class Fault:
    """One fault ``fail_next`` injects into the next ``times`` calls of a method."""

    status: int = 0  # an error answer (0: none)
    description: str = ""
    retry_after: int | None = None
    delay: float = 0.0  # seconds before the call is handled (and answered) normally
    drop: bool = False  # close the connection without answering; the call is not handled
    times: int = 1
    chat_id: int | None = None  # only calls for this chat (None: any call of the method)


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class _Injected(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.description)
        self.fault = fault


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------- HTML parse mode


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str(err) is the reason Telegram would give."""


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#x([0-9a-fA-F]{1,7})|([A-Za-z]+));")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int]:
    """Decode the HTML entity starting at ``text[pos] == "&"``; return (char, end)."""
    m = _ENTITY_RE.match(text, pos)
    if m:
        dec, hexa, name = m.groups()
        if name is not None:
            if name in _NAMED_ENTITIES:
                return _NAMED_ENTITIES[name], m.end()
        else:
            code = int(dec) if dec is not None else int(hexa, 16)
            if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF:
                return chr(code), m.end()
    snippet = text[pos : pos + 12].split(";")[0]
    raise EntityParseError(
        f'Unsupported HTML entity "{snippet}" at byte offset {len(text[:pos].encode())};'
        ' write a literal "&" as "&amp;"'
    )


@dataclass
class _OpenTag:
    name: str
    byte_offset: int
    start: int  # UTF-16 offset in the parsed text
    attrs: dict[str, str]
    language: str | None = None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML like the Bot API does (tdlib's ``parse_html``).

    Returns the visible text (tags removed, entities decoded; not yet stripped) and the
    MessageEntity dicts with UTF-16 offsets. Raises EntityParseError with Telegram's reason.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def byte_offset(k: int) -> int:
        return len(text[:k].encode())

    def skip_spaces(k: int) -> int:
        while k < n and text[k].isspace():
            k += 1
        return k

    while i < n:
        c = text[i]
        if c == "&":
            ch, i = _decode_entity(text, i)
            out.append(ch)
            pos16 += utf16_len(ch)
            continue
        if c != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.append(text[i:j])
            pos16 += utf16_len(text[i:j])
            i = j
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":  # end tag
            i += 1
            j = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            name = text[j:i].lower()
            i = skip_spaces(i)
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            tag = stack.pop()
            if name and name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_tag(tag, pos16, stack, entities)
            continue

        # start tag
        j = i
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[j:i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            i = skip_spaces(i)
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] == ">":
                i += 1
                break
            a = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr = text[a:i].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(a)}'
                )
            i = skip_spaces(i)
            if i < n and text[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {byte_offset(i)}"
                )
            i = skip_spaces(i + 1)
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                value: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        ch, i = _decode_entity(text, i)
                        value.append(ch)
                    else:
                        value.append(text[i])
                        i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                i += 1
                attrs[attr] = "".join(value)
            else:  # name token: letters, digits, '.', '-'
                a = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                if i < n and not text[i].isspace() and text[i] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {byte_offset(i)}"
                    )
                attrs[attr] = text[a:i].lower()
        tag = _OpenTag(name, byte_offset(begin), pos16, attrs)
        if name == "a" and not attrs.get("href"):
            raise EntityParseError(
                f'Tag "a" must have attribute "href" at byte offset {tag.byte_offset}'
            )
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag.byte_offset}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        stack.append(tag)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(
    tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is a single pre entity with a language
        cls = tag.attrs.get("class", "")
        if cls.startswith("language-"):
            stack[-1].language = cls.removeprefix("language-")
        return
    if end == tag.start:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {
        "type": _HTML_TAGS[tag.name],
        "offset": tag.start,
        "length": end - tag.start,
    }
    if tag.name == "a":
        entity["url"] = tag.attrs["href"]
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram, keeping entity offsets right."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    result = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(size, e["offset"] + e["length"] - lead)
        if end > start:
            result.append({**e, "offset": start, "length": end - start})
    return stripped, result


def check_text(
    text: Any, parse_mode: Any = None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text as sendMessage does; return (visible text, entities).

    Raises ApiError(400, ...) with Telegram's description.
    """
    if text is None:
        raise _bad("message text is empty")
    text = str(text)
    mode = str(parse_mode).lower() if parse_mode else ""
    if mode == "html":
        try:
            visible, ents = parse_html(text)
        except EntityParseError as err:
            raise _bad(f"can't parse entities: {err}") from None
    elif mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unchecked
        visible, ents = text, list(entities or [])
    else:
        raise _bad("unsupported parse_mode")
    visible, ents = _strip(visible, ents)
    if not visible:
        raise _bad("message text is empty")
    if utf16_len(visible) > MAX_MESSAGE_LENGTH:
        raise _bad("message is too long")
    return visible, ents


def _valid_button_url(url: Any) -> bool:
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
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad(
            'can\'t parse inline keyboard button: Field "inline_keyboard" must be an '
            "Array of Arrays"
        )
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
        actions = [key for key in _BUTTON_ACTIONS if key in button]
        if not actions:
            raise _bad(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            raise _bad(
                "can't parse inline keyboard button: exactly one of the optional fields "
                f"must be used, got {', '.join(actions)}"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button and not _valid_button_url(button["url"]):
            raise _bad("BUTTON_URL_INVALID")


# ----------------------------------------------------------------------------- update dicts


def _chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember dict with the fields python-telegram-bot requires for ``status``."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member |= {"can_be_edited": False, "is_anonymous": False}
        member |= dict.fromkeys(
            (
                "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_change_info", "can_invite_users",
                "can_post_stories", "can_edit_stories", "can_delete_stories",
                "can_pin_messages",
            ),
            True,
        )  # fmt: skip
        member["can_promote_members"] = False
    elif status == "restricted":
        member |= {"is_member": True, "until_date": 0}
        member |= dict.fromkeys(
            (
                "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
                "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
                "can_manage_topics", "can_send_audios", "can_send_documents",
                "can_send_photos", "can_send_videos", "can_send_video_notes",
                "can_send_voice_notes", "can_edit_tag", "can_react_to_messages",
            ),
            False,
        )  # fmt: skip
    elif status == "kicked":
        member["until_date"] = 0
    return member


# ----------------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeBotAPI/1.0"
    disable_nagle_algorithm = True  # else each response waits ~40 ms for a delayed ACK
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeBotAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that went away (a killed bot): nothing to report
        super().handle_error(request, client_address)


#: What getMe answers by default (the bench's lean fake answers the same).
BOT_USER: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "CekKlaim",
    "username": "CekKlaimBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}


class FakeBotAPI:
    """Fake Telegram Bot API at ``base_url`` (``http://127.0.0.1:PORT/bot``)."""

    max_poll_timeout = 1.0  # getUpdates long polls are capped at this many seconds

    def __init__(self, token: str = "123456789:" + "A" * 35, bot_user: dict | None = None):
        self.token = token
        self.bot_user: dict[str, Any] = bot_user or dict(BOT_USER)
        self.base_url = ""
        self.file_url = ""
        self.calls: list[Call] = []
        self.errors: list[str] = []  # every 4xx/5xx returned (not 403), with the reason
        self.forbidden: list[str] = []  # the 403s caused by ``blocked_users``
        self.dropped_updates: list[dict] = []  # not delivered: excluded by allowed_updates
        self.chat_members: dict[tuple[int, int], str] = {}
        self.blocked_users: set[int] = set()
        self.commands: dict[tuple[str, str], list[dict]] = {}  # (scope JSON, language) -> list
        self.injected: list[str] = []  # faults ``fail_next`` caused, e.g. "sendMessage -> 429"
        self._faults: dict[str, list[Fault]] = {}

        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: list[dict] = []
        self._next_update_id = 10_000
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._messages: dict[tuple[Any, int], dict] = {}  # (chat_id, message_id) -> message
        self._last_bot_message: dict[Any, dict] = {}
        self._chats: dict[Any, dict] = {}
        self._users: dict[int, dict] = {}
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._server is not None:
            return
        self._stopping = False
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.file_url = f"http://127.0.0.1:{port}/file/bot"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotAPI",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # end idle keep-alive connections
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # ------------------------------------------------------------------ test API

    def process_env(self, db_path: Path, secret: str, **settings: str) -> dict[str, str]:
        """The environment for a real `cekklaim run` process served by this fake."""
        return {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_API_FILE_URL": self.file_url,
            "CEKKLAIM_DB": str(db_path),
            "CEKKLAIM_SECRET": secret,
            **settings,
        }

    def push_update(self, update: dict) -> int:
        """Queue ``update`` for getUpdates (assigning an increasing update_id if missing)."""
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            self._remember(copy.deepcopy(update))
            self._queue.append(copy.deepcopy(update))
            self._cond.notify_all()
            return update["update_id"]

    def fail_next(
        self,
        method: str,
        status: int = 0,
        *,
        retry_after: int | None = None,
        description: str = "",
        delay: float = 0.0,
        drop: bool = False,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: answer ``status`` (a 429 with
        ``retry_after`` seconds, 500, 502...), answer only after ``delay`` seconds, or ``drop``
        the connection without an answer (the call is then not handled). With ``chat_id``,
        only calls for that chat count (the bot handles other chats' updates meanwhile)."""
        if not (status or delay or drop):
            raise ValueError("fail_next needs a status, a delay or drop=True")
        if status and not description:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
            }.get(status, f"Error {status}")
        fault = Fault(status, description, retry_after, delay, drop, times, chat_id)
        with self._lock:
            self._faults.setdefault(method.lower(), []).append(fault)

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method.lower())
            if not queue:
                return None
            fault = queue[0]
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                return None
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def pending_updates(self) -> list[int]:
        """The ids of pushed updates getUpdates has not yet seen confirmed."""
        with self._lock:
            return [u["update_id"] for u in self._queue]

    def sent(self, method: str | None = None) -> list[Call]:
        """Calls to ``method`` (case-insensitive); with None, every call but getUpdates."""
        with self._lock:
            calls = list(self.calls)
        if method is None:
            return [c for c in calls if c.method.lower() != "getupdates"]
        return [c for c in calls if c.method.lower() == method.lower()]

    def mark(self) -> int:
        """The current number of calls, to pass to ``wait_for(after=...)``."""
        with self._lock:
            return len(self.calls)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Call:
        """Wait for the first call to ``method`` at index >= ``after`` matching ``predicate``
        whose response has been sent."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                calls = self.calls[after:]
            for call in calls:
                if call.status and call.method.lower() == method.lower() and predicate(call):
                    return call
            if loop.time() >= deadline:
                raise AssertionError(self._timeout_report(method, timeout, after))
            await asyncio.sleep(0.01)

    def _timeout_report(self, method: str, timeout: float, after: int) -> str:
        with self._lock:
            calls = self.calls[after:]
        methods = [c.method for c in calls if c.method.lower() != "getupdates"]
        polls = len(calls) - len(methods)
        lines = [
            f"no matching {method} within {timeout}s; received since call #{after}: "
            f"{methods or 'nothing'} (+{polls} getUpdates)"
        ]
        if self.errors:
            lines.append(f"errors: {self.errors}")
        if self.dropped_updates:
            lines.append(f"updates dropped by allowed_updates: {self.dropped_updates}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ update builders

    def _user(self, user_id: int, first_name: str = "Budi", language_code: str = "id") -> dict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    def _chat(self, chat_id: Any, chat_type: str = "private", title: str = "Keluarga") -> dict:
        if chat_type == "private":
            known = self._users.get(chat_id, {})
            return {"id": chat_id, "type": "private", "first_name": known.get("first_name", "Budi")}
        return {"id": chat_id, "type": chat_type, "title": title}

    def _chat_for_id(self, chat_id: Any) -> dict:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if isinstance(chat_id, str):  # "@channelusername"
            return {
                "id": -1001000000001,
                "type": "channel",
                "title": chat_id.lstrip("@"),
                "username": chat_id.lstrip("@"),
            }
        if chat_id > 0:
            return self._chat(chat_id)
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self._chat(chat_id, kind)

    @staticmethod
    def _default_chat_id(user_id: int, chat_type: str) -> int:
        if chat_type == "private":
            return user_id
        if chat_type == "group":
            return -4_000_000_000 - user_id
        return -1_001_000_000_000 - user_id  # supergroup / channel

    def message_update(
        self,
        text: str | None = None,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        forward_origin: dict | None = None,
        entities: list[dict] | None = None,
        sticker: bool = False,
        photo: bool = False,
        reply_to: dict | None = None,
        message_thread_id: int | None = None,
        first_name: str = "Budi",
        language_code: str = "id",
    ) -> dict:
        """A ``message`` update from a user. A leading "/command" gets its bot_command entity."""
        if chat_id is None:
            chat_id = self._default_chat_id(user_id, chat_type)
        chat = self._chat(chat_id, chat_type)
        if chat_type == "private":
            chat["first_name"] = first_name
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, first_name, language_code),
        }
        if text is not None:
            message["text"] = text
            if entities is None and text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
            if entities:
                message["entities"] = entities
        if caption is not None:
            message["caption"] = caption
        if forward_origin is not None:
            message["forward_origin"] = forward_origin
        if sticker:
            message["sticker"] = {
                "file_id": "CAACAgIAAxkBAAEFakeSticker", "file_unique_id": "AgADFakeSticker",
                "type": "regular", "width": 512, "height": 512, "is_animated": False,
                "is_video": False, "emoji": "👍",
            }  # fmt: skip
        if photo:
            message["photo"] = [
                {"file_id": f"AgACAgIAAxkBAAEFakePhoto{w}", "file_unique_id": f"AQADFake{w}",
                 "width": w, "height": w * 3 // 4, "file_size": w * 100}
                for w in (90, 320, 800)
            ]  # fmt: skip
        if reply_to is not None:
            message["reply_to_message"] = reply_to.get("message", reply_to)
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        return {"message": message}

    def edited_message_update(self, text: str | None = None, **kw: Any) -> dict:
        """An ``edited_message`` update: ``message_update(text, **kw)`` with an edit date."""
        message = self.message_update(text, **kw)["message"]
        message["edit_date"] = message["date"] + 1
        return {"edited_message": message}

    def channel_post_update(
        self,
        text: str | None = None,
        *,
        chat_id: int = -1_001_000_000_777,
        title: str = "Berita Viral",
        caption: str | None = None,
        edited: bool = False,
    ) -> dict:
        """A ``channel_post`` (or ``edited_channel_post``) in a channel the bot is admin of:
        no ``from``, the channel as ``sender_chat``."""
        chat = self._chat(chat_id, "channel", title)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "sender_chat": dict(chat),
        }
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        if edited:
            message["edit_date"] = message["date"] + 1
        return {"edited_channel_post" if edited else "channel_post": message}

    def allow_update_types(self, *kinds: str) -> None:
        """Deliver update types beyond Telegram's default set (e.g. a future kind)."""
        with self._lock:
            self._allowed_updates = self._allowed_updates | frozenset(kinds)

    def callback_update(
        self,
        data: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        message: dict | None = None,
    ) -> dict:
        """A ``callback_query`` update. Without ``message``, the button is pressed where it is:
        on the newest message the bot sent to the chat that carries this data, else (forged
        data) on the last message the bot sent there, or on a stand-in bot message."""
        if message is not None:
            message = message.get("message", message)
        else:
            if chat_id is None:
                chat_id = user_id
            with self._lock:
                message = self._message_with_button(chat_id, data) or self._last_bot_message.get(
                    chat_id
                )
            if message is None:
                message = {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat_for_id(chat_id),
                    "from": self.bot_user,
                    "text": "Pilih:",
                }
        return {
            "callback_query": {
                "id": str(4_000_000_000_000 + next(self._query_ids)),
                "from": self._user(user_id),
                "message": copy.deepcopy(message),
                "chat_instance": str(-7_000_000_000 - message["chat"]["id"]),
                "data": data,
            }
        }

    def _message_with_button(self, chat_id: int, data: str) -> dict | None:
        """The newest bot message in `chat_id` with a button carrying `data` (lock held)."""
        for (chat, _), message in reversed(self._messages.items()):
            if chat != chat_id or message.get("from", {}).get("id") != self.bot_user["id"]:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(b.get("callback_data") == data for row in rows for b in row):
                return message
        return None

    def inline_query_update(self, query: str, *, user_id: int = 1001) -> dict:
        return {
            "inline_query": {
                "id": str(5_000_000_000_000 + next(self._query_ids)),
                "from": self._user(user_id),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            }
        }

    def chosen_inline_result_update(
        self, result_id: str, query: str, *, user_id: int = 1001
    ) -> dict:
        return {
            "chosen_inline_result": {
                "result_id": result_id,
                "from": self._user(user_id),
                "query": query,
            }
        }

    def my_chat_member_update(
        self,
        chat_id: int,
        *,
        old_status: str = "left",
        new_status: str = "member",
        chat_type: str = "group",
        title: str = "Keluarga",
        by_user_id: int = 1001,
    ) -> dict:
        """The bot's own membership in ``chat_id`` changed (e.g. added to a group)."""
        return {
            "my_chat_member": {
                "chat": self._chat(chat_id, chat_type, title),
                "from": self._user(by_user_id),
                "date": int(time.time()),
                "old_chat_member": _chat_member(self.bot_user, old_status),
                "new_chat_member": _chat_member(self.bot_user, new_status),
            }
        }

    def _remember(self, obj: Any) -> None:
        """Record the chats, users and messages in a pushed update (lock held)."""
        if isinstance(obj, list):
            for item in obj:
                self._remember(item)
            return
        if not isinstance(obj, dict):
            return
        for value in obj.values():
            self._remember(value)
        if {"message_id", "chat", "date"} <= obj.keys() and isinstance(obj["chat"], dict):
            self._messages.setdefault((obj["chat"].get("id"), obj["message_id"]), obj)
        elif (
            "type" in obj
            and "id" in obj
            and obj["type"] in ("private", "group", "supergroup", "channel")
        ):
            self._chats.setdefault(obj["id"], dict(obj))
        elif obj.get("is_bot") is False and "id" in obj:
            self._users.setdefault(obj["id"], dict(obj))

    # ------------------------------------------------------------------ HTTP

    def _serve(self, handler: _Handler) -> None:
        path = urlsplit(handler.path)
        try:
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length) if length else b""
        except (OSError, ValueError):
            handler.close_connection = True
            return
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", path.path)
        method = match.group(2) if match else path.path
        try:
            params = _decode_params(path.query, handler.headers.get("Content-Type", ""), body)
        except ValueError as err:
            params, bad_body = {}, str(err)
        else:
            bad_body = ""
        call = Call(method, params)
        with self._lock:
            self.calls.append(call)

        fault = self._take_fault(method, params) if match is not None else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            with self._lock:
                self.injected.append(f"{method} -> dropped")
            call.status, call.response = -1, "connection dropped"
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            if fault is not None and fault.status:
                with self._lock:
                    self.injected.append(f"{method} -> {fault.status}")
                raise _Injected(fault)
            if match is None:
                raise ApiError(404, "Not Found")
            if match.group(1) != self.token:
                raise ApiError(401, "Unauthorized")
            if bad_body:
                raise _bad(f"can't parse request body: {bad_body}")
            handle = getattr(self, "_api_" + method.lower(), None)
            if handle is None:
                raise ApiError(404, "Not Found")
            result = handle(params)
            status, payload = 200, {"ok": True, "result": result}
            call.response = result
        except _Injected as injected:
            status = injected.fault.status
            payload = {
                "ok": False, "error_code": status, "description": injected.fault.description,
            }  # fmt: skip
            if injected.fault.retry_after is not None:
                payload["parameters"] = {"retry_after": injected.fault.retry_after}
            call.response = injected.fault.description
        except Exception as exc:  # malformed parameters (or a bug in the fake): never hang
            err = exc if isinstance(exc, ApiError) else ApiError(500, f"Internal: {exc!r}")
            status = err.code
            payload = {"ok": False, "error_code": err.code, "description": err.description}
            call.response = err.description
            with self._lock:
                target = self.forbidden if err.code == 403 else self.errors
                target.append(f"{method} -> {err.code} {err.description}")
        call.status = status
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:  # the client gave up (e.g. a cancelled long poll)
            handler.close_connection = True

    # ------------------------------------------------------------------ methods

    def _api_getme(self, p: dict) -> dict:
        return self.bot_user

    def _api_deletewebhook(self, p: dict) -> bool:
        if p.get("drop_pending_updates"):
            with self._lock:
                self._queue.clear()
        return True

    _api_setwebhook = _api_deletewebhook

    def _api_close(self, p: dict) -> bool:
        return True

    _api_logout = _api_close

    def _api_getupdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = min(max(float(p.get("timeout") or 0), 0.0), self.max_poll_timeout)
        allowed = p.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._cond:
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) or _DEFAULT_UPDATE_TYPES
            while True:
                if offset > 0:  # confirms (drops) every update below offset
                    self._queue = [u for u in self._queue if u["update_id"] >= offset]
                elif offset < 0:
                    self._queue = self._queue[offset:]
                ready = []
                for update in self._queue:
                    kinds = update.keys() - {"update_id"}
                    if kinds & self._allowed_updates:
                        ready.append(update)
                    else:
                        self.dropped_updates.append(update)
                self._queue = ready
                remaining = deadline - time.monotonic()
                if ready or self._stopping or remaining <= 0:
                    return copy.deepcopy(ready[:limit])
                self._cond.wait(remaining)

    def _chat_id(self, p: dict) -> Any:
        chat_id = p.get("chat_id")
        if chat_id in (None, ""):
            raise _bad("chat_id is empty")
        return chat_id

    def _check_blocked(self, chat_id: Any) -> None:
        if chat_id in self.blocked_users:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _api_sendmessage(self, p: dict) -> dict:
        chat_id = self._chat_id(p)
        self._check_blocked(chat_id)
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": self._chat_for_id(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        if p.get("message_thread_id"):
            message["message_thread_id"] = p["message_thread_id"]
        reply = p.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or p.get("reply_to_message_id")
        if reply_id:
            with self._lock:
                original = self._messages.get((reply.get("chat_id", chat_id), reply_id))
            if original is not None:
                message["reply_to_message"] = copy.deepcopy(original)
            elif not (
                reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")
            ):
                raise _bad("message to be replied not found")
        with self._lock:
            self._messages[(chat_id, message["message_id"])] = message
            self._last_bot_message[chat_id] = message
        return copy.deepcopy(message)

    def _editable(self, p: dict) -> dict:
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if chat_id in (None, "") or not message_id:
            raise _bad("message identifier is not specified")
        with self._lock:
            message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _bad("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad("message can't be edited")
        return message

    def _api_editmessagetext(self, p: dict) -> dict | bool:
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if p.get("inline_message_id"):
            return True
        message = self._editable(p)
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (message.get("text"), message.get("entities", []), message.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise _bad(NOT_MODIFIED)
        with self._lock:
            message["text"] = text
            message.pop("entities", None)
            message.pop("reply_markup", None)  # editing without a keyboard removes it
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _api_editmessagereplymarkup(self, p: dict) -> dict | bool:
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if p.get("inline_message_id"):
            return True
        message = self._editable(p)
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED)
        with self._lock:
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _api_deletemessage(self, p: dict) -> bool:
        with self._lock:
            if self._messages.pop((p.get("chat_id"), p.get("message_id")), None) is None:
                raise _bad("message to delete not found")
        return True

    def _api_answercallbackquery(self, p: dict) -> bool:
        if not p.get("callback_query_id"):
            raise _bad("query_id is empty")
        if len(str(p.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        if p.get("url") is not None and not _valid_button_url(p["url"]):
            raise _bad("URL_INVALID")
        return True

    def _api_sendchataction(self, p: dict) -> bool:
        chat_id = self._chat_id(p)
        self._check_blocked(chat_id)
        if p.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(p: dict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _api_setmycommands(self, p: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.fullmatch(str(cmd.get("command"))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description") or "")) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self.commands[self._commands_key(p)] = commands
        return True

    def _api_deletemycommands(self, p: dict) -> bool:
        with self._lock:
            self.commands.pop(self._commands_key(p), None)
        return True

    def _api_getmycommands(self, p: dict) -> list[dict]:
        with self._lock:
            return self.commands.get(self._commands_key(p), [])

    def _api_answerinlinequery(self, p: dict) -> bool:
        if not p.get("inline_query_id"):
            raise _bad("QUERY_ID_INVALID")
        results = p.get("results")
        if not isinstance(results, list):
            raise _bad("can't parse results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = result.get("id") if isinstance(result, dict) else None
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                check_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            check_reply_markup(result.get("reply_markup"))
        return True

    def _api_getchatmember(self, p: dict) -> dict:
        chat_id, user_id = self._chat_id(p), p.get("user_id")
        if not user_id:
            raise _bad("user_id is empty")
        with self._lock:
            status = self.chat_members.get((chat_id, user_id), "member")
            user = self._users.get(user_id) or self._user(user_id)
        if user_id == self.bot_user["id"]:
            user = self.bot_user
        return _chat_member(user, status)

    def _api_getchat(self, p: dict) -> dict:
        chat_id = self._chat_id(p)
        with self._lock:
            chat = self._chat_for_id(chat_id)
        return chat | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(
                ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                 "gifts_from_channels"),
                False,
            ),
        }  # fmt: skip

    def _api_setchatmenubutton(self, p: dict) -> bool:
        return True

    def _api_getchatmenubutton(self, p: dict) -> dict:
        return {"type": "commands"}


def _decode_value(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
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
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                params[name] = {"filename": part.get_filename(), "content": content}
            else:
                params[name] = _decode_value(name, content.decode())
    else:  # application/x-www-form-urlencoded (or unlabelled)
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
            params[key] = _decode_value(key, values[-1])
    return params


__all__ = [
    "MAX_MESSAGE_LENGTH",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeBotAPI",
    "Fault",
    "check_reply_markup",
    "check_text",
    "parse_html",
    "utf16_len",
]
