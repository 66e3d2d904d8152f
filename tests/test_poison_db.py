"""One bad update or one bad database file must not hurt the others (issue 11).

Each finding is reproduced against the real `cekklaim run` process over the fake Bot API:
a poison update is set aside while everyone else is answered (and moderators see the
count); a database the bot must not use is refused at start with one sentence; a claim
that could not be stored is never called recorded; a locked database is logged as such.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlite_utils
from dbhelpers import who
from fakebotapi import Call, FakeBotAPI

from bot.cli import EXIT_DATABASE
from bot.core import Core
from storage import open_db
from storage.db import UnusableDatabase
from storage.inbox import inbox_counts, store_batch, take_pending
from storage.migrations import MIGRATIONS

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
SECRET = "poison-secret-0123456789"
ADMIN = 7001
UNPARSABLE = {"poll_answer": {"poll_id": "1", "option_ids": [0]}}  # no user, no voter_chat


# ------------------------------------------------------------------------------ helpers


class RunningBot:
    """A real `cekklaim run` process; its stdout and stderr go to a file we can read."""

    def __init__(self, fake: FakeBotAPI, db_path: Path, **settings: str) -> None:
        self.fake = fake
        self.log_path = db_path.parent / f"run-{time.monotonic_ns()}.log"
        env = fake.process_env(db_path, SECRET, BOT_API_MAX_RATE="0", FETCH_LINKS="0", **settings)
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env, cwd=db_path.parent, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.log():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{needle!r} not logged; log:\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.log()


@contextlib.contextmanager
def running(db_path: Path, **settings: str) -> Iterator[RunningBot]:
    with FakeBotAPI() as fake:
        bot = RunningBot(fake, db_path, **settings)
        try:
            # polling has begun (the bot is past its start-up checks)
            asyncio.run(fake.wait_for("getUpdates", timeout=30))
            yield bot
        finally:
            bot.stop()
        assert fake.errors == []


def reply_to(fake: FakeBotAPI, chat_id: int, timeout: float = 20.0) -> Call:
    return asyncio.run(
        fake.wait_for(
            "sendMessage",
            lambda c: c.status == 200 and c.params.get("chat_id") == chat_id,
            timeout=timeout,
        )
    )


def replies_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [
        c.response["text"]
        for c in fake.sent("sendMessage")
        if c.status == 200 and c.params.get("chat_id") == chat_id
    ]


def cli(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CEKKLAIM_DB": str(db_path), "CEKKLAIM_SECRET": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env, cwd=db_path.parent, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def set_aside_rows(db_path: Path) -> list[tuple]:
    db = open_db(db_path)
    try:
        return db.execute(
            "SELECT update_id, kinds, reason FROM set_aside_updates ORDER BY id"
        ).fetchall()
    finally:
        db.close()


# ------------------------------------------------------------- 3. one update stops the bot


def test_a_lone_surrogate_no_longer_stops_the_bot_and_a_poison_update_is_set_aside(
    tmp_path: Path,
) -> None:
    """Before: the update with "\\ud800" could not be stored (UnicodeEncodeError), the batch
    was fetched again forever and nobody was answered. Now it is stored escaped and answered;
    an update that cannot be parsed is set aside, the next users are answered, and the
    moderators see the count in /statistik and `cekklaim stats`."""
    db_path = tmp_path / "bot.db"
    with running(db_path, MODERATOR_IDS=str(ADMIN)) as bot:
        fake = bot.fake
        fake.push_update(fake.message_update("pemilu 2024 diundur \ud800 sebarkan", user_id=6001))
        poison = fake.push_update({**UNPARSABLE})  # python-telegram-bot cannot parse it
        fake.push_update(fake.message_update(CLAIM, user_id=6002))
        assert "HOAKS" in reply_to(fake, 6002).response["text"]  # the others are answered
        assert "HOAKS" in reply_to(fake, 6001).response["text"]  # and so is the surrogate one
        fake.push_update(fake.message_update("/statistik", user_id=ADMIN))
        stats = reply_to(fake, ADMIN).response["text"]
        log = bot.stop()
    assert "Traceback" not in log and "Bot API unavailable" not in log
    assert "cannot be parsed" in log and "set aside" in log
    lines = [x for x in stats.splitlines() if "disisihkan" in x]  # /statistik: per period
    assert [x.split()[-2:] for x in lines] == [["disisihkan", "1"]] * 2  # today, 7 days
    [(update_id, kinds, reason)] = set_aside_rows(db_path)
    assert update_id == poison and kinds == "poll_answer"
    assert reason.startswith("cannot be parsed")
    db = open_db(db_path)
    assert inbox_counts(db)["pending"] == 0
    texts = [r[0] for r in db.execute("SELECT text FROM claims ORDER BY id")]
    assert texts[0] == "pemilu 2024 diundur \ufffd sebarkan"  # stored, the surrogate replaced
    db.close()
    out = cli(db_path, "stats")
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if "set aside" in x)
    assert line.split()[-2:] == ["1", "1"]


def test_storage_sets_aside_an_update_it_cannot_hold_and_stores_the_rest() -> None:
    """An update id beyond SQLite's integers (OverflowError) used to fail the whole batch."""
    fake = FakeBotAPI()  # not started: only its update builder is used
    good = fake.message_update(CLAIM)
    good["update_id"] = 5
    lone = fake.message_update("a \ud800 b")
    lone["update_id"] = 6
    db = open_db(":memory:")
    stored = store_batch(db, [{"update_id": 2**70, **UNPARSABLE}, good, lone])
    assert [(uid, reason) for uid, _, reason in stored.set_aside] == [
        (None, "cannot be stored (OverflowError)")
    ]
    assert inbox_counts(db) == {"pending": 2, "done": 0}
    pending, _ = take_pending(db)
    assert pending == [good, lone]  # read back exactly, lone surrogate included


