"""A built index saved to a file and loaded at the next start, instead of normalizing every
statement again (minutes at 100,000 statements; loading takes seconds).

One `.npz` file (numpy's zip of arrays, read with pickling off): the postings, the ready
impacts, every statement's phrasings as normalized, and what it was built from: each
statement's digest (of the text the index reads) and a fingerprint of the code that
normalizes and scores. A file from other code, or one that does not read back whole (the zip
checks every member's CRC), is ignored. A file from an older state of the statements is
fine: the caller compares digests and applies the difference as changes in place, so a saved
index never answers with a statement as it no longer is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.matcher import index, lexicon, normalize, postings, stemmer
from bot.matcher.index import MAX_POSTINGS, MatchIndex
from bot.matcher.normalize import Normalized
from bot.matcher.postings import Built, IndexDoc, Postings

log = logging.getLogger(__name__)

FORMAT = 1
_CODE = (normalize, lexicon, stemmer, postings, index)  # what decides every saved number


def fingerprint() -> str:
    """Changes whenever the code that reads and scores statements changes."""
    digest = hashlib.sha256(f"format {FORMAT} cap {MAX_POSTINGS}".encode())
    for module in _CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def digest(doc: IndexDoc) -> str:
    """What the index reads of a statement, hashed: equal digests, equal index entries."""
    text = "\x1f".join((doc.claim, *doc.variants, "\x1e", doc.clarification))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Loaded:
    index: MatchIndex
    digests: dict[str, str]  # statement id -> digest of what the index holds for it
    order: np.ndarray  # each slot's place in the database when it was saved


def save(
    view: MatchIndex,
    digests: Sequence[str],
    path: Path,
    paced: Callable[[Iterable[int]], Iterable[int]] = iter,
) -> None:
    """Write `view` (one with no changes in place) and its statements' digests, in slot
    order, atomically: a reader sees the old file or the new one. `paced`: how the steps
    of encoding the phrasings are taken (bot/pacing.py `at_half_speed` beside the bot)."""
    parts = view.built()
    assert parts.order is not None and parts.ready is not None
    meta = {
        "fingerprint": fingerprint(),
        "names": parts.postings.names,
        "ids": view.ids,
        "digests": list(digests),
    }
    # one small dump per statement: a single dump of them all is one call that holds the
    # GIL for a second at 100,000 statements, while the bot answers from another thread
    # and joined and encoded a step at a time: one join and encode of them all held it
    # for tens of milliseconds, while the bot answers (the save runs after the swap)
    heads = b"\n".join(
        "\n".join(
            json.dumps([[h.tokens, h.content, h.terms] for h in hs], ensure_ascii=False)
            for hs in view.heads[at : at + JSON_STEP]
        ).encode()
        for at in paced(range(0, len(view.heads), JSON_STEP))
    )
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fp:
        unsynced = 0

        def written(size: int) -> None:
            nonlocal unsynced
            unsynced += size
            if unsynced >= SYNC_STEP:
                fp.flush()
                os.fsync(fp.fileno())
                unsynced = 0

        _savez(
            fp,
            written,
            meta=np.frombuffer(_meta_json(meta).encode(), dtype=np.uint8),
            heads=np.frombuffer(heads, dtype=np.uint8),
            start=parts.postings.start,
            slots=parts.postings.slots,
            head_tf=parts.postings.head_tf,
            body_tf=parts.postings.body_tf,
            head_len=parts.head_len,
            body_len=parts.body_len,
            order=parts.order,
            ready_slots=parts.ready[0],
            ready_weights=parts.ready[1],
            ready_starts=parts.ready[2],
        )
        fp.flush()
        os.fsync(fp.fileno())
    os.replace(tmp, path)


#: Items or bytes written in one call while saving: each call holds the GIL, and the bot
#: answers from another thread meanwhile (a single `json.dumps` of 300,000 words, or numpy's
#: 16 MB steps of `savez`, stalled the event loop 0.1-0.4 s at 100,000 statements).
JSON_STEP = 2_000
WRITE_STEP = 1 << 20
#: Bytes written before they are synced to disk, a few at a time: one sync of the whole file
#: at 100,000 statements made the disk wait, and with it the sync of every claim committed
#: meanwhile on the event loop (61-152 ms, found with a stack sampler).
SYNC_STEP = 4 << 20


def _meta_json(meta: Mapping[str, object]) -> str:
    """`json.dumps(meta)`, a long list a step at a time (the same text)."""
    parts = []
    for key, value in meta.items():
        if isinstance(value, list):
            steps = (value[i : i + JSON_STEP] for i in range(0, len(value), JSON_STEP))
            text = "[" + ", ".join(json.dumps(s, ensure_ascii=False)[1:-1] for s in steps) + "]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _savez(fp: BinaryIO, written: Callable[[int], None], **arrays: np.ndarray) -> None:
    """`np.savez(fp, **arrays)` (read back by `np.load`), written a megabyte at a time,
    `written` told of each."""
    with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            with archive.open(f"{name}.npy", "w", force_zip64=True) as out:
                header = np.lib.format.header_data_from_array_1_0(array)
                np.lib.format.write_array_header_1_0(out, header)
                data = array.reshape(-1).view(np.uint8).data
                for at in range(0, len(data), WRITE_STEP):
                    written(out.write(data[at : at + WRITE_STEP]))


def load(path: Path) -> Loaded | None:
    """The index saved at `path`; None if there is none, or it is not whole, or other code
    wrote it (the caller builds afresh then)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        if meta.get("fingerprint") != fingerprint():
            log.info("saved index %s is from other code: building afresh", path)
            return None
        ids: list[str] = meta["ids"]
        lines = arrays.pop("heads").tobytes().decode().split("\n") if ids else []
        heads = [
            tuple(Normalized(tuple(t), tuple(c), tuple(r)) for t, c, r in json.loads(line))
            for line in lines
        ]
        base = Postings(
            meta["names"],
            len(ids),
            arrays["start"],
            arrays["slots"],
            arrays["head_tf"],
            arrays["body_tf"],
        )
        ready = (arrays["ready_slots"], arrays["ready_weights"], arrays["ready_starts"])
        _check(base, ready, len(ids), arrays, len(meta["digests"]), len(heads))
        lengths = (arrays["head_len"], arrays["body_len"])
        view = MatchIndex.from_built(Built(base, ids, heads, *lengths, arrays["order"], ready))
        return Loaded(view, dict(zip(ids, meta["digests"], strict=True)), arrays["order"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        log.warning("saved index %s could not be read (%s): building afresh", path, exc)
        return None


def _check(
    base: Postings, ready: tuple[np.ndarray, ...], size: int, arrays: dict, digests: int, heads: int
) -> None:
    """Shapes and ranges that every index built here has: anything else is not one."""
    n = len(base.names)
    ok = (
        len(base.start) == n + 1
        and int(base.start[0]) == 0
        and bool(np.all(np.diff(base.start) > 0))
        and int(base.start[-1]) == len(base.slots) == len(base.head_tf) == len(base.body_tf)
        and len(arrays["head_len"]) == len(arrays["body_len"]) == len(arrays["order"]) == size
        and digests == heads == size
        and (len(base.slots) == 0 or int(base.slots.max()) < size)
        and len(ready[2]) == n + 1
        and int(ready[2][-1]) == len(ready[0]) == len(ready[1])
        and (len(ready[0]) == 0 or int(ready[0].max()) < size)
    )
    if not ok:
        raise ValueError("inconsistent arrays")
