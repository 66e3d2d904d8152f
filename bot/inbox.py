"""The durable inbox's decisions, Telegram-free: what is stored, redone, done or set aside.

Long polling confirms a batch of updates with the *next* getUpdates call, whether or not the
handlers have run; a crash in between would lose the batch. So every fetched update is stored
(one SQLite transaction per batch, `storage.inbox`) before anything parses it, marked done as
soon as its handlers have finished (one small write, not synced to disk), and the updates
still pending at start are handled before new ones.

One update must never hold up the others. One that cannot be stored (say, an id SQLite
cannot hold) or parsed is set aside at arrival: recorded by id with the reason, handed on as
an empty update so the offset moves on. One whose handler fails is set aside after it; a
database error there (busy, disk full) is retried a few times in this run first. A database
error while storing a batch is not the batch's fault: it raises `InboxUnavailable`, and the
batch is fetched again. A redelivered update (Telegram sends it again when a crash came
before the confirmation) is recognised by its update_id and not handled twice.

Raw updates are plain dicts here; whether Telegram's library can parse one is a check the
adapter passes in (bot/botapi/inbox.py, which also wires all this into
python-telegram-bot).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlite_utils import Database

from storage.db import BUSY_RETRY_SECONDS, BUSY_WAIT_SECONDS, Busy, describe_error
from storage.inbox import (
    MAX_AGE,
    MAX_ATTEMPTS,
    count_attempt,
    mark_done,
    prune_inbox,
    set_aside,
    store_batch,
    take_pending,
    update_kinds,
)

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 600.0
KEEP_DONE = timedelta(hours=1)  # done rows kept this long, so a redelivery is recognised
#: A handler's database error (busy past the busy timeout, disk full) is retried after these
#: delays in seconds, then the update is set aside and the user told it was not recorded.
STORAGE_RETRY_DELAYS = (1.0, 3.0)

#: Raises on a raw update the bot's Telegram library cannot parse.
Check = Callable[[dict[str, Any]], object]


class InboxUnavailable(Exception):
    """A fetched batch could not be stored because of the database: leave it unconfirmed."""


class InboxBusy(InboxUnavailable):
    """Another connection holds the write lock (`arrived(wait=False)`): try again shortly."""


class Inbox:
    """What arrived, what is done, what to skip, and what a failed handler's update gets."""

    def __init__(self, db: Database, check: Check) -> None:
        self.db = db
        self.check = check
        self._done: list[int] = []  # done marks a failed write left for the next one
        self._skip: set[int] = set()  # redelivered copies of updates already known
        self.redoing: set[int] = set()  # taken up from the last run, not begun yet
        self._last_prune = time.monotonic()
        self._tries: dict[int, int] = {}  # database failures so far, by update id
        self._failed: dict[int, BaseException] = {}  # failed for good: to be set aside

    def arrived(self, updates: list[Any], *, wait: bool = True) -> list[dict[str, Any]]:
        """Store a fetched batch (with the done marks so far) before it can be confirmed.

        Returns what the library gets: every update it can parse, with any lone surrogate
        replaced; one it cannot parse or that cannot be stored reduced to its id and set
        aside (with no usable id, left out). Raises `InboxUnavailable` when the database
        fails: the batch is then not confirmed and is fetched again; `InboxBusy` with
        `wait=False` when another connection holds the write lock (nothing done).
        """
        done, self._done = self._done, []
        aside: list[tuple[int | None, str, str]] = []
        usable: list[dict[str, Any]] = []
        ready: list[dict[str, Any]] = []
        for raw in updates:
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                aside.append((None, update_kinds(raw), "no update_id"))
                log.error("inbox: an update without an id (%s) was set aside", update_kinds(raw))
                continue
            usable.append(raw)
            parsed, reason = self._parsable(raw)
            if reason is not None:
                aside.append((raw["update_id"], update_kinds(raw), reason))
            ready.append(parsed)
        try:
            stored = store_batch(self.db, usable, done, aside, wait=wait)
        except sqlite3.Error as exc:
            self._done = done + self._done
            if isinstance(exc, Busy):
                raise InboxBusy("inbox: another connection is writing") from exc
            cause = describe_error(exc)
            raise InboxUnavailable(f"inbox: could not store updates: {cause}") from exc
        for uid, kinds, reason in stored.set_aside:
            log.error("inbox: update %s (%s) %s; set aside", uid, kinds, reason)
        not_stored = {uid for uid, _, _ in stored.set_aside}
        ready = [
            {"update_id": u["update_id"]} if u["update_id"] in not_stored else u for u in ready
        ]
        self._skip |= stored.known
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            pruned = prune_inbox(self.db, KEEP_DONE)
            log.debug("inbox: pruned %d done updates", pruned)
        return ready

    async def arrived_async(self, updates: list[Any]) -> list[dict[str, Any]]:
        """`arrived` on the event loop: while another process holds the write lock (an
        import), the batch waits here with the loop free, not in SQLite, until
        BUSY_WAIT_SECONDS have passed (then in SQLite, as any writer)."""
        since = time.monotonic()
        while True:
            try:
                waited = time.monotonic() - since >= BUSY_WAIT_SECONDS
                return self.arrived(updates, wait=waited)
            except InboxBusy:
                await asyncio.sleep(BUSY_RETRY_SECONDS)

    def begin(self, update_id: int) -> bool:
        """False for a redelivered copy of an update already handled or being handled."""
        if update_id in self._skip:
            self._skip.discard(update_id)
            log.info("inbox: update %d was redelivered; handled once already", update_id)
            return False
        return True

    def redo(self, update_id: int) -> bool:
        """True for an update taken up from the last run; counts the attempt (call it when
        the update is about to be handled, one such update at a time)."""
        if update_id not in self.redoing:
            return False
        self.redoing.discard(update_id)
        count_attempt(self.db, update_id)
        return True

    def failed(self, update_id: int, error: BaseException) -> float | None:
        """A handler of `update_id` raised `error`: the seconds to wait before handling it
        again (a database error with tries left: the user hears nothing yet), or None when
        it is to be set aside once its handlers are through."""
        if isinstance(error, sqlite3.Error):
            tries = self._tries[update_id] = self._tries.get(update_id, 0) + 1
            if tries <= len(STORAGE_RETRY_DELAYS):
                delay = STORAGE_RETRY_DELAYS[tries - 1]
                log.warning(
                    "update %d not handled: %s (%s); trying again in %.0f s (%d of %d)",
                    update_id, describe_error(error), error, delay,
                    tries, len(STORAGE_RETRY_DELAYS),
                )  # fmt: skip
                return delay
        self._failed[update_id] = error
        return None

    def finished(self, update_id: int, kinds: Callable[[], str]) -> None:
        """Its handlers are through and it is not to be retried: done, or set aside with the
        cause of its failure (`kinds` says what it held, asked only then)."""
        self._tries.pop(update_id, None)
        error = self._failed.pop(update_id, None)
        if error is None:
            self.done(update_id)
            return
        cause = describe_error(error) if isinstance(error, sqlite3.Error) else "handler failed"
        self.set_aside(update_id, kinds(), f"{cause} ({type(error).__name__})")

    def done(self, update_id: int) -> None:
        """Right after the handlers: a crash from here on does not redo the update."""
        self._done.append(update_id)
        self.flush()

    def flush(self, *, wait: bool = False) -> None:
        """Write the done marks (a failed write is retried with the next one, or at shutdown;
        so is one that would wait for another connection's write lock, unless `wait`: at
        shutdown, where a lost mark would answer its update again at the next start)."""
        done, self._done = self._done, []
        try:
            mark_done(self.db, done, wait=wait)
        except Busy:
            self._done = done + self._done
        except Exception:  # the next batch or flush tries again; worst case a redo at start
            self._done = done + self._done
            log.exception("inbox: could not mark updates done")

    def pending(self) -> list[dict[str, Any]]:
        """The updates left unhandled by the last run, ready to parse (the rest set aside)."""
        pending, given_up = take_pending(self.db)
        for update_id in given_up:
            log.error(
                "inbox: gave up update %d: redone %d times without finishing, or older than %s",
                update_id, MAX_ATTEMPTS, MAX_AGE,
            )  # fmt: skip
        ready, aside = [], []
        for raw in pending:
            parsed, reason = self._parsable(raw)
            if reason is None:
                ready.append(parsed)
            else:
                aside.append((int(raw["update_id"]), update_kinds(raw), reason))
        set_aside(self.db, aside)
        self.redoing |= {int(u["update_id"]) for u in ready}
        return ready

    def set_aside(self, update_id: int, kinds: str, reason: str) -> None:
        """An update whose handling failed: recorded, and not taken up again. If even that
        write fails (the database is down), it stays pending and is redone at next start."""
        log.error("inbox: update %d (%s) %s; set aside", update_id, kinds, reason)
        try:
            set_aside(self.db, [(update_id, kinds, reason)])
        except Exception:
            log.exception("inbox: could not set update %d aside; it stays pending", update_id)

    def _parsable(self, raw: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """`raw` as the library can take it, and None; or only its id and the reason.

        One unparsable update (say, a field a newer Bot API made required is missing) fails
        the whole getUpdates batch inside python-telegram-bot, which then fetches the same
        batch forever and answers nobody. Reduced to its id it is handled as an empty update
        and confirmed like any other, and the rest of the batch goes on. It is parsed here
        once more for that check: tens of microseconds an update.
        """
        raw = without_lone_surrogates(raw)
        try:
            self.check(raw)
        except Exception as exc:
            update_id = raw["update_id"]
            reason = f"cannot be parsed ({type(exc).__name__})"
            log.error("inbox: update %d (%s) %s; set aside", update_id, update_kinds(raw), reason)
            return {"update_id": update_id}, reason
        return raw, None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` itself, or a copy with every lone surrogate replaced by U+FFFD (one UTF-16 unit
    for one, so entity offsets still hold). Valid JSON can carry one ("\\ud800"), and no
    UTF-8 encodes it: left in, storing the claim or sending a reply that quotes it would
    fail."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        replaced: dict[str, Any] = _replaced(raw)
        return replaced
    except (TypeError, ValueError):  # not JSON data at all: the parse check says why
        pass
    return raw


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v) for v in value]
    return value


__all__ = [
    "KEEP_DONE",
    "PRUNE_EVERY_SECONDS",
    "STORAGE_RETRY_DELAYS",
    "Check",
    "Inbox",
    "InboxUnavailable",
    "without_lone_surrogates",
]
