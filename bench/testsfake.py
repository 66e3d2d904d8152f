"""tests/fakebotapi.py behind the lean fake's `run` interface, in the bot's own process.

`bench/throughput.py --compare-fakes` measures against it to show what a fake sharing the
bot's process and GIL costs (threads, deep copies) next to bench/leanfake.py, which runs in
a process of its own.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter, deque
from pathlib import Path

from leanfake import RunReport


class TestsFake:
    """tests/fakebotapi.py with the lean fake's `run` interface, in this process."""

    def __init__(self, token: str) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from fakebotapi import FakeBotAPI

        outer = self

        class Timed(FakeBotAPI):
            def _api_sendmessage(self, p: dict) -> dict:
                result = super()._api_sendmessage(p)
                outer._replied(int(p["chat_id"]))
                return result

        self.fake = Timed(token=token)
        self.fake.max_poll_timeout = 10.0
        self.fake.start()
        self.base_url, self.file_url = self.fake.base_url, self.fake.file_url
        self._lock = threading.Lock()
        self._pending: dict[int, deque[float]] = {}  # chat id -> pushed at, oldest first
        self._unanswered = 0
        self._latencies: list[float] = []
        self._last = 0.0
        self._done = threading.Event()
        self._pushing = False

    def _replied(self, chat_id: int) -> None:
        with self._lock:
            waiting = self._pending.get(chat_id)
            if waiting:
                self._last = time.monotonic()
                self._latencies.append(self._last - waiting.popleft())
                self._unanswered -= 1
                if not self._unanswered and not self._pushing:
                    self._done.set()

    def run(self, messages: list[tuple[int, str]], rate: float, timeout: float) -> RunReport:
        self._latencies, self._done, self._pushing = [], threading.Event(), True
        mark = self.fake.mark()
        start = time.monotonic()
        for i, (user, text) in enumerate(messages):
            if rate > 0:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            update = self.fake.message_update(text, user_id=user)
            with self._lock:
                self._pending.setdefault(user, deque()).append(time.monotonic())
                self._unanswered += 1
            self.fake.push_update(update)
        with self._lock:
            self._pushing = False
            if not self._unanswered:
                self._done.set()
        self._done.wait(timeout)
        with self._lock:
            self._pending.clear()
            self._unanswered = 0
        calls = Counter(c.method.lower() for c in self.fake.calls[mark:])
        return RunReport(
            len(messages), len(self._latencies), start, self._last, self._latencies,
            dict(calls), list(self.fake.errors[:20]),
        )  # fmt: skip

    def stop(self) -> None:
        self.fake.stop()
