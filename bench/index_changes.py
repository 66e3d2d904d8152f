"""A moderator's change and a CLI import, taken into a running bot's index, against a rebuild.

    python bench/index_changes.py ../shared/eval/dev [--sizes 10000 100000] [--repeat 3]

For each size, a database of that many statements (the dev fact-checks grown synthetically,
as bench/matcher.py does) is opened as the bot opens it, then, with a ticker on the loop
(a task sleeping 10 ms, recording how late it wakes) and citizens' claims arriving at 30 a
second (bench/rebuild.py's `measure`), in the same process:

- "/tambah", "/ubah", "/arsip": one statement added, edited or retired through storage, as
  the curation service does, where the bot runs it (`Core.write_async`: the writer's
  thread), then `Core.refresh_async()` as the bot does after it; the three
  made in turn `--repeat` times (3 by default), each time on other statements, a row each
  (one run's longest stall said little: the machine's noise is of the same size);
- "import 1,000": 1,000 new statements written by another connection in another process, in
  batches that hold the write lock at most IMPORT_LOCK_SECONDS (what `cekklaim import`
  does), then the refresh the bot's poll makes when it notices. Claims recorded meanwhile
  wait for the import's write lock: that wait is part of the stall shown;
- "full rebuild": `Core.refresh_async(force=True)`, what every change cost before.

Printed per row: seconds from the commit until the next claim sees the change (the refresh
returned), the longest and the 99th percentile of the ticker's lateness (event-loop stalls),
the slowest claim during the change, and the slowest of the 30 claims right after it (the
first texts after a change compute their words' scores afresh). And once per size: seconds
from opening the database to the first answer, at the first start (the index built) and
the next one (the index saved beside the database), and the resident memory it took.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matcher import python_speed, rss_mb
from rebuild import SECRET, measure
from workload import build_base, claim_texts

import storage
from bot.cli.statements import IMPORT_LOCK_SECONDS
from bot.core import Core, Who
from bot.kept_terms import import_statements
from bot.matcher.heap import give_back
from storage import StatementInput

RATE = 30.0  # claims a second, about what Telegram lets one bot send


def new_statement(n: int) -> StatementInput:
    return StatementInput(
        external_id=f"bench-new-{n}",
        org="KPU",
        verdict="HOAKS",
        claim=f"Surat suara pemilu nomor {n} sudah dicoblos duluan di gudang logistik",
        clarification="KPU membantah: surat suara disimpan tersegel sampai hari pemungutan.",
    )


def import_elsewhere(db_path: Path) -> None:
    """`cekklaim import` of 1,000 new statements, on a connection of its own (run in a
    process of its own: its reading of the statements for the index must not share this
    process's GIL, as the real command does not)."""
    writer = storage.open_db(db_path)
    try:
        rows = [new_statement(n) for n in range(1, 1_001)]
        import_statements(writer, rows, actor="cli", lock_seconds=IMPORT_LOCK_SECONDS)
    finally:
        writer.close()


def in_another_process(db_path: Path) -> None:
    process = multiprocessing.get_context("spawn").Process(target=import_elsewhere, args=(db_path,))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"the import failed ({process.exitcode})")


async def claims_after(core: Core, texts: list[str], n: int = 30) -> float:
    """The slowest of the next `n` claims, one after another: the first texts after a
    change look their words up afresh (a changed view computes them on first use)."""
    slowest = 0.0
    for i in range(n):
        started = time.perf_counter()
        await core.check_async(texts[(7 * i) % len(texts)], Who("private", core.pseudonym(2)))
        slowest = max(slowest, time.perf_counter() - started)
    return slowest * 1000


async def _main(args: argparse.Namespace, tmp: Path) -> None:
    texts = claim_texts(args.dev)
    random.Random(3).shuffle(texts)
    print(python_speed())
    print(f"claims at {RATE:.0f}/s during each change")
    print(
        f"{'statements':>10} {'change':<14} {'visible s':>9} {'max stall ms':>13} "
        f"{'p99 ms':>7} {'slowest claim ms':>17} {'next 30 ms':>12}"
    )
    for size in args.sizes:
        db_path = tmp / f"base-{size}.db"
        build_base(args.dev, size, db_path)
        gc.collect()
        give_back()  # what making the base left free: a build gives it back (heap.py)
        before = rss_mb()
        started = time.perf_counter()
        core = Core.open(db_path, SECRET, seed=False)
        core.checkpoint_off_loop()  # as the bot does once it runs
        core.commit_off_loop()
        await core.check_async(texts[0], Who("private", core.pseudonym(1)))
        first_answer = time.perf_counter() - started
        grown = rss_mb() - before
        some = sorted(core.snapshot.statements)[size // 2 : size // 2 + 2 * args.repeat]

        async def add(core: Core = core, n: int = 0) -> None:
            await core.write_async(
                lambda db: storage.save_statement(db, new_statement(-n), actor="bench")
            )
            await core.refresh_async()

        async def edit(core: Core = core, sid: str = some[0]) -> None:
            old = core.snapshot.statements[sid]
            changed = StatementInput(
                sid, old.org, old.verdict, old.claim + " (diperbarui)", old.clarification
            )
            await core.write_async(lambda db: storage.save_statement(db, changed, actor="bench"))
            await core.refresh_async()

        async def retire(core: Core = core, sid: str = some[1]) -> None:
            await core.write_async(lambda db: storage.retire_statement(db, sid, actor="bench"))
            await core.refresh_async()

        async def imported(core: Core = core, path: Path = db_path) -> None:
            await asyncio.to_thread(in_another_process, path)
            await core.refresh_async()

        async def rebuild(core: Core = core) -> None:
            await core.refresh_async(force=True)

        rows: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        for k in range(args.repeat):  # each a statement of its own
            rows += [
                ("/tambah", partial(add, n=k)),
                ("/ubah", partial(edit, sid=some[2 * k])),
                ("/arsip", partial(retire, sid=some[2 * k + 1])),
            ]
        rows += [("import 1,000", imported), ("full rebuild", rebuild)]
        for name, change in rows:
            took, worst, p99, slowest, _ = await measure(change, core, texts, RATE)
            after = await claims_after(core, texts)
            print(
                f"{size:>10} {name:<14} {took:>9.2f} {worst:>13.0f} {p99:>7.0f} "
                f"{slowest:>17.0f} {after:>12.0f}",
                flush=True,
            )
        await core.saved()  # as a process that exits does: the next start is another one
        core.close()
        started = time.perf_counter()
        core = Core.open(db_path, SECRET, seed=False)  # the next start: the saved index
        await core.check_async(texts[0], Who("private", core.pseudonym(1)))
        second = time.perf_counter() - started
        core.close()
        print(
            f"{size:>10} start to first answer {first_answer:.1f} s (first start), "
            f"{second:.1f} s (next start, saved index); resident memory +{grown:.0f} MB",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path, help="folder with base.jsonl, queries.jsonl, distractors")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument(
        "--repeat", type=int, default=3, help="times each moderator change is made (one row each)"
    )
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cekklaim-changes-"))
    try:
        asyncio.run(_main(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
