"""The durable inbox (bot/inbox.py) under python-telegram-bot: no update is confirmed to
Telegram before it is stored.

The seam is python-telegram-bot's own: a `get_updates_request` that stores each fetched batch
before the library parses it, and an `application_class` that handles the updates left
pending by the last run first, marks each update done when its handlers have finished, and
sets aside one whose handler failed (after a few tries when the database failed; the user is
told the truth at the end, bot/telegram/handlers.py `on_error`). `with_inbox` sets both on
the ApplicationBuilder.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlite_utils import Database
from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.botapi.faults import StorageUnavailable, bot_api_fault
from bot.inbox import Inbox, InboxUnavailable

log = logging.getLogger(__name__)

DISABLE_ENV = "CEKKLAIM_INBOX"  # "0" turns the inbox off: only for bench/crash.py's baseline


def check_update(raw: dict[str, Any]) -> None:
    """Raise what python-telegram-bot raises on an update it cannot parse."""
    Update.de_json(raw, None)


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
            try:
                result = await self.inbox.arrived_async(result)
            except InboxUnavailable as exc:  # a TelegramError: the Updater backs off, retries
                raise StorageUnavailable(str(exc)) from exc
        return result


class InboxApplication(Application):  # type: ignore[type-arg]
    """Handles the inbox's pending updates first, marks each update done when handled, and
    sets aside one whose handler failed (after a few tries when the database failed)."""

    def __init__(self, *, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inbox = inbox
        self._redo_lock = asyncio.Lock()
        self._handling: set[int] = set()  # update ids whose handlers are running
        self._retry: dict[int, float] = {}  # failed on the database: tried again after delay

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
        delay = self._retry.pop(uid, None)
        if delay is not None:  # not done: a crash meanwhile redoes it at the next start
            asyncio.get_running_loop().call_later(delay, self.update_queue.put_nowait, update)
            return
        kinds = Update.ALL_TYPES
        self.inbox.finished(
            uid, lambda: ",".join(k for k in kinds if getattr(update, k, None) is not None)
        )

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
            delay = self.inbox.failed(uid, error)
            if delay is not None:
                self._retry[uid] = delay
                return True  # no further handlers, no error handler: it comes back
        return await super().process_error(update, error, job, coroutine)

    async def shutdown(self) -> None:
        self.inbox.flush(wait=True)
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
    inbox = Inbox(db, check_update)
    return builder.get_updates_request(InboxRequest(inbox, updates)).application_class(
        InboxApplication, {"inbox": inbox}
    )


__all__ = ["DISABLE_ENV", "InboxApplication", "InboxRequest", "check_update", "with_inbox"]
