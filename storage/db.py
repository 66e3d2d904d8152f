"""Opening the CekKlaim database and the transaction helper every write goes through.

The bot and the CLI open the same SQLite file at the same time, so every connection
gets WAL (readers never block the writer), a busy timeout (a writer waits for the
other instead of failing at once) and enforced foreign keys.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 5000
# A writer on the bot's event loop that may not wait in SQLite (`transaction(wait=False)`)
# tries again this often, and past BUSY_WAIT_SECONDS waits in SQLite as any other writer.
BUSY_RETRY_SECONDS = 0.003
BUSY_WAIT_SECONDS = 5.0
SQLITE_HEADER = b"SQLite format 3\x00"

# Indonesia's election calendar is in WIB (UTC+7, no daylight saving); a statement
# "valid until 14 Feb" must stay valid until midnight Jakarta time, not UTC.
WIB = timezone(timedelta(hours=7), "WIB")


class UnusableDatabase(Exception):
    """The database cannot be used safely; `str()` is one sentence for the operator.

    Raised by `open_db` instead of a traceback: starting on a corrupt file, a schema from a
    newer or unknown version, or someone else's file would lose or mangle what users send.
    """


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, check it and bring its schema up
    to date; raises `UnusableDatabase` when it must not be used.

    Safe to call on every start: migrations already recorded in `_sqlite_migrations`
    are skipped. Pass ":memory:" for a throwaway database. A path that does not exist
    gets a new database, built under a temporary name and moved into place complete, so
    an empty file at `path` was never made by CekKlaim and is refused, not taken as new.
    """
    if str(path) == ":memory:":
        memory = sqlite_utils.Database(memory=True)
        memory.execute("PRAGMA foreign_keys = ON")
        MIGRATIONS.apply(memory)
        return memory
    path = Path(path)
    db: sqlite_utils.Database | None = None
    try:
        if not path.exists():
            _create(path)
        _check_file(path)
        db = sqlite_utils.Database(path)
        _configure(db)
        _check_contents(db, path)
        MIGRATIONS.apply(db)
        _check_schema(db, path)
    except UnusableDatabase:
        _close(db)
        raise
    except (sqlite3.Error, OSError) as exc:
        _close(db)
        raise UnusableDatabase(explain_open_error(exc, path)) from exc
    return db


def database_file(db: sqlite_utils.Database) -> str | None:
    """The file behind `db`'s main schema; None for an in-memory database."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or None


def connect(path: str | Path, *, autocheckpoint: bool = True) -> sqlite_utils.Database:
    """One more connection to a database `open_db` opened and checked, set up as every
    connection is (`autocheckpoint=False`: its commits leave checkpoints to another
    connection, storage/checkpoints.py)."""
    db = sqlite_utils.Database(path)
    try:
        _configure(db)
        if not autocheckpoint:
            db.execute("PRAGMA wal_autocheckpoint = 0")
    except BaseException:
        db.close()
        raise
    return db


def _configure(db: sqlite_utils.Database) -> None:
    # busy_timeout first, so switching to WAL waits for a concurrent writer.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    # FULL: a claim the bot acknowledged must survive a power loss too; writes are
    # one per message, so the extra fsync costs nothing users notice.
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")


def _create(path: Path) -> None:
    """A new database, complete (WAL, every migration) before it appears at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.new-{os.getpid()}")
    for leftover in (building, *_sidecars(building)):
        leftover.unlink(missing_ok=True)
    db = sqlite_utils.Database(building)
    try:
        _configure(db)
        MIGRATIONS.apply(db)
    finally:
        db.close()  # the last connection checkpoints and removes -wal and -shm
    try:
        os.link(building, path)  # never replaces a database another process just made
    except FileExistsError:
        pass
    finally:
        building.unlink(missing_ok=True)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _check_file(path: Path) -> None:
    """Refuse an empty file or one that is not SQLite, before SQLite touches it."""
    if path.is_dir():
        raise UnusableDatabase(f"{path} is a folder, not a database file")
    with path.open("rb") as fp:
        header = fp.read(len(SQLITE_HEADER))
    if not header:
        raise UnusableDatabase(
            f"{path} is an empty file that CekKlaim did not create (it builds new databases "
            "complete); remove it, or set CEKKLAIM_DB to a path that does not exist yet"
        )
    if header != SQLITE_HEADER:
        raise UnusableDatabase(
            f"{path} is not an SQLite database (its header is damaged or it is another kind "
            "of file); restore it from a backup (cekklaim backup makes one)"
        )


