"""A lean fake Telegram Bot API for load benchmarks, run in a process of its own.

tests/fakebotapi.py is built for correctness checks: a thread per connection, deep copies of
every update and message, and, when it runs inside the bot's process, the bot's GIL. This one
is a plain asyncio HTTP/1.1 keep-alive server in a separate process (so it never competes with
the bot for the GIL), answering the calls a private-chat claim needs (getMe, deleteWebhook,
setMyCommands, getUpdates, sendChatAction, sendMessage) with valid Bot API JSON at once.
It still refuses what Telegram refuses in a reply (HTML parse mode, length, inline keyboard),
with the validators of tests/fakebotapi.py, and counts every refusal.

It also drives the load: it pushes the updates itself (all at once or at a given rate), and
times each one from the moment getUpdates could return it to the moment its reply arrives,
on one clock (this process's), so no cross-process clock is involved.

    fake = LeanFakeProcess.start(token)
    fake.base_url                            # http://127.0.0.1:PORT/bot
    report = fake.run(messages, rate=300.0)  # blocks until every reply arrived (or timeout)
    fake.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakebotapi import BOT_USER, ApiError, check_reply_markup, check_text, decode_params


@dataclass
class RunReport:
    """What one load run measured (times in seconds, on the fake's clock)."""

    pushed: int
    replied: int
    first_push: float
    last_reply: float
    latencies: list[float]  # per replied update: reply received - update available
    calls: dict[str, int]  # HTTP calls per Bot API method (getUpdates included)
    errors: list[str] = field(default_factory=list)  # refusals, as Telegram would give them

    @property
    def seconds(self) -> float:
        return max(self.last_reply - self.first_push, 1e-9)


class _LeanFake:
    def __init__(self, token: str) -> None:
        self.token = token
        self.prefix = f"/bot{token}/".encode()
        self.queue: deque[dict[str, Any]] = deque()
        self.arrived = asyncio.Event()
        self.next_update_id = 1
        self.next_message_id = 1
        # chat id -> when its unanswered updates became available, oldest first (a chat's
        # updates are answered in order; private replies carry no reply_parameters)
        self.pending: dict[int, deque[float]] = {}
        self.unanswered = 0
        self.latencies: list[float] = []
        self.last_reply = 0.0
        self.calls: Counter[str] = Counter()
        self.errors: list[str] = []
        self.all_replied = asyncio.Event()
        self.pushing = False  # a paced run is still adding updates

    # ------------------------------------------------------------------ HTTP

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, _, rest = head.partition(b"\r\n")
                path = request_line.split(b" ", 2)[1]
                length, ctype = 0, ""
                for line in rest.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"content-type":
                        ctype = value.strip().decode()
                body = await reader.readexactly(length) if length else b""
                status, payload = await self.dispatch(path, ctype, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % (status, b"OK" if status == 200 else b"ERR",
                                                     len(data))
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client left, or this fake is stopping
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def dispatch(self, path: bytes, ctype: str, body: bytes) -> tuple[int, dict]:
        if not path.startswith(self.prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(self.prefix) :].split(b"?")[0].decode().lower()
        self.calls[method] += 1
        try:
            params = decode_params("", ctype, body)
            if method == "getupdates":
                result: Any = await self.get_updates(params)
            elif method == "sendmessage":
                result = self.send_message(params)
            elif method == "getme":
                result = BOT_USER
            else:  # sendChatAction, setMyCommands, deleteWebhook, ...: accepted
                result = True
        except ApiError as err:
            self.errors.append(f"{method} -> {err.code} {err.description}")
            return err.code, {"ok": False, "error_code": err.code, "description": err.description}
        return 200, {"ok": True, "result": result}

    async def get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = min(float(p.get("timeout") or 0), 10.0)
        while self.queue and self.queue[0]["update_id"] < offset:  # confirmed: forgotten
            self.queue.popleft()
        if not self.queue and timeout > 0:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), timeout)
            while self.queue and self.queue[0]["update_id"] < offset:
                self.queue.popleft()
        return [self.queue[i] for i in range(min(limit, len(self.queue)))]

    def send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        visible, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        check_reply_markup(p.get("reply_markup"))
        waiting = self.pending.get(int(chat_id))
        if waiting:
            now = time.monotonic()
            self.latencies.append(now - waiting.popleft())
            self.last_reply = now
            self.unanswered -= 1
            if not self.unanswered and not self.pushing:
                self.all_replied.set()
        self.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": self.next_message_id,
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "Budi"},
            "date": int(time.time()),
            "text": visible,
        }
        if entities:
            message["entities"] = entities
        return message

    # ------------------------------------------------------------------ load

    def _update(self, user_id: int, text: str) -> dict[str, Any]:
        self.next_message_id += 1
        update = {
            "update_id": self.next_update_id,
            "message": {
                "message_id": self.next_message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Budi"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Budi",
                         "language_code": "id"},
                "text": text,
            },
        }  # fmt: skip
        self.next_update_id += 1
        return update

    async def run(self, messages: list[tuple[int, str]], rate: float, timeout: float) -> RunReport:
        """Push `messages` ((user id, text) each) at `rate` per second (0: all at once) and
        wait until each got its reply."""
        self.latencies, self.errors, self.calls = [], [], Counter()
        self.all_replied.clear()
        updates = [self._update(u, t) for u, t in messages]
        self.pushing = True
        start = time.monotonic()
        for i, update in enumerate(updates):
            if rate > 0:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            chat_id = update["message"]["chat"]["id"]
            self.pending.setdefault(chat_id, deque()).append(time.monotonic())
            self.unanswered += 1
            self.queue.append(update)
            self.arrived.set()
        self.pushing = False
        if not self.unanswered:
            self.all_replied.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_replied.wait(), timeout)
        self.pending.clear()
        self.unanswered = 0
        return RunReport(
            pushed=len(updates),
            replied=len(self.latencies),
            first_push=start,
            last_reply=self.last_reply,
            latencies=self.latencies,
            calls=dict(self.calls),
            errors=self.errors[:20],
        )


def _serve(token: str, conn: Any) -> None:
    """The fake process: serve HTTP, run the load runs the parent asks for."""

    async def main() -> None:
        fake = _LeanFake(token)
        server = await asyncio.start_server(fake.connection, "127.0.0.1", 0, backlog=256)
        conn.send(("ready", server.sockets[0].getsockname()[1]))
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "stop":
                break
            _, messages, rate, timeout = command
            conn.send(("report", await fake.run(messages, rate, timeout)))
        server.close()

    asyncio.run(main())


class LeanFakeProcess:
    """Handle on the fake running in a child process."""

    def __init__(self, process: multiprocessing.Process, conn: Any, port: int, token: str):
        self.process = process
        self.conn = conn
        self.token = token
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.file_url = f"http://127.0.0.1:{port}/file/bot"
        self._lock = threading.Lock()

    @classmethod
    def start(cls, token: str) -> LeanFakeProcess:
        ctx = multiprocessing.get_context("spawn")  # a clean interpreter, no inherited loop
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(token, child), daemon=True, name="leanfake")
        process.start()
        kind, port = parent.recv()
        assert kind == "ready"
        return cls(process, parent, port, token)

    def run(self, messages: list[tuple[int, str]], rate: float, timeout: float) -> RunReport:
        """Blocking: call it from a worker thread while the bot's event loop runs."""
        with self._lock:
            self.conn.send(("run", messages, rate, timeout))
            kind, report = self.conn.recv()
        assert kind == "report"
        return report

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(("stop",))
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
