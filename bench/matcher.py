"""Matcher speed: p50/p99 per claim at 1k, 10k and 100k statements, build time and memory,
against a naive rapidfuzz scan (process.extract over every phrasing) in the same run.

The build from text is timed three ways in the same run: "build" as the bot builds
(`MatchIndex`: the statements read together, by worker processes from 20,000 on), "here"
in this process only, and "before" statement by statement, as every build did until the
base was read together (`read` each one, its counts copied into arrays): the baseline.
Memory is the first's, and so is "CPU s": the CPU time of the build's processes together
(over the machine's cores, the least its wall time can be).

    python bench/matcher.py ../shared/eval/dev [--sizes 1000 10000 100000] [--queries 300]

The dev base (1,783 fact-checks) is grown synthetically: each extra statement is a real one
with a third of its words swapped for words drawn from the whole base (so word frequencies stay
realistic) plus an id token of its own.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
from array import array
from itertools import repeat
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import read_jsonl
from bot.matcher.building import BaseBuilder
from bot.matcher.heap import give_back
from bot.matcher.index import MatchIndex
from bot.matcher.match import match_text
from bot.matcher.normalize import forget
from bot.matcher.postings import IndexDoc, Postings, Rows, ints, read


def grow(base: list[IndexDoc], size: int, rng: random.Random) -> list[IndexDoc]:
    words = [w for d in base for w in (d.claim + " " + d.clarification).split()]
    docs = list(base[:size])
    i = 0
    while len(docs) < size:
        src = base[i % len(base)]
        i += 1

        def mutate(text: str) -> str:
            return " ".join(rng.choice(words) if rng.random() < 0.33 else w for w in text.split())

        docs.append(
            IndexDoc(f"syn-{i}", mutate(src.claim) + f" x{i}", (), mutate(src.clarification))
        )
    return docs


def rss_mb() -> float:
    """Resident memory of this process (Linux), to size the index by difference."""
    with open("/proc/self/statm") as fp:
        return int(fp.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the reading workers):
    a build's CPU over the machine's cores is the least its wall time can be."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def python_speed() -> str:
    """How fast this machine runs plain Python just now: one sign of its state, which moves.
    The same machine took 1.8-2.1 s, then 0.6-0.7 s in one session; a build, bound by memory
    more than by this, was slow in both. Set a figure against the baseline of the same run."""
    started, total = time.perf_counter(), 0
    for i in range(10_000_000):
        total += i
    took = time.perf_counter() - started
    return f"this machine: 10 million additions in a Python loop took {took:.2f} s"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def built_here(docs: list[IndexDoc]) -> float:
    """Seconds to build with no worker processes."""
    started = time.perf_counter()
    builder = BaseBuilder(processes=1)
    for doc in docs:
        builder.add_text(doc)
    builder.built()
    return time.perf_counter() - started


def built_before(docs: list[IndexDoc]) -> float:
    """Seconds to read and count the statements one by one, as builds did before (each
    statement `read` into dictionaries, copied into arrays a statement at a time)."""
    started = time.perf_counter()
    rows = Rows()
    term_row, head_tf, body_tf, sizes = array("i"), array("i"), array("i"), array("q")
    for doc in map(read, docs):
        head, body = doc.head_tf, doc.body_tf
        words = head.keys() | body.keys()
        term_row.extend(map(rows.__getitem__, words))
        head_tf.extend(map(head.get, words, repeat(0)))
        body_tf.extend(map(body.get, words, repeat(0)))
        sizes.append(len(words))
    slot = np.repeat(np.arange(len(docs), dtype=np.int32), np.frombuffer(sizes, np.int64))
    arrays = (ints(term_row), slot, ints(head_tf), ints(body_tf))
    Postings.grouped(list(rows), len(docs), *arrays)
    forget()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path, help="folder with base.jsonl, queries.jsonl")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--naive-queries", type=int, default=30, help="the naive scan is slow")
    ap.add_argument("--no-baseline", action="store_true", help="skip the old build (slow)")
    args = ap.parse_args()

    rng = random.Random(7)
    base = [
        IndexDoc(r["id"], r["title"], (), r["text"]) for r in read_jsonl(args.dev / "base.jsonl")
    ]
    texts = [
        r["text"]
        for name in ("queries.jsonl", "distractors.jsonl")
        for r in read_jsonl(args.dev / name)
    ]
    rng.shuffle(texts)
    texts = texts[: args.queries]

    print(python_speed(), f"on {os.cpu_count()} cores")
    print(
        f"{'statements':>10} {'build s':>8} {'CPU s':>6} {'here s':>7} {'before s':>9} "
        f"{'RSS +MB':>8} {'p50 ms':>7} {'p99 ms':>7} {'naive p50':>10} {'naive p99':>10} "
        f"{'speed-up':>9}"
    )
    for size in args.sizes:
        docs = grow(base, size, rng)
        gc.collect()
        give_back()  # what growing the base left free: a build gives it back (heap.py)
        rss_before = rss_mb()
        cpu_before = cpu_seconds()
        t0 = time.perf_counter()
        index = MatchIndex(docs)
        build = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu_before
        mem = rss_mb() - rss_before
        here, before = built_here(docs), (None if args.no_baseline else built_before(docs))

        for text in texts[:20]:  # warm caches (normalizer lru_cache) as a running bot would
            match_text(index, text)
        times = []
        for text in texts:
            t0 = time.perf_counter()
            match_text(index, text)
            times.append((time.perf_counter() - t0) * 1000)

        choices = [utils.default_process(d.claim) for d in docs]
        naive = []
        for text in texts[: args.naive_queries]:
            t0 = time.perf_counter()
            process.extract(
                utils.default_process(text), choices, scorer=fuzz.WRatio, processor=None, limit=5
            )
            naive.append((time.perf_counter() - t0) * 1000)
        p50, p99 = statistics.median(times), percentile(times, 99)
        n50, n99 = statistics.median(naive), percentile(naive, 99)
        shown = "-" if before is None else f"{before:.2f}"
        print(
            f"{size:>10} {build:>8.2f} {cpu:>6.1f} {here:>7.2f} {shown:>9} {mem:>8.1f} {p50:>7.2f} "
            f"{p99:>7.2f} {n50:>10.2f} {n99:>10.2f} {n99 / p99:>8.1f}x",
            flush=True,
        )
        del index, docs, choices
        gc.collect()


if __name__ == "__main__":
    main()
