"""A statement as the index reads it (`DocTerms`), packed into bytes to be kept in the
database (storage/index_entries.py) under a key of the text it was read from.

`cekklaim import` reads the statements it imports (normalizing is the slow part of
indexing) and keeps them packed, so the bot that notices the import, or starts on the base,
unpacks them instead of reading each statement again. The key is a digest of the exact text
the index reads and of the code that reads it (`fingerprint`): another text, or other code,
gives another key, so an entry never stands for a statement as it no longer is. An entry
that does not unpack whole (its CRC, its lengths) is not used: the statement is read again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from bot.matcher import lexicon, normalize, postings, stemmer
from bot.matcher.building import BaseBuilder
from bot.matcher.normalize import Normalized
from bot.matcher.postings import Built, DocTerms, IndexDoc, read
from bot.matcher.reading import phrasings_of

FORMAT = 1
_CODE = (normalize, lexicon, stemmer)  # with `postings.read`: what decides what it reads as
_HEADER = struct.Struct("<IIII")  # crc32 of the rest, heads bytes, words bytes, words
_TF_MAX = 0xFFFF


@cache
def fingerprint() -> str:
    """Changes whenever the code that reads statements changes (or this format does)."""
    digest = hashlib.sha256(f"packed {FORMAT}".encode())
    for module in _CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(inspect.getsource(postings.read).encode())
    return digest.hexdigest()


def key(doc: IndexDoc) -> str:
    """What the index reads of a statement, and the code that reads it, hashed."""
    text = "\x1f".join((fingerprint(), doc.claim, *doc.variants, "\x1e", doc.clarification))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def pack(doc: DocTerms) -> bytes | None:
    """`doc`'s phrasings and counts as bytes; None if they cannot be kept exactly."""
    words = list(doc.terms)
    if any(not w or " " in w for w in words):
        return None
    head = [doc.head_tf.get(w, 0) for w in words]
    body = [doc.body_tf.get(w, 0) for w in words]
    if max(head, default=0) > _TF_MAX or max(body, default=0) > _TF_MAX:
        return None
    heads = json.dumps(
        [[h.tokens, h.content, h.terms] for h in doc.heads], ensure_ascii=False
    ).encode()
    text = " ".join(words).encode()
    rest = b"".join(
        (
            heads,
            text,
            np.array(head, dtype="<u2").tobytes(),
            np.array(body, dtype="<u2").tobytes(),
        )
    )
    header = struct.pack("<III", len(heads), len(text), len(words))
    return struct.pack("<I", zlib.crc32(header + rest)) + header + rest


def _parts(blob: bytes) -> tuple[list, str, bytes, bytes, int] | None:
    """A packed statement's phrasings (as kept), words (joined by spaces), head and body
    counts (uint16 bytes) and number of words; None if it is not whole."""
    try:
        crc, heads_len, text_len, n = _HEADER.unpack_from(blob)
        if zlib.crc32(memoryview(blob)[4:]) != crc:
            return None
        at = _HEADER.size
        if len(blob) != at + heads_len + text_len + 4 * n:
            return None
        heads = json.loads(blob[at : at + heads_len].decode())
        at += heads_len
        text = blob[at : at + text_len].decode()
        at += text_len
        if not isinstance(heads, list) or not _words_ok(text, n):
            return None
        return heads, text, blob[at : at + 2 * n], blob[at + 2 * n :], n
    except (ValueError, TypeError, struct.error, UnicodeDecodeError):
        return None


def _words_ok(text: str, n: int) -> bool:
    """`n` words, one space between each."""
    if not n:
        return not text
    spaced = "  " in text or text.startswith(" ") or text.endswith(" ")
    return not spaced and text.count(" ") + 1 == n


def unpack(statement_id: str, blob: bytes) -> DocTerms | None:
    """The `DocTerms` packed in `blob`; None if it is not whole."""
    parts = _parts(blob)
    if parts is None:
        return None
    heads, text, head_bytes, body_bytes, n = parts
    try:
        phrasings = phrasings_of(heads)
    except (ValueError, TypeError):
        return None
    words = text.split(" ") if n else []
    head = np.frombuffer(head_bytes, dtype="<u2").tolist()
    body = np.frombuffer(body_bytes, dtype="<u2").tolist()
    head_tf = {w: c for w, c in zip(words, head, strict=True) if c}
    body_tf = {w: c for w, c in zip(words, body, strict=True) if c}
    return DocTerms(statement_id, phrasings, head_tf, body_tf)


def by_statement(
    docs: Sequence[IndexDoc], kept: Mapping[str, bytes], keys: Sequence[str] | None = None
) -> dict[str, bytes]:
    """The entries of `kept` (by `key`; `keys`: the docs' own, when worked out already) for
    `docs`, by statement id: each one read from the statement's text as it is now, and by
    this code."""
    found = {}
    for doc, at in zip(docs, map(key, docs) if keys is None else keys, strict=True):
        blob = kept.get(at)
        if blob is not None:
            found[doc.statement_id] = blob
    return found


def read_kept(doc: IndexDoc, kept: Mapping[str, bytes]) -> DocTerms:
    """`read(doc)`, unpacked from `kept` (`by_statement`) when it is there and whole."""
    blob = kept.get(doc.statement_id)
    found = unpack(doc.statement_id, blob) if blob is not None else None
    return found if found is not None else read(doc)


def build(docs: Iterable[IndexDoc], kept: Mapping[str, bytes]) -> tuple[Built, int]:
    """The base of `docs` as reading each statement alone (`read`) makes it, with every
    statement kept in `kept` (`by_statement`) unpacked straight into the arrays and the
    others read together (bot/matcher/building.py); and how many statements had to be read.
    (The bot builds under `heap.held_back`: bot/snapshot.py.)"""
    builder = BaseBuilder()
    misses = 0
    for doc in docs:
        blob = kept.get(doc.statement_id)
        parts = _parts(blob) if blob is not None else None
        phrasings: tuple[Normalized, ...] | None = None
        if parts is not None:
            try:
                phrasings = phrasings_of(parts[0])
            except (ValueError, TypeError):
                phrasings = None
        if parts is not None and phrasings is not None:
            _, text, head_bytes, body_bytes, n = parts
            words = text.split(" ") if n else []
            builder.add_kept(doc.statement_id, phrasings, words, (head_bytes, body_bytes))
        else:
            misses += 1
            builder.add_text(doc)
    return builder.built(), misses
