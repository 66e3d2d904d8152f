"""Group settings (storage/groups.py) and the `claims.asked` marker of migration 0004."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

import storage
from storage import (
    claim_intro,
    ensure_group,
    get_group,
    mark_group_added,
    mark_group_removed,
    migrate_group,
    open_db,
    purge_removed_groups,
    queue_claims,
    record_submission,
    set_auto_check,
    set_sensitivity,
)
from storage.groups import active_groups
from storage.migrations import MIGRATIONS

GROUP = -4_000_001_001
SUPERGROUP = -1_001_000_001_001


def test_a_new_group_gets_default_settings_and_one_introduction(db) -> None:
    settings, joined = mark_group_added(db, GROUP)
    assert joined
    assert (settings.auto_check, settings.sensitivity) == (False, "normal")
    assert settings.active and not settings.intro_sent
    assert claim_intro(db, GROUP)
    assert not claim_intro(db, GROUP)  # once
    again, joined = mark_group_added(db, GROUP)  # redelivered update / promotion to admin
    assert not joined and again.intro_sent
    assert not claim_intro(db, GROUP)
    assert [g.chat_id for g in active_groups(db)] == [GROUP]


def test_removal_keeps_settings_and_re_adding_restores_them(db) -> None:
    mark_group_added(db, GROUP)
    claim_intro(db, GROUP)
    set_auto_check(db, GROUP, True)
    set_sensitivity(db, GROUP, "strict")
    assert mark_group_removed(db, GROUP)
    assert not mark_group_removed(db, GROUP)  # already removed
    removed = get_group(db, GROUP)
    assert removed is not None and removed.removed_at is not None and not removed.active
    assert removed.auto_check and removed.sensitivity == "strict"
    assert not claim_intro(db, GROUP)  # no introduction while out of the group
    assert active_groups(db) == []

    back, joined = mark_group_added(db, GROUP)
    assert joined and back.active
    assert back.auto_check and back.sensitivity == "strict"  # kept
    assert claim_intro(db, GROUP)  # a new membership: a new introduction


def test_removing_an_unknown_group_changes_nothing(db) -> None:
    assert not mark_group_removed(db, GROUP)
    assert get_group(db, GROUP) is None


def test_settings_create_the_row_when_missing(db) -> None:
    assert set_auto_check(db, GROUP, True).auto_check
    assert not set_auto_check(db, GROUP, False).auto_check
    assert set_sensitivity(db, SUPERGROUP, "strict").sensitivity == "strict"
    with pytest.raises(ValueError):
        set_sensitivity(db, GROUP, "paranoid")
    assert ensure_group(db, GROUP).chat_id == GROUP


def test_purge_forgets_groups_removed_longer_ago_only(db) -> None:
    for chat_id in (GROUP, SUPERGROUP, -4_000_000_002):
        mark_group_added(db, chat_id)
    mark_group_removed(db, GROUP)
    mark_group_removed(db, SUPERGROUP)
    long_ago = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="milliseconds")
    db.execute("UPDATE group_settings SET removed_at = ? WHERE chat_id = ?", [long_ago, GROUP])
    assert purge_removed_groups(db) == 1
    assert get_group(db, GROUP) is None
    assert get_group(db, SUPERGROUP) is not None  # removed just now: kept
    assert get_group(db, -4_000_000_002) is not None  # still in the group: kept
    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    assert purge_removed_groups(db, now=later) == 1
    assert purge_removed_groups(db, 0, now=later.replace(tzinfo=None)) == 0
    assert [g.chat_id for g in active_groups(db)] == [-4_000_000_002]


def test_migration_to_a_supergroup_carries_the_settings(db) -> None:
    mark_group_added(db, GROUP)
    claim_intro(db, GROUP)
    set_auto_check(db, GROUP, True)
    assert migrate_group(db, GROUP, SUPERGROUP)
    assert get_group(db, GROUP) is None
    moved = get_group(db, SUPERGROUP)
    assert moved is not None and moved.auto_check and moved.intro_sent
    assert not migrate_group(db, GROUP, SUPERGROUP)  # the other half of the pair: nothing left


def test_migration_merges_into_a_row_seen_first(db) -> None:
    set_sensitivity(db, GROUP, "strict")
    mark_group_added(db, SUPERGROUP)
    assert migrate_group(db, GROUP, SUPERGROUP)
    merged = get_group(db, SUPERGROUP)
    assert merged is not None and merged.sensitivity == "strict"
    assert get_group(db, GROUP) is None


# ------------------------------------------------------------------------------ claims.asked


def _submit(db, normalized: str, *, asked: bool, tier: str = "none", update_id=None):
    return record_submission(
        db,
        text=normalized,
        normalized=normalized,
        channel="group",
        user_hash="u",
        update_id=update_id,
        tier=tier,
        asked=asked,
    )


def _asked(db, claim_id: int) -> int:
    return db.execute("SELECT asked FROM claims WHERE id = ?", [claim_id]).fetchone()[0]


def test_claims_only_seen_stay_out_of_the_queue_until_asked(db) -> None:
    seen = _submit(db, "kotak suara dari kardus mudah rusak", asked=False)
    assert _asked(db, seen.claim.id) == 0
    assert seen.claim.status == "open"
    assert queue_claims(db) == [] and storage.queue_claims(db) == []
    assert storage.claim_stats(db).open_claims == 0
    assert storage.claim_stats(db).today.submissions == 1  # still counts toward trends

    asked = _submit(db, "kotak suara dari kardus mudah rusak", asked=True)
    assert asked.claim.id == seen.claim.id and asked.claim.count == 2
    assert _asked(db, seen.claim.id) == 1
    assert [c.id for c in queue_claims(db)] == [seen.claim.id]

    _submit(db, "kotak suara dari kardus mudah rusak", asked=False)  # never goes back to 0
    assert _asked(db, seen.claim.id) == 1
    assert storage.claim_stats(db).open_claims == 1


def test_record_submission_defaults_to_asked(db) -> None:
    result = record_submission(
        db, text="x y z", normalized="x y z", channel="private", user_hash="u", tier="none"
    )
    assert _asked(db, result.claim.id) == 1


def test_migration_0004_marks_existing_claims_as_asked(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "old.db")
    MIGRATIONS.apply(db, stop_before="0004_groups")
    db.execute(
        "INSERT INTO claims (normalized, text, first_seen, last_seen) VALUES (?, ?, ?, ?)",
        ["pemilu diundur", "Pemilu diundur", "2024-01-01", "2024-01-01"],
    )
    db.conn.commit()
    db.close()
    upgraded = open_db(tmp_path / "old.db")
    assert upgraded.execute("SELECT asked FROM claims").fetchall() == [(1,)]
    assert [c.normalized for c in queue_claims(upgraded)] == ["pemilu diundur"]
    assert "group_settings" in upgraded.table_names()
