"""What `cekklaim import` keeps of each statement's text for the index (bot/kept_terms.py,
bot/matcher/packed.py): an index built from it answers exactly as one that read every
statement, and an entry that is stale (another text, other code), damaged or missing is
never used for a statement: the bot reads that statement itself.
"""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest
from sqlite_utils import Database

import storage
import storage.index_entries as index_terms_module
from bot import kept_terms
from bot.indexing import Snapshots
from bot.matcher import packed
from bot.matcher.index import MatchIndex
from bot.matcher.match import match_text
from bot.matcher.postings import IndexDoc, read
from bot.snapshot import index_docs
from storage import StatementInput

WORDS = (
    "pemilu ditunda kpu bawaslu surat suara dicoblos tinta babi haram kotak kardus tps kpps "
    "honor caleg sirekap curang gudang jakarta 2024 2025 tidak rp600.000 bansos cair hoaks "
    "mencoblos pencoblosan benar² bener gak sih? https://contoh.id/a C0r€T 3x"
).split()
TEXTS = (
    "surat suara sudah dicoblos duluan di gudang kpu",
    "tinta pemilu mengandung babi jadi haram",
    "pemilu 2024 diundur ke 2025",
    "bansos rp 600 ribu cair hari ini",
    "honor kpps dibayar caleg",
    "sirekap curang bener gak sih?",
)


def texts(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, n)))


def docs(seed: int, n: int = 40) -> list[IndexDoc]:
    rng = random.Random(seed)
    return [
        IndexDoc(
            f"s{i}",
            texts(rng, 8) or "klaim",
            tuple(texts(rng, 5) for _ in range(rng.randint(0, 2)) if rng.random() < 0.7),
            texts(rng, 40),
        )
        for i in range(n)
    ]


def answers(index: MatchIndex) -> list[object]:
    out: list[object] = []
    for text in TEXTS:
        result = match_text(index, text)
        out.append([(index.ids[c.doc], c.bm25, c.explained) for c in index.retrieve(result.query)])
        out.append((result.tier, [(m.statement_id, m.score) for m in result.matches]))
    return out


def built(some: list[IndexDoc], kept: dict[str, bytes]) -> tuple[MatchIndex, int]:
    """The index of `some` built from the entries of `kept` (by key) that fit them."""
    base, misses = packed.build(some, packed.by_statement(some, kept))
    order = np.arange(len(some), dtype=np.int64)
    return MatchIndex.from_built(base._replace(order=order)), misses


@pytest.mark.parametrize("seed", range(6))
def test_packed_reads_back_as_read_and_builds_the_same_index(seed: int) -> None:
    some = docs(seed)
    for doc in some:
        blob = packed.pack(read(doc))
        assert blob is not None and packed.unpack(doc.statement_id, blob) == read(doc)
    # some kept, some not, some kept under another statement's text: each read as it is
    rng = random.Random(seed)
    kept = {packed.key(d): packed.pack(read(d)) for d in some if rng.random() < 0.7}
    stray = packed.pack(read(some[0]))
    assert stray is not None
    kept[packed.key(IndexDoc("x", "teks lain sama sekali"))] = stray
    index, misses = built(some, {k: v for k, v in kept.items() if v is not None})
    assert 0 < misses < len(some)
    assert answers(index) == answers(MatchIndex(some))


@pytest.mark.parametrize("damage", ["flipped", "truncated", "empty", "lengths", "words"])
def test_a_damaged_entry_is_not_used(damage: str) -> None:
    some = docs(99, 12)
    blobs = {packed.key(d): packed.pack(read(d)) for d in some}
    target = packed.key(some[3])
    blob = blobs[target]
    assert blob is not None
    if damage == "flipped":
        bad = blob[:40] + bytes([blob[40] ^ 1]) + blob[41:]
    elif damage == "truncated":
        bad = blob[: len(blob) - 3]
    elif damage == "empty":
        bad = b""
    elif damage == "lengths":  # a CRC that fits, over lengths that do not
        longer = (int.from_bytes(blob[8:12], "little") + 1).to_bytes(4, "little")
        bad = _recrc(blob[:8] + longer + blob[12:])
    else:  # a CRC that fits, over words that are not one space apart
        at = blob.index(b" ", 16 + int.from_bytes(blob[4:8], "little"))
        bad = _recrc(blob[:at] + b"  " + blob[at + 2 :])
    assert packed.unpack(some[3].statement_id, bad) is None
    kept = {k: v for k, v in blobs.items() if v is not None}
    kept[target] = bad
    index, misses = built(some, kept)
    assert misses == 1
    assert answers(index) == answers(MatchIndex(some))


