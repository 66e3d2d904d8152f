"""Close the getUpdates gap: no update is confirmed to Telegram before it is stored.

python-telegram-bot's Updater fetches a batch with getUpdates and confirms it with the
*next* getUpdates call, whether or not the handlers have run; a crash in between loses the
batch. Here the getUpdates request stores every raw update in the inbox (one SQLite
transaction per batch) before python-telegram-bot even parses it, the Application marks an
update done as soon as its handlers have finished (one small write, not synced to disk), and
at start the updates still pending are handled before new ones.

A redelivered update (Telegram sends it again when a crash came before the confirmation)
is recognised by its update_id and not handled twice; claims are deduplicated by update_id
in storage too. The seam is python-telegram-bot's own: a `get_updates_request` and an
`application_class`, both set by `with_inbox` on the ApplicationBuilder.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from storage.inbox import (
    MAX_AGE,
    MAX_ATTEMPTS,
    count_attempt,
    mark_done,
    prune_inbox,
    store_batch,
    take_pending,
)

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 600.0
KEEP_DONE = timedelta(hours=1)  # done rows kept this long, so a redelivery is recognised
DISABLE_ENV = "CEKKLAIM_INBOX"  # "0" turns the inbox off: only for bench/crash.py's baseline


class Inbox:
    """The bot's side of `storage.inbox`: what arrived, what is done, what to skip."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._done: list[int] = []  # done marks a failed write left for the next one
        self._skip: set[int] = set()  # redelivered copies of updates already known
        self.redoing: set[int] = set()  # taken up from the last run, not begun yet
        self._last_prune = time.monotonic()

    def arrived(self, updates: list[dict[str, Any]]) -> None:
        """Store a fetched batch (with the done marks so far) before it can be confirmed."""
        done, self._done = self._done, []
        try:
            known = store_batch(self.db, updates, done)
        except Exception as exc:
            self._done = done + self._done
            # a TelegramError makes the Updater retry with back-off; the batch stays unconfirmed
            raise NetworkError(f"inbox: could not store updates ({type(exc).__name__})") from exc
        self._skip |= known
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            pruned = prune_inbox(self.db, KEEP_DONE)
            log.debug("inbox: pruned %d done updates", pruned)

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
        pending, given_up = take_pending(self.db)
        for update_id in given_up:
            log.error(
                "inbox: gave up update %d: redone %d times without finishing, or older than %s",
                update_id, MAX_ATTEMPTS, MAX_AGE,
            )  # fmt: skip
        self.redoing |= {int(u["update_id"]) for u in pending}
        return pending


def _parsable(raw: Any) -> Any:
    """`raw`, or only its update_id when python-telegram-bot cannot parse it.

    One such update (say, a field a newer Bot API made required is missing) fails the whole
    getUpdates batch inside python-telegram-bot, which then fetches the same batch forever and
    answers nobody. Reduced to its id it is handled as an empty update, marked done and
    confirmed like any other, and the rest of the batch goes on. It is parsed here once more
    for that check: tens of microseconds an update.
    """
    try:
        Update.de_json(raw, None)
    except Exception as exc:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            raise
        kinds = ",".join(sorted(k for k in raw if k != "update_id"))
        log.error(
            "inbox: update %d (%s) cannot be parsed (%s); skipped",
            update_id, kinds[:80], type(exc).__name__,
        )  # fmt: skip
        return {"update_id": update_id}
    return raw


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

    async def post(  # type: ignore[override]
        self, url: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> Any:
        result = await super().post(url, request_data, **kwargs)
        if url.endswith("/getUpdates") and isinstance(result, list) and result:
            self.inbox.arrived(result)
            result = [_parsable(raw) for raw in result]
        return result


class InboxApplication(Application):  # type: ignore[type-arg]
    """Handles the inbox's pending updates first, and marks each update done when handled."""

    def __init__(self, *, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox = inbox
        self._redo_lock = asyncio.Lock()

    async def initialize(self) -> None:
        await super().initialize()
        pending = self.inbox.pending()
        if pending:
            log.info("inbox: handling %d updates left unhandled by the last run", len(pending))
        for raw in pending:
            update = Update.de_json(_parsable(raw), self.bot)
            if update is not None:
                await self.update_queue.put(update)

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        if not self.inbox.begin(update.update_id):
            return
        if update.update_id in self.inbox.redoing:
            # One redone update at a time: a crash then counts an attempt against the one in
            # flight only, so an update that keeps killing the bot is given up after
            # MAX_ATTEMPTS, while the others cut short by unrelated kills (say, waiting for
            # the send limiter behind a burst) are not blamed. New updates go on meanwhile.
            async with self._redo_lock:
                self.inbox.redo(update.update_id)
                await super().process_update(update)
        else:
            await super().process_update(update)
        # not in a `finally`: an update cancelled mid-way stays pending and is redone at start
        self.inbox.done(update.update_id)

    async def shutdown(self) -> None:
        self.inbox.flush()
        await super().shutdown()


def with_inbox(
    builder: ApplicationBuilder,  # type: ignore[type-arg]
    db: Database,
    updates: BaseRequest,
) -> ApplicationBuilder:  # type: ignore[type-arg]
    """Give `builder` the inbox around the getUpdates transport `updates` (unless
    CEKKLAIM_INBOX=0, the crash bench's baseline)."""
    if os.environ.get(DISABLE_ENV, "1").strip() == "0":
        log.warning("inbox disabled (%s=0): a crash can lose fetched updates", DISABLE_ENV)
        return builder.get_updates_request(updates)
    inbox = Inbox(db)
    return builder.get_updates_request(InboxRequest(inbox, updates)).application_class(
        InboxApplication, {"inbox": inbox}
    )


__all__ = ["Inbox", "InboxApplication", "InboxRequest", "with_inbox"]
