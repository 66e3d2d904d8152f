"""The background upkeep's schedule (bot/upkeep.py), without a bot: what each tick does and
which slower jobs are due on it."""

from __future__ import annotations

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
