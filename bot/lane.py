"""One worker thread for the event loop's CPU work (matching claims), handed back in batches.

The loop asks with `await lane.run(work, *args)`. The thread does the jobs in the order they
came, taking every job waiting as one batch, and the batch's answers go back to the loop in
one callback. So the claims of a burst reach the group commit (bot/commits.py) in the same
loop iteration and are stored in one transaction, as when they are matched on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]
_Done = tuple["asyncio.Future[Any]", bool, Any]  # the future, whether it returned, what


class Lane:
    """A thread of its own, started on first use and stopped by `close`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the lane's thread; its result, or its exception raised here."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                self._thread.start()
            self._jobs.put((loop, future, work, args))
        return await future

    def close(self) -> None:
        """Jobs already asked for are done first; the thread then ends."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._jobs.put(None)
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _serve(self) -> None:
        while True:
            jobs = [self._jobs.get()]  # every job waiting now: a batch, settled at once
            with contextlib.suppress(queue.Empty):
                while jobs[-1] is not None:
                    jobs.append(self._jobs.get_nowait())
            done: dict[asyncio.AbstractEventLoop, list[_Done]] = {}
            for job in jobs:
                if job is None:
                    break
                loop, future, work, args = job
                try:
                    outcome: _Done = (future, True, work(*args))
                except BaseException as exc:  # the caller's to handle, as if it ran there
                    outcome = (future, False, exc)
                done.setdefault(loop, []).append(outcome)
            for loop, outcomes in done.items():
                with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                    loop.call_soon_threadsafe(_settle, outcomes)
            if jobs[-1] is None:  # closed
                return


def _settle(outcomes: list[_Done]) -> None:
    for future, ok, value in outcomes:
        if future.done():  # cancelled meanwhile
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
