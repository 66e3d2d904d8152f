"""`<db>.lock`: the mark that a `cekklaim run` holds a database.

`cekklaim run` takes an exclusive, non-blocking `flock` on `<db>.lock` and keeps it while it
runs; the kernel drops it when the process ends, however it ends, so a stale file never
blocks anything. `cekklaim restore` takes the same lock before it replaces a database, so a
restore onto a running bot (or a second bot on one database) is refused.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DatabaseInUse(RuntimeError):
    """Another process holds the database's run lock."""


def lock_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class RunLock:
    """The exclusive lock on `<db>.lock`; release() or process exit lets it go."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_file_for(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(
                f"{db_path} is in use by a running cekklaim (lock {self.path} is held); "
                "stop it first"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_held(db_path: Path) -> bool:
    """Whether a running `cekklaim run` holds `db_path` (for a health check)."""
    try:
        fd = os.open(lock_file_for(db_path), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock this took
    return False
