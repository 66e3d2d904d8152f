"""Many statements read from their text for the index (bot/matcher/bulk.py), in worker
processes when there are many: reading is the slow part of a build, pure Python, so one
process reads at the speed of one core (about 12 s for 100,000 statements here). Each worker
reads a share of the statements into the ids of its own words; the building process maps
them to its ids with numpy. A worker that cannot be started or fails leaves its share to the
building process, so the result never depends on the workers: it is what `read` gives.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from sys import intern
from typing import NamedTuple

import numpy as np

from bot.matcher.bulk import TermIds
from bot.matcher.normalize import Normalized
from bot.matcher.postings import IndexDoc, Rows

log = logging.getLogger(__name__)

#: from how many statements reading is shared among worker processes: below, starting
#: them costs more than it saves
SHARED_FROM = 20_000
MAX_WORKERS = 4  # processes at most, however many cores (each holds its share's words)
WORKER_SECONDS = 600.0  # a worker still reading after this is given up on (read here)


class Read(NamedTuple):
    """Statements read, in order: per statement its phrasings, and the ids of its heads'
    roots (each phrasing's once) and of its body's terms (every occurrence), as runs."""

    heads: list[tuple[Normalized, ...]]
    head_ids: np.ndarray  # int32
    head_sizes: np.ndarray  # int64, a run per statement
    body_ids: np.ndarray  # int32
    body_sizes: np.ndarray  # int64


def read_here(docs: Sequence[IndexDoc], rows: Rows, *, bodies: bool = True) -> Read:
    """`docs` read in this process, into `rows`' ids (with no bodies' ids unless `bodies`)."""
    reader = TermIds(rows)
    heads: list[tuple[Normalized, ...]] = []
    head_ids: list[int] = []
    head_sizes: list[int] = []
    read: list[bytes] = []
    try:
        for doc in docs:
            phrasings = tuple(reader.normalized(t) for t in (doc.claim, *doc.variants) if t.strip())
            before = len(head_ids)
            for h in phrasings:  # a phrasing counts each of its roots once
                head_ids.extend(map(rows.__getitem__, set(h.terms)))
            head_sizes.append(len(head_ids) - before)
            heads.append(phrasings)
            if bodies:
                read.append(reader.ids(doc.clarification))
    finally:
        reader.release()
    return Read(
        heads,
        np.array(head_ids, dtype=np.int32),
        np.array(head_sizes, dtype=np.int64),
        *_runs(read),
    )


def _runs(read: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Runs of ids (int32 bytes) as one array of ids and one of run lengths."""
    ids = np.frombuffer(b"".join(read), dtype=np.int32) if read else np.zeros(0, np.int32)
    return ids, np.array([len(b) // 4 for b in read], dtype=np.int64)


#: what a worker sends back: its words, then its texts' ids and their run lengths as bytes
Share = tuple[list[str], bytes, bytes]


def read_share(texts: list[str]) -> Share:
    """A worker's share of clarifications, read into ids of words of its own."""
    rows = Rows()
    reader = TermIds(rows)
    ids, sizes = _runs([reader.ids(t) for t in texts])
    return list(rows), ids.tobytes(), sizes.tobytes()


def phrasings_of(kept: list) -> tuple[Normalized, ...]:
    """Phrasings as kept ([tokens, content, terms] each), their words interned: one copy of
    each word however many phrasings hold it, as when they are read (without, 300 MB more
    at 100,000 statements)."""
    return tuple(
        Normalized(tuple(map(intern, t)), tuple(map(intern, c)), tuple(map(intern, r)))
        for t, c, r in kept
    )


def workers() -> int:
    """Worker processes to share a large reading among: one per core this process may use."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, MAX_WORKERS)


def read_texts(docs: Sequence[IndexDoc], rows: Rows, processes: int | None = None) -> Read:
    """`docs` read into `rows`' ids. With at least SHARED_FROM of them, their clarifications
    (most of the text) are shared among `processes` workers (by default one per core) while
    this process reads the claims and variants; if the workers fail, everything is read
    here."""
    processes = workers() if processes is None else processes
    if processes < 2 or len(docs) < SHARED_FROM:
        return read_here(docs, rows)
    step = -(-len(docs) // processes)
    shares = [[d.clarification for d in docs[i : i + step]] for i in range(0, len(docs), step)]
    waiting = ThreadPoolExecutor(len(shares))
    try:
        sent = [waiting.submit(_in_worker, share) for share in shares]
        del shares
        heads = read_here(docs, rows, bodies=False)
        parts = [_received(future.result(), rows) for future in sent]
    except Exception:
        log.exception("reading in worker processes failed; reading here")
        return read_here(docs, rows)
    finally:
        waiting.shutdown(wait=False)
    return heads._replace(
        body_ids=np.concatenate([p[0] for p in parts]),
        body_sizes=np.concatenate([p[1] for p in parts]),
    )


def _received(share: Share, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    names, ids, sizes = share
    mine = np.fromiter(map(rows.__getitem__, names), dtype=np.int32, count=len(names))
    return mine[np.frombuffer(ids, dtype=np.int32)], np.frombuffer(sizes, dtype=np.int64)


def _in_worker(share: list[str]) -> Share:
    """`read_share` in a new Python process (`python -m bot.matcher.reading`), the share
    and its result pickled through its standard input and output. A plain process, not
    multiprocessing's: that one imports the starting program's main module again (a script
    without a main guard would run twice) and a fork would copy locks the bot's other
    threads hold."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))
    done = subprocess.run(
        [sys.executable, "-m", "bot.matcher.reading"],
        input=pickle.dumps(share, pickle.HIGHEST_PROTOCOL),
        capture_output=True,
        env={**os.environ, "PYTHONPATH": path},
        check=False,
        timeout=WORKER_SECONDS,
    )
    if done.returncode != 0:
        raise ChildProcessError(done.stderr.decode(errors="replace")[-2000:])
    return pickle.loads(done.stdout)  # type: ignore[no-any-return]


if __name__ == "__main__":  # a worker: a share on standard input, what it read on output
    gc.disable()  # a short life making millions of objects, none of them in a cycle
    sys.stdout.buffer.write(
        pickle.dumps(read_share(pickle.load(sys.stdin.buffer)), pickle.HIGHEST_PROTOCOL)
    )
