"""Fetched documents are parsed here: off the event loop, in worker processes with a budget.

    event loop --(await)--> parse thread (one of WORKERS) --pipe--> its worker process
                                                                     parse_page / parse_feed /
                                                                     ClaimReview JSON-LD

Why a process and not a thread: the collectors are Python, and a Python thread holds the GIL,
so a heavy page would still slow every other user's update. A worker process has its own
interpreter, a hard deadline (PARSE_TIMEOUT: it is killed, and a fresh one starts on the next
call) and its own address-space limit (MEMORY_LIMIT), so a hostile page costs its sender a
polite "too complex to read" and costs nobody else anything. A worker gets no secrets (its
environment is PATH and PYTHONPATH only), reads requests on stdin and answers JSON on stdout.
If the bot dies, the workers read end-of-file and exit.

Each parse thread owns one worker; a call waits for a free thread, so at most WORKERS
documents are parsed at once. Every failure of the worker (deadline, memory, a crash) is a
`FetchError("unreadable")`, which callers already turn into a polite message.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sources.fetch import Fetched
from bot.sources.fetch_error import FetchError
from bot.sources.page import PageInfo

if TYPE_CHECKING:
    from bot.sources.feeds import FeedItem

PARSE_TIMEOUT = 5.0  # seconds one document may take in a worker
START_TIMEOUT = 30.0  # seconds a new worker may take to import its parsers
WORKERS = 2  # documents parsed at once
MEMORY_LIMIT = 512 * 1024 * 1024  # address space of one worker
MAX_ANSWER = 32 * 1024 * 1024  # bytes of one worker answer
_READY = b"ready"
_HEADER = struct.Struct(">I")


class _Dead(Exception):
    """The worker missed its deadline, closed its pipe or answered nonsense."""


class _Gone(_Dead):
    """The worker's stdin is closed: it had died before this request reached it."""


