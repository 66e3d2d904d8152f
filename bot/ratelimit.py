"""A per-key sliding-window limit, in memory: a restart forgets it, which is fine for a
politeness limit and keeps user ids out of the database."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[object, deque[float]] = {}
        self._warned: set[object] = set()

    def allow(self, key: object) -> bool:
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._warned.discard(key)
        if len(self._hits) > 10_000:  # drop idle keys now and then
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < self.window}
        return True

    def first_refusal(self, key: object) -> bool:
        """True once per burst, so a flooding user gets one polite note, not one per message."""
        if key in self._warned:
            return False
        self._warned.add(key)
        return True
