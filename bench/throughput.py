"""End-to-end throughput: private-chat claims per second through the real Application.

    python bench/throughput.py ../shared/eval/dev [--updates 1000] [--rate 300]
        [--statements 10000] [--compare-fakes]

The bot is the Application `cekklaim run` builds (bot/telegram/app.py build_application, as
tests/botharness.py runs it), long polling a fake Bot API on 127.0.0.1 that answers at once
(bench/leanfake.py, a separate process so it does not share the bot's GIL). The base holds
`--statements` statements: the dev fact-checks grown synthetically as bench/matcher.py does
(bench/workload.py). Each update is a private message from one of many users (two messages
each, well under the per-user rate limit), with an informal Indonesian text from the dev
queries and distractors.

Two load shapes per configuration:
- burst: every update queued at once; updates/s is the most one process handles;
- paced: updates arrive at `--rate` per second; p50/p99 is the time from the update being
  available to getUpdates until its reply reaches the fake (the wait a user sees, minus the
  internet).

Configurations, measured in the same run: "main" is the configuration as it was before the
throughput work (updates handled one at a time, a typing action before every answer, PTB's
httpx client, one transaction and fsync per claim); "tuned" is the current default (still
synchronous=FULL: every claim fsynced before its answer, with group commit). `--compare-fakes` also
runs each against tests/fakebotapi.py (threads, in the bot's process: bench/testsfake.py) to
show what a fake in the bot's process costs. Exits 1 if an update got no reply or a reply was
refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from leanfake import LeanFakeProcess, RunReport
from matcher import percentile
from telegram import Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes, TypeHandler
from testsfake import TestsFake
from workload import Load, build_base, claim_texts

import storage
from bot.core import Core
from bot.settings import load_settings
from bot.telegram.app import build_application
from bot.telegram.concurrency import DEFAULT_CONCURRENT_UPDATES

TOKEN = "123456789:" + "B" * 35
SECRET = "bench-secret-0123456789"
WARMUP = 60  # updates before each measured configuration (connections, caches)


@dataclass(frozen=True)
class Config:
    name: str
    env: dict[str, str] = field(default_factory=dict)  # settings for this configuration
    synchronous: str = "FULL"
    group_commit: bool = True  # False: each claim in its own transaction (and fsync)
    concurrent: int = DEFAULT_CONCURRENT_UPDATES  # 1: one update at a time
    http: str = "aiohttp"  # or "httpx", PTB's default client
    typing: bool = False  # a typing action before every answer


# --------------------------------------------------------------------------- one configuration


@dataclass
class Row:
    config: str
    mode: str
    report: RunReport
    log_lines: int


async def _typing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "typing..." action before the answer, as the bot did before it was tuned (the
    extra Bot API call cost a fifth of a claim's CPU; README "Scaling")."""
    chat = update.effective_chat
    if update.message is not None and chat is not None and chat.type == ChatType.PRIVATE:
        with contextlib.suppress(TelegramError):  # only cosmetic
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)


async def measure(
    config: Config,
    fake: Any,
    core: Core,
    db_path: Path,
    load: Load,
    *,
    updates: int,
    rate: float,
    log_file: Path,
) -> list[Row]:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_FILE_URL": fake.file_url,
        "CEKKLAIM_DB": str(db_path),
        "CEKKLAIM_SECRET": SECRET,
        # the bot's own capacity: in production the rate limiter holds sends to Telegram's
        # ~30/s, the very limit this bench shows the bot stays 10x above
        "BOT_API_MAX_RATE": "0",
        **config.env,
    }
    settings = load_settings(environ=env, env_file=None)
    # every run's fake numbers its updates from 1 again, which Telegram never does: start each
    # run with no memory of earlier ones (the inbox and claims' dedup go by update_id)
    with storage.transaction(core.db):
        for table in ("inbox", "submissions", "feedback", "subscriptions", "claim_links", "claims"):
            core.db.execute(f"DELETE FROM {table}")
    core.db.execute(f"PRAGMA synchronous = {config.synchronous}")
    if not config.group_commit:  # as before: one transaction, one fsync per claim

        async def one_by_one(text: str, **kw: Any) -> Any:
            return core.check(text, **kw)

        core.check_async = one_by_one  # type: ignore[method-assign]
    app = build_application(
        settings, core, concurrent_updates=config.concurrent, http=config.http
    )
    if config.typing:  # the old baseline: a typing action before every private answer
        app.add_handler(TypeHandler(Update, _typing), group=-3)
    rows = []
    timeout = max(30.0, updates / 20)
    async with app:
        await app.start()
        assert app.post_init is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
        )
        try:
            warm = await asyncio.to_thread(fake.run, load.messages(WARMUP), 0.0, timeout)
            before = await _lines_after(log_file, _count_lines(log_file) + warm.replied)
            for mode, mode_rate in (("burst", 0.0), ("paced", rate)):
                report = await asyncio.to_thread(
                    fake.run, load.messages(updates), mode_rate, timeout
                )
                after = await _lines_after(log_file, before + report.replied)
                rows.append(Row(config.name, mode, report, after - before))
                before = after
        finally:
            await app.updater.stop()
            await app.stop()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
            core.__dict__.pop("check_async", None)
    return rows


