"""`cekklaim backup` carries the database, its secret and a checked manifest; `cekklaim
restore` checks them, refuses a database a running bot holds, and brings back every
pseudonym (so every citizen's earlier buttons keep working)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from dbhelpers import who

from bot import citizens
from bot.cli import main
from bot.core import Core
from bot.runlock import RunLock
from bot.settings import SETTING_NAMES, load_settings

USER = 424242


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)


def _live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A database in old/ with a claim asked by USER; returns it and USER's pseudonym."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "old" / "bot.db"
    settings = load_settings(db_path=db)
    core = Core.open(db, settings.secret)
    core.check("pemilu 2024 diundur jadi tahun depan", who(core, "private", user_id=USER))
    pseudonym = core.pseudonym(USER)
    core.close()
    assert pseudonym is not None
    return db, pseudonym


def test_backup_then_restore_on_a_fresh_layout_keeps_every_pseudonym(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, pseudonym = _live(tmp_path, monkeypatch)
    assert main(["backup", "--db", str(db), "backups/b1.db"]) == 0
    out = capsys.readouterr().out
    assert "checksums verified" in out
    manifest = json.loads((tmp_path / "backups" / "b1.db.manifest.json").read_text())
    assert set(manifest["files"]) == {"database", "secret"}
    assert pseudonym not in json.dumps(manifest)
    secret = (tmp_path / "old" / "bot.db.secret").read_text().strip()
    assert secret not in json.dumps(manifest)

    # a fresh machine: another directory, another path, only the backup folder copied over
    machine = tmp_path / "machine"
    (machine / "srv").mkdir(parents=True)
    monkeypatch.chdir(machine)
    restored = machine / "srv" / "cekklaim.db"
    assert main(["restore", str(tmp_path / "backups" / "b1.db"), "--db", "srv/cekklaim.db"]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "checksums and integrity ok" in out
    assert stat.S_IMODE(os.stat(restored.with_name("cekklaim.db.secret")).st_mode) == 0o600
    monkeypatch.chdir(tmp_path)  # and used from yet another directory
    settings = load_settings(db_path=restored)
    core = Core.open(restored, settings.secret)
    assert core.pseudonym(USER) == pseudonym
    stored = [r["user_hash"] for r in core.db.query("SELECT user_hash FROM submissions")]
    assert pseudonym in stored
    # the asker's earlier button under that answer still works ("Kabari saya"); a press
    # by anyone else is refused as before
    (claim_id,) = core.db.execute("SELECT claim_id FROM submissions").fetchone()
    pressed = citizens.press(
        core, citizens.Action.NOTIFY, claim_id, None, core.pseudonym(USER) or "",
        chat_id=USER, language="id",
    )  # fmt: skip
    assert pressed.note == "ack_notify"
    stranger = citizens.press(
        core, citizens.Action.NOTIFY, claim_id, None, core.pseudonym(USER + 1) or "",
        chat_id=USER + 1, language="id",
    )  # fmt: skip
    assert stranger is citizens.STALE
    core.close()


def test_restore_refuses_a_database_a_running_bot_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _live(tmp_path, monkeypatch)
    assert main(["backup", "--db", str(db), "b1.db"]) == 0
    before = db.read_bytes()
    with RunLock(db):  # what `cekklaim run` holds while it runs
        assert main(["restore", "b1.db", "--db", str(db)]) == 1
        assert "in use by a running cekklaim" in capsys.readouterr().err
        assert main(["run", "--db", str(db)]) == 1  # nor does a second bot start
    assert db.read_bytes() == before
    # stopped: the restore goes ahead, keeping what was there aside
    assert main(["restore", "b1.db", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "kept what was there as" in out
    assert list(db.parent.glob("bot.db.before-restore-*"))


def test_run_releases_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _live(tmp_path, monkeypatch)
    assert main(["run", "--db", str(db)]) == 2  # no token: stops at once
    with RunLock(db):
        pass


@pytest.mark.parametrize("damage", ["database", "secret", "manifest", "wrong-key"])
def test_restore_refuses_a_damaged_backup(
    damage: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, _ = _live(tmp_path, monkeypatch)
    assert main(["backup", "--db", str(db), "b1.db"]) == 0
    if damage == "database":
        with open("b1.db", "r+b") as fh:
            fh.seek(5000)
            fh.write(b"\x00garbage\x00")
    elif damage == "secret":
        Path("b1.db.secret").write_text("another-secret-of-enough-length-000\n")
    elif damage == "manifest":
        Path("b1.db.manifest.json").unlink()
    else:
        monkeypatch.setenv("CEKKLAIM_SECRET", "another-secret-of-enough-length-000")
    capsys.readouterr()
    target = tmp_path / "new" / "bot.db"
    assert main(["restore", "b1.db", "--db", str(target)]) == 1
    assert "nothing was restored" in capsys.readouterr().err
    assert not target.exists() and not target.with_name("bot.db.secret").exists()


def test_a_backup_keyed_by_cekklaim_secret_needs_the_same_one_to_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "operator-kept-secret-0123456789"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CEKKLAIM_SECRET", key)
    assert main(["check", "--db", "live.db", "pemilu diundur"]) == 0
    assert main(["backup", "--db", "live.db", "b1.db"]) == 0
    assert "CEKKLAIM_SECRET, not copied" in capsys.readouterr().err
    assert not Path("b1.db.secret").exists()
    monkeypatch.delenv("CEKKLAIM_SECRET")
    assert main(["restore", "b1.db", "--db", "restored.db"]) == 1
    assert "set the same CEKKLAIM_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("CEKKLAIM_SECRET", key)
    assert main(["restore", "b1.db", "--db", "restored.db"]) == 0
    assert "secret CEKKLAIM_SECRET (unchanged)" in capsys.readouterr().out
    assert not Path("restored.db.secret").exists()


def test_restore_onto_the_backup_itself_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _live(tmp_path, monkeypatch)
    assert main(["backup", "--db", str(db), "b1.db"]) == 0
    before = Path("b1.db").read_bytes()
    assert main(["restore", "b1.db", "--db", "b1.db"]) == 1
    assert "give another --db" in capsys.readouterr().err
    assert Path("b1.db").read_bytes() == before
    assert not list(tmp_path.glob("b1.db.before-restore-*"))
