"""Database opening, pragmas, migrations and the transaction helper."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from storage import StatementInput, data_version, open_db, save_statement
from storage.db import BUSY_TIMEOUT_MS, transaction, utcnow_iso
from storage.migrations import MIGRATIONS

EXPECTED_TABLES = {"statements", "variants", "claims", "submissions", "audit_log"}


def _migration_rows(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM _sqlite_migrations ORDER BY id"))


def _schema(db: sqlite_utils.Database) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_open_db_creates_parent_directories_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "cekklaim.db"
    db = open_db(path)
    assert path.exists()
    assert set(db.table_names()) >= EXPECTED_TABLES


def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path: Path) -> None:
    db = open_db(str(tmp_path / "x.db"))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    first = open_db(path)
    rows, schema = _migration_rows(first), _schema(first)
    first.close()
    second = open_db(path)
    assert _migration_rows(second) == rows
    assert _schema(second) == schema
    assert [row["name"] for row in rows] == [m.name for m in MIGRATIONS._migrations]
    assert rows[0]["name"] == "0001_initial"
    assert MIGRATIONS.pending(second) == []


def test_memory_database_is_supported() -> None:
    db = open_db(":memory:")
    assert set(db.table_names()) >= EXPECTED_TABLES
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.execute("INSERT INTO variants (statement_id, text, created_at) VALUES (999, 'x', 'now')")
    assert db.execute("SELECT count(*) FROM variants").fetchone()[0] == 0


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO statements (external_id, org, verdict, claim, clarification, status,"
        " created_at, updated_at) VALUES ('a', 'KPU', 'HOAKS', 'c', 'k', 'deleted', 'n', 'n')",
        "INSERT INTO claims (normalized, text, first_seen, last_seen, status)"
        " VALUES ('n', 't', 'n', 'n', 'closed')",
    ],
    ids=["statement-status", "claim-status"],
)
def test_check_constraints_reject_unknown_states(tmp_path: Path, sql: str) -> None:
    db = open_db(tmp_path / "x.db")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(sql)


def test_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    with pytest.raises(RuntimeError), transaction(db):
        save_statement(db, StatementInput("kpu-1", "KPU", "HOAKS", "c", "k"), actor="t")
        raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM statements").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_nested_transaction_is_a_savepoint(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    with transaction(db):
        save_statement(db, StatementInput("kpu-1", "KPU", "HOAKS", "c1", "k"), actor="t")
        with pytest.raises(RuntimeError), transaction(db):
            save_statement(db, StatementInput("kpu-2", "KPU", "HOAKS", "c2", "k"), actor="t")
            raise RuntimeError("inner only")
    ids = [row[0] for row in db.execute("SELECT external_id FROM statements").fetchall()]
    assert ids == ["kpu-1"]


def test_data_version_is_visible_to_other_connections(tmp_path: Path) -> None:
    """The bot's connection must notice an import committed by the CLI's connection."""
    path = tmp_path / "x.db"
    bot, cli = open_db(path), open_db(path)
    before = data_version(bot)
    save_statement(cli, StatementInput("kpu-1", "KPU", "HOAKS", "c", "k"), actor="cli")
    assert data_version(bot) > before


def test_utcnow_iso_is_parseable_utc() -> None:
    stamp = datetime.fromisoformat(utcnow_iso())
    assert stamp.tzinfo is not None
    assert stamp.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 5


def test_writer_waits_for_a_concurrent_writer(tmp_path: Path) -> None:
    """A second process's write blocks on the lock (busy_timeout) instead of failing."""
    path = tmp_path / "x.db"
    holder = open_db(path)
    outcome: list[object] = []

    def second_writer() -> None:
        other = open_db(path)  # connections are per-thread
        try:
            _, action = save_statement(
                other, StatementInput("kpu-2", "KPU", "HOAKS", "c2", "k"), actor="bot"
            )
            outcome.append(action)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome.append(exc)
        finally:
            other.close()

    with transaction(holder):
        save_statement(holder, StatementInput("kpu-1", "KPU", "HOAKS", "c1", "k"), actor="cli")
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)
        assert outcome == []  # still waiting for our lock
    thread.join(timeout=10)
    assert outcome == ["create"]
    ids = {row[0] for row in holder.execute("SELECT external_id FROM statements").fetchall()}
    assert ids == {"kpu-1", "kpu-2"}


def test_parse_utc_reads_stored_times_and_refuses_others() -> None:
    from datetime import UTC, datetime

    from storage.db import parse_utc, utcnow_iso

    assert parse_utc("2024-02-14T07:00:00") == datetime(2024, 2, 14, 7, tzinfo=UTC)  # no offset
    assert parse_utc("2024-02-14T14:00:00+07:00") == datetime(2024, 2, 14, 7, tzinfo=UTC)
    stored = parse_utc(utcnow_iso())
    assert stored is not None and stored.tzinfo is not None
    assert parse_utc("kemarin") is None
