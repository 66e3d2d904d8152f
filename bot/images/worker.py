"""OCR off the event loop: one worker thread, a bounded queue, a per-user limit.

    await worker.read(image, user)  -> ReadText        (in the worker thread: decode + OCR)
                                    -> OcrBusy          queue full, or this user has one waiting
                                    -> UnreadableImage  not an image, too large, broken

One thread reads one image at a time (onnxruntime on one core, bot/images/ocr.py), so a
burst of photos waits in the queue and takes at most one of the machine's cores: text
claims of other users go on being answered. The engine loads in the worker thread on the
first photo. A queue past `queue_limit` images refuses more at once (the sender gets the
how-to) rather than letting the backlog, and every citizen's wait, grow without end.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bot.images.ocr import ENGINE, OcrEngine, ReadText

QUEUE_LIMIT = 20  # images waiting or being read, all users together (~0.5 s each)
PER_USER = 1  # images one user may have waiting or being read


class OcrBusy(Exception):
    """The queue is full, or this user already has an image waiting: try again later."""


class OcrWorker:
    def __init__(
        self,
        engine: OcrEngine | None = None,
        *,
        queue_limit: int = QUEUE_LIMIT,
        per_user: int = PER_USER,
    ) -> None:
        self.engine = engine or ENGINE  # one per process: its models are ~100 MB
        self.queue_limit = queue_limit
        self.per_user = per_user
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ocr")
        self._lock = threading.Lock()
        self._pending = 0
        self._by_user: Counter[str] = Counter()

    @property
    def pending(self) -> int:
        """Images waiting or being read."""
        return self._pending

    def _take(self, user: str | None) -> None:
        with self._lock:
            if self._pending >= self.queue_limit:
                raise OcrBusy("queue full")
            if user is not None and self._by_user[user] >= self.per_user:
                raise OcrBusy("this user's image is still being read")
            self._pending += 1
            if user is not None:
                self._by_user[user] += 1

    def _give_back(self, user: str | None) -> None:
        with self._lock:
            self._pending -= 1
            if user is not None:
                self._by_user[user] -= 1
                if self._by_user[user] <= 0:
                    del self._by_user[user]

    async def read(self, image: bytes, user: str | None = None) -> ReadText:
        """The text in `image`, read in the worker thread. OcrBusy when the queue is full
        or `user` (a keyed hash) already has one waiting; UnreadableImage from the decoder."""
        self._take(user)
        try:
            future = self._pool.submit(self.engine.read, image)
        except RuntimeError:  # shut down
            self._give_back(user)
            raise OcrBusy("closed") from None
        # the slot is free when the thread is done with the image, even if nobody waits
        future.add_done_callback(lambda _: self._give_back(user))
        return await asyncio.wrap_future(future)

    def read_now(self, image: bytes) -> ReadText:
        """`read` on the calling thread (the CLI): no queue."""
        return self.engine.read(image)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
