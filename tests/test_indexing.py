"""The served index follows the database by applying each change in place (bot.indexing).

A moderator's or the CLI's change is read from the change log and applied to the snapshot's
index without rebuilding it, and the result answers exactly as a snapshot built fresh from
the database. When the log cannot say what changed (pruned, a new day), everything is read
and compared instead: still only the statements that differ are processed again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlite_utils import Database

import bot.core
import bot.indexing
import bot.matcher.index
import storage
from bot.indexing import Snapshots
from bot.matcher import saved
from bot.matcher.index import MatchIndex
from bot.matcher.match import match_text
from bot.matcher.postings import IndexDoc
from bot.snapshot import Snapshot, read_changes, snapshot_of
from storage import StatementInput

TEXTS = (
    "surat suara sudah dicoblos duluan di gudang kpu",
    "tinta pemilu mengandung babi jadi haram",
    "pemilu 2024 diundur ke 2025",
    "kotak suara dari kardus gampang dibobol",
    "honor kpps dibayar caleg",
)


def statement(n: int, claim: str, **fields: str) -> StatementInput:
    return StatementInput(
        external_id=f"kpu-uji-{n}",
        org="KPU",
        verdict="HOAKS",
        claim=claim,
        clarification=fields.pop("clarification", "KPU membantah kabar itu."),
        **fields,  # type: ignore[arg-type]
    )


BASE = [
    statement(1, "Surat suara pilpres sudah dicoblos duluan di gudang logistik KPU"),
    statement(2, "Tinta pemilu mengandung babi sehingga haram dipakai"),
    statement(3, "Pemilu 2024 ditunda ke tahun 2025"),
    statement(4, "Kotak suara karton mudah rusak dan dibobol"),
]


@pytest.fixture
def db(db: Database) -> Database:
    for data in BASE:
        storage.save_statement(db, data, actor="t")
    return db


def answers(snapshot: Snapshot) -> list[object]:
    out: list[object] = []
    for text in TEXTS:
        result = match_text(snapshot.index, text)
        out.append((result.tier, [(m.statement_id, m.score) for m in result.matches]))
    return out


def assert_gone(snapshots: Snapshots, statement_id: str, db: Database) -> None:
    """After a refresh the statement is neither served nor indexed, and every answer is a
    fresh build's."""
    assert snapshots.refresh() is True
    assert statement_id not in snapshots.current.statements
    assert statement_id not in snapshots.current.index
    assert answers(snapshots.current) == answers(fresh(db))


def fresh(db: Database) -> Snapshot:
    return fresh_build(db)


def test_changes_are_applied_in_place_and_answer_as_a_fresh_build(db: Database) -> None:
    snapshots = Snapshots(db)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    storage.save_statement(db, statement(3, "Pemilu 2024 diundur ke 2025 oleh KPU"), actor="mod")
    storage.retire_statement(db, "kpu-uji-2", actor="mod")
    storage.add_variant(db, "kpu-uji-4", "kotak suara kardus", source="moderator", actor="mod")
    assert snapshots.refresh() is True
    now = snapshots.current
    # no rebuild: 5 added, 3 and 4 replaced by new versions, 2 taken out
    assert now.index.changes == 3 + 2 + 1
    assert set(now.statements) == {"kpu-uji-1", "kpu-uji-3", "kpu-uji-4", "kpu-uji-5"}
    assert now.statements["kpu-uji-4"].variants == ("kotak suara kardus",)
    assert answers(now) == answers(fresh(db))
    assert snapshots.refresh() is False  # nothing new


def test_a_superseded_statement_leaves_and_its_successor_answers(db: Database) -> None:
    snapshots = Snapshots(db)
    storage.save_statement(
        db, statement(6, "Pemilu 2024 tetap 14 Februari, tidak ditunda"), actor="m"
    )
    storage.supersede_statement(db, "kpu-uji-3", "kpu-uji-6", actor="m")
    assert_gone(snapshots, "kpu-uji-3", db)


def test_a_pruned_change_log_means_everything_is_read_and_compared(db: Database) -> None:
    snapshots = Snapshots(db)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    storage.prune_changes(db, storage.change_seq(db))  # as another bot process would
    assert storage.changed_since(db, snapshots.current.seq) is None
    assert snapshots.refresh() is True
    assert snapshots.current.index.changes == 1  # still applied in place: only 5 differs
    assert answers(snapshots.current) == answers(fresh(db))


