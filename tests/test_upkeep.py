"""The background upkeep's schedule (bot/upkeep.py), without a bot: what each tick does and
which slower jobs are due on it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import storage
from bot import upkeep
from bot.core import Core
from storage import StatementInput


@pytest.mark.parametrize(
    ("tick", "minutes", "due"),
    [
        (1, 15, True),  # at start
        (2, 15, False),
        (300, 15, True),  # 15 minutes of 3-second ticks
        (301, 15, False),
        (600, 15, True),
        (7, 0.01, True),  # shorter than a tick: every tick
        (7, 0.1, False),  # 6 s: every other tick
    ],
)
def test_feeds_are_polled_at_start_then_every_n_minutes(
    tick: int, minutes: float, due: bool
) -> None:
    assert upkeep.feeds_due(tick, minutes) is due


async def test_a_tick_rebuilds_the_index_when_the_base_changed(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "bot.db", "upkeep-secret-0123456789")
    try:
        first = await upkeep.tick(core, 1, feed_minutes=None)
        assert not first.feeds and not first.alerts  # no feeds configured; alerts each minute
        before = len(core.snapshot.statements)
        storage.save_statement(
            core.db,
            StatementInput("kpu-upkeep", "KPU", "SALAH", "Klaim dari impor", "Penjelasan"),
            actor="cekklaim import",
        )  # as another process (cekklaim import) would
        due = await upkeep.tick(core, upkeep.ALERT_EVERY_TICKS, feed_minutes=15)
        assert due.changed and due.alerts and not due.feeds
        assert len(core.snapshot.statements) == before + 1
        assert not (await upkeep.tick(core, 21, feed_minutes=15)).changed  # nothing new since
    finally:
        core.close()


class TickingCore:
    """A core whose refresh says, tick after tick: changed, failed, changed."""

    def __init__(self) -> None:
        self.refreshes: list[bool | Exception] = [True, RuntimeError("disk I/O error"), True]
        self.snapshot = type("Snapshot", (), {"statements": {}})()
        self.pokes = 0  # `wrote`: a checkpoint asked for after each tick's refresh

    async def refresh_async(self) -> bool:
        result = self.refreshes.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    def wrote(self) -> None:
        self.pokes += 1


async def test_the_loop_does_what_each_tick_says_and_outlives_a_failure(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(upkeep, "REFRESH_SECONDS", 0)
    done: list[str] = []

    async def changed() -> None:
        done.append("changed")
        if done.count("changed") == 2:
            raise asyncio.CancelledError  # the bot stopping: the loop ends here

    async def alerts() -> None:
        done.append("alerts")

    core = TickingCore()
    with pytest.raises(asyncio.CancelledError):
        await upkeep.run(
            core,  # type: ignore[arg-type]
            feed_minutes=15,
            changed=changed,
            alerts=alerts,
            feeds=lambda: done.append("feeds"),
        )
    assert done == ["changed", "feeds", "changed"]  # tick 1, (tick 2 failed), tick 3
    assert core.pokes == 2  # ticks 1 and 3 (tick 2 failed before)
    assert "background upkeep failed" in caplog.text


async def test_cancel_stops_a_task_and_waits_for_it() -> None:
    stopped = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    task = asyncio.create_task(forever())
    await asyncio.sleep(0)  # let it start
    await upkeep.cancel(task)
    assert task.cancelled() and stopped.is_set()
    await upkeep.cancel(None)  # nothing running: nothing to do