# --------------------------------------- 4. claims silently dropped / honest apology at run


def test_a_claim_that_cannot_be_stored_is_never_called_recorded(tmp_path: Path) -> None:
    """The schema changes under the running bot (a column renamed): before, the user read
    "Klaim Anda tetap tercatat", nothing was stored and the update was marked done. Now it is
    tried again, then set aside with the reason, the user is told it was not recorded, and
    another user is still answered meanwhile."""
    db_path = tmp_path / "bot.db"
    with running(db_path) as bot:
        fake = bot.fake
        with contextlib.closing(sqlite3.connect(db_path)) as other:
            other.execute("ALTER TABLE claims RENAME COLUMN count TO asked_count")
            other.commit()
        claim = fake.push_update(fake.message_update(CLAIM, user_id=6101))
        fake.push_update(fake.message_update("/start", user_id=6102))
        reply_to(fake, 6102)  # answered while the claim waits for its next try
        apology = reply_to(fake, 6101, timeout=30).response["text"]
        with contextlib.closing(sqlite3.connect(db_path)) as other:
            other.execute("ALTER TABLE claims RENAME COLUMN asked_count TO count")
            other.commit()
        log = bot.stop()
    assert "belum tercatat" in apology and "tetap tercatat" not in apology
    assert replies_to(fake, 6101) == [apology]  # one message, after the last try
    assert "database schema differs" in log and "trying again" in log
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    assert inbox_counts(db)["pending"] == 0
    [(update_id, kinds, reason)] = set_aside_rows(db_path)
    assert update_id == claim and kinds == "message"
    assert reason.startswith("database schema differs")
    db.close()


# -------------------------------------------------- 4 and 10. refused at start, one sentence


def _unknown_migration(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('cekklaim', '0099_from_the_future', '2030-01-01')"
        )
        db.commit()