def _check_contents(db: sqlite_utils.Database, path: Path) -> None:
    """Corrupt pages, someone else's database, or a schema from a newer CekKlaim."""
    problems = [" ".join(row[0].split()) for row in db.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise UnusableDatabase(
            f"{path} is corrupt (quick_check: {'; '.join(problems)[:200]}); restore it "
            "from a backup (cekklaim backup makes one)"
        )
    tables = set(db.table_names())
    if MIGRATIONS.migrations_table not in tables:
        if tables:
            raise UnusableDatabase(
                f"{path} is another application's database (tables "
                f"{', '.join(sorted(tables)[:5])}; no CekKlaim migrations): not touching it"
            )
        return
    known = {m.name for m in MIGRATIONS._migrations}
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        raise UnusableDatabase(
            f"{path} was written by a newer or different CekKlaim (unknown migration "
            f"{', '.join(unknown)}); upgrade CekKlaim or restore a backup made by this version"
        )


@functools.cache
def _expected_columns() -> dict[str, frozenset[str]]:
    """Every table and its columns as the migrations make them (built once in memory)."""
    ref = sqlite_utils.Database(memory=True)
    MIGRATIONS.apply(ref)
    return {name: frozenset(ref[name].columns_dict) for name in ref.table_names()}


def _check_schema(db: sqlite_utils.Database, path: Path) -> None:
    """After the migrations: every table and column this version uses is there."""
    for table, expected in _expected_columns().items():
        have = set(db[table].columns_dict) if db[table].exists() else set()
        missing = sorted(expected - have)
        if missing:
            what = f"table {table}" if not have else f"table {table} lacks {', '.join(missing)}"
            raise UnusableDatabase(
                f"{path} has a schema this CekKlaim does not know ({what}, though every "
                "migration is recorded as applied): it was changed by hand or by another "
                "version; restore a backup"
            )


def _close(db: sqlite_utils.Database | None) -> None:
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def describe_error(exc: BaseException) -> str:
    """The cause of a storage failure in a few words, for logs: busy, read-only, corrupt..."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return "database busy: another process holds its lock"
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return "database not writable (the file or its folder is read-only)"
    if "malformed" in message or "not a database" in message or "corrupt" in message:
        return "database corrupt"
    if "no such column" in message or "no such table" in message or "has no column" in message:
        return "database schema differs from this version"
    if "disk" in message or "full" in message or "i/o" in message:
        return "database disk error or disk full"
    if isinstance(exc, sqlite3.Error):
        return "database error"
    return f"cannot store ({type(exc).__name__})"


def explain_open_error(exc: BaseException, path: Path) -> str:
    """One sentence for an operator whose database could not be opened."""
    cause = describe_error(exc)
    if cause.startswith("database busy"):
        return (
            f"{path} is busy: another process holds its lock (a second bot, a backup, an "
            "sqlite3 shell?); stop it or try again"
        )
    if cause.startswith("database not writable") or isinstance(exc, PermissionError):
        return (
            f"cannot open {path} for writing: the file or its folder is read-only or not "
            f"accessible (SQLite also creates {path.name}-wal and {path.name}-shm beside it)"
        )
    if cause == "database schema differs from this version":
        return (
            f"{path}: its schema cannot be brought up to date ({exc}); it differs from what "
            "this CekKlaim expects: restore a backup or use a newer CekKlaim"
        )
    if cause == "database corrupt":
        return f"{path} is corrupt ({exc}); restore it from a backup (cekklaim backup makes one)"
    if isinstance(exc, OSError):
        return f"cannot open {path}: {exc.strerror or exc}"
    return f"cannot open {path}: {cause} ({exc})"


class Busy(sqlite3.OperationalError):
    """Another connection holds the write lock, and the caller chose not to wait for it."""


@contextmanager
def transaction(db: sqlite_utils.Database, *, wait: bool = True) -> Iterator[sqlite_utils.Database]:
    """Run a block of writes atomically; nested calls become savepoints.

    Outermost blocks use BEGIN IMMEDIATE rather than `db.atomic()`'s deferred BEGIN:
    a deferred transaction that reads first and writes later fails with SQLITE_BUSY
    (ignoring busy_timeout) if another process committed in between, which is
    exactly what happens when the CLI imports while the bot records claims.

    `wait=False`: raise `Busy` at once, nothing done, if another connection holds the
    write lock, rather than wait up to BUSY_TIMEOUT_MS in SQLite (where the bot's event
    loop would stand still: `bot.core.GroupCommit` tries again later instead).
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    if wait:
        db.conn.execute("BEGIN IMMEDIATE")
    else:
        _begin_now(db.conn)
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def _begin_now(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE with no wait for the write lock (`Busy` when another holds it)."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            raise Busy(str(exc)) from exc
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def parse_utc(iso: str) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (text without an offset is UTC, as
    `utcnow_iso` writes it); None when it is not one."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utcnow_iso() -> str:
    """Current UTC time as ISO 8601 text; millisecond precision keeps ordering by time
    meaningful for rows written in the same second."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def today_wib() -> date:
    """Today's date in Jakarta, the default for validity checks."""
    return datetime.now(WIB).date()


def as_utc(now: datetime | None) -> datetime:
    """An aware UTC datetime; None means now, and a naive value is taken to be UTC."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def iso_bound(moment: datetime | str) -> str:
    """A time bound comparable, as text, with timestamps written by `utcnow_iso` (accepts any
    ISO 8601 text or datetime)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment).isoformat(timespec="milliseconds")