def test_a_new_day_ends_a_statement_valid_until_yesterday(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = storage.today_wib()
    storage.save_statement(
        db, statement(7, "Honor KPPS dibayar caleg", valid_until=today.isoformat()), actor="m"
    )
    snapshots = Snapshots(db)
    assert "kpu-uji-7" in snapshots.current.statements
    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(bot.indexing.storage, "today_wib", lambda: tomorrow)
    assert snapshots.refresh() is True  # no write at all: the date alone
    assert "kpu-uji-7" not in snapshots.current.statements
    assert snapshots.current.day == tomorrow


def test_forcing_builds_afresh(db: Database) -> None:
    snapshots = Snapshots(db)
    before = snapshots.current
    assert snapshots.refresh(force=True) is True
    assert snapshots.current.index is not before.index and snapshots.current.index.changes == 0
    assert answers(snapshots.current) == answers(before)


def test_many_changes_are_folded_into_a_new_base(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.indexing, "COMPACT_MIN", 3)
    snapshots = Snapshots(db)
    for n in range(10, 14):
        storage.save_statement(db, statement(n, f"Klaim uji nomor {n} soal surat suara"), actor="m")
        snapshots.refresh()
    assert snapshots.current.index.changes <= 3
    assert len(snapshots.current.index) == len(BASE) + 4
    assert answers(snapshots.current) == answers(fresh(db))


async def test_the_bot_applies_changes_off_the_loop_and_folds_them_later(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.indexing, "COMPACT_MIN", 2)
    snapshots = Snapshots(db)
    assert snapshots._rebuilder is not None  # a database file: refreshes run in a thread
    for n in range(20, 23):
        storage.save_statement(db, statement(n, f"Klaim uji {n} tentang kotak suara"), actor="m")
        assert await snapshots.refresh_async() is True
    assert snapshots.current.index.changes == 0  # the third change was folded in
    assert answers(snapshots.current) == answers(fresh(db))
    await snapshots.saved()  # saved after the swap, in the background: the next start loads it
    assert snapshots.saved_at is not None
    loaded = saved.load(snapshots.saved_at)
    assert loaded is not None and loaded.index.ids == snapshots.current.index.ids
    assert answers(Snapshots(db).current) == answers(snapshots.current)
    snapshots.close()


def test_the_change_log_is_pruned_once_enough_pile_up(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.indexing, "PRUNE_EVERY", 2)
    snapshots = Snapshots(db)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    snapshots.refresh()
    left = db.execute("SELECT count(*) FROM statement_changes").fetchone()[0]
    assert left == 0 and storage.change_seq(db) == snapshots.current.seq
    storage.save_statement(db, statement(8, "Saksi dilarang masuk TPS"), actor="mod")
    assert snapshots.refresh() is True  # the log after the pruned point still says what
    assert snapshots.current.index.changes == 2
    assert "kpu-uji-8" in snapshots.current.statements


def test_a_prune_in_steps_moves_the_pruned_point_with_each(db: Database) -> None:
    for n in range(20, 27):
        storage.save_statement(db, statement(n, f"Klaim uji {n} soal kotak suara"), actor="m")
    upto = storage.change_seq(db)
    first = db.execute("SELECT min(seq) FROM statement_changes").fetchone()[0]
    steps: list[int] = []
    db.conn.set_trace_callback(lambda sql: steps.append(1) if sql.startswith("DELETE") else None)
    assert storage.prune_changes(db, upto - 2, step=2) == upto - 2 - first + 1
    db.conn.set_trace_callback(None)
    assert len(steps) == -(-(upto - 2) // 2)  # from 0, two sequence numbers per transaction
    left = [r[0] for r in db.execute("SELECT seq FROM statement_changes ORDER BY seq")]
    assert left == [upto - 1, upto]
    assert storage.changed_since(db, upto - 3) is None  # pruned past it: read everything
    assert storage.changed_since(db, upto - 2) is not None


async def test_the_bot_prunes_the_change_log_off_the_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.indexing, "PRUNE_EVERY", 2)
    monkeypatch.setattr(bot.indexing, "PRUNE_STEP", 1)
    snapshots = Snapshots(db)
    assert snapshots._rebuilder is not None
    pruned_by: list[str] = []
    prune = bot.indexing.Rebuilder.prune

    def recorded(rebuilder: bot.indexing.Rebuilder, upto: int) -> None:
        pruned_by.append(threading.current_thread().name)
        prune(rebuilder, upto)

    monkeypatch.setattr(bot.indexing.Rebuilder, "prune", recorded)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    assert await snapshots.refresh_async() is True
    assert snapshots._pruner is not None
    await snapshots._pruner
    assert pruned_by and pruned_by[0] != threading.current_thread().name
    left = db.execute("SELECT count(*) FROM statement_changes").fetchone()[0]
    assert left == 0 and storage.change_seq(db) == snapshots.current.seq
    storage.save_statement(db, statement(8, "Saksi dilarang masuk TPS"), actor="mod")
    assert await snapshots.refresh_async() is True  # the log after the pruned point
    assert snapshots.current.index.changes == 2
    snapshots.close()


async def test_the_bot_warms_the_view_it_serves_in_a_worker_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.matcher.index, "WARM_FROM", 1)
    snapshots = Snapshots(db)
    warmed_by: list[str] = []
    warm = bot.matcher.index.MatchIndex.warm

    def recorded(index: bot.matcher.index.MatchIndex, going: Callable[[], bool]) -> None:
        warmed_by.append(threading.current_thread().name)
        assert going()  # the view warmed is the one served
        warm(index, going)

    monkeypatch.setattr(bot.matcher.index.MatchIndex, "warm", recorded)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    assert await snapshots.refresh_async() is True
    assert snapshots._warming is not None
    await snapshots._warming
    assert warmed_by and warmed_by[0] != threading.current_thread().name
    index = snapshots.current.index
    assert index.changes == 1 and index._impacts  # the commonest words, worked out
    assert answers(snapshots.current) == answers(fresh(db))
    snapshots.close()


