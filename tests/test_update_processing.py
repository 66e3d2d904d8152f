"""How updates are processed: concurrently across people, in order per chat and per user
(bot/botapi/concurrency.py), one INFO line each (bot/updatelog.py), over the
aiohttp transport (bot/botapi/transport.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from pathlib import Path

import pytest
from botharness import Bot, running_bot
from dbhelpers import who
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import ConversationHandler

from bot.botapi.concurrency import OrderedUpdateProcessor
from bot.botapi.transport import AiohttpRequest
from bot.telegram.app import build_application
from storage import db as storage_db

pytestmark = pytest.mark.timeout(30)

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
UPDATE_LOGGER = "bot.updatelog"


def message_update(update_id: int, user: int, chat: int | None = None) -> Update:
    chat_id = user if chat is None else chat
    chat_type = "private" if chat_id > 0 else "supergroup"
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": chat_type, "first_name": "Budi"},
                "from": {"id": user, "is_bot": False, "first_name": "Budi"},
                "text": f"pesan {update_id}",
            },
        },
        None,
    )


# ------------------------------------------------------------------ ordering


async def test_one_chat_in_order_while_others_run_concurrently() -> None:
    processor = OrderedUpdateProcessor(64)
    events: list[tuple[str, int]] = []

    async def work(update_id: int, delay: float) -> None:
        events.append(("start", update_id))
        await asyncio.sleep(delay)
        events.append(("end", update_id))

    plan = [(1, 1001, 0.05), (2, 1002, 0.0), (3, 1001, 0.0), (4, 1001, 0.01), (5, 1003, 0.0)]
    await asyncio.gather(
        *(processor.process_update(message_update(u, user), work(u, d)) for u, user, d in plan)
    )
    same_user = [e for e in events if e[1] in (1, 3, 4)]
    assert same_user == [
        ("start", 1), ("end", 1), ("start", 3), ("end", 3), ("start", 4), ("end", 4),
    ]  # fmt: skip  # Telegram's order, never overlapping
    # another citizen is not kept waiting behind the slow first update
    assert events.index(("end", 2)) < events.index(("end", 1))
    assert events.index(("end", 5)) < events.index(("end", 1))
    assert len(processor._order) == 0  # nothing left behind per chat or user


async def test_one_user_in_two_chats_is_still_handled_in_order() -> None:
    """A moderator's drafts live in user_data, shared by their chats: one at a time."""
    processor = OrderedUpdateProcessor(64)
    running: list[int] = []
    overlaps: list[tuple[int, int]] = []

    async def work(update_id: int) -> None:
        overlaps.extend((other, update_id) for other in running)
        running.append(update_id)
        await asyncio.sleep(0.01)
        running.remove(update_id)

    updates = [message_update(1, 7), message_update(2, 7, chat=-1001), message_update(3, 7)]
    await asyncio.gather(*(processor.process_update(u, work(u.update_id)) for u in updates))
    assert overlaps == []


async def test_a_failing_update_releases_its_chat() -> None:
    processor = OrderedUpdateProcessor(8)
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("handler bug")

    async def fine() -> None:
        done.append(2)

    with pytest.raises(RuntimeError):
        await processor.process_update(message_update(1, 1001), boom())
    await asyncio.wait_for(processor.process_update(message_update(2, 1001), fine()), 1)
    assert done == [2] and len(processor._order) == 0


def test_the_application_uses_the_ordered_processor_and_aiohttp(tmp_path: Path) -> None:
    from bot.core import Core
    from bot.settings import load_settings

    settings = load_settings(
        environ={
            "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35,
            "CEKKLAIM_DB": str(tmp_path / "bot.db"),
            "CEKKLAIM_SECRET": "test-secret-0123456789",
        },
        env_file=None,
    )
    core = Core.open(settings.db_path, settings.secret)
    app = build_application(settings, core)
    assert isinstance(app.update_processor, OrderedUpdateProcessor)
    assert app.update_processor.max_concurrent_updates > 1
    assert isinstance(app.bot.request, AiohttpRequest)
    # the moderators' /tambah conversation is keyed by chat and user, both of which the
    # processor orders, so PTB's "concurrent_updates with ConversationHandler" race is closed
    conversations = [
        h for group in app.handlers.values() for h in group if isinstance(h, ConversationHandler)
    ]
    assert conversations and all(c.per_chat and c.per_user for c in conversations)
    sequential = build_application(settings, core, concurrent_updates=1, http="httpx")
    assert sequential.update_processor.max_concurrent_updates == 1
    assert not isinstance(sequential.bot.request, AiohttpRequest)
    core.db.close()


