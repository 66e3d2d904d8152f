"""Close the getUpdates gap: no update is confirmed to Telegram before it is stored.

python-telegram-bot's Updater fetches a batch with getUpdates and confirms it with the
*next* getUpdates call, whether or not the handlers have run; a crash in between loses the
batch. Here the getUpdates request stores every raw update in the inbox (one SQLite
transaction per batch) before python-telegram-bot even parses it, the Application marks an
update done as soon as its handlers have finished (one small write, not synced to disk), and
at start the updates still pending are handled before new ones.

One update must never hold up the others. One that cannot be stored (say, an id SQLite
cannot hold) or parsed by python-telegram-bot is set aside at arrival: recorded by id with
the reason (`storage.inbox.set_aside`), handed on as an empty update so the offset moves
on. One whose handler fails is set aside after it; a database error there (busy, disk
full) is retried a few times in this run first, and the user is told the truth at the end
(bot/telegram/handlers.py `on_error`). A database error while storing a batch is not the
batch's fault: it is raised as `StorageUnavailable`, and the batch is fetched again.

A redelivered update (Telegram sends it again when a crash came before the confirmation)
is recognised by its update_id and not handled twice; claims are deduplicated by update_id
in storage too. The seam is python-telegram-bot's own: a `get_updates_request` and an
`application_class`, both set by `with_inbox` on the ApplicationBuilder.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from datetime import timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.telegram.faults import StorageUnavailable, bot_api_fault
from storage.db import describe_error
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
DISABLE_ENV = "CEKKLAIM_INBOX"  # "0" turns the inbox off: only for bench/crash.py's baseline
#: A handler's database error (busy past the busy timeout, disk full) is retried after these
#: delays in seconds, then the update is set aside and the user told it was not recorded.
STORAGE_RETRY_DELAYS = (1.0, 3.0)


class Inbox:
    """The bot's side of `storage.inbox`: what arrived, what is done, what to skip."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._done: list[int] = []  # done marks a failed write left for the next one
        self._skip: set[int] = set()  # redelivered copies of updates already known
        self.redoing: set[int] = set()  # taken up from the last run, not begun yet
        self._last_prune = time.monotonic()

    def arrived(self, updates: list[Any]) -> list[dict[str, Any]]:
        """Store a fetched batch (with the done marks so far) before it can be confirmed.

        Returns what python-telegram-bot gets: every update it can parse, with any lone
        surrogate replaced; one it cannot parse or that cannot be stored reduced to its id
        and set aside (with no usable id, left out). Raises `StorageUnavailable` when the
        database fails: the batch is then not confirmed and is fetched again.
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
            parsed, reason = _parsable(raw)
            if reason is not None:
                aside.append((raw["update_id"], update_kinds(raw), reason))
            ready.append(parsed)
        try:
            stored = store_batch(self.db, usable, done, aside)
        except sqlite3.Error as exc:
            self._done = done + self._done
            # a TelegramError makes the Updater retry with back-off; the batch stays unconfirmed
            cause = describe_error(exc)
            raise StorageUnavailable(f"inbox: could not store updates: {cause}") from exc
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

    def done(self, update_id: int) -> None:
        """Right after the handlers: a crash from here on does not redo the update."""
        self._done.append(update_id)
        self.flush()

    def flush(self) -> None:
        """Write the done marks (a failed write is retried with the next one, or at shutdown)."""
        done, self._done = self._done, []
        try:
            mark_done(self.db, done)
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
            parsed, reason = _parsable(raw)
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


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD (one UTF-16 unit for one, so
    entity offsets still hold). Valid JSON can carry one ("\\ud800"), and no UTF-8 encodes
    it: left in, storing the claim or sending a reply that quotes it would fail."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def _parsable(raw: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """`raw` as python-telegram-bot can take it, and None; or only its id and the reason.

    One unparsable update (say, a field a newer Bot API made required is missing) fails the
    whole getUpdates batch inside python-telegram-bot, which then fetches the same batch
    forever and answers nobody. Reduced to its id it is handled as an empty update and
    confirmed like any other, and the rest of the batch goes on. It is parsed here once more
    for that check: tens of microseconds an update.
    """
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raw = _without_lone_surrogates(raw)
    except (TypeError, ValueError):  # not JSON data at all: the parse below says why
        pass
    try:
        Update.de_json(raw, None)
    except Exception as exc:
        update_id = raw["update_id"]
        reason = f"cannot be parsed ({type(exc).__name__})"
        log.error("inbox: update %d (%s) %s; set aside", update_id, update_kinds(raw), reason)
        return {"update_id": update_id}, reason
    return raw, None


class InboxRequest(BaseRequest):
    """The getUpdates request: stores each fetched batch in the inbox before returning it.

    It wraps the transport the bot uses (aiohttp or httpx) rather than being one.
    """

    def __init__(self, inbox: Inbox, transport: BaseRequest) -> None:
        self.inbox = inbox
        self.transport = transport

    @property
    def read_timeout(self) -> float | None:
        return self.transport.read_timeout

    async def initialize(self) -> None:
        await self.transport.initialize()

    async def shutdown(self) -> None:
        await self.transport.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await self.transport.do_request(*args, **kwargs)

    async def post(  # type: ignore[override, misc]  # wraps the final post() on purpose
        self, url: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> Any:
        result = await super().post(url, request_data, **kwargs)
        if url.endswith("/getUpdates") and isinstance(result, list) and result:
            result = self.inbox.arrived(result)
        return result


class InboxApplication(Application):  # type: ignore[type-arg]
    """Handles the inbox's pending updates first, marks each update done when handled, and
    sets aside one whose handler failed (after a few tries when the database failed)."""

    def __init__(self, *, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox = inbox
        self._redo_lock = asyncio.Lock()
        self._handling: set[int] = set()  # update ids whose handlers are running
        self._tries: dict[int, int] = {}  # database failures so far, by update id
        self._retry: set[int] = set()  # failed on the database: to be tried again
        self._failed: dict[int, BaseException] = {}  # failed for good: to be set aside

    async def initialize(self) -> None:
        await super().initialize()
        pending = self.inbox.pending()
        if pending:
            log.info("inbox: handling %d updates left unhandled by the last run", len(pending))
        for raw in pending:
            update = Update.de_json(raw, self.bot)
            if update is not None:
                await self.update_queue.put(update)

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        uid = update.update_id
        if not self.inbox.begin(uid):
            return
        self._handling.add(uid)
        try:
            if uid in self.inbox.redoing:
                # One redone update at a time: a crash then counts an attempt against the one
                # in flight only, so an update that keeps killing the bot is given up after
                # MAX_ATTEMPTS, while the others cut short by unrelated kills (say, waiting
                # for the send limiter behind a burst) are not blamed. New updates go on.
                async with self._redo_lock:
                    self.inbox.redo(uid)
                    await super().process_update(update)
            else:
                await super().process_update(update)
        finally:
            self._handling.discard(uid)
        # not in a `finally`: an update cancelled mid-way stays pending and is redone at start
        if uid in self._retry:  # not done: a crash meanwhile redoes it at the next start
            self._retry.discard(uid)
            delay = STORAGE_RETRY_DELAYS[self._tries[uid] - 1]
            asyncio.get_running_loop().call_later(delay, self.update_queue.put_nowait, update)
            return
        self._tries.pop(uid, None)
        error = self._failed.pop(uid, None)
        if error is None:
            self.inbox.done(uid)
            return
        kinds = ",".join(k for k in Update.ALL_TYPES if getattr(update, k, None) is not None)
        cause = describe_error(error) if isinstance(error, sqlite3.Error) else "handler failed"
        self.inbox.set_aside(uid, kinds, f"{cause} ({type(error).__name__})")

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        """A handler failed: on the database, try the update again later (the user hears
        nothing yet); otherwise, or after the last try, it is set aside and the error
        handler apologises. Bot API faults (a blocked user, Telegram unreachable) are not
        the update's fault and go to the error handler as before."""
        uid = update.update_id if isinstance(update, Update) else None
        if uid is not None and uid in self._handling and not bot_api_fault(error):
            if isinstance(error, sqlite3.Error):
                tries = self._tries[uid] = self._tries.get(uid, 0) + 1
                if tries <= len(STORAGE_RETRY_DELAYS):
                    log.warning(
                        "update %d not handled: %s (%s); trying again in %.0f s (%d of %d)",
                        uid, describe_error(error), error, STORAGE_RETRY_DELAYS[tries - 1],
                        tries, len(STORAGE_RETRY_DELAYS),
                    )  # fmt: skip
                    self._retry.add(uid)
                    return True  # no further handlers, no error handler: it comes back
            self._failed[uid] = error
        return await super().process_error(update, error, job, coroutine)

    async def shutdown(self) -> None:
        self.inbox.flush()
        await super().shutdown()


def with_inbox(
    builder: ApplicationBuilder,  # type: ignore[type-arg]
    db: Database,
    updates: BaseRequest,
    *,
    enabled: bool = True,
) -> ApplicationBuilder:  # type: ignore[type-arg]
    """Give `builder` the inbox around the getUpdates transport `updates` (unless not
    `enabled`: CEKKLAIM_INBOX=0, the crash bench's baseline)."""
    if not enabled:
        log.warning("inbox disabled (%s=0): a crash can lose fetched updates", DISABLE_ENV)
        return builder.get_updates_request(updates)
    inbox = Inbox(db)
    return builder.get_updates_request(InboxRequest(inbox, updates)).application_class(
        InboxApplication, {"inbox": inbox}
    )


__all__ = ["Inbox", "InboxApplication", "InboxRequest", "with_inbox"]