async def test_claims_are_matched_off_the_loop_while_the_index_is_built(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a worker thread builds, saves or warms the index, the bot matches claims and
    previews in one thread of its own (`Core._off_loop_if_busy`): right after a change a
    claim's words are scored there on first use, not by `retrieve` on the event loop, and
    the claim is answered as a fresh build answers it. Otherwise they are matched on the
    loop."""
    from bot.core import Core, Who
    from bot.pacing import loop_first_while_building

    monkeypatch.setattr(Snapshots, "_warm_later", lambda self, snapshot: None)  # only claims
    core = Core(db, "test-secret-0123456789")
    matched_on: list[str] = []
    match = bot.core.match_text

    def recorded(index: MatchIndex, text: str) -> object:
        matched_on.append(threading.current_thread().name)
        return match(index, text)

    monkeypatch.setattr(bot.core, "match_text", recorded)
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    assert await core.refresh_async() is True
    assert core.snapshot.index.changes == 1
    text = "honor kpps dibayar caleg, benarkah?"
    with loop_first_while_building():  # as a worker thread's build does
        answer = await core.check_async(text, Who("private", core.pseudonym(1)))
        previewed, _ = await core.match_async("kotak suara dari kardus")
    calm = await core.check_async(text, Who("private", core.pseudonym(2)))
    built = fresh(db)
    core.close()
    here = threading.current_thread().name
    assert matched_on[:2] == ["cekklaim-match"] * 2 and matched_on[2:] == [here]
    assert answer.result.best is not None and answer.result.best.statement_id == "kpu-uji-5"
    assert answer.claim_id is not None and calm.claim_id is not None  # both recorded
    assert previewed.best is not None and previewed.best.statement_id == "kpu-uji-4"
    expected = [m.statement_id for m in match_text(built.index, text).matches]
    assert [m.statement_id for m in answer.result.matches] == expected
    assert [m.statement_id for m in calm.result.matches] == expected


def test_a_deleted_statement_leaves_the_index(db: Database) -> None:
    """Statements are retired, not deleted, but a row removed by hand must not linger."""
    snapshots = Snapshots(db)
    with storage.transaction(db):
        db.execute("DELETE FROM statements WHERE external_id = 'kpu-uji-4'")
    assert_gone(snapshots, "kpu-uji-4", db)


# --------------------------------------------------------------------------- a saved index


def test_the_next_start_loads_the_saved_index_and_answers_the_same(db: Database) -> None:
    first = Snapshots(db)
    first.wait_saved()  # saved in a worker thread
    assert first.saved_at is not None and first.saved_at.exists()
    again = Snapshots(db)
    assert answers(again.current) == answers(first.current)
    assert again.current.index.changes == 0


def test_a_saved_index_older_than_the_statements_gets_the_difference_in_place(
    db: Database,
) -> None:
    for n in range(30, 40):  # enough statements that three changes are a small part
        storage.save_statement(db, statement(n, f"Klaim lain nomor {n} soal tps"), actor="t")
    Snapshots(db).wait_saved()  # saves the index
    storage.save_statement(db, statement(5, "Honor KPPS dibayar oleh caleg"), actor="mod")
    storage.save_statement(db, statement(3, "Pemilu 2024 diundur ke 2025 oleh KPU"), actor="mod")
    storage.retire_statement(db, "kpu-uji-2", actor="mod")
    later = Snapshots(db)
    assert later.current.index.changes == 2 + 2  # loaded; 5 and 3 taken in, 3 and 2 out
    assert answers(later.current) == answers(fresh_build(db))
    assert "kpu-uji-2" not in later.current.index


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other code", "wrong shapes"])
def test_a_damaged_or_foreign_saved_index_is_built_afresh(
    db: Database, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Snapshots(db)
    first.wait_saved()
    path = first.saved_at
    assert path is not None
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(data[:100] + bytes(len(data) - 100))
    elif damage == "other code":
        monkeypatch.setattr(saved, "FORMAT", saved.FORMAT + 1)
    else:
        view = MatchIndex([IndexDoc("a", "satu"), IndexDoc("b", "dua")])
        saved.save(view, ["x"], path)  # one digest for two statements
    assert saved.load(path) is None
    rebuilt = Snapshots(db)
    assert answers(rebuilt.current) == answers(fresh_build(db))


def test_the_index_is_synced_to_disk_a_few_megabytes_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Synced whole at the end, a large file made every claim's commit wait for the disk."""
    monkeypatch.setattr(saved, "WRITE_STEP", 64)
    monkeypatch.setattr(saved, "SYNC_STEP", 256)
    synced: list[int] = []
    fsync = saved.os.fsync
    monkeypatch.setattr(saved.os, "fsync", lambda fd: (synced.append(fd), fsync(fd))[1])
    docs = [IndexDoc(f"s{i}", f"pemilu ditunda kata {i}", (), "KPU membantah") for i in range(50)]
    view = MatchIndex(docs)
    path = tmp_path / "index.npz"
    saved.save(view, [f"d{i}" for i in range(50)], path)
    assert len(synced) >= 4  # in steps, then once more at the end
    loaded = saved.load(path)
    assert loaded is not None and loaded.index.ids == view.ids


def fresh_build(db: Database) -> Snapshot:
    """A snapshot built from scratch, whatever is saved."""
    reading = read_changes(db, None)
    assert reading is not None
    return snapshot_of(reading.version, reading.statements)


def test_a_logged_write_that_changes_nothing_leaves_the_index_as_it_is(db: Database) -> None:
    """The log names a statement, but it reads back as the snapshot holds it (a write of
    the same values): nothing to take in, and nothing to fail on."""
    snapshots = Snapshots(db)
    before = snapshots.current.index
    with storage.transaction(db):
        db.execute("UPDATE statements SET claim = claim WHERE external_id = 'kpu-uji-1'")
    assert snapshots.refresh() is True  # a new version of the data, read
    assert snapshots.current.index is before
    assert answers(snapshots.current) == answers(fresh(db))


def test_the_saved_file_is_what_numpy_and_json_write_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is saved a step at a time (the loop keeps the GIL between steps); what is
    written reads back as `np.savez` and `json.dumps` would have written it."""
    monkeypatch.setattr(saved, "JSON_STEP", 3)
    monkeypatch.setattr(saved, "WRITE_STEP", 7)
    meta = {"fingerprint": "abc", "names": [f"kata{i}" for i in range(10)], "ids": ['é\n"x']}
    assert saved._meta_json(meta) == json.dumps(meta, ensure_ascii=False)
    assert saved._meta_json({"names": []}) == json.dumps({"names": []})
    arrays = {
        "a": np.arange(25, dtype=np.int32),
        "b": np.linspace(0, 1, 9, dtype=np.float32),
        "c": np.zeros(0, dtype=np.int64),
        "d": np.arange(12, dtype=np.uint16)[::2],  # not contiguous
    }
    sizes: list[int] = []
    with open(tmp_path / "x.npz", "wb") as fp:
        saved._savez(fp, sizes.append, **arrays)
    assert max(sizes) <= 7 and sum(sizes) == sum(a.nbytes for a in arrays.values())
    with np.load(tmp_path / "x.npz", allow_pickle=False) as data:
        assert sorted(data.files) == sorted(arrays)
        for name, array in arrays.items():
            assert data[name].dtype == array.dtype
            assert np.array_equal(data[name], array)