def _wait(fd: int, writing: bool, deadline: float) -> None:
    """Until `fd` can be written (or read), or _Dead at the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Dead("deadline")
    watched = [fd]
    try:
        readable, writable, _ = select.select(
            [] if writing else watched, watched if writing else [], [], left
        )
    except (OSError, ValueError) as exc:  # the pipe was closed under us (close())
        raise _Dead("pipe closed") from exc
    if not (readable or writable):
        raise _Dead("deadline")


def _write(fd: int, data: bytes, deadline: float) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        _wait(fd, True, deadline)
        try:
            view = view[os.write(fd, view[: 1 << 16]) :]
        except BlockingIOError:
            continue
        except OSError as exc:  # broken pipe: the worker is gone
            raise _Gone("pipe closed") from exc


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        _wait(fd, False, deadline)
        try:
            chunk = os.read(fd, min(size - len(buf), 1 << 20))
        except BlockingIOError:
            continue
        except OSError as exc:
            raise _Dead("pipe closed") from exc
        if not chunk:
            raise _Dead("worker exited")
        buf += chunk
    return bytes(buf)


def _read(fd: int, deadline: float) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_ANSWER:
        raise _Dead(f"answer of {size} bytes")
    return _read_exact(fd, size, deadline)


class _Worker:
    """One worker process and its pipes; used by one parse thread at a time."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[2]  # the directory holding bot/ and storage/
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.sources.sandbox"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=env, cwd=root, start_new_session=True, bufsize=0,
            )  # fmt: skip
        except OSError as exc:  # out of processes or memory: this document goes unread
            raise _Dead("cannot start a worker") from exc
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.closed = False
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        try:
            if _read(self._out, time.monotonic() + START_TIMEOUT) != _READY:
                raise _Dead("no ready signal")
        except _Dead:
            self.kill()
            raise

    def ask(self, request: dict[str, Any], payload: bytes, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        _write(self._in, json.dumps(request).encode(), deadline)
        _write(self._in, payload, deadline)
        try:
            answer = json.loads(_read(self._out, deadline))
        except ValueError as exc:
            raise _Dead("not JSON") from exc
        if not isinstance(answer, dict):
            raise _Dead("not an object")
        return answer

    def kill(self) -> None:
        self.closed = True
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        with _lock:
            _workers.discard(self)


_lock = threading.Lock()
_workers: set[_Worker] = set()
_local = threading.local()
_executor: ThreadPoolExecutor | None = None


def _call(request: dict[str, Any], payload: bytes, timeout: float) -> Any:
    """In a parse thread: this thread's worker answers `request`, or FetchError."""
    for attempt in (1, 2):
        worker: _Worker | None = getattr(_local, "worker", None)
        if worker is not None and worker.closed:  # stopped by close()
            worker = None
        reused = worker is not None
        try:
            if worker is None:
                worker = _Worker()
                with _lock:
                    _workers.add(worker)
                _local.worker = worker
            answer = worker.ask(request, payload, timeout)
        except _Dead as exc:
            if worker is not None:
                worker.kill()
            _local.worker = None
            if isinstance(exc, _Gone) and reused and attempt == 1:
                continue  # a worker that had died while idle: once more with a fresh one
            raise FetchError("unreadable", str(exc)) from exc
        if "error" in answer:
            if answer["error"] == "memory":  # start the next document in a clean process
                worker.kill()
                _local.worker = None
            raise _Refused(str(answer["error"]), str(answer.get("detail", "")))
        return answer.get("ok")
    raise AssertionError("unreachable")


class _Refused(Exception):
    """The worker answered that the document is not what was asked for."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind, self.detail = kind, detail
        super().__init__(f"{kind}: {detail}")


async def _run(op: str, payload: bytes, timeout: float | None = None, **fields: Any) -> Any:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="cekklaim-parse")
        executor = _executor
    request = {"op": op, **fields}
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(
            executor, partial(_call, request, payload, timeout or PARSE_TIMEOUT)
        )
    except _Refused as exc:
        if exc.kind == "parse":
            raise
        raise FetchError("unreadable", str(exc)) from None


def _described(fetched: Fetched) -> dict[str, Any]:
    """What the worker needs besides the body to decode it as `Fetched.text` does."""
    return {
        "url": fetched.url, "final_url": fetched.final_url,
        "content_type": fetched.content_type, "charset": fetched.charset,
    }  # fmt: skip


async def read_page(
    fetched: Fetched, *, today: date | None = None, timeout: float | None = None
) -> PageInfo:
    """The fetched page decoded and read by `parse_page`, in a worker (the decoding too:
    a charset can be slow); FetchError("unreadable") past the budget."""
    found = await _run(
        "page", fetched.body, timeout, **_described(fetched),
        today=today.isoformat() if today else None,
    )  # fmt: skip
    try:
        found["claim_reviews"] = tuple(found["claim_reviews"])
        return PageInfo(**found)
    except (TypeError, KeyError) as exc:
        raise FetchError("unreadable", "malformed answer") from exc


async def read_feed(body: bytes, *, timeout: float | None = None) -> list[FeedItem]:
    """`parse_feed` in a worker: FeedParseError for a document that is no feed,
    FetchError("unreadable") past the budget."""
    from bot.sources.feeds import FeedItem, FeedParseError

    try:
        items = await _run("feed", body, timeout)
    except _Refused as exc:
        raise FeedParseError(exc.detail) from None
    try:
        return [FeedItem(**item) for item in items]
    except TypeError as exc:
        raise FetchError("unreadable", "malformed answer") from exc


async def read_reviews(fetched: Fetched, *, timeout: float | None = None) -> list[dict[str, Any]]:
    """ClaimReview objects of a fetched JSON(-LD) document, decoded and parsed in a worker."""
    found = await _run("reviews", fetched.body, timeout, **_described(fetched))
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def close() -> None:
    """Stop every worker (they also exit by themselves when the bot's pipes close)."""
    with _lock:
        workers = list(_workers)
    for worker in workers:
        worker.kill()


atexit.register(close)


# ------------------------------------------------------------------------------ worker side


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on this platform: the deadline still holds
        pass


def _answer(request: dict[str, Any], payload: bytes) -> Any:
    from bot.sources.claimreview import reviews_from_json
    from bot.sources.feeds import parse_feed
    from bot.sources.page import parse_page

    op = request.get("op")
    if op == "feed":
        return [dataclasses.asdict(item) for item in parse_feed(payload)]
    fetched = Fetched(
        str(request["url"]), str(request["final_url"]), 200, str(request["content_type"]),
        payload, request.get("charset"),
    )  # fmt: skip
    if op == "page":
        today = date.fromisoformat(request["today"]) if request.get("today") else None
        return dataclasses.asdict(parse_page(fetched.text, fetched.final_url, today=today))
    if op == "reviews":
        return reviews_from_json(fetched.text)
    raise ValueError(f"unknown op {op!r}")


def serve() -> None:
    """The worker's loop: a request (JSON header, payload) in, one JSON answer out."""
    from bot.sources import claimreview, feeds, page  # noqa: F401  (imported before "ready")

    _limit_memory()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer

    def frame() -> bytes | None:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack(head)
        data = stdin.read(size)
        return data if len(data) == size else None

    def send(data: bytes) -> None:
        stdout.write(_HEADER.pack(len(data)) + data)
        stdout.flush()

    send(_READY)
    while (header := frame()) is not None and (payload := frame()) is not None:
        try:
            answer: dict[str, Any] = {"ok": _answer(json.loads(header), payload)}
        except feeds.FeedParseError as exc:
            answer = {"error": "parse", "detail": str(exc)[:200]}
        except MemoryError:
            answer = {"error": "memory"}
        except Exception as exc:  # a bug or odd input: one document fails, the worker goes on
            answer = {"error": "failed", "detail": type(exc).__name__}
        try:
            send(json.dumps(answer).encode())
        except MemoryError:
            send(b'{"error": "memory"}')


if __name__ == "__main__":
    serve()
