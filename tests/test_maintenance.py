"""Operator upkeep: `cekklaim backup` while another connection writes, and `cekklaim purge`."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dbhelpers import who
from sqlite_utils import Database

import storage
from bot.cli import main
from bot.core import Core, seed_if_empty, starter_base_path
from storage import maintenance
from storage.people import subscribe

SECRET = "maint-secret-0123456789"
STARTER = len(storage.parse_statements_file(starter_base_path()).rows)  # what seeding adds

pytestmark = pytest.mark.cli_env(secret=None, db_name="live.db")


def _record(core: Core, text: str, update_id: int) -> int:
    answer = core.check(text, who(core, "private", user_id=update_id, update_id=update_id))
    assert answer.claim_id is not None
    return answer.claim_id


def _age(db: Database, table: str, days: float) -> None:
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    db.execute(f"UPDATE {table} SET created_at = ?", [when])
    db.conn.commit()


def test_backup_while_another_connection_writes(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "live.db", SECRET)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:  # a second connection, like the running bot
        other = Core(storage.open_db(tmp_path / "live.db"), SECRET)
        n = 0
        while not stop.is_set():
            n += 1
            _record(other, f"klaim nomor {n} pemilu diundur ke 2029", 10_000 + n)
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        result = maintenance.backup(core.db, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    assert result.integrity == "ok"
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT COUNT(*) FROM statements").fetchone()[0] == STARTER
    copied = copy.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    assert 5 <= copied <= len(written)  # a consistent snapshot taken mid-stream
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not (tmp_path / "copy.db.partial").exists()


def test_backup_never_overwrites(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "live.db", SECRET)
    (tmp_path / "taken.db").write_text("keep me")
    with pytest.raises(FileExistsError):
        maintenance.backup(core.db, tmp_path / "taken.db")
    with pytest.raises(FileExistsError):
        maintenance.backup(core.db, tmp_path / "live.db")
    assert (tmp_path / "taken.db").read_text() == "keep me"


def test_cli_backup_copies_the_generated_secret(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "pemilu diundur"]) == 0  # creates the db and its .secret
    capsys.readouterr()
    assert main(["backup", "backups/b1.db"]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out
    secret = db_path.with_name("live.db.secret").read_text()
    copy = db_path.parent / "backups" / "b1.db.secret"
    assert copy.read_text() == secret
    assert copy.stat().st_mode & 0o777 == 0o600
    assert main(["backup", "backups/b1.db"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_purge_deletes_old_submissions_and_keeps_counts(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "live.db", SECRET)
    db = core.db
    claim = _record(core, "pemilu 2024 diundur gak jadi 14 februari", 1)
    _record(core, "pemilu 2024 diundur gak jadi 14 februari", 2)
    subscribe(db, claim_id=claim, user_hash="h1", chat_id=1, language="id")
    _age(db, "submissions", 40)
    _age(db, "subscriptions", 40)
    _record(core, "pemilu 2024 diundur gak jadi 14 februari", 3)  # recent: kept
    result = maintenance.purge(db, older_than_days=30)
    assert (result.submissions, result.subscriptions) == (2, 1)
    assert [r["update_id"] for r in db.query("SELECT update_id FROM submissions")] == [3]
    assert db["subscriptions"].count == 0
    assert storage.get_claim(db, claim).count == 3  # type: ignore[union-attr]
    assert db["statements"].count == STARTER


def test_purge_refuses_a_window_shorter_than_redelivery(tmp_path: Path) -> None:
    db = storage.open_db(tmp_path / "live.db")
    seed_if_empty(db)
    with pytest.raises(ValueError, match="at least 2 days"):
        maintenance.purge(db, older_than_days=1)


def test_cli_purge(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "pemilu diundur ke 2029"]) == 0
    db = storage.open_db(db_path)
    _age(db, "submissions", 10)
    capsys.readouterr()
    assert main(["purge", "--older-than", "7"]) == 0
    assert "1 submissions" in capsys.readouterr().out
    assert db["submissions"].count == 0
    assert db["claims"].count == 1
    assert main(["purge", "--older-than", "1"]) == 1
    assert "at least 2 days" in capsys.readouterr().err
