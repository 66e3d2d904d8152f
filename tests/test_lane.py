"""The matching thread (bot/lane.py): jobs done in order, in one thread, answered by batch."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import bot.lane
from bot.lane import Lane


async def test_jobs_run_in_the_lanes_thread_in_order_and_raise_where_asked() -> None:
    lane = Lane("test-lane")
    ran: list[tuple[int, str]] = []

    def job(n: int) -> int:
        ran.append((n, threading.current_thread().name))
        if n == 3:
            raise ValueError("bad claim")
        return n * 10

    results = await asyncio.gather(*(lane.run(job, n) for n in range(6)), return_exceptions=True)
    lane.close()
    assert results[:3] == [0, 10, 20] and results[4:] == [40, 50]
    assert isinstance(results[3], ValueError)  # one job's failure is its caller's alone
    assert ran == [(n, "test-lane") for n in range(6)]


async def test_jobs_that_wait_meanwhile_are_answered_in_one_callback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A burst's claims come back to the loop together, to share one group commit."""
    lane = Lane("test-lane")
    settled: list[int] = []
    settle = bot.lane._settle

    def recorded(outcomes: list[Any]) -> None:
        settled.append(len(outcomes))
        settle(outcomes)

    monkeypatch.setattr(bot.lane, "_settle", recorded)
    busy, go = threading.Event(), threading.Event()

    def slow() -> str:
        busy.set()
        go.wait(5)
        return "first"

    first = asyncio.ensure_future(lane.run(slow))
    await asyncio.to_thread(busy.wait, 5)
    rest = [asyncio.ensure_future(lane.run(str, n)) for n in range(3)]
    await asyncio.sleep(0)  # all three queued behind the first
    go.set()
    assert await first == "first"
    assert await asyncio.gather(*rest) == ["0", "1", "2"]
    lane.close()
    assert settled == [1, 3]


async def test_a_closed_lane_finishes_what_was_asked_and_starts_again_when_used() -> None:
    lane = Lane("test-lane")
    assert await lane.run(sum, [1, 2]) == 3
    lane.close()
    lane.close()  # twice is harmless
    assert await lane.run(max, [1, 2]) == 2
    lane.close()
