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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fakebot.methods import _DEFAULT_UPDATE_TYPES, BotMethods
from fakebot.validate import ApiError, bad
from fakebot.wire import decode_params, send_file


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


class _Injected(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.description)
        self.fault = fault


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

class FakeBotAPI(BotMethods):
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
        self.files: dict[str, bytes] = {}  # file_id -> content (add_photo), for getFile
        self.file_downloads: list[str] = []  # file ids downloaded, in order

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
    # ------------------------------------------------------------------ HTTP

    def _serve(self, handler: _Handler) -> None:
        path = urlsplit(handler.path)
        if path.path.startswith("/file/"):  # a download: the file, or 404
            return send_file(handler, self.file_body(path.path))
        try:
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length) if length else b""
        except (OSError, ValueError):
            handler.close_connection = True
            return
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", path.path)
        method = match.group(2) if match else path.path
        try:
            params = decode_params(path.query, handler.headers.get("Content-Type", ""), body)
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
                raise bad(f"can't parse request body: {bad_body}")
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
            error = exc if isinstance(exc, ApiError) else ApiError(500, f"Internal: {exc!r}")
            status = error.code
            payload = {"ok": False, "error_code": error.code, "description": error.description}
            call.response = error.description
            with self._lock:
                target = self.forbidden if error.code == 403 else self.errors
                target.append(f"{method} -> {error.code} {error.description}")
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
