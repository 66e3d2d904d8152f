"""Claims committed in a writer's thread (storage/writer.py, `Core.commit_off_loop`): the
bot's event loop never waits for a COMMIT's sync to disk or for another writer's lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from dbhelpers import who

import storage
from bot import commits
from bot.core import Core
from bot.pacing import loop_first_while_building
from storage import db as storage_db
from storage.writer import Writer

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
SECRET = "test-secret-0123456789"


def count(path: Path) -> int:
    other = sqlite3.connect(path)
    try:
        return int(other.execute("SELECT count(*) FROM submissions").fetchone()[0])
    finally:
        other.close()


def opened(path: Path) -> Core:
    """The bot's core once its first index is saved: while the save runs, every batch goes
    to the writer (`building_now`), whatever its size."""
    core = Core.open(path, SECRET)
    asyncio.run(core.saved())
    return core


def writing_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each claim is recorded in, in turn, from now on."""
    threads: list[str] = []
    real = storage.record_submission

    def traced(db: Any, **record: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(db, **record)

    monkeypatch.setattr(storage, "record_submission", traced)
    return threads


def test_claims_are_committed_in_the_writers_thread_not_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    threads = writing_threads(monkeypatch)
    on_loop: list[str] = []
    core.db.conn.set_trace_callback(on_loop.append)

    async def scenario() -> list[Any]:
        texts = [CLAIM, "kotak suara dari kardus mudah rusak", "KTP-el bisa untuk nyoblos?"]
        return await asyncio.gather(
            *(
                core.check_async(t, who(core, "private", user_id=1001 + i, update_id=500 + i))
                for i, t in enumerate(texts)
            )
        )

    answers = asyncio.run(scenario())
    core.db.conn.set_trace_callback(None)
    assert len({a.claim_id for a in answers}) == 3
    assert count(tmp_path / "bot.db") == 3  # committed before the callers were answered
    assert threads and all(name.startswith("writer") for name in threads)
    assert not [s for s in on_loop if s.startswith(("BEGIN", "COMMIT", "INSERT", "UPDATE"))]
    core.close()


def test_the_loop_runs_while_a_claim_waits_for_another_writer(tmp_path: Path) -> None:
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # an import's batch
    ticks: list[bool] = []

    async def scenario() -> int | None:
        task = asyncio.create_task(
            core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=1))
        )
        for _ in range(5):
            await asyncio.sleep(0.01)  # runs: the claim waits in the writer's thread
            ticks.append(task.done())
        other.execute("COMMIT")
        return (await asyncio.wait_for(task, 5)).claim_id

    assert asyncio.run(scenario()) is not None
    assert ticks == [False] * 5
    assert count(tmp_path / "bot.db") == 1
    other.close()
    core.close()


def test_claims_arriving_during_a_write_are_the_next_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    batches: list[int] = []
    real = commits._stored

    def sized(db: Any, records: list[Any], *, wait: bool) -> Any:
        batches.append(len(records))
        return real(db, records, wait=wait)

    monkeypatch.setattr(commits, "_stored", sized)
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def scenario() -> list[Any]:
        first = asyncio.create_task(
            core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=1))
        )
        await asyncio.sleep(0.05)  # the first batch is in the writer's hands, waiting
        later = [
            asyncio.create_task(
                core.check_async(CLAIM, who(core, "private", user_id=1002 + i, update_id=2 + i))
            )
            for i in range(2)
        ]
        await asyncio.sleep(0.05)
        other.execute("COMMIT")
        return await asyncio.wait_for(asyncio.gather(first, *later), 5)

    answers = asyncio.run(scenario())
    assert batches == [1, 2]
    assert [a.duplicate for a in answers] == [False] * 3
    assert count(tmp_path / "bot.db") == 3
    other.close()
    core.close()


