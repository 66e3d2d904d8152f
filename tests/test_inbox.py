"""The inbox: fetched updates are stored before confirmation and handled exactly once."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from botharness import claims, running_bot
from fakebotapi import FakeBotAPI
from telegram.error import NetworkError
from telegram.request import BaseRequest

from bot import inbox as bot_inbox
from bot.botapi.inbox import DISABLE_ENV, InboxApplication, InboxRequest, check_update
from storage import open_db, record_submission
from storage.inbox import (
    MAX_ATTEMPTS,
    count_attempt,
    inbox_counts,
    mark_done,
    prune_inbox,
    store_batch,
    take_pending,
)

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"


def _update(update_id: int, text: str = CLAIM, user_id: int = 1001) -> dict:
    fake = FakeBotAPI()  # not started: only its update builder is used
    update = fake.message_update(text, user_id=user_id)
    update["update_id"] = update_id
    return update


# ------------------------------------------------------------------------------ storage


def test_store_batch_reports_redeliveries_and_marks_done_in_the_same_commit() -> None:
    db = open_db(":memory:")
    assert store_batch(db, [_update(1), _update(2)]).known == set()
    assert store_batch(db, [_update(2), _update(3)], done=[1]).known == {2}
    assert inbox_counts(db) == {"pending": 2, "done": 1}
    raw = dict(db.execute("SELECT update_id, raw FROM inbox").fetchall())
    assert raw[1] is None  # a done update's text and user ids are not kept
    assert json.loads(raw[3])["message"]["text"] == CLAIM


def test_take_pending_returns_what_is_not_done_oldest_first() -> None:
    db = open_db(":memory:")
    second = _update(2, "😀 <b>&amp; \u200b")
    store_batch(db, [_update(3), _update(1), second])
    mark_done(db, [1])
    pending, given_up = take_pending(db)
    assert [u["update_id"] for u in pending] == [2, 3] and given_up == []
    assert pending[0] == second  # exactly as Telegram sent it


def test_an_update_that_never_finishes_is_given_up_after_a_few_attempts() -> None:
    """One that kills the bot every time would otherwise keep everyone else waiting."""
    db = open_db(":memory:")
    second = _update(2)
    store_batch(db, [_update(1), second])
    for _ in range(MAX_ATTEMPTS):
        assert [u["update_id"] for u in take_pending(db)[0]] == [1, 2]
        count_attempt(db, 1)  # begun, then the bot died
    assert take_pending(db) == ([second], [1])
    assert inbox_counts(db) == {"pending": 1, "done": 1}


def test_an_update_older_than_telegram_keeps_one_is_not_redone() -> None:
    db = open_db(":memory:")
    store_batch(db, [_update(1), _update(2)])
    db.execute("UPDATE inbox SET received_at = '2020-01-01T00:00:00.000+00:00' WHERE update_id = 1")
    pending, given_up = take_pending(db)
    assert [u["update_id"] for u in pending] == [2] and given_up == [1]


def test_a_redone_update_counts_its_attempt_when_it_is_handled(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    store_batch(db, [_update(1)])
    inbox = bot_inbox.Inbox(db, check_update)
    assert [u["update_id"] for u in inbox.pending()] == [1]
    assert inbox.begin(1)
    assert db.execute("SELECT attempts FROM inbox").fetchone()[0] == 0  # queued, not begun
    assert inbox.redo(1)  # about to be handled (one redone update at a time)
    assert db.execute("SELECT attempts FROM inbox").fetchone()[0] == 1
    assert not inbox.redo(1)  # counted once per run
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_prune_deletes_only_done_rows_older_than_the_cutoff() -> None:
    db = open_db(":memory:")
    store_batch(db, [_update(1), _update(2)])
    mark_done(db, [1])
    assert prune_inbox(db, timedelta(hours=1)) == 0
    assert prune_inbox(db, timedelta(seconds=-1)) == 1
    assert inbox_counts(db) == {"pending": 1, "done": 0}


class _Transport(BaseRequest):
    """Answers every request with `result`, as the Bot API would."""

    def __init__(self, result: object) -> None:
        self.result = result

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": self.result}).encode()


async def test_a_batch_that_cannot_be_stored_is_not_confirmed(tmp_path: Path) -> None:
    """The Updater gets a TelegramError: it retries with back-off and keeps the old offset."""
    db = open_db(tmp_path / "x.db")
    inbox = bot_inbox.Inbox(db, check_update)
    first = _update(1)  # built once: an update carries the second it was made in
    request = InboxRequest(inbox, _Transport([first]))
    assert await request.post("http://127.0.0.1:9/bot/getUpdates") == [first]
    db.execute("DROP TABLE inbox")
    with pytest.raises(bot_inbox.InboxUnavailable, match="inbox: could not store updates"):
        inbox.arrived([_update(2)])
    with pytest.raises(NetworkError, match="inbox: could not store updates"):
        await request.post("http://127.0.0.1:9/bot/getUpdates")


async def test_a_batch_waits_for_another_writer_with_the_loop_free(tmp_path: Path) -> None:
    """While another process holds the write lock (an import), the fetched batch is stored
    once it is free: meanwhile the loop runs, and nothing is confirmed before the store."""
    db = open_db(tmp_path / "x.db")
    inbox = bot_inbox.Inbox(db, check_update)
    first = _update(1)
    request = InboxRequest(inbox, _Transport([first]))
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    post = asyncio.create_task(request.post("http://127.0.0.1:9/bot/getUpdates"))
    ticks = []
    for _ in range(5):
        await asyncio.sleep(0.01)  # runs: the loop is not held by the waiting store
        ticks.append(post.done())
    assert ticks == [False] * 5
    assert inbox_counts(db) == {"pending": 0, "done": 0}
    other.execute("COMMIT")
    assert await asyncio.wait_for(post, 5) == [first]
    assert inbox_counts(db) == {"pending": 1, "done": 0}
    other.close()


def test_done_marks_that_would_wait_for_the_lock_go_with_the_next_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = open_db(tmp_path / "x.db")
    inbox = bot_inbox.Inbox(db, check_update)
    inbox.arrived([_update(1), _update(2)])
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    inbox.done(1)  # the lock is held: kept, not waited for (SQLite's wait ends in an error)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    other.execute("COMMIT")
    assert inbox_counts(db) == {"pending": 2, "done": 0}
    inbox.done(2)
    assert inbox_counts(db) == {"pending": 0, "done": 2}
    other.close()


def test_a_failed_handler_is_retried_on_the_database_then_set_aside(tmp_path: Path) -> None:
    """A database error gets STORAGE_RETRY_DELAYS, then the update is set aside with its
    cause; any other error is set aside at once; a handled update is done."""
    db = open_db(tmp_path / "x.db")
    inbox = bot_inbox.Inbox(db, check_update)
    inbox.arrived([_update(1), _update(2), _update(3)])
    busy = sqlite3.OperationalError("database is locked")
    assert [inbox.failed(1, busy) for _ in range(3)] == [*bot_inbox.STORAGE_RETRY_DELAYS, None]
    assert inbox.failed(2, ValueError("bug")) is None
    for uid in (1, 2, 3):
        inbox.finished(uid, lambda: "message")
    aside = db.execute("SELECT update_id, kinds, reason FROM set_aside_updates").fetchall()
    assert sorted(aside) == [
        (1, "message", "database busy: another process holds its lock (OperationalError)"),
        (2, "message", "handler failed (ValueError)"),
    ]
    assert inbox_counts(db) == {"pending": 0, "done": 3}
    assert inbox.failed(1, busy) == bot_inbox.STORAGE_RETRY_DELAYS[0]  # finished: tries reset


def test_done_rows_are_pruned_while_the_bot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_db(tmp_path / "x.db")
    inbox = bot_inbox.Inbox(db, check_update)
    inbox.arrived([_update(1), _update(2)])
    inbox.done(1)
    monkeypatch.setattr(bot_inbox, "PRUNE_EVERY_SECONDS", 0.0)
    monkeypatch.setattr(bot_inbox, "KEEP_DONE", timedelta(seconds=-1))
    inbox.arrived([_update(3)])
    assert inbox_counts(db) == {"pending": 2, "done": 0}
    inbox.arrived([_update(2)])  # Telegram sends 2 again: it is being handled already
    assert not inbox.begin(2)
    assert inbox.begin(3)


# ------------------------------------------------------------------------- the real bot


async def _settled(db_path: Path, timeout: float = 5.0) -> dict[str, int]:
    """Inbox counts once nothing is pending (done marks are batched)."""
    db = open_db(db_path)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (counts := inbox_counts(db))["pending"] and loop.time() < deadline:
        await asyncio.sleep(0.05)
    db.close()
    return counts


async def test_every_fetched_update_is_stored_then_marked_done(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path):
        await bot.say(CLAIM)
        await bot.say("/start")
        counts = await _settled(tmp_path / "bot.db")
    assert counts == {"pending": 0, "done": 2}


async def test_updates_left_pending_by_a_crash_are_handled_at_start(tmp_path: Path) -> None:
    db = open_db(tmp_path / "bot.db")
    store_batch(db, [_update(500, user_id=2001), _update(501, "/start", user_id=2002)])
    # killed between storing update 502's claim and sending its reply
    store_batch(db, [_update(502, user_id=2003)])
    record_submission(
        db, text=CLAIM, normalized="pemilu 2024 diundur", channel="private", user_hash="h",
        update_id=502, tier="confident",
    )  # fmt: skip
    db.close()
    async for bot in running_bot(tmp_path):
        card = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 2001)
        assert "HOAKS" in card.response["text"]
        await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 2002)
        late = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 2003)
        assert "HOAKS" in late.response["text"]  # answered after all, counted once
        assert sum(c["count"] for c in claims(bot.core)) == 2
        counts = await _settled(tmp_path / "bot.db")
    assert counts == {"pending": 0, "done": 3}


UNPARSABLE = {"poll_answer": {"poll_id": "1", "option_ids": [0]}}  # no user, no voter_chat


async def test_an_update_the_library_cannot_parse_is_skipped_not_stalling_the_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """python-telegram-bot fails a whole getUpdates batch on one update it cannot parse and
    fetches it again forever; the inbox reduces that one to its id, logs it and goes on,
    both in a fetched batch and among the updates left pending by a crash."""
    db = open_db(tmp_path / "bot.db")
    store_batch(db, [{"update_id": 800, **UNPARSABLE}, _update(801, "/start", user_id=4001)])
    db.close()
    async for bot in running_bot(tmp_path):
        await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 4001)
        bot.fake.push_update({"update_id": 900, **UNPARSABLE})
        call = await bot.say(CLAIM, user_id=4002)
        assert "HOAKS" in call.response["text"]
        counts = await _settled(tmp_path / "bot.db")
    assert counts == {"pending": 0, "done": 4}
    skipped = [r.getMessage() for r in caplog.records if "cannot be parsed" in r.getMessage()]
    assert [m.split()[2] for m in skipped] == ["800", "900"]
    assert all("poll_answer" in m for m in skipped)


async def test_a_redelivered_update_is_handled_once(tmp_path: Path) -> None:
    """Telegram sends again what was never confirmed: pending (redone at start) or done."""
    db = open_db(tmp_path / "bot.db")
    store_batch(db, [_update(700, "/start", user_id=3001), _update(701, CLAIM, user_id=3002)])
    mark_done(db, [700])
    db.close()
    async for bot in running_bot(tmp_path):
        bot.fake.push_update(_update(700, "/start", user_id=3001))  # done before the crash
        bot.fake.push_update(_update(701, CLAIM, user_id=3002))  # pending: redone at start
        await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 3002)
        await bot.say("/bantuan", user_id=3003)  # a later update: everything before is through
        sent = [c.params["chat_id"] for c in bot.fake.sent("sendMessage")]
        assert sent.count(3001) == 0 and sent.count(3002) == 1
        assert [c["count"] for c in claims(bot.core)] == [1]


async def test_the_inbox_can_be_disabled_for_the_crash_bench_baseline(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, **{DISABLE_ENV: "0"}):  # a setting
        assert not isinstance(bot.app, InboxApplication)
        await bot.say(CLAIM)
    db = open_db(tmp_path / "bot.db")
    assert inbox_counts(db) == {"pending": 0, "done": 0}


def test_sigterm_finishes_in_flight_updates_and_loses_nothing(tmp_path: Path) -> None:
    """The real `cekklaim run`: SIGTERM mid-burst exits 0 with a clean database, and every
    update Telegram was allowed to forget is either handled or redone at the next start."""
    db_path = tmp_path / "run.db"
    with FakeBotAPI() as fake:
        env = fake.process_env(db_path, "run-secret-0123456789", BOT_API_MAX_RATE="0")

        def run() -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip

        def replied() -> set[int]:
            return {c.params["chat_id"] for c in fake.sent("sendMessage") if c.status == 200}

        users = range(5001, 5041)
        proc = run()
        try:
            update_of = {u: fake.push_update(fake.message_update(CLAIM, user_id=u)) for u in users}
            ids = set(update_of.values())
            asyncio.run(fake.wait_for("sendMessage", timeout=30))
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, output
        assert not Path(f"{db_path}-wal").exists()  # closed cleanly: WAL checkpointed
        db = open_db(db_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in db.execute("SELECT update_id FROM submissions").fetchall()}
        pending = {u["update_id"] for u in take_pending(db)[0]}
        db.close()
        confirmed = ids - set(fake.pending_updates())  # Telegram may forget these
        assert confirmed <= stored | pending  # nothing acknowledged is lost
        assert {update_of[chat] for chat in replied()} <= stored  # every reply has its claim
        print(f"at SIGTERM: {len(stored)} handled, {len(pending)} pending, {len(ids)} sent")

        mark = fake.mark()
        proc = run()  # the next start handles whatever was left
        try:
            asyncio.run(fake.wait_for("getUpdates", after=mark, timeout=30))
            for _ in range(300):
                if replied() >= set(users):
                    break
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, output
        assert replied() == set(users)
        db = open_db(db_path)
        assert db.execute("SELECT SUM(count) FROM claims").fetchone()[0] == len(users)
