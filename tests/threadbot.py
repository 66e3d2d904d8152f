"""The real bot (botharness.running_bot) in a background thread, driven by synchronous code.

Hypothesis runs `@given` functions synchronously, and one bot per test function (not per
example) keeps a property test with hundreds of examples fast. So the bot, its Application
and the fake Bot API run on an event loop of their own in a daemon thread, and the test
pushes updates and reads the fake's recorded calls from its own thread:

    with ThreadedBot(tmp_path) as bot:
        calls = bot.handle(bot.fake.message_update("halo"))  # every call made for it
        assert bot.failures() == []                          # no handler raised

`handle` knows an update is done without relying on handler order: it pushes the update,
then a sentinel `/start` from another chat; once the sentinel's reply is out, both were
fetched, and `update_queue.join()` on the bot's loop waits until every fetched update was
processed (also with concurrent update processing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Any

from botharness import Bot, running_bot
from fakebotapi import Call, FakeBotAPI
from sqlite_utils import Database

import storage

SENTINEL = 777_000_777  # a private chat that only ever sends /start
START_TIMEOUT = 20.0


class _ErrorLog(logging.Handler):
    """Every record at ERROR or above, from any logger (the bot's, PTB's, httpx's)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class ThreadedBot:
    """A running bot in a thread; `db` is this thread's own connection to its database."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        env.setdefault("RATE_LIMIT_PER_MINUTE", "1000000")  # examples come faster than people
        self._tmp_path = tmp_path
        self._env = env
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._exception: BaseException | None = None
        self._bot: Bot | None = None
        self._log = _ErrorLog()
        self.handler_errors: list[tuple[object, BaseException | None]] = []
        self.db: Database | None = None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> ThreadedBot:
        logging.getLogger().addHandler(self._log)
        self._thread = threading.Thread(target=self._run, name="ThreadedBot", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._bot is None:
            self.__exit__(None, None, None)
            raise RuntimeError(f"bot did not start: {self._exception!r}")
        self.db = storage.open_db(self._tmp_path / "bot.db")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._loop is not None and self._stop is not None:
                with contextlib.suppress(RuntimeError):  # loop already closed
                    self._loop.call_soon_threadsafe(self._stop.set)
            if self._thread is not None:
                self._thread.join(timeout=30)
            if self.db is not None:
                self.db.close()
        finally:
            logging.getLogger().removeHandler(self._log)
        if self._exception is not None and exc[0] is None:
            raise self._exception  # e.g. running_bot's final check: fake.errors == []

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test thread on exit
            self._exception = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async for bot in running_bot(self._tmp_path, **self._env):
            bot.app.add_error_handler(self._record_error)
            self._bot = bot
            self._ready.set()
            await self._stop.wait()

    async def _record_error(self, update: object, context: Any) -> None:
        self.handler_errors.append((update, context.error))

    # ------------------------------------------------------------------ access

    @property
    def fake(self) -> FakeBotAPI:
        assert self._bot is not None
        return self._bot.fake

    @property
    def bot_id(self) -> int:
        return int(self.fake.bot_user["id"])

    def checkpoint(self) -> tuple[int, int, int]:
        """Where the failure records stand now, for `failures(since=...)`."""
        return len(self.handler_errors), len(self._log.records), len(self.fake.errors)

    def failures(self, since: tuple[int, int, int] = (0, 0, 0)) -> list[str]:
        """What went wrong (since a checkpoint): handler exceptions, ERROR log records,
        calls the fake Bot API refused as Telegram would."""
        errors, records, refused = since
        found = [
            f"handler raised {err!r} for {update!r}"[:3000]
            for update, err in self.handler_errors[errors:]
        ]
        found += [
            f"{r.levelname} {r.name}: {r.getMessage()}"[:3000] for r in self._log.records[records:]
        ]
        found += [f"fake Bot API refused: {e}" for e in self.fake.errors[refused:]]
        return found

    # ------------------------------------------------------------------ driving

    def handle(self, update: dict, timeout: float = 5.0) -> list[Call]:
        """Push `update`, wait until the bot has processed it; the calls it made (no polls)."""
        fake = self.fake
        mark = fake.mark()
        fake.push_update(update)
        fake.push_update(fake.message_update("/start", user_id=SENTINEL))
        deadline = time.monotonic() + timeout
        sentinel_reply = None
        while sentinel_reply is None:
            with fake._lock:
                recent = fake.calls[mark:]
            sentinel_reply = next(
                (
                    c
                    for c in recent
                    if c.status and c.method == "sendMessage" and _chat(c) == SENTINEL
                ),
                None,
            )
            if sentinel_reply is None:
                if time.monotonic() > deadline:
                    raise AssertionError(f"bot did not answer within {timeout}s: {update!r}")
                time.sleep(0.002)
        self._drain(timeout)
        with fake._lock:
            recent = fake.calls[mark:]
        return [
            c
            for c in recent
            if c.method != "getUpdates" and _chat(c) != SENTINEL and c is not sentinel_reply
        ]

    def _drain(self, timeout: float) -> None:
        """Wait until every update fetched so far is processed (on the bot's own loop)."""
        assert self._loop is not None and self._bot is not None
        queue = self._bot.app.update_queue
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(queue.join(), timeout), self._loop
        )
        future.result(timeout + 1)


def _chat(call: Call) -> Any:
    return call.params.get("chat_id")
