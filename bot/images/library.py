"""The known pictures of the served statements, followed as statements change.

    known = KnownPictures()                 # one per process (the bot's Core, the CLI)
    index = known.current(db)               # on the database's thread: one small read,
                                            # a reload only after a change
    match = await asyncio.to_thread(index.lookup, photo_bytes)   # the CPU work, off the loop

Attaching or removing a picture, and any change to a statement (retired, superseded, its
validity), logs a statement change in any process (storage.statement_changes), and the
served set also moves when a statement's validity date passes: `current` reloads when the
change log's sequence number or the date moved. A reload reads the fingerprints of the
served statements (a few hundred bytes each) in one query; bench/images_known.py prints
how long it takes.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlite_utils import Database

from bot.images.hashing import Fingerprint
from bot.images.known import KnownImages
from storage.db import today_wib
from storage.statement_changes import change_seq
from storage.statement_images import servable_fingerprints

log = logging.getLogger(__name__)


def load_known(db: Database, today: date | None = None) -> KnownImages:
    """The index over every served statement's pictures (a fingerprint this version cannot
    read is skipped and logged, never fatal)."""
    pairs = []
    for statement_id, text in servable_fingerprints(db, today):
        try:
            pairs.append((statement_id, Fingerprint.parse(text)))
        except ValueError:
            log.warning("statement %s: picture fingerprint not readable, skipped", statement_id)
    return KnownImages(pairs)


class KnownPictures:
    """The current `KnownImages` of one database, reloaded when statements changed."""

    def __init__(self) -> None:
        self._index = KnownImages([])
        self._version: tuple[int, date] | None = None

    def current(self, db: Database, today: date | None = None) -> KnownImages:
        """The index as of now: immutable, safe to use from another thread."""
        day = today or today_wib()
        version = (change_seq(db), day)
        if version != self._version:
            self._index = load_known(db, day)
            self._version = version
        return self._index
