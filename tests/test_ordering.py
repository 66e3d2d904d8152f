"""The Telegram-free pieces under update processing, tested directly: turns per key
(bot/ordering.py) and the one log line per update (bot/updatelog.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import updatelog
from bot.ordering import KeyedOrder


async def _hold(
    order: KeyedOrder, keys: list[str], name: str, log: list[str], gate: asyncio.Event
) -> None:
    async with order.turn(keys):
        log.append(f"{name} in")
        await gate.wait()
        log.append(f"{name} out")


async def test_one_key_takes_turns_in_arrival_order() -> None:
    order, log, gate = KeyedOrder(), [], asyncio.Event()
    tasks = [asyncio.create_task(_hold(order, ["chat"], n, log, gate)) for n in "abc"]
    await asyncio.sleep(0.01)
    assert log == ["a in"]  # b and c wait behind a
    gate.set()
    await asyncio.gather(*tasks)
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert len(order) == 0  # idle keys are dropped: memory follows the work in progress


async def test_other_keys_run_at_the_same_time() -> None:
    order, log, gate = KeyedOrder(), [], asyncio.Event()
    tasks = [asyncio.create_task(_hold(order, [k], k, log, gate)) for k in ("x", "y")]
    await asyncio.sleep(0.01)
    assert sorted(log) == ["x in", "y in"]
    assert len(order) == 2
    gate.set()
    await asyncio.gather(*tasks)
    assert len(order) == 0


async def test_a_shared_second_key_orders_too() -> None:
    """Chat then user: two chats of one user still take turns."""
    order, log, gate = KeyedOrder(), [], asyncio.Event()
    first = asyncio.create_task(_hold(order, ["chat1", "user"], "a", log, gate))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(_hold(order, ["chat2", "user"], "b", log, gate))
    await asyncio.sleep(0.01)
    assert log == ["a in"]
    gate.set()
    await asyncio.gather(first, second)
    assert log == ["a in", "a out", "b in", "b out"]


async def test_cancelled_while_waiting_gives_back_every_key() -> None:
    order, log, gate = KeyedOrder(), [], asyncio.Event()
    holder = asyncio.create_task(_hold(order, ["chat"], "a", log, gate))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(_hold(order, ["user", "chat"], "b", log, gate))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.set()
    await holder
    assert log == ["a in", "a out"] and len(order) == 0


def test_one_line_per_update_with_what_the_handlers_noted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.updatelog")
    trace = updatelog.begin()
    updatelog.note(tier="confident", claim=7)
    updatelog.end(42, "message", "private", trace)
    updatelog.note(tier="lost")  # after the update's end: no trace, nothing noted anywhere
    (record,) = caplog.records
    line = record.getMessage()
    assert line.startswith("update 42 message/private ")
    assert line.endswith("tier=confident claim=7")
    assert "lost" not in line