def _recrc(body: bytes) -> bytes:
    return zlib.crc32(body[4:]).to_bytes(4, "little") + body[4:]


def test_the_key_changes_with_the_text_and_with_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = IndexDoc("a", "pemilu ditunda", ("pemilu diundur",), "kpu membantah")
    key = packed.key(doc)
    assert packed.key(IndexDoc("b", "pemilu ditunda", ("pemilu diundur",), "kpu membantah")) == key
    assert packed.key(IndexDoc("a", "pemilu ditunda", (), "pemilu diundur kpu membantah")) != key
    assert packed.key(IndexDoc("a", "pemilu ditunda", ("pemilu diundur",), "kpu membantah.")) != key
    monkeypatch.setattr(packed, "fingerprint", lambda: "other code")
    assert packed.key(doc) != key


def rows(n: int, prefix: str = "klaim") -> list[StatementInput]:
    rng = random.Random(n)
    return [
        StatementInput(
            f"kpu-{i}", "KPU", "HOAKS", f"{prefix} {texts(rng, 6)} nomor {i}", texts(rng, 30) or "x"
        )
        for i in range(n)
    ]


def reference(db: Database) -> MatchIndex:
    """What a bot that reads every statement itself serves."""
    statements = storage.servable_statements(db)
    return MatchIndex(index_docs(statements), [s.id for s in statements])


def test_an_import_keeps_every_text_and_the_bot_reads_none(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept_terms.import_statements(db, rows(30), actor="cli", lock_seconds=0.01)
    keys = {packed.key(d) for d in index_docs(storage.list_statements(db))}
    assert storage.index_terms_keys(db) == keys
    expected = answers(reference(db))
    calls: list[IndexDoc] = []
    monkeypatch.setattr(packed, "read", lambda d: calls.append(d) or read(d))
    first = Snapshots(db)  # no saved index yet: built from what the import kept
    assert answers(first.current.index) == expected
    assert calls == []  # every statement unpacked


def test_a_text_changed_after_the_import_is_read_afresh(db: Database) -> None:
    kept_terms.import_statements(db, rows(20), actor="cli")
    snapshots = Snapshots(db)
    edited = StatementInput("kpu-4", "KPU", "HOAKS", "tinta pemilu mengandung babi", "haram")
    storage.save_statement(db, edited, actor="mod")  # the bot's moderator: nothing kept
    storage.add_variant(db, "kpu-5", "surat suara dicoblos duluan", source="moderator", actor="m")
    assert snapshots.refresh() is True
    assert answers(snapshots.current.index) == answers(reference(db))
    again = Snapshots(db)  # a start on the saved index, and one afresh
    assert answers(again.current.index) == answers(reference(db))
    again.wait_saved()
    assert again.saved_at is not None
    again.saved_at.unlink()
    assert answers(Snapshots(db).current.index) == answers(reference(db))


def test_an_entry_planted_under_a_statement_key_but_damaged_is_ignored(db: Database) -> None:
    kept_terms.import_statements(db, rows(10), actor="cli")
    statement = storage.list_statements(db)[2]
    key = packed.key(index_docs([statement])[0])
    with storage.transaction(db):
        db.execute("UPDATE index_terms SET terms = ? WHERE key = ?", [b"\x00" * 64, key])
    assert answers(Snapshots(db).current.index) == answers(reference(db))


def test_a_reimport_forgets_the_entries_of_texts_no_longer_stored(db: Database) -> None:
    kept_terms.import_statements(db, rows(10), actor="cli")
    before = storage.index_terms_keys(db)
    kept_terms.import_statements(db, rows(10, prefix="kabar"), actor="cli")
    after = storage.index_terms_keys(db)
    assert len(after) == 10 and not before & after
    assert after == {packed.key(d) for d in index_docs(storage.list_statements(db))}


def test_entries_are_found_looked_up_or_read_whole_alike(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept_terms.import_statements(db, rows(12), actor="cli")
    keys = [*sorted(storage.index_terms_keys(db))[:7], "no such key"]
    looked_up = storage.index_terms(db, keys)
    monkeypatch.setattr(index_terms_module, "SCAN_FROM", 1)
    assert storage.index_terms(db, keys) == looked_up
    assert set(looked_up) == set(keys[:7])
