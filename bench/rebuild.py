"""How long the event loop stalls while the bot rebuilds its index (after `cekklaim import`).

    python bench/rebuild.py ../shared/eval/dev [--sizes 10000 20000] [--claims-per-second 30]

For each size, a database of that many statements (the dev fact-checks grown synthetically as
bench/matcher.py does) is rebuilt twice in the same process, each time with a ticker on the
loop (a task sleeping 10 ms and recording how late it wakes) and citizens' claims arriving
through `Core.check_async` (matched and recorded, as the bot does):

- "on the loop": `Core.refresh(force=True)` called from a coroutine, as the bot did before;
- "off the loop": `await Core.refresh_async(force=True)`, as the bot does now (a worker
  thread builds while the loop keeps answering from the current snapshot);
- "off, 5 ms GIL": the same with Python's default GIL switch interval during the build
  (`bot.pacing.BUILD_SWITCH_INTERVAL` shortens it), to show what that setting buys.

Claims arrive at 30 a second by default, about Telegram's limit on what one bot may send.

Printed per row: the build's wall time, the longest and the 99th percentile of the ticker's
lateness, and the slowest claim answered during the build, timed from when it was due (a
claim due while the loop is blocked waits for the rest of the build).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matcher import percentile
from workload import build_base  # the same synthetic base as bench/throughput.py

import bot.pacing
from bot.core import Core, Who
from bot.evaluation import read_jsonl

SECRET = "bench-secret-0123456789"
TICK = 0.010


async def measure(
    rebuild: Callable[[], Awaitable[object]], core: Core, texts: list[str], rate: float
) -> tuple[float, float, float, float, int]:
    """Run `rebuild` with a ticker and paced claims; build s, max and p99 lateness ms,
    slowest claim ms, claims answered."""
    ended: list[float] = []  # when the rebuild returned
    lateness: list[float] = []
    answered: list[float] = []

    async def ticker() -> None:
        while not ended:
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            lateness.append((time.perf_counter() - started - TICK) * 1000)

    async def one_claim(i: int, due: float) -> None:
        who = Who("private", core.pseudonym(10_000 + i))
        await core.check_async(texts[i % len(texts)], who)
        answered.append((time.perf_counter() - due) * 1000)  # from when it was due

    async def citizens() -> None:
        """A claim due every 1/rate s until the rebuild returned; those due while the loop
        was blocked start late."""
        pending: set[asyncio.Task[None]] = set()
        start, i = time.perf_counter(), 0
        while not ended or start + i / rate <= ended[0]:
            due = start + i / rate
            if time.perf_counter() < due:
                await asyncio.sleep(due - time.perf_counter())
                continue
            task = asyncio.create_task(one_claim(i, due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            i += 1
        await asyncio.gather(*pending)

    background = [asyncio.create_task(ticker()), asyncio.create_task(citizens())]
    await asyncio.sleep(0.2)  # both running before the rebuild starts
    lateness.clear()
    answered.clear()
    started = time.perf_counter()
    await rebuild()
    ended.append(time.perf_counter())
    took = ended[0] - started
    await asyncio.gather(*background)
    return (
        took,
        max(lateness),
        percentile(lateness, 99),
        max(answered, default=0.0),
        len(answered),
    )


async def _main(args: argparse.Namespace, tmp: Path) -> None:
    texts = [
        r["text"]
        for name in ("queries.jsonl", "distractors.jsonl")
        for r in read_jsonl(args.dev / name)
    ]
    random.Random(3).shuffle(texts)
    print(f"switch interval {sys.getswitchinterval() * 1000:.0f} ms; claims at "
          f"{args.claims_per_second:.0f}/s during each rebuild")  # fmt: skip
    print(
        f"{'statements':>10} {'rebuild':<13} {'build s':>8} {'max stall ms':>13} "
        f"{'p99 ms':>7} {'slowest claim ms':>17} {'claims':>7}"
    )
    for size in args.sizes:
        db_path = tmp / f"base-{size}.db"
        build_base(args.dev, size, db_path)
        core = Core.open(db_path, SECRET, seed=False)
        core.checkpoint_off_loop()  # as the bot does once it runs
        core.commit_off_loop()

        async def on_loop(core: Core = core) -> None:
            core.refresh(force=True)

        async def off_loop(core: Core = core) -> None:
            await core.refresh_async(force=True)

        async def default_switch(core: Core = core) -> None:
            shipped = bot.pacing.BUILD_SWITCH_INTERVAL
            bot.pacing.BUILD_SWITCH_INTERVAL = sys.getswitchinterval()
            try:
                await core.refresh_async(force=True)
            finally:
                bot.pacing.BUILD_SWITCH_INTERVAL = shipped

        rows = (("on the loop", on_loop), ("off the loop", off_loop),
                ("off, 5 ms GIL", default_switch))  # fmt: skip
        for name, rebuild in rows:
            took, worst, p99, slowest, n = await measure(
                rebuild, core, texts, args.claims_per_second
            )
            print(
                f"{size:>10} {name:<13} {took:>8.2f} {worst:>13.0f} {p99:>7.0f} "
                f"{slowest:>17.0f} {n:>7}",
                flush=True,
            )
        core.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path, help="folder with base.jsonl, queries.jsonl, distractors")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    ap.add_argument("--claims-per-second", type=float, default=30.0)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cekklaim-rebuild-"))
    try:
        asyncio.run(_main(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
