"""The running bot's public pages (bot/site): rewritten in a worker thread whenever the
statements change (in the bot, or by `cekklaim import` elsewhere) or the day does (a
statement's validity ends), never on the event loop; no Telegram here.

bot/upkeep.py pokes it on every tick with the base's `data_version` (a one-row read); the
folder, `<CEKKLAIM_DB>.site` beside the database, is served read-only by the bot's own HTTP
server (bot/webhook_server.py) or by the reverse proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from datetime import date
from pathlib import Path

from sqlite_utils import Database

import storage
from bot.pacing import loop_first_while_building
from bot.site.build import SiteSummary, build_site
from storage.db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)


def site_dir_for(db_path: str | Path) -> Path:
    """Where the running bot writes the pages: beside its database."""
    return Path(f"{db_path}.site")


class Publisher:
    """Keeps `out_dir` in step with the base: `poke` starts a rebuild when needed."""

    def __init__(self, db_path: str | Path, out_dir: Path, base_url: str) -> None:
        self.db_path = str(db_path)
        self.out_dir = out_dir
        self.base_url = base_url
        self.bot_username: str | None = None  # known once the bot has started
        self.built: tuple[int, date] | None = None  # what the folder shows
        self.task: asyncio.Task[None] | None = None

    def poke(self, version: int, today: date) -> asyncio.Task[None] | None:
        """Start a rebuild when the statements' version or the day differs from the folder's
        and none is running; returns its task (else None)."""
        key = (version, today)
        if key == self.built or (self.task is not None and not self.task.done()):
            return None
        self.task = asyncio.create_task(self._publish(key))
        return self.task

    async def _publish(self, key: tuple[int, date]) -> None:
        try:
            summary = await asyncio.to_thread(self.publish_here, key[1])
        except Exception:  # the bot keeps serving; a failure is logged once per change
            log.exception("public pages not written to %s", self.out_dir)
        else:
            log.info(
                "public pages written: %d statements (%d current) in %s",
                summary.statements, summary.current, self.out_dir,
            )  # fmt: skip
        self.built = key

    def publish_here(self, today: date) -> SiteSummary:
        """Read every statement with a read-only connection of this thread, then write,
        giving the event loop the GIL first as an index build does (bot/pacing.py)."""
        with loop_first_while_building():
            return self._publish_here(today)

    def _publish_here(self, today: date) -> SiteSummary:
        reader = Database(sqlite3.connect(self.db_path))
        try:
            reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            reader.execute("PRAGMA query_only = ON")
            statements = storage.list_statements(reader, include_retired=True)
        finally:
            reader.close()
        return build_site(
            statements,
            self.out_dir,
            base_url=self.base_url,
            bot_username=self.bot_username,
            today=today,
        )

    async def close(self) -> None:
        """Wait for a rebuild in progress (its thread cannot be stopped half-way)."""
        if self.task is not None:
            with contextlib.suppress(Exception):
                await self.task
