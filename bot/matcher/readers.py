"""A large base read by worker processes, a chunk of statements at a time (reading.py):
reading is pure Python, so one process reads at the speed of one core (100,000 statements:
about 15 s in one process on this 2-core machine, about 10 s with a worker per core).

- A worker is handed its next chunk when it answers one (it holds two: one it reads, one it
  takes in meanwhile), so a worker the machine slows reads fewer (two equal halves finished
  up to 2.7 s apart on this machine), and the chunks get smaller towards the end, so the
  workers end close together.
- It sends each chunk back as soon as it is read (written by a thread while it reads on),
  so the building process takes them in while the workers read on, and starts on the first
  chunk while the later ones are still being written to it.
- A worker that cannot be started, fails or is still reading after WORKER_SECONDS leaves
  the whole reading to the building process: the result never depends on the workers (it
  is what `read` gives).

Plain processes, not multiprocessing's: that one imports the starting program's main
module again (a script without a main guard would run twice), and a fork would copy locks
the bot's other threads hold.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import IO, BinaryIO

try:
    import fcntl
except ImportError:  # not a POSIX system
    fcntl = None  # type: ignore[assignment]

import numpy as np

from bot.matcher.bulk import TermIds
from bot.matcher.postings import IndexDoc, Rows
from bot.matcher.reading import (
    Received,
    Sent,
    Texts,
    merged,
    read_chunk,
    read_here,
    received,
    sent,
)

log = logging.getLogger(__name__)

#: from how many statements reading is shared among worker processes: below, starting
#: them costs more than it saves
SHARED_FROM = 20_000
MAX_WORKERS = 4  # processes at most, however many cores (each holds its chunks' words)
WORKER_SECONDS = 600.0  # a worker still reading after this is given up on (read here)
#: chunks a worker is given before its first answer, and then one more at each: one read,
#: one taken in meanwhile (readers.main)
AHEAD = 2
PIPE_BYTES = 1 << 20  # the most Linux gives a process that is not root, by default
SMALLEST_CHUNK = 1_000  # statements: a chunk costs its worker a sort and a round trip


def workers() -> int:
    """Worker processes to share a large reading among: one per core this process may use."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, MAX_WORKERS)


def read_texts(docs: Sequence[IndexDoc], rows: Rows, processes: int | None = None) -> Texts:
    """`docs` read into `rows`' ids: by `processes` workers (by default one per core) when
    there are at least SHARED_FROM, else, or if they fail, in this process."""
    processes = workers() if processes is None else processes
    if processes < 2 or len(docs) < SHARED_FROM:
        return read_here(docs, rows)
    chunks = [docs[a:b] for a, b in chunked(len(docs), processes)]
    try:
        got = _read_by_workers(chunks, processes)
    except Exception:
        log.exception("reading in worker processes failed; reading here")
        return read_here(docs, rows)
    # each worker's words given this process's ids, chunk by chunk in order
    theirs: list[list[int]] = [[] for _ in range(processes)]
    for worker, chunk in got:
        theirs[worker] += map(rows.__getitem__, chunk.names)
    mine = [np.array(ids, dtype=np.int64) for ids in theirs]
    shares, at = [], 0
    for (worker, chunk), docs_in in zip(got, chunks, strict=True):
        shares.append((mine[worker], chunk.counted, at))
        at += len(docs_in)
    heads = [h for _, chunk in got for h in chunk.heads]
    del got
    return Texts(heads, merged(shares, len(rows)))


def chunked(n: int, processes: int) -> list[tuple[int, int]]:
    """Where the chunks of `n` statements start and end: each a share of what is left
    (1 / (2 * processes)), so the first are large (few round trips) and the last small
    (the workers end close together: 100,000 statements for two workers, 25,000 first and
    1,169 last, 15 chunks)."""
    bounds, at = [], 0
    while at < n:
        size = max(SMALLEST_CHUNK, (n - at) // (2 * processes))
        if n - at - size < SMALLEST_CHUNK:  # no chunk smaller than that at the end
            size = n - at
        bounds.append((at, at + size))
        at += size
    return bounds


def _read_by_workers(
    chunks: list[Sequence[IndexDoc]], processes: int
) -> list[tuple[int, Received]]:
    """Each chunk as a worker read it, in order, with the worker's number."""
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(chunks)):
        todo.put(index)
    started: list[_Worker] = []
    try:
        started += (_Worker() for _ in range(processes))
        with ThreadPoolExecutor(len(started)) as waiting:
            asked = [waiting.submit(w.read, chunks, todo) for w in started]
            try:
                for answered in as_completed(asked):
                    answered.result()  # the first to fail ends the others' waits now
            except BaseException:
                for worker in started:
                    worker.kill()
                raise
            answers = [a.result() for a in asked]
    finally:
        for worker in started:
            worker.stop()
    by_chunk = {i: (n, chunk) for n, answer in enumerate(answers) for i, chunk in answer}
    return [by_chunk[i] for i in range(len(chunks))]


