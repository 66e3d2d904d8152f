"""Many statements read from their text for the index (bot/matcher/bulk.py), in worker
processes when there are many: reading is the slow part of a build, pure Python, so one
process reads at the speed of one core (100,000 statements: about 15 s in one process on
this 2-core machine, about 10 s with a worker per core). Each worker reads and counts a
share of the statements with ids of its own words; the building process maps them to its
ids with numpy. A worker that cannot be started or fails leaves its share to the building
process, so the result never depends on the workers: it is what `read` gives.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from sys import intern
from typing import NamedTuple

import numpy as np

from bot.matcher.bulk import TermIds
from bot.matcher.normalize import Normalized
from bot.matcher.postings import Entries, IndexDoc, Rows

log = logging.getLogger(__name__)

#: from how many statements reading is shared among worker processes: below, starting
#: them costs more than it saves
SHARED_FROM = 20_000
MAX_WORKERS = 4  # processes at most, however many cores (each holds its share's words)
WORKER_SECONDS = 600.0  # a worker still reading after this is given up on (read here)


class Texts(NamedTuple):
    """Statements read: each one's phrasings, and the entries of all, grouped by word and in
    statement order within each (statements placed as given: 0, 1, ...)."""

    heads: list[tuple[Normalized, ...]]
    entries: Entries


def read_here(docs: Sequence[IndexDoc], rows: Rows, *, release: bool = True) -> Texts:
    """`docs` read in this process, into `rows`' ids (`release`: empty the reader's tables
    a piece at a time after, as the bot's process must; a worker ends instead)."""
    reader = TermIds(rows)
    heads: list[tuple[Normalized, ...]] = []
    head_ids: list[int] = []
    head_sizes: list[int] = []
    bodies: list[bytes] = []
    try:
        for doc in docs:
            phrasings = tuple(reader.normalized(t) for t in (doc.claim, *doc.variants) if t.strip())
            before = len(head_ids)
            for h in phrasings:  # a phrasing counts each of its roots once
                head_ids.extend(map(rows.__getitem__, set(h.terms)))
            head_sizes.append(len(head_ids) - before)
            heads.append(phrasings)
            bodies.append(reader.ids(doc.clarification))
    finally:
        if release:
            reader.release()
    body_ids = np.frombuffer(b"".join(bodies), dtype=np.int32) if bodies else np.zeros(0, np.int32)
    body_sizes = np.array([len(b) // 4 for b in bodies], dtype=np.int64)
    del bodies
    head = (np.array(head_ids, dtype=np.int32), np.array(head_sizes, dtype=np.int64))
    return Texts(heads, read_entries(len(docs), np.arange(len(docs)), head, (body_ids, body_sizes)))


#: a share of statements as sent to a worker: their ids, claims, variants, clarifications
Sent = tuple[list[str], list[str], list[tuple[str, ...]], list[str]]
#: the phrasings of a statement as sent back: (tokens, content, terms) each
Phrasings = tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]
#: what a worker sends back: its words, the phrasings, its entries' arrays as int32 bytes
Share = tuple[list[str], list[Phrasings], bytes, bytes, bytes, bytes]


def _share(docs: Sequence[IndexDoc]) -> Sent:
    return (
        [d.statement_id for d in docs],
        [d.claim for d in docs],
        [tuple(d.variants) for d in docs],
        [d.clarification for d in docs],
    )


def read_share(sent: Sent) -> Share:
    """A worker's share of statements, read into ids of words of its own and counted (the
    sort of its occurrences done in the worker too). The phrasings go back as tuples of
    words: pickling writes each string once however many phrasings hold it, so the
    building process gets them shared, with no copy made on the way (and tuples pickle
    several times faster than objects)."""
    rows = Rows()
    texts = read_here([IndexDoc(*d) for d in zip(*sent, strict=True)], rows, release=False)
    term, slot, head_tf, body_tf = (a.astype(np.int32).tobytes() for a in texts.entries)
    heads = [tuple((h.tokens, h.content, h.terms) for h in hs) for hs in texts.heads]
    return list(rows), heads, term, slot, head_tf, body_tf


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


def read_texts(docs: Sequence[IndexDoc], rows: Rows, processes: int | None = None) -> Texts:
    """`docs` read into `rows`' ids: shared among `processes` workers (by default one per
    core) when there are at least SHARED_FROM, else, or if they fail, in this process.
    The workers are started first, so their start-up (an interpreter, numpy: ~0.3 s)
    runs while their shares are written to them."""
    processes = workers() if processes is None else processes
    if processes < 2 or len(docs) < SHARED_FROM:
        return read_here(docs, rows)
    step = -(-len(docs) // processes)
    started: list[_Worker] = []
    try:
        started += (_Worker() for _ in range(0, len(docs), step))
        with ThreadPoolExecutor(len(started)) as waiting:
            asked = [
                waiting.submit(w.read, docs[i * step : (i + 1) * step])
                for i, w in enumerate(started)
            ]
            try:
                parts = [_received(a.result(), rows, i * step) for i, a in enumerate(asked)]
            except BaseException:
                for worker in started:  # the others' waits end now, not when they are done
                    worker.kill()
                raise
    except Exception:
        log.exception("reading in worker processes failed; reading here")
        return read_here(docs, rows)
    finally:
        for worker in started:
            worker.stop()
    heads = [h for p in parts for h in p.heads]
    entries = merged([(p.mine, p.entries) for p in parts], len(rows))
    del parts
    return Texts(heads, entries)


class Received(NamedTuple):
    """A worker's share: the phrasings, and the entries in the worker's own word ids
    (`mine`: this process's id of each), its statements placed from where the share starts."""

    heads: list[tuple[Normalized, ...]]
    mine: np.ndarray
    entries: Entries


def _received(share: Share, rows: Rows, first: int) -> Received:
    """A worker's share, its words given this process's ids, its statements placed from
    `first`."""
    names, heads, term, slot, head_tf, body_tf = share
    mine = np.fromiter(map(rows.__getitem__, names), dtype=np.int64, count=len(names))
    arrays = (np.frombuffer(a, dtype=np.int32) for a in (term, slot, head_tf, body_tf))
    term_at, slot_at, head_at, body_at = arrays
    phrasings = [tuple(Normalized(*h) for h in hs) for hs in heads]
    return Received(phrasings, mine, (term_at, slot_at + first, head_at, body_at))


def merged(shares: list[tuple[np.ndarray, Entries]], words: int) -> Entries:
    """The entries of shares of statements, in this process's word ids (below `words`),
    grouped by word and in statement order within each: each share's are grouped by a
    word id of its own (`mine`: this process's id of each) and in statement order, and the
    shares' statements come in turn. Each share's run of a word is copied into its place:
    no sort (a sort of all entries took 0.5 s at 100,000 statements)."""
    sizes = [np.bincount(term, minlength=len(mine)) for mine, (term, *_) in shares]
    total = np.zeros(words, dtype=np.int64)
    for (mine, _), size in zip(shares, sizes, strict=True):
        total[mine] += size  # a share's words are distinct: each id once
    free = np.concatenate(([0], np.cumsum(total)[:-1])).astype(np.int64)  # next place, by word
    n = int(total.sum())
    term_out, slot_out, head_out, body_out = (np.empty(n, np.int32) for _ in range(4))
    for (mine, (term, slot, head_tf, body_tf)), size in zip(shares, sizes, strict=True):
        runs = np.concatenate(([0], np.cumsum(size)[:-1]))  # where each run starts in the share
        to = np.repeat(free[mine] - runs, size) + np.arange(len(term))
        free[mine] += size
        term_out[to], slot_out[to], head_out[to], body_out[to] = mine[term], slot, head_tf, body_tf
    return term_out, slot_out, head_out, body_out


def read_entries(
    n: int,
    slots: np.ndarray,
    head: tuple[np.ndarray, np.ndarray],
    body: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (word, statement) of the statements read from text, grouped by word and in
    statement order, with its counts in the heads and the body: one sort of all their
    occurrences, keyed (word, statement, 0 for the body or 1 for a head) in bits (numpy
    sorts integers fast; shifts, unlike a division, cost nothing)."""
    bits = max(n, 1).bit_length()
    keys = np.empty(len(head[0]) + len(body[0]), dtype=np.int64)
    for at, (ids, sizes), flag in ((0, body, 0), (len(body[0]), head, 1)):
        part = keys[at : at + len(ids)]
        np.left_shift(ids, bits + 1, out=part, dtype=np.int64)
        part |= np.repeat(slots << 1, sizes) | flag
    keys.sort()
    if not len(keys):
        return keys, keys, keys, keys
    # sorted, two keys are of one entry when they differ in the flag bit at most
    starts = np.flatnonzero(np.bitwise_xor(keys[1:], keys[:-1]) > 1) + 1
    starts = np.concatenate(([0], starts))
    low = 0 if sys.byteorder == "little" else keys.itemsize - 1
    flags = keys.view(np.uint8)[low :: keys.itemsize] & 1  # the lowest byte: no copy
    head_tf = np.add.reduceat(flags, starts, dtype=np.int64)
    total = np.diff(np.append(starts, len(keys)))
    entry = keys[starts] >> 1
    return entry >> bits, entry & ((1 << bits) - 1), head_tf, total - head_tf


def command() -> list[str]:
    """How a worker process is started."""
    return [sys.executable, "-m", "bot.matcher.reading"]


class _Worker:
    """`read_share` in a new Python process (`python -m bot.matcher.reading`), its share
    and its result pickled through its standard input and output, each as it is written
    (a share is 60 MB at 100,000 statements; the result, 80 MB). A plain process, not
    multiprocessing's: that one imports the starting program's main module again (a script
    without a main guard would run twice) and a fork would copy locks the bot's other
    threads hold."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))
        # a file, not a pipe: a full pipe would block the worker (closed by `stop`)
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                env={**os.environ, "PYTHONPATH": path},
            )
        except BaseException:
            self._errors.close()
            raise

    def read(self, docs: Sequence[IndexDoc]) -> Share:
        """What the worker reads of `docs`; ChildProcessError if it fails, or is still
        reading after WORKER_SECONDS."""
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        late = threading.Timer(WORKER_SECONDS, process.kill)
        late.daemon = True
        late.start()
        try:
            with process.stdin:  # the worker reads all of it before it writes
                pickle.dump(_share(docs), process.stdin, pickle.HIGHEST_PROTOCOL)
            share: Share = pickle.load(process.stdout)
            if process.wait() == 0:
                return share
        except (OSError, EOFError, pickle.UnpicklingError):
            pass
        finally:
            late.cancel()
        process.kill()
        process.wait()
        self._errors.seek(0)
        said = self._errors.read()[-2000:].decode(errors="replace")
        raise ChildProcessError(f"worker exited with {process.returncode}: {said}")

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()

    def stop(self) -> None:
        """The process ended (killed if it still runs) and its pipes closed."""
        self.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        self._errors.close()


if __name__ == "__main__":  # a worker: a share on standard input, what it read on output
    gc.disable()  # a short life making millions of objects, none of them in a cycle
    share = read_share(pickle.load(sys.stdin.buffer))
    pickle.dump(share, sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)
