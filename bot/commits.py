"""Citizens' claims stored a batch at a time (`GroupCommit`): one transaction for every
claim that reached its write in one turn of the event loop, committed on the loop or in a
writer's thread (storage/writer.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

import storage
from bot.pacing import building_now
from storage.writer import Writer

log = logging.getLogger(__name__)


class GroupCommit:
    """Claims submitted during one event-loop iteration, stored in one transaction.

    The first `submit` of an iteration schedules `flush` with `call_soon`, so it runs once
    every handler that was ready has reached its write. Each claim keeps its own savepoint
    (`storage.record_submission`): one that fails fails alone.

    With a `writer` (storage/writer.py: the bot while it serves) a small batch is committed
    in the writer's thread (WRITER_MOST; any batch while the index is built); the claims
    arriving meanwhile form the next batch, written once this one is. Otherwise it is
    committed on the loop: while another connection holds the write lock (`cekklaim import`
    beside the bot), the batch waits on the loop, not in SQLite: `flush` tries again every
    RETRY_SECONDS, and the claims arriving meanwhile join the batch. Only after WAIT_SECONDS
    does it wait in SQLite, as before.
    """

    RETRY_SECONDS = storage.BUSY_RETRY_SECONDS
    # Batches of at most this many go to the writer: there the loop never waits for the
    # sync to disk, but each SQLite call of the writer's thread takes the GIL back from a
    # busy loop. Under load larger batches are committed on the loop, one sync shared by
    # all (bench/throughput.py, claims a second: 150-165 with every batch in the writer,
    # 195-201 with none, 198-199 split so). While a worker thread builds the index
    # (`building_now`) every batch goes to the writer: then the loop shares the GIL with the
    # build too, and batches committed on it stalled it 70-105 ms (a forced rebuild at
    # 100,000 statements, bench/index_changes.py).
    WRITER_MOST = 4
    WAIT_SECONDS = storage.BUSY_WAIT_SECONDS  # then SQLite's own wait, as before

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending: list[tuple[dict[str, Any], asyncio.Future[storage.SubmissionResult]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # where the next flush runs
        self._since = 0.0  # when the pending batch's first claim came
        self.committed: Callable[[], None] | None = None  # told after each commit
        self.writer: Writer | None = None
        self._writing = False  # a batch is in the writer's hands

    def submit(self, record: dict[str, Any]) -> asyncio.Future[storage.SubmissionResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[storage.SubmissionResult] = loop.create_future()
        if not self.pending or self._loop is not loop:  # (a closed loop's flush never ran)
            self._loop, self._since = loop, time.monotonic()
            loop.call_soon(self.flush)
        self.pending.append((record, future))
        return future

    def flush(self) -> None:
        batch = self.pending
        if not batch:
            return
        if self._writing:
            return  # flushed again once the batch in the writer's hands is written
        if self.writer is not None and (len(batch) <= self.WRITER_MOST or building_now()):
            self._write(batch, self.writer)
            return
        wait = time.monotonic() - self._since >= self.WAIT_SECONDS
        try:
            outcomes = _stored(self.db, [record for record, _ in batch], wait=wait)
        except storage.Busy:  # nothing was done: again soon, with what came meanwhile
            assert self._loop is not None
            self._loop.call_later(self.RETRY_SECONDS, self.flush)
            return
        self.pending = []
        self._answer(batch, outcomes)

    def _write(self, batch: list[Any], writer: Writer) -> None:
        loop = self._loop
        assert loop is not None
        self.pending, self._writing = [], True
        records = [record for record, _ in batch]
        done = writer.submit(lambda db: _stored(db, records, wait=True))

        def written(_: object) -> None:  # in the writer's thread
            try:
                loop.call_soon_threadsafe(self._written, batch, done)
            except RuntimeError:  # the loop closed meanwhile: nobody waits for the answers
                self._writing = False

        done.add_done_callback(written)

    def _written(self, batch: list[Any], done: concurrent.futures.Future[list[Any]]) -> None:
        self._writing = False
        try:
            outcomes = done.result()
        except Exception as exc:  # the writer could not even start a transaction
            outcomes = [exc] * len(batch)
        self._answer(batch, outcomes)
        if self.pending:
            self.flush()

    def _answer(self, batch: list[Any], outcomes: list[Any]) -> None:
        log.debug("group commit of %d claims", len(batch))
        if self.committed is not None:
            self.committed()
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done() or future.get_loop().is_closed():  # its caller is gone (shutdown)
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _stored(
    db: Database, records: list[dict[str, Any]], *, wait: bool
) -> list[storage.SubmissionResult | Exception]:
    """Each claim recorded in one transaction, or the error it alone met (rolled back to
    its savepoint); every one's error if the transaction failed. Raises `storage.Busy`,
    with nothing done, when it may not `wait` for another writer's lock."""
    outcomes: list[storage.SubmissionResult | Exception] = []
    try:
        with storage.transaction(db, wait=wait):
            for record in records:
                try:
                    outcomes.append(storage.record_submission(db, **record))
                except Exception as exc:  # rolled back to its savepoint; the rest go on
                    if not db.conn.in_transaction:
                        raise  # the error ended the whole transaction: nothing stored
                    outcomes.append(exc)
    except storage.Busy:
        raise
    except Exception as exc:
        return [exc] * len(records)
    return outcomes