async def _lines_after(path: Path, expected: int) -> int:
    """The update log's line count once `expected` lines are in (each is written just after
    its reply went out), or after 2 s."""
    count = _count_lines(path)
    for _ in range(100):
        if count >= expected:
            break
        await asyncio.sleep(0.02)
        count = _count_lines(path)
    return count


def _count_lines(path: Path) -> int:
    for handler in logging.getLogger().handlers:
        handler.flush()
    with path.open("rb") as fp:
        return sum(1 for line in fp if b" bot.updatelog update " in line)


def print_rows(rows: list[Row], rate: float) -> None:
    print(
        f"{'configuration':<22} {'load':<12} {'updates':>7} {'replied':>7} {'upd/s':>7} "
        f"{'p50 ms':>7} {'p99 ms':>8} {'HTTP/upd':>8} {'errors':>6}"
    )
    for row in rows:
        r = row.report
        lat = [x * 1000 for x in r.latencies] or [float("nan")]
        http = sum(v for k, v in r.calls.items() if k != "getupdates") / max(r.pushed, 1)
        load = "burst" if row.mode == "burst" else f"{rate:g}/s"
        print(
            f"{row.config:<22} {load:<12} {r.pushed:>7} {r.replied:>7} "
            f"{r.replied / r.seconds:>7.0f} {statistics.median(lat):>7.1f} "
            f"{percentile(lat, 99):>8.1f} {http:>8.2f} {len(r.errors):>6}",
            flush=True,
        )
        for err in r.errors[:3]:
            print(f"    refused: {err}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path, help="folder with base.jsonl, queries.jsonl, distractors")
    ap.add_argument("--updates", type=int, default=1000, help="updates per measured run")
    ap.add_argument("--rate", type=float, default=300.0, help="offered rate of the paced run")
    ap.add_argument("--statements", type=int, default=10_000)
    ap.add_argument(
        "--compare-fakes", action="store_true", help="also against tests/fakebotapi.py"
    )
    ap.add_argument("--only", choices=["main", "tuned"], help="measure one configuration")
    ap.add_argument("--concurrency", type=int, help="tuned: updates in progress at once")
    ap.add_argument("--synchronous", choices=["FULL", "NORMAL"], help="tuned: SQLite sync")
    ap.add_argument("--no-group-commit", action="store_true", help="tuned: a commit per claim")
    ap.add_argument("--typing", action="store_true", help="tuned: typing action before answers")
    ap.add_argument("--log", type=Path, help="keep the bot's log here (default: a temp file)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="cekklaim-throughput-"))
    try:
        return asyncio.run(_main(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


CONFIGS: dict[str, Config] = {
    "main": Config(
        "main (sequential)",
        synchronous="FULL",
        group_commit=False,
        concurrent=1,
        http="httpx",
        typing=True,
    ),
    "tuned": Config("tuned", synchronous="FULL"),
}


async def _main(args: argparse.Namespace, tmp: Path) -> int:
    log_file = args.log or tmp / "bot.log"
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)

    db_path = tmp / "bench.db"
    took = build_base(args.dev, args.statements, db_path)
    started = time.perf_counter()
    core = Core.open(db_path, SECRET, seed=False)
    built = time.perf_counter() - started
    print(
        f"base: {len(core.snapshot.statements)} statements (stored in {took:.1f} s, "
        f"index built in {built:.1f} s); {args.updates} updates per run",
        flush=True,
    )
    load = Load(claim_texts(args.dev))
    wanted = [args.only] if args.only else list(CONFIGS)
    changes = {
        "concurrent": args.concurrency,
        "synchronous": args.synchronous,
        "group_commit": False if args.no_group_commit else None,
        "typing": args.typing or None,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        label = ", ".join(f"{k}={v}" for k, v in changes.items())
        CONFIGS["tuned"] = Config(f"tuned {label}", **{**_fields(CONFIGS["tuned"]), **changes})
    plan: list[tuple[Config, Callable[[], Any]]] = []
    if args.compare_fakes:
        for name in wanted:
            label = CONFIGS[name].name + ", tests' fake"
            plan.append((Config(label, **_fields(CONFIGS[name])), lambda: TestsFake(TOKEN)))
    plan += [(CONFIGS[name], lambda: LeanFakeProcess.start(TOKEN)) for name in wanted]
    rows: list[Row] = []
    ok = True
    for config, make_fake in plan:
        fake = make_fake()
        try:
            new = await measure(
                config, fake, core, db_path, load,
                updates=args.updates, rate=args.rate, log_file=log_file,
            )  # fmt: skip
        finally:
            fake.stop()
        rows += new
        for row in new:
            r = row.report
            ok &= r.replied == r.pushed and not r.errors and row.log_lines == r.replied
    print_rows(rows, args.rate)
    print(f"update log lines per run: {sorted({row.log_lines for row in rows})}")
    core.db.close()
    if not ok:
        print(
            "FAILED: an update got no reply or no log line, or a reply was refused",
            file=sys.stderr,
        )
    return 0 if ok else 1


def _fields(config: Config) -> dict[str, Any]:
    return {k: v for k, v in vars(config).items() if k != "name"}


if __name__ == "__main__":
    raise SystemExit(main())
