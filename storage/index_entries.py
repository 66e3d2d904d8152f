"""What the matcher read of each statement text, kept by a key of that text (migration 0013).

Storage only keeps bytes under keys: what they hold and how a key is made belong to the
matcher (bot/matcher/packed.py). Written by `cekklaim import` before the statements
themselves, so a bot that notices the import finds them; read by the bot's index builds.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable

from sqlite_utils import Database

from storage.db import transaction
from storage.transfer import YIELD_SECONDS

_CHUNK = 500  # SQLite's limit on bound parameters is higher; this keeps statements short


def save_index_terms(
    db: Database, entries: Iterable[tuple[str, bytes]], *, lock_seconds: float | None = None
) -> int:
    """Keep `(key, terms)` entries (a key already kept keeps its bytes); returns how many
    were given. With `lock_seconds`, committed in transactions that hold the write lock
    about that long, as `import_statements` does, so a running bot records claims between."""
    pending = iter(entries)
    given = 0
    while True:
        started = time.monotonic()
        with transaction(db):
            for key, terms in pending:
                db.execute(
                    "INSERT OR IGNORE INTO index_terms (key, terms) VALUES (?, ?)", [key, terms]
                )
                given += 1
                if lock_seconds is not None and time.monotonic() - started >= lock_seconds:
                    break
            else:
                return given
        time.sleep(YIELD_SECONDS)


#: Keys past which `index_terms` reads the whole table rather than looking each one up (at
#: 100,000 statements: 0.7 s instead of 1.9 s)
SCAN_FROM = 5_000


def index_terms(db: Database, keys: Collection[str]) -> dict[str, bytes]:
    """The entries kept under `keys` (those there are)."""
    if len(keys) >= SCAN_FROM:
        wanted_set = set(keys)
        return {
            key: bytes(terms)
            for key, terms in db.execute("SELECT key, terms FROM index_terms")
            if key in wanted_set
        }
    wanted = sorted(set(keys))
    found: dict[str, bytes] = {}
    for at in range(0, len(wanted), _CHUNK):
        chunk = wanted[at : at + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for key, terms in db.execute(
            f"SELECT key, terms FROM index_terms WHERE key IN ({marks})", chunk
        ):
            found[key] = bytes(terms)
    return found


def index_terms_keys(db: Database, among: Collection[str] | None = None) -> set[str]:
    """Every key kept, or those of `among` that are."""
    if among is None:
        return {key for (key,) in db.execute("SELECT key FROM index_terms")}
    wanted = sorted(set(among))
    found: set[str] = set()
    for at in range(0, len(wanted), _CHUNK):
        chunk = wanted[at : at + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(
            key
            for (key,) in db.execute(f"SELECT key FROM index_terms WHERE key IN ({marks})", chunk)
        )
    return found


def prune_index_terms(db: Database, keep: Collection[str]) -> int:
    """Forget every entry whose key is not in `keep`; returns how many."""
    gone = sorted(index_terms_keys(db) - set(keep))
    with transaction(db):
        for at in range(0, len(gone), _CHUNK):
            chunk = gone[at : at + _CHUNK]
            db.execute(
                f"DELETE FROM index_terms WHERE key IN ({', '.join('?' * len(chunk))})", chunk
            )
    return len(gone)