# ------------------------------------------------------------------ end to end


async def test_many_citizens_at_once_all_get_their_answer_in_order(bot: Bot) -> None:
    mark = bot.fake.mark()
    for i in range(12):
        bot.fake.push_update(bot.fake.message_update(CLAIM, user_id=2000 + i % 4))
    deadline = asyncio.get_running_loop().time() + 10
    while len(bot.fake.sent("sendMessage")) < 12:
        assert asyncio.get_running_loop().time() < deadline, "not every claim was answered"
        await asyncio.sleep(0.02)
    replies = [c for c in bot.fake.calls[mark:] if c.method == "sendMessage"]
    assert sorted(c.params["chat_id"] for c in replies) == sorted(2000 + i % 4 for i in range(12))
    assert bot.fake.errors == []


# ------------------------------------------------------------------ the update log


def update_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == UPDATE_LOGGER]


async def test_one_info_line_per_update_with_timings_ids_and_no_text_or_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async for bot in running_bot(tmp_path):
        await bot.say(CLAIM)
        token = bot.fake.token
        answer = bot.fake.sent("sendMessage")[-1]
        claim_button = next(
            b["callback_data"]
            for row in answer.params["reply_markup"]["inline_keyboard"]
            for b in row
            if b.get("callback_data", "").startswith("h:")
        )
        await bot.press(claim_button, "answerCallbackQuery")
        await asyncio.sleep(0.05)
    lines = update_lines(caplog)
    assert len(lines) == 2, lines  # the message and the button press, one line each
    claim_line, press_line = lines
    assert re.fullmatch(
        r"update \d+ message/private \d+\.\d ms wait=\d+\.\d match_ms=\d+\.\d store_ms=\d+\.\d "
        r"tier=confident statements=kpu-2024-hari-pemungutan\S* claim=\d+",
        claim_line,
    ), claim_line
    assert re.fullmatch(r"update \d+ callback_query/private \d+\.\d ms wait=\d+\.\d ", press_line)
    for line in lines:
        assert "pemilu" not in line.lower() and "februari" not in line.lower()  # no claim text
        assert token not in line and token.split(":")[1] not in line
    records = [r for r in caplog.records if r.name == UPDATE_LOGGER]
    assert all(r.levelno == logging.INFO for r in records)


async def test_update_lines_are_skipped_when_info_is_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async for bot in running_bot(tmp_path):
        await bot.say(CLAIM)
    assert update_lines(caplog) == []


async def test_claim_text_is_logged_only_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async for bot in running_bot(tmp_path):
        await bot.say(CLAIM)
    info_and_up = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert info_and_up and not any("diundur" in m for m in info_and_up)


# ------------------------------------------------------------------ the transport


async def test_transport_maps_timeouts_and_refused_connections_to_ptb_errors() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read()  # never answers; returns when the client gives up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(2, read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        server.close()
        await server.wait_closed()
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        assert refused.type is NetworkError  # not a timeout: PTB retries both, logs it apart
    finally:
        await request.shutdown()
        server.close()
    with pytest.raises(RuntimeError):  # shut down: refuses politely instead of hanging
        await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")


async def test_group_check_gets_the_same_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async for bot in running_bot(tmp_path):
        await bot.say(f"/cek {CLAIM}", chat_type="supergroup")
    lines = [line for line in update_lines(caplog) if "/supergroup" in line]
    assert len(lines) == 1 and "tier=confident" in lines[0] and "match_ms=" in lines[0]
    assert "diundur" not in lines[0]


# ------------------------------------------------------------------ group commit


