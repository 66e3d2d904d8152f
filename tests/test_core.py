"""The service shared by the CLI and the bot (bot.core.Core)."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from dbhelpers import count, who

import bot.indexing
import storage
from bot.core import STARTER_ACTOR, Core, seed_if_empty, starter_base_path
from bot.matcher.match import Tier
from bot.snapshot import Snapshot
from storage import StatementInput

SECRET = "test-secret-0123456789abcdef"
USER_ID = 731_904_265_813  # distinctive digits, so finding them anywhere means a leak
CHAT_ID = -100_482_615_937_204
CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
NEW_CLAIM_TEXT = "surat suara sudah dicoblos duluan di kuala lumpur sebelum hari pemungutan"


def starter_count() -> int:
    parsed = storage.parse_statements_file(starter_base_path())
    assert parsed.ok
    return len(parsed.rows)


def new_statement(external_id: str = "kpu-2024-surat-suara-kl") -> StatementInput:
    return StatementInput(
        external_id=external_id,
        org="KPU",
        verdict="HOAKS",
        claim="Surat suara sudah dicoblos duluan di Kuala Lumpur sebelum hari pemungutan",
        clarification="Video itu simulasi; surat suara di Kuala Lumpur belum dicoblos.",
        variants=("surat suara tercoblos di malaysia",),
    )


@pytest.fixture
def core(db_path: Path) -> Core:
    return Core.open(db_path, SECRET)


# --------------------------------------------------------------------------- seeding


def test_open_seeds_the_starter_base(core: Core) -> None:
    n = starter_count()
    assert count(core.db, "statements") == n
    assert len(core.snapshot.statements) == n
    assert len(core.snapshot.index) == n
    assert "kpu-2024-hari-pemungutan" in core.snapshot.statements
    actors = {r["actor"] for r in core.db.query("SELECT DISTINCT actor FROM audit_log")}
    assert actors == {STARTER_ACTOR}


def test_second_open_does_not_reseed(db_path: Path, core: Core) -> None:
    statements, audits = count(core.db, "statements"), count(core.db, "audit_log")
    version = storage.data_version(core.db)
    again = Core.open(db_path, SECRET)
    assert count(again.db, "statements") == statements
    assert count(again.db, "audit_log") == audits
    assert storage.data_version(again.db) == version
    assert seed_if_empty(again.db) == 0


def test_retired_base_is_not_reseeded(db_path: Path, core: Core) -> None:
    for external_id in list(core.snapshot.statements):
        storage.retire_statement(core.db, external_id, actor="moderator")
    assert storage.servable_statements(core.db) == []
    audits = count(core.db, "audit_log")

    again = Core.open(db_path, SECRET)
    assert storage.servable_statements(again.db) == []
    assert count(again.db, "audit_log") == audits
    assert len(again.snapshot.index) == 0
    assert again.check(CLAIM, who(again, "cli")).tier is Tier.NONE


def test_open_without_seed_leaves_db_empty(db_path: Path) -> None:
    core = Core.open(db_path, SECRET, seed=False)
    assert count(core.db, "statements") == 0
    assert core.match(CLAIM)[0].tier is Tier.NONE
    # a later seeding open still fills it: the database never held a statement
    assert len(Core.open(db_path, SECRET).snapshot.statements) == starter_count()


def test_seed_counts_only_once(tmp_path: Path) -> None:
    db = storage.open_db(tmp_path / "s.db")
    assert seed_if_empty(db) == starter_count()
    assert seed_if_empty(db) == 0


# --------------------------------------------------------------------------- check / record


def test_check_answers_and_records(core: Core) -> None:
    answer = core.check(CLAIM, who(core, "private", user_id=USER_ID, chat_id=CHAT_ID, update_id=7))
    assert answer.tier is Tier.CONFIDENT
    assert answer.duplicate is False
    assert answer.statements[0].external_id == "kpu-2024-hari-pemungutan"
    assert len(answer.statements) == len(answer.result.matches)

    claim = storage.get_claim(core.db, answer.claim_id)
    assert claim is not None
    assert claim.count == 1
    assert claim.text == CLAIM
    assert claim.normalized == answer.result.query.text
    assert claim.best_statement_external_id == "kpu-2024-hari-pemungutan"
    assert claim.tier == "confident"
    assert claim.status == "answered"

    rows = list(core.db.query("SELECT * FROM submissions"))
    assert len(rows) == 1
    sub = rows[0]
    assert sub["claim_id"] == answer.claim_id
    assert sub["channel"] == "private"
    assert sub["update_id"] == 7
    assert sub["user_hash"] == storage.hash_user_id(SECRET, USER_ID)
    assert sub["chat_hash"] == storage.hash_user_id(SECRET, CHAT_ID)
    assert sub["user_hash"] != sub["chat_hash"]


def test_unanswered_claim_goes_to_the_queue(core: Core) -> None:
    answer = core.check("vaksin covid mengandung chip", who(core, "group", user_id=1))
    assert answer.tier is Tier.NONE
    claim = storage.get_claim(core.db, answer.claim_id)
    assert claim is not None
    assert claim.status == "open"
    assert claim.best_statement_external_id is None
    assert [c.id for c in storage.queue_claims(core.db)] == [answer.claim_id]


def dump_everything(db: sqlite_utils.Database) -> str:
    parts = []
    for table in db.table_names():
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
            parts.append(repr(row))
    return "\n".join(parts)


def test_raw_ids_are_never_stored(db_path: Path, core: Core) -> None:
    core.check(CLAIM, who(core, "private", user_id=USER_ID, chat_id=CHAT_ID, update_id=1))
    core.check("pemilu diundur?", who(core, "group", user_id=USER_ID, chat_id=CHAT_ID, update_id=2))
    core.check("vaksin covid", who(core, "inline", user_id=USER_ID, update_id=3))
    dump = dump_everything(core.db)
    assert storage.hash_user_id(SECRET, USER_ID) in dump  # the dump does see the submissions
    for raw in (str(USER_ID), str(CHAT_ID), str(abs(CHAT_ID))):
        assert raw not in dump
    core.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in db_path.parent.glob(db_path.name + "*"):
        assert str(USER_ID).encode() not in path.read_bytes(), path
        assert str(abs(CHAT_ID)).encode() not in path.read_bytes(), path


def test_pseudonyms_depend_on_the_secret(db_path: Path) -> None:
    a = Core.open(db_path, SECRET)
    b = Core.open(db_path, SECRET[::-1])
    a.check(CLAIM, who(a, "private", user_id=USER_ID))
    b.check(CLAIM, who(b, "private", user_id=USER_ID))
    hashes = [r[0] for r in a.db.execute("SELECT user_hash FROM submissions ORDER BY id")]
    assert len(hashes) == 2
    assert hashes[0] != hashes[1]


def test_duplicate_update_is_not_counted_twice(core: Core) -> None:
    first = core.check(CLAIM, who(core, "private", user_id=USER_ID, update_id=42))
    second = core.check(CLAIM, who(core, "private", user_id=USER_ID, update_id=42))
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.claim_id == first.claim_id
    claim = storage.get_claim(core.db, first.claim_id)
    assert claim is not None and claim.count == 1
    assert count(core.db, "submissions") == 1
    # the answer is still given for a redelivered update
    assert second.tier is Tier.CONFIDENT

    third = core.check(CLAIM, who(core, "private", user_id=USER_ID, update_id=43))
    assert third.duplicate is False
    claim = storage.get_claim(core.db, first.claim_id)
    assert claim is not None and claim.count == 2


def test_same_claim_in_other_words_is_one_row(core: Core) -> None:
    a = core.check("Pemilu 2024 DIUNDUR!!!", who(core, "cli"))
    b = core.check("pemilu 2024 diundur", who(core, "cli"))
    c = core.check("pemilu 2024 ditunda 😱", who(core, "cli"))  # same normalized reading
    assert a.claim_id == b.claim_id == c.claim_id
    claim = storage.get_claim(core.db, a.claim_id)
    assert claim is not None and claim.count == 3


def test_check_without_user_stores_no_hash(core: Core) -> None:
    core.check(CLAIM, who(core, "cli"))
    row = core.db.execute("SELECT user_hash, chat_hash, channel FROM submissions").fetchone()
    assert tuple(row) == (None, None, "cli")


@pytest.mark.parametrize("text", ["😱😱", "http://example.com/x", "@kpu_ri"])
def test_text_without_words_is_still_recorded(core: Core, text: str) -> None:
    answer = core.check(text, who(core, "private", user_id=1))
    assert answer.tier is Tier.NONE
    assert storage.get_claim(core.db, answer.claim_id) is not None


def test_check_rejects_unknown_channel(core: Core) -> None:
    with pytest.raises(ValueError, match="channel"):
        core.check(CLAIM, who(core, "email"))
    assert count(core.db, "submissions") == 0


@pytest.mark.parametrize("text", ["   ", "\x00", "\u200b"])
def test_blank_text_is_answered_but_not_recorded(core: Core, text: str) -> None:
    answer = core.check(text, who(core, "cli"))
    assert answer.tier is Tier.NONE
    assert answer.claim_id is None
    assert count(core.db, "claims") == 0


def test_match_does_not_record(core: Core) -> None:
    result, statements = core.match(CLAIM)
    assert result.tier is Tier.CONFIDENT
    assert statements[0].external_id == "kpu-2024-hari-pemungutan"
    assert count(core.db, "claims") == 0
    assert count(core.db, "submissions") == 0


def test_shared_link_names_no_statement(core: Core) -> None:
    shared = "https://www.kpu.go.id/berita/baca/12345"  # one report cited by two statements
    for n in (1, 2):
        storage.save_statement(
            core.db,
            StatementInput(f"kpu-shared-{n}", "KPU", "HOAKS", f"Klaim bersama {n}", "Penjelasan",
                           source_url=shared),
            actor="t",
        )  # fmt: skip
    core.refresh()
    assert core.link_answer((shared,)) is None  # two statements cite it: it names neither
    storage.save_statement(
        core.db,
        StatementInput(
            "kpu-unique-link",
            "KPU",
            "HOAKS",
            "Klaim khusus",
            "Penjelasan khusus",
            source_url="https://www.kpu.go.id/berita/baca/99999",
        ),
        actor="t",
    )
    found = core.link_answer(("https://example.com", "https://www.kpu.go.id/berita/baca/99999"))
    assert found is not None and found[0].external_id == "kpu-unique-link"
    assert found[1] == "source"


# --------------------------------------------------------------------------- refresh


def test_refresh_without_changes_keeps_the_snapshot(core: Core) -> None:
    snapshot = core.snapshot
    assert core.refresh() is False
    assert core.snapshot is snapshot
    assert core.refresh(force=True) is True
    assert core.snapshot is not snapshot


def test_refresh_picks_up_a_saved_statement(core: Core) -> None:
    assert core.match(NEW_CLAIM_TEXT)[0].tier is not Tier.CONFIDENT
    old_snapshot = core.snapshot
    storage.save_statement(core.db, new_statement(), actor="moderator")
    # not visible until refresh: readers keep one consistent snapshot
    assert "kpu-2024-surat-suara-kl" not in core.snapshot.statements
    assert core.refresh() is True
    result, statements = core.match(NEW_CLAIM_TEXT)
    assert result.tier is Tier.CONFIDENT
    assert statements[0].external_id == "kpu-2024-surat-suara-kl"
    # the old snapshot is untouched
    assert "kpu-2024-surat-suara-kl" not in old_snapshot.statements
    assert core.refresh() is False


def test_refresh_sees_writes_from_another_connection(db_path: Path, core: Core) -> None:
    other = storage.open_db(db_path)  # e.g. `cekklaim import` in another process
    storage.save_statement(other, new_statement(), actor="cli")
    other.close()
    assert core.refresh() is True
    answer = core.check(NEW_CLAIM_TEXT, who(core, "cli"))
    assert answer.tier is Tier.CONFIDENT
    assert answer.statements[0].external_id == "kpu-2024-surat-suara-kl"
    claim = storage.get_claim(core.db, answer.claim_id)
    assert claim is not None and claim.best_statement_external_id == "kpu-2024-surat-suara-kl"


def test_refresh_sees_an_import_through_a_second_core(db_path: Path, core: Core) -> None:
    second = Core.open(db_path, SECRET)
    storage.add_variant(
        second.db,
        "kpu-2024-quick-count",
        "hitung cepat lembaga survei menentukan presiden terpilih",
        source="moderator",
        actor="mod",
    )
    text = "hitung cepat lembaga survei menentukan presiden terpilih"
    assert core.match(text)[0].tier is not Tier.CONFIDENT
    assert core.refresh() is True
    result, _ = core.match(text)
    assert result.tier is Tier.CONFIDENT
    assert result.best is not None and result.best.statement_id == "kpu-2024-quick-count"


class SlowBuilds:
    """Stands in for `bot.indexing.next_snapshot` (the index build, after the statements are
    read): records the building thread and waits until the test lets the first build go."""

    def __init__(self, build: Callable[..., Snapshot], *, hold: bool = True) -> None:
        self.build = build
        self.threads: list[threading.Thread] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self, *args: Any, **kwargs: Any) -> Snapshot:
        self.threads.append(threading.current_thread())
        self.started.set()
        assert self.release.wait(10)
        return self.build(*args, **kwargs)


@pytest.fixture
def slow_builds(monkeypatch: pytest.MonkeyPatch) -> SlowBuilds:
    builds = SlowBuilds(bot.indexing.next_snapshot)
    monkeypatch.setattr(bot.indexing, "next_snapshot", builds)
    return builds


async def test_refresh_async_builds_off_the_loop_and_answers_meanwhile(
    core: Core, slow_builds: SlowBuilds
) -> None:
    storage.save_statement(core.db, new_statement(), actor="moderator")
    refresh = asyncio.create_task(core.refresh_async())
    assert await asyncio.to_thread(slow_builds.started.wait, 5)
    ticks = 0
    for _ in range(20):  # the loop keeps running while the index is built...
        await asyncio.sleep(0.005)
        ticks += 1
        assert core.match(NEW_CLAIM_TEXT)[0].tier is not Tier.CONFIDENT  # ...on the old one
    slow_builds.release.set()
    assert await refresh is True
    assert ticks == 20 and not refresh.cancelled()
    assert slow_builds.threads and threading.main_thread() not in slow_builds.threads
    assert core.match(NEW_CLAIM_TEXT)[0].tier is Tier.CONFIDENT
    assert await core.refresh_async() is False  # unchanged: nothing built
    assert len(slow_builds.threads) == 1


async def test_refreshes_during_a_build_share_one_more_that_sees_their_changes(
    core: Core, slow_builds: SlowBuilds
) -> None:
    """A moderator's change committed while a rebuild runs is served once their refresh
    returns, even though the build in progress read the statements before it."""
    storage.save_statement(core.db, new_statement("first"), actor="cli")
    first = asyncio.create_task(core.refresh_async())
    assert await asyncio.to_thread(slow_builds.started.wait, 5)  # statements read
    storage.save_statement(core.db, new_statement("second"), actor="moderator")
    later = [asyncio.create_task(core.refresh_async(force=i == 0)) for i in range(3)]
    await asyncio.sleep(0.05)
    assert len(slow_builds.threads) == 1  # one build at a time
    slow_builds.release.set()
    assert await first is True
    assert await asyncio.gather(*later) == [True, True, True]
    assert len(slow_builds.threads) == 2  # the three waiting requests shared one build
    assert {"first", "second"} <= set(core.snapshot.statements)


async def test_a_failed_rebuild_keeps_the_snapshot_and_the_next_request_retries(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Snapshot:
        raise RuntimeError("out of memory while building")

    snapshot = core.snapshot
    storage.save_statement(core.db, new_statement(), actor="cli")
    monkeypatch.setattr(bot.indexing, "next_snapshot", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        await core.refresh_async()
    assert core.snapshot is snapshot
    monkeypatch.undo()
    assert await core.refresh_async() is True
    assert "kpu-2024-surat-suara-kl" in core.snapshot.statements


async def test_a_replaced_snapshot_is_freed_and_full_collections_resume(core: Core) -> None:
    """The old index is released piecewise in a worker thread, by reference counting alone
    (snapshots are frozen out of the cyclic collector's scans: they must stay acyclic)."""
    await core.saved()  # the first index saved (in a worker thread)
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    old_index = weakref.ref(core.snapshot.index)
    old_statement = weakref.ref(core.snapshot.statements["kpu-2024-quick-count"])
    gc.disable()  # only reference counting may free them
    try:
        assert await core.refresh_async(force=True) is True
        for _ in range(500):
            if old_index() is None and old_statement() is None:
                break
            await asyncio.sleep(0.01)
    finally:
        gc.enable()
    assert old_index() is None and old_statement() is None
    await core.saved()  # the new index saved after the swap, in the background
    # full collections postponed and the GIL switched more often during the build and the
    # save only
    assert (gc.get_threshold(), sys.getswitchinterval()) == (thresholds, interval)


def test_closing_waits_for_a_rebuild_reading_the_database(core: Core) -> None:
    """The bot's connection closes last, so it checkpoints and removes the WAL."""
    rebuilder = core._snapshots._rebuilder
    assert rebuilder is not None
    assert rebuilder.build_here(None) is not None  # reads with its own connection
    core.close()
    assert rebuilder.build_here(None) is None  # closed: no read starts any more
    assert not Path(f"{rebuilder.path}-wal").exists()


def test_retired_statement_stops_matching_after_refresh(db_path: Path, core: Core) -> None:
    text = "hasil quick count itu hasil resmi pemilu"
    assert core.match(text)[0].best.statement_id == "kpu-2024-quick-count"  # type: ignore[union-attr]
    other = storage.open_db(db_path)
    storage.retire_statement(other, "kpu-2024-quick-count", actor="moderator")
    other.close()
    assert core.refresh() is True
    result, statements = core.match(text)
    assert "kpu-2024-quick-count" not in [m.statement_id for m in result.matches]
    assert "kpu-2024-quick-count" not in core.snapshot.statements
    assert result.tier is not Tier.CONFIDENT
    assert all(s.status == "active" for s in statements)


def test_superseded_statement_is_replaced_after_refresh(core: Core) -> None:
    replacement = StatementInput(
        external_id="kpu-2024-quick-count-v2",
        org="KPU",
        verdict="SALAH",
        claim="Hasil quick count itu hasil resmi pemilu",
        clarification="Hasil resmi hanya dari rekapitulasi berjenjang KPU.",
    )
    storage.save_statement(core.db, replacement, actor="mod")
    storage.supersede_statement(
        core.db, "kpu-2024-quick-count", "kpu-2024-quick-count-v2", actor="mod"
    )
    assert core.refresh() is True
    result, _ = core.match("hasil quick count itu hasil resmi pemilu")
    assert result.best is not None
    assert result.best.statement_id == "kpu-2024-quick-count-v2"
    assert "kpu-2024-quick-count" not in [m.statement_id for m in result.matches]
