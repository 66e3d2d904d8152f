"""Claims, submissions and user-id pseudonymisation."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from typing import Any

import pytest
import sqlite_utils

from storage import (
    StatementInput,
    claims_count,
    get_claim,
    hash_user_id,
    queue_claims,
    record_submission,
    set_claim_status,
)
from storage.claims import MAX_CLAIM_TEXT_LEN

pytestmark = pytest.mark.statements(
    StatementInput("kpu-0001", "KPU", "HOAKS", "klaim", "klarifikasi")
)


def submit(db: sqlite_utils.Database, normalized: str = "surat suara sudah dicoblos", **kw: Any):
    args: dict[str, Any] = {
        "text": normalized.upper(),
        "normalized": normalized,
        "channel": "private",
        "user_hash": "u1",
        "tier": "none",
    }
    args.update(kw)
    return record_submission(db, **args)


def submissions(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM submissions").fetchone()[0]


def test_repeated_claim_is_counted_on_one_row(db: sqlite_utils.Database) -> None:
    first = submit(db, text="Surat suara SUDAH dicoblos!!", update_id=1)
    second = submit(db, text="surat suara sudah dicoblos?", update_id=2, channel="group")
    assert first.new_claim and not second.new_claim
    assert not first.duplicate and not second.duplicate
    assert second.claim.id == first.claim.id
    assert second.claim.count == 2
    assert second.claim.text == "Surat suara SUDAH dicoblos!!"  # first seen text is kept
    assert second.claim.first_seen == first.claim.first_seen
    assert second.claim.last_seen >= first.claim.last_seen
    assert claims_count(db) == 1
    assert submissions(db) == 2


def test_redelivered_update_is_not_counted_twice(db: sqlite_utils.Database) -> None:
    first = submit(db, update_id=42)
    again = submit(db, update_id=42)
    assert again.duplicate
    assert again.submission_id == first.submission_id
    assert again.claim.count == 1
    assert get_claim(db, first.claim.id).count == 1  # type: ignore[union-attr]
    assert submissions(db) == 1


def test_submissions_without_update_id_are_all_counted(db: sqlite_utils.Database) -> None:
    for _ in range(3):
        result = submit(db, channel="cli", user_hash=None)
    assert result.claim.count == 3
    assert submissions(db) == 3


def test_best_statement_is_resolved_and_updated(db: sqlite_utils.Database) -> None:
    matched = submit(db, best_statement_external_id="kpu-0001", best_score=0.93, tier="confident")
    assert matched.claim.best_statement_external_id == "kpu-0001"
    assert matched.claim.best_score == pytest.approx(0.93)
    unknown = submit(db, best_statement_external_id="gone", best_score=0.5, tier="possible")
    assert unknown.claim.best_statement_id is None
    assert unknown.claim.tier == "possible"


@pytest.mark.parametrize(
    ("tiers", "manual", "expected"),
    [
        (["none"], None, "open"),
        (["possible"], None, "open"),
        (["confident"], None, "answered"),
        (["confident", "none"], None, "open"),  # lost its answer: back in the queue
        (["none", "confident"], None, "answered"),
        (["none"], "dismissed", "dismissed"),  # a moderator's dismissal sticks
    ],
)
def test_claim_status_follows_match(
    db: sqlite_utils.Database, tiers: list[str], manual: str | None, expected: str
) -> None:
    result = submit(db, tier=tiers[0])
    if manual:
        set_claim_status(db, result.claim.id, manual)
    for tier in tiers[1:] or tiers:
        result = submit(db, tier=tier)
    assert result.claim.status == expected


def test_queue_order_and_limit(db: sqlite_utils.Database) -> None:
    for normalized, times in [("a", 1), ("b", 3), ("c", 2), ("d", 1)]:
        for _ in range(times):
            submit(db, normalized)
    submit(db, "answered", tier="confident")
    dismissed = submit(db, "spam")
    set_claim_status(db, dismissed.claim.id, "dismissed")
    queue = queue_claims(db, limit=10)
    assert [c.normalized for c in queue] == ["b", "c", "d", "a"]  # count, then most recent
    assert [c.normalized for c in queue_claims(db, limit=2)] == ["b", "c"]
    assert claims_count(db) == 6


@pytest.mark.parametrize(
    "kw",
    [{"channel": "email"}, {"tier": "maybe"}, {"normalized": "  \x00 "}],
    ids=["channel", "tier", "empty-normalized"],
)
def test_invalid_submission_writes_nothing(db: sqlite_utils.Database, kw: dict) -> None:
    with pytest.raises(ValueError):
        submit(db, **kw)
    assert claims_count(db) == 0
    assert submissions(db) == 0


def test_failure_inside_transaction_rolls_back_claim_upsert(db: sqlite_utils.Database) -> None:
    submit(db)
    db.execute(
        "CREATE TEMP TRIGGER fail_submission BEFORE INSERT ON submissions "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        submit(db)
    assert get_claim(db, 1).count == 1  # type: ignore[union-attr]
    assert submissions(db) == 1


def test_odd_user_text(db: sqlite_utils.Database) -> None:
    raw = "<b>KPU</b> & 'curang'\x00" + "x" * (MAX_CLAIM_TEXT_LEN * 2)
    result = submit(db, text=raw, normalized="odd")
    assert "\x00" not in result.claim.text
    assert result.claim.text.startswith("<b>KPU</b> & 'curang'")
    assert len(result.claim.text) == MAX_CLAIM_TEXT_LEN


def test_set_claim_status_validation(db: sqlite_utils.Database) -> None:
    claim = submit(db).claim
    assert set_claim_status(db, claim.id, "answered").status == "answered"
    with pytest.raises(ValueError):
        set_claim_status(db, claim.id, "closed")
    with pytest.raises(LookupError):
        set_claim_status(db, 999, "dismissed")


def test_hash_user_id_is_keyed_hmac() -> None:
    digest = hash_user_id("secret-a", 123456789)
    assert digest == hash_user_id("secret-a", 123456789)
    assert digest != hash_user_id("secret-b", 123456789)
    assert digest != hash_user_id("secret-a", 123456790)
    assert "123456789" not in digest
    assert digest != hashlib.sha256(b"123456789").hexdigest()  # not an unkeyed hash
    assert digest == hmac.new(b"secret-a", b"123456789", hashlib.sha256).hexdigest()
    assert len(digest) == 64 and int(digest, 16) >= 0
    with pytest.raises(ValueError):
        hash_user_id("", 1)