def _renamed_column(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("ALTER TABLE claims RENAME COLUMN count TO asked_count")
        db.commit()


def _corrupt_header(path: Path) -> None:
    with path.open("r+b") as fp:
        fp.write(b"this is no db!!!")


def _truncated(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _garbage_page(path: Path) -> None:
    page = 4096
    assert path.stat().st_size > 8 * page
    with path.open("r+b") as fp:
        fp.seek(5 * page)
        fp.write(bytes(range(256)) * (page // 256))


def _zero_length(path: Path) -> None:
    os.truncate(path, 0)


BAD_DATABASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "unknown-migration": (_unknown_migration, "unknown migration 0099_from_the_future"),
    "renamed-column": (_renamed_column, "table claims lacks count"),
    "corrupt-header": (_corrupt_header, "is not an SQLite database"),
    "truncated": (_truncated, "is corrupt"),
    "garbage-page": (_garbage_page, "is corrupt"),
    "zero-length": (_zero_length, "empty file that CekKlaim did not create"),
}


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good database with the starter base and some claims, closed cleanly."""
    path = tmp_path_factory.mktemp("good") / "good.db"
    core = Core.open(path, SECRET)
    for n in range(40):
        core.check(f"{CLAIM} nomor {n}", who(core, "cli"))
    core.db.close()
    return path


def _assert_refused(result: subprocess.CompletedProcess[str] | tuple[int, str], want: str) -> None:
    code, stderr = (result.returncode, result.stderr) if not isinstance(result, tuple) else result
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == EXIT_DATABASE, stderr
    assert "Traceback" not in stderr
    assert len(lines) == 1 and lines[0].startswith("cekklaim: "), stderr
    assert want in lines[0]


def _run_refused(db_path: Path) -> tuple[int, str, FakeBotAPI]:
    with FakeBotAPI() as fake:
        env = fake.process_env(db_path, SECRET)
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            env=env, cwd=db_path.parent, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    return proc.returncode, proc.stderr, fake


@pytest.mark.parametrize("case", sorted(BAD_DATABASES))
def test_a_database_it_must_not_use_is_refused_at_start(
    case: str, seeded_db: Path, tmp_path: Path
) -> None:
    damage, want = BAD_DATABASES[case]
    db_path = tmp_path / "bot.db"
    shutil.copy(seeded_db, db_path)
    damage(db_path)
    before = db_path.read_bytes()
    code, stderr, fake = _run_refused(db_path)
    _assert_refused((code, stderr), want)
    assert fake.sent("getUpdates") == []  # never started serving
    _assert_refused(cli(db_path, "stats"), want)  # the CLI commands share the check
    assert db_path.read_bytes() == before  # nothing written, nothing "repaired" or reseeded


@contextlib.contextmanager
def read_only_dir(path: Path) -> Iterator[None]:
    """`path` made read-only; as root (who ignores permissions) with the immutable flag."""
    path.chmod(0o555)
    probe = path / "probe"
    flagged = False
    try:
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            if shutil.which("chattr") is None:
                pytest.skip("cannot make a folder read-only here")
            chattr = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            flagged = chattr.returncode == 0
            if not flagged:
                pytest.skip("cannot make a folder read-only here (no chattr +i)")
        yield
    finally:
        if flagged:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o755)


def test_a_database_in_a_read_only_folder_is_refused_at_start(
    seeded_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db_path = folder / "bot.db"
    shutil.copy(seeded_db, db_path)
    with read_only_dir(folder):
        code, stderr, fake = _run_refused(db_path)
        _assert_refused((code, stderr), "read-only")
        assert fake.sent("getUpdates") == []
        _assert_refused(cli(db_path, "stats"), "read-only")
        _assert_refused(cli(folder / "new.db", "stats"), "read-only")  # nor a new one there


def test_a_new_path_is_still_created_and_seeded_and_an_empty_file_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nested" / "new.db"
    core = Core.open(path, SECRET)
    assert len(core.snapshot.statements) > 0  # seeded
    core._snapshots.wait_saved()  # the index is saved for the next start in a worker thread
    core.db.close()
    # no temporary left; the saved index beside it is meant to be there
    assert sorted(p.name for p in path.parent.iterdir()) == ["new.db", "new.db.index"]
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(UnusableDatabase, match="empty file"):
        open_db(empty)
    assert empty.stat().st_size == 0


# ---------------------------------------------------------- 12. a locked database is named


def test_a_lock_held_while_a_migration_is_due_is_refused_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old.enable_wal()
    MIGRATIONS.apply(old, stop_before=MIGRATIONS._migrations[-1].name)  # one version behind
    old.close()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(UnusableDatabase, match="is busy: another process holds its lock"):
            open_db(path)
        other.execute("ROLLBACK")
    assert MIGRATIONS.pending(open_db(path)) == []  # once free, it is brought up to date


def test_a_locked_database_is_logged_as_busy_not_as_the_bot_api(tmp_path: Path) -> None:
    """Before: another process holding the lock showed as "Bot API unavailable". Now the log
    names the database; the batch stays unconfirmed and is answered once the lock is gone."""
    db_path = tmp_path / "bot.db"
    with running(db_path) as bot:
        fake = bot.fake
        with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN EXCLUSIVE")
            fake.push_update(fake.message_update(CLAIM, user_id=6201))
            bot.wait_log("database busy")  # after the 5 s busy timeout
            other.execute("ROLLBACK")
        assert "HOAKS" in reply_to(fake, 6201, timeout=30).response["text"]
        log = bot.stop()
    assert "Bot API unavailable" not in log
    assert "inbox: could not store updates: database busy" in log
    assert replies_to(fake, 6201) == [replies_to(fake, 6201)[0]]  # answered once
