"""The bot's WAL checkpoints happen in a worker thread, never inside a commit on the loop."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from dbhelpers import who

import storage
from storage.checkpoints import Checkpoints

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"


def _fill(db_path: Path, rows: int = 3000) -> None:
    """Thousands of pages written into the log by another connection (as an import does)."""
    other = storage.open_db(db_path)
    other.execute("PRAGMA wal_autocheckpoint = 0")  # it leaves the copying to the bot
    with storage.transaction(other):
        other.execute("CREATE TABLE filler (x TEXT)")
        other.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 2000,)] * rows)
    other.close()  # not the last connection: the log stays as it is


def _until(done: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_a_commit_leaves_the_copying_to_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = storage.open_db(path)
    checkpoints = Checkpoints(db)
    assert next(db.query("PRAGMA wal_autocheckpoint"))["wal_autocheckpoint"] == 0
    _fill(path)
    size = os.path.getsize(path)
    with storage.transaction(db):  # past 1,000 pages SQLite would copy them back here
        db.execute("INSERT INTO storage_meta (key, value) VALUES ('k', 1)")
    assert os.path.getsize(path) == size
    checkpoints.poke()
    _until(lambda: checkpoints.done == 1)
    assert checkpoints.done == 1
    assert os.path.getsize(path) > size + 3000 * 2000  # the pages are in the file now
    checkpoints.poke()  # nothing written since: nothing to do
    time.sleep(0.05)
    checkpoints.close()
    assert checkpoints.done == 1
    assert next(db.query("PRAGMA wal_autocheckpoint"))["wal_autocheckpoint"] == 1000
    db.close()


def test_an_in_memory_database_has_no_log_to_copy() -> None:
    db = storage.open_db(":memory:")
    checkpoints = Checkpoints(db)
    checkpoints.poke()
    checkpoints.close()
    assert checkpoints.done == 0


def test_the_bot_checkpoints_after_claims_are_committed(tmp_path: Path) -> None:
    from bot.core import Core

    core = Core.open(tmp_path / "bot.db", "test-secret-0123456789")
    core.checkpoint_off_loop()
    _fill(tmp_path / "bot.db")
    size = os.path.getsize(tmp_path / "bot.db")

    async def claim() -> None:
        await core.check_async(CLAIM, who(core, "private", user_id=1001, update_id=1))

    asyncio.run(claim())
    _until(lambda: os.path.getsize(tmp_path / "bot.db") > size + 3000 * 2000)
    assert os.path.getsize(tmp_path / "bot.db") > size + 3000 * 2000
    core.close()