async def test_claims_of_one_loop_iteration_share_one_transaction_and_fsync(
    tmp_path: Path,
) -> None:
    from bot.core import Core

    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    statements: list[str] = []
    core.db.conn.set_trace_callback(statements.append)
    texts = [CLAIM, "kotak suara dari kardus mudah rusak", "KTP-el bisa untuk nyoblos?"]
    answers = await asyncio.gather(
        *(
            core.check_async(t, who(core, "private", user_id=1001 + i, update_id=500 + i))
            for i, t in enumerate(texts)
        )
    )
    core.db.conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == 1 and statements.count("COMMIT") == 1
    assert len({a.claim_id for a in answers}) == 3 and not any(a.duplicate for a in answers)
    # committed before the callers got their answers: visible to any other connection
    other = sqlite3.connect(tmp_path / "bot.db")
    assert other.execute("SELECT count(*) FROM submissions").fetchone()[0] == 3
    other.close()
    again = await core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=500))
    assert again.duplicate and again.claim_id == answers[0].claim_id  # a redelivered update
    core.db.close()


async def test_one_failing_claim_in_a_group_commit_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage
    from bot.core import Core

    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    real = storage.record_submission

    def flaky(db: object, **record: object) -> object:
        if record["update_id"] == 2:
            raise ValueError("bad claim")
        return real(db, **record)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "record_submission", flaky)
    results = await asyncio.gather(
        *(
            core.check_async(CLAIM, who(core, "private", user_id=1000 + u, update_id=u))
            for u in (1, 2, 3)
        ),
        return_exceptions=True,
    )
    assert isinstance(results[1], ValueError)
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    assert [r["update_id"] for r in core.db.query("SELECT update_id FROM submissions")] == [1, 3]
    core.db.close()


def test_group_commit_survives_a_loop_that_closed_before_its_flush(tmp_path: Path) -> None:
    from bot.core import Core

    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    dead = asyncio.new_event_loop()
    origin = who(core, "private", user_id=1001, update_id=1)
    record = core._match_for_record(CLAIM, origin).record
    assert record is not None
    # a claim submitted on a loop that closed before its flush ran
    core._commits.pending.append((record, dead.create_future()))
    core._commits._loop = dead
    dead.close()

    async def check() -> int | None:
        answer = await core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=2))
        return answer.claim_id

    assert asyncio.run(check()) is not None  # the new loop flushes, nothing hangs
    assert next(core.db.query("SELECT count(*) AS n FROM submissions"))["n"] == 2
    core.db.close()


def test_a_claim_waits_for_another_writer_without_stopping_the_loop(tmp_path: Path) -> None:
    """While another process holds SQLite's write lock (an import), the loop keeps running:
    the claim is committed once the lock is free, and answered only then."""
    from bot.core import Core

    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the import's batch
    ticks: list[bool] = []  # whether the claim was answered at each tick

    async def scenario() -> int | None:
        task = asyncio.create_task(
            core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=1))
        )
        for _ in range(5):
            await asyncio.sleep(0.01)  # runs: the loop is not held by the waiting claim
            ticks.append(task.done())
        other.execute("COMMIT")
        answer = await asyncio.wait_for(task, 5)
        return answer.claim_id

    claim_id = asyncio.run(scenario())
    assert ticks == [False] * 5
    assert claim_id is not None
    assert next(core.db.query("SELECT count(*) AS n FROM submissions"))["n"] == 1
    assert next(core.db.query("PRAGMA busy_timeout"))["timeout"] == storage_db.BUSY_TIMEOUT_MS
    other.close()
    core.db.close()


def test_a_claim_fails_plainly_when_the_lock_never_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past WAIT_SECONDS the batch waits in SQLite as before and fails: nothing recorded,
    and the caller is told (it never says "recorded")."""
    from bot.core import Core, GroupCommit

    monkeypatch.setattr(GroupCommit, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(storage_db, "BUSY_TIMEOUT_MS", 20)
    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def scenario() -> None:
        await core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=1))

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        asyncio.run(scenario())
    other.execute("ROLLBACK")
    assert next(core.db.query("SELECT count(*) AS n FROM submissions"))["n"] == 0
    other.close()
    core.db.close()


def test_a_transaction_that_may_not_wait_raises_busy_and_does_nothing(tmp_path: Path) -> None:
    import storage

    db = storage.open_db(tmp_path / "bot.db")
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(storage.Busy), storage.transaction(db, wait=False):
        raise AssertionError("the block ran without the lock")
    assert not db.conn.in_transaction
    other.execute("ROLLBACK")
    with storage.transaction(db, wait=False):
        db.execute("INSERT INTO storage_meta (key, value) VALUES ('k', 1)")
    assert next(db.query("SELECT value FROM storage_meta WHERE key = 'k'"))["value"] == 1
    other.close()
    db.close()
