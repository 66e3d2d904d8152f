"""The pseudonym secret lives beside the database it protects, whatever the directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SETTING_NAMES


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)


def _check(db: str) -> int:
    return main(["check", "--no-record", "--db", db, "pemilu diundur"])


def test_db_flag_keeps_the_secret_beside_the_database_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    db = tmp_path / "data" / "bot.db"
    monkeypatch.chdir(tmp_path / "a")
    assert _check(str(db)) == 0
    secret_file = tmp_path / "data" / "bot.db.secret"
    first = secret_file.read_text()
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert not (tmp_path / "a" / "cekklaim.db.secret").exists()
    monkeypatch.chdir(tmp_path / "b")
    assert _check(os.path.relpath(db)) == 0
    assert secret_file.read_text() == first
    assert not list((tmp_path / "b").iterdir())
    # CEKKLAIM_DB from the environment goes the same way
    monkeypatch.setenv("CEKKLAIM_DB", str(db))
    assert main(["check", "--no-record", "pemilu diundur"]) == 0
    assert secret_file.read_text() == first
    assert "secret" not in capsys.readouterr().err


def test_old_secret_in_the_working_directory_is_moved_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "data" / "bot.db"
    assert _check(str(db)) == 0
    # the layout the old code left: the secret in ./cekklaim.db.secret, none beside bot.db
    old = tmp_path / "cekklaim.db.secret"
    (tmp_path / "data" / "bot.db.secret").rename(old)
    value = old.read_text()
    capsys.readouterr()
    assert _check("data/bot.db") == 0
    err = capsys.readouterr().err
    assert "moved from" in err and str(old) in err and value.strip() not in err
    assert not old.exists()
    assert (tmp_path / "data" / "bot.db.secret").read_text() == value
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "bot.db.secret").st_mode) == 0o600
    assert _check("data/bot.db") == 0
    assert capsys.readouterr().err == ""


def test_old_secret_still_used_by_its_own_database_is_copied_not_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-record", "pemilu diundur"]) == 0  # ./cekklaim.db + secret
    old = tmp_path / "cekklaim.db.secret"
    value = old.read_text()
    assert _check("other.db") == 0
    (tmp_path / "other.db.secret").unlink()  # as the old code left it
    capsys.readouterr()
    assert _check("other.db") == 0
    assert "copied from" in capsys.readouterr().err
    assert old.read_text() == value == (tmp_path / "other.db.secret").read_text()


def test_existing_secret_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _check("data/bot.db") == 0
    mine = (tmp_path / "data" / "bot.db.secret").read_text()
    (tmp_path / "cekklaim.db.secret").write_text("x" * 40 + "\n")
    assert _check("data/bot.db") == 0
    assert (tmp_path / "data" / "bot.db.secret").read_text() == mine
    assert (tmp_path / "cekklaim.db.secret").exists()


def test_a_new_database_gets_its_own_secret_not_an_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cekklaim.db.secret").write_text("y" * 40 + "\n")
    assert _check("fresh.db") == 0
    assert (tmp_path / "fresh.db.secret").read_text() != "y" * 40 + "\n"
    assert (tmp_path / "cekklaim.db.secret").exists()


def test_a_set_cekklaim_secret_that_shadows_the_file_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _check("bot.db") == 0  # bot.db.secret generated
    monkeypatch.setenv("CEKKLAIM_SECRET", "a-different-key-0123456789")
    capsys.readouterr()
    assert _check("bot.db") == 0
    err = capsys.readouterr().err
    assert "CEKKLAIM_SECRET is set and is not the key in" in err
    assert "a-different-key" not in err
    monkeypatch.setenv("CEKKLAIM_SECRET", (tmp_path / "bot.db.secret").read_text().strip())
    assert _check("bot.db") == 0
    assert capsys.readouterr().err == ""