def _widened(pipe: IO[bytes] | None) -> None:
    """A pipe made to hold PIPE_BYTES where the system lets it (Linux): a chunk of a few
    megabytes goes through in a few steps, not in 64 KB ones, each waiting for a thread."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or setting is None:
        return
    with contextlib.suppress(OSError):  # more than the system allows: as it is
        fcntl.fcntl(pipe.fileno(), setting, PIPE_BYTES)


def command() -> list[str]:
    """How a worker process is started."""
    return [sys.executable, "-m", "bot.matcher.readers"]


class _Worker:
    """A worker process (`main`): chunks pickled to its standard input one after the other,
    each one read and pickled back on its standard output (by one pickler: a word already
    sent goes as a reference, and the phrasings of all chunks share one copy of it)."""

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
                cwd=root,  # `-m` looks in the working directory first
                # no linear algebra here: numpy's OpenBLAS would start a thread per core
                # that spins ~0.1 s after import, on the cores the workers read on
                env={**os.environ, "PYTHONPATH": path, "OPENBLAS_NUM_THREADS": "1"},
            )
        except BaseException:
            self._errors.close()
            raise
        for pipe in (self._process.stdin, self._process.stdout):
            _widened(pipe)

    def read(
        self, chunks: list[Sequence[IndexDoc]], todo: queue.SimpleQueue[int]
    ) -> list[tuple[int, Received]]:
        """The chunks this worker read, taken from `todo` one at a time, as (index, chunk);
        ChildProcessError if it fails, or is still reading after WORKER_SECONDS."""
        process = self._process
        assert process.stdout is not None
        given: list[int] = []
        credits = threading.Semaphore(AHEAD)
        feeding = threading.Thread(
            target=self._feed, args=(chunks, todo, given, credits), daemon=True
        )
        late = threading.Timer(WORKER_SECONDS, process.kill)
        late.daemon = True
        late.start()
        feeding.start()
        got: list[Received] = []
        try:
            answers = pickle.Unpickler(process.stdout)
            while True:
                try:
                    got.append(received(answers.load()))
                except EOFError:
                    break
                credits.release()
            credits.release(len(chunks) + 1)  # no more answers: a feeder waiting ends
            feeding.join()
            if process.wait() == 0 and len(got) == len(given):
                return list(zip(given, got, strict=True))
        except (OSError, pickle.UnpicklingError):
            pass
        finally:
            late.cancel()
        process.kill()
        process.wait()
        credits.release(len(chunks) + 1)
        feeding.join()
        self._errors.seek(0)
        said = self._errors.read()[-2000:].decode(errors="replace")
        raise ChildProcessError(f"worker exited with {process.returncode}: {said}")

    def _feed(
        self,
        chunks: list[Sequence[IndexDoc]],
        todo: queue.SimpleQueue[int],
        given: list[int],
        credits: threading.Semaphore,
    ) -> None:
        """Chunks written to the worker while any are left, AHEAD of its answers: the next
        chunk is taken (from `todo`) when the worker answers one, so it goes to whichever
        worker is ready first."""
        stdin = self._process.stdin
        assert stdin is not None
        try:
            with stdin:
                while True:
                    credits.acquire()
                    try:
                        index = todo.get_nowait()
                    except queue.Empty:
                        return
                    given.append(index)
                    pickle.dump(sent(chunks[index]), stdin, pickle.HIGHEST_PROTOCOL)
                    stdin.flush()
        except OSError:
            return  # the worker ended: `read` finds a chunk missing

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


def main() -> None:
    """A worker: chunks on standard input until it ends, each read and written back. The
    pipes are worked by threads of their own, so the reading never waits on them: the next
    chunk is taken in while this one is read (there is one at most: the building process
    gives another only as an answer comes, AHEAD), and an answer is written while the next
    chunk is read (on a 2-core machine a worker waited ~0.3 s for its chunks and ~0.35 s
    to hand its answers over, of 6 s, at 100,000 statements)."""
    gc.disable()  # a short life making millions of objects, none of them in a cycle
    rows = Rows()
    reader = TermIds(rows)
    chunks: queue.Queue[Sent | None] = queue.Queue()
    answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    threading.Thread(target=_taken, args=(sys.stdin.buffer, chunks), daemon=True).start()
    sending = threading.Thread(target=_sent, args=(sys.stdout.buffer, answers), daemon=True)
    sending.start()
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)  # one memo for all answers
    while (chunk := chunks.get()) is not None:
        buffer.seek(0)
        buffer.truncate()
        pickler.dump(read_chunk(chunk, rows, reader))
        answers.put(buffer.getvalue())
    answers.put(None)
    sending.join()


def _taken(stream: BinaryIO, chunks: queue.Queue[Sent | None]) -> None:
    """Chunks as they come on `stream`, then None; the process ends at once on bad input
    (the building process sees a worker fail)."""
    try:
        while True:
            try:
                chunks.put(pickle.load(stream))
            except EOFError:
                chunks.put(None)
                return
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


def _sent(stream: BinaryIO, answers: queue.SimpleQueue[bytes | None]) -> None:
    """Answers written to `stream` as they come, until None."""
    try:
        while (answer := answers.get()) is not None:
            stream.write(answer)
            stream.flush()
    except BaseException:  # the building process has gone, or given up on this worker
        os._exit(1)


if __name__ == "__main__":
    main()
    sys.stdout.buffer.flush()
    os._exit(0)  # no freeing of its tables a word at a time (0.25 s at 100,000 statements)
