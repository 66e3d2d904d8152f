"""How long the public pages (bot/site) take to write, how big they get, and how late the
event loop runs while the running bot rewrites them.

    python bench/site.py ../shared/eval/dev [--sizes 1000 10000]

For each size, a database of that many statements (the dev fact-checks grown synthetically,
bench/workload.py) is written as the site twice in the same process, with a ticker on the
loop (a task sleeping 10 ms and recording how late it wakes):

- "on the loop": `build_site` called from a coroutine (the baseline: what the bot avoids);
- "off the loop": `Publisher.poke`, as the bot does (a worker thread reads and writes).

Printed per row: the build's wall time, the files written, the largest page and the whole
folder, and the longest and 99th-percentile lateness of the ticker.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import build_base

import storage
from bot.site.build import SiteSummary, build_site
from bot.site.publisher import Publisher

BASE_URL = "https://cek.example.id"
TODAY = date(2026, 12, 2)
TICK = 0.01


async def ticked(work: asyncio.Future[SiteSummary] | asyncio.Task[None]) -> list[float]:
    """How late a 10 ms sleep wakes, again and again, until `work` is done."""
    late: list[float] = []
    while not work.done():
        due = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        late.append(max(0.0, time.perf_counter() - due))
    await work
    return late


async def on_the_loop(db_path: Path, out: Path) -> tuple[float, SiteSummary, list[float]]:
    async def build() -> SiteSummary:
        await asyncio.sleep(TICK * 3)  # let the ticker start
        db = storage.open_db(db_path)
        statements = storage.list_statements(db, include_retired=True)
        db.close()
        return build_site(statements, out, base_url=BASE_URL, today=TODAY)

    started = time.perf_counter()
    task = asyncio.ensure_future(build())
    late = await ticked(task)
    return time.perf_counter() - started, task.result(), late


async def off_the_loop(db_path: Path, out: Path) -> tuple[float, list[float]]:
    publisher = Publisher(db_path, out, BASE_URL)
    db = storage.open_db(db_path)
    version = storage.data_version(db)
    db.close()
    started = time.perf_counter()
    task = publisher.poke(version, TODAY)
    assert task is not None
    late = await ticked(task)
    return time.perf_counter() - started, late


def folder_bytes(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dev", type=Path, help="a dev set folder (base.jsonl)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    print(f"{'statements':>10} {'mode':<13} {'wall s':>7} {'files':>6} {'largest KB':>10} "
          f"{'folder MB':>9} {'late max ms':>11} {'late p99 ms':>11}")  # fmt: skip
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.db"
            build_base(args.dev, size, db_path)
            out = Path(tmp) / "site"
            wall, summary, late = asyncio.run(on_the_loop(db_path, out))
            total = folder_bytes(out) / 1e6
            page, largest = summary.largest_page
            print(f"{size:>10} {'on the loop':<13} {wall:>7.2f} {summary.files:>6} "
                  f"{largest / 1024:>10.1f} {total:>9.1f} {max(late) * 1000:>11.1f} "
                  f"{p99(late) * 1000:>11.1f}   ({page})")  # fmt: skip
            shutil.rmtree(out)
            wall, late = asyncio.run(off_the_loop(db_path, out))
            print(f"{size:>10} {'off the loop':<13} {wall:>7.2f} {summary.files:>6} "
                  f"{largest / 1024:>10.1f} {total:>9.1f} {max(late) * 1000:>11.1f} "
                  f"{p99(late) * 1000:>11.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