def test_a_claim_fails_plainly_when_the_writer_never_gets_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing recorded and the caller told (the bot never says "recorded"); the next
    claim, once the lock is free, is written as usual."""
    monkeypatch.setattr(storage_db, "BUSY_TIMEOUT_MS", 20)
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def claim(update_id: int) -> Any:
        return await core.check_async(
            CLAIM, who(core, "private", user_id=1001, update_id=update_id)
        )

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        asyncio.run(claim(1))
    other.execute("ROLLBACK")
    assert count(tmp_path / "bot.db") == 0
    assert asyncio.run(claim(2)).claim_id is not None
    assert count(tmp_path / "bot.db") == 1
    other.close()
    core.close()


def test_switching_off_commits_every_claim_already_handed_over(tmp_path: Path) -> None:
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    seen: list[int] = []

    async def scenario() -> list[Any]:
        tasks = [
            asyncio.create_task(
                core.check_async(CLAIM, who(core, "private", user_id=1001 + i, update_id=1 + i))
            )
            for i in range(3)
        ]
        for _ in range(100):  # until the batch is in the writer's hands
            if core._commits._writing and not core._commits.pending:
                break
            await asyncio.sleep(0)
        assert core._commits._writing
        core.commit_off_loop(False)  # as the bot's shutdown does
        seen.append(count(tmp_path / "bot.db"))
        return await asyncio.wait_for(asyncio.gather(*tasks), 5)

    answers = asyncio.run(scenario())
    assert seen == [3] and all(a.claim_id is not None for a in answers)
    assert core._commits.writer is None
    core.close()


def test_a_writer_runs_writes_in_order_on_its_own_connection(tmp_path: Path) -> None:
    db = storage.open_db(tmp_path / "bot.db")
    assert Writer.beside(storage.open_db(":memory:")) is None  # no other connection sees it
    writer = Writer.beside(db)
    assert writer is not None
    order: list[int] = []

    def write(i: int) -> Any:
        def run(wdb: Any) -> int:
            assert wdb is not db
            with storage.transaction(wdb):
                wdb.execute("INSERT INTO storage_meta (key, value) VALUES (?, ?)", [f"k{i}", i])
            order.append(i)
            return int(wdb.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

        return writer.submit(run)

    futures = [write(i) for i in range(5)]
    assert [f.result(5) for f in futures] == [0] * 5  # checkpoints left to their own thread
    assert order == list(range(5))
    writer.close()
    with pytest.raises(RuntimeError):
        writer.submit(lambda _: None)
    assert len(list(db.query("SELECT key FROM storage_meta WHERE key LIKE 'k_'"))) == 5
    db.close()


def test_a_large_batch_is_committed_on_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load one commit on the loop serves many claims; the writer's thread would take
    the GIL back from the loop for each of its SQLite calls."""
    monkeypatch.setattr(commits.GroupCommit, "WRITER_MOST", 2)
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    threads = writing_threads(monkeypatch)

    async def scenario(users: range) -> None:
        await asyncio.gather(
            *(core.check_async(CLAIM, who(core, "private", user_id=u, update_id=u)) for u in users)
        )

    asyncio.run(scenario(range(1, 4)))  # three at once: over WRITER_MOST
    asyncio.run(scenario(range(4, 6)))  # two: the writer's
    assert threads[:3] == [threading.main_thread().name] * 3
    assert all(name.startswith("writer") for name in threads[3:]) and len(threads) == 5
    assert count(tmp_path / "bot.db") == 5
    core.close()


def test_while_the_index_is_built_every_batch_goes_to_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build in a worker thread shares the GIL with the loop: a large batch committed on
    the loop then waits for it at each SQLite call, so it goes to the writer too."""
    monkeypatch.setattr(commits.GroupCommit, "WRITER_MOST", 2)
    core = opened(tmp_path / "bot.db")
    core.commit_off_loop()
    threads = writing_threads(monkeypatch)

    async def scenario(users: range) -> None:
        with loop_first_while_building():  # as a worker thread's build does
            await asyncio.gather(
                *(
                    core.check_async(CLAIM, who(core, "private", user_id=u, update_id=u))
                    for u in users
                )
            )

    asyncio.run(scenario(range(1, 5)))  # four at once: over WRITER_MOST
    assert len(threads) == 4 and all(name.startswith("writer") for name in threads)
    assert count(tmp_path / "bot.db") == 4
    core.close()


def test_a_moderators_change_is_written_in_the_writers_thread(tmp_path: Path) -> None:
    """`Core.write_async` (how the bot runs a curation step): in the writer's thread while
    the bot serves, so a wait for another writer's lock is not the loop's; on the loop's
    own connection otherwise. Either way the change is committed when it returns."""
    from bot.curation import Curation

    core = opened(tmp_path / "bot.db")
    sid = sorted(core.snapshot.statements)[0]
    ran: list[str] = []

    def retire(db: Any, external_id: str) -> Any:
        ran.append(threading.current_thread().name)
        return Curation(db).retire(external_id, actor="moderator:1")

    async def both() -> None:
        core.commit_off_loop()
        try:
            await core.write_async(lambda db: retire(db, sid))
        finally:
            core.commit_off_loop(False)
        second = sorted(core.snapshot.statements)[1]
        await core.write_async(lambda db: retire(db, second))

    try:
        asyncio.run(both())
        assert ran[0].startswith("writer") and ran[1] == threading.current_thread().name
        other = sqlite3.connect(tmp_path / "bot.db")
        statuses = dict(other.execute("SELECT external_id, status FROM statements").fetchall())
        other.close()
        first, second = sorted(core.snapshot.statements)[:2]
        assert statuses[first] == statuses[second] == "retired"
    finally:
        core.close()
