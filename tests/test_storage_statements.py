"""Statements: upsert, audit, variants, retirement, supersession and validity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlite_utils
from dbhelpers import count

import storage.statements as statements_module
from storage import (
    InvalidStatement,
    StatementInput,
    StatementNotFound,
    add_variant,
    data_version,
    get_statement,
    history,
    list_statements,
    new_external_id,
    retire_statement,
    save_statement,
    servable_statements,
    supersede_statement,
)

BASE = StatementInput(
    external_id="kpu-0001",
    org="KPU",
    verdict="HOAKS",
    claim="Pemilih wajib membawa KTP asli dan fotokopi",
    clarification="Cukup membawa KTP-el atau formulir C pemberitahuan.",
    source_url="https://www.kpu.go.id/berita/baca/1",
    source_title="Siaran pers KPU",
    published_at="2024-02-01",
    variants=("harus bawa fotokopi KTP", "KTP asli wajib"),
)


def test_create_then_unchanged_then_update_with_audit(db: sqlite_utils.Database) -> None:
    created, action = save_statement(db, BASE, actor="alice")
    assert action == "create"
    assert created.external_id == "kpu-0001"
    assert created.created_by == "alice"
    assert created.status == "active"
    assert created.variants == BASE.variants

    same, action = save_statement(db, replace(BASE, variants=BASE.variants[::-1]), actor="bob")
    assert action == "unchanged"
    assert same == created

    changed, action = save_statement(db, replace(BASE, clarification="Teks baru."), actor="bob")
    assert action == "update"
    assert changed.clarification == "Teks baru."
    assert changed.created_by == "alice"

    entries = history(db, "kpu-0001")
    assert [(e.action, e.actor) for e in entries] == [("create", "alice"), ("update", "bob")]
    assert entries[0].before is None
    assert entries[0].after is not None and entries[0].after["claim"] == BASE.claim
    assert entries[1].before is not None and entries[1].after is not None
    assert entries[1].before["clarification"] == BASE.clarification
    assert entries[1].after["clarification"] == "Teks baru."
    assert entries[1].statement_id == created.id


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "unchanged"),
        ({"verdict": "hoaks"}, "unchanged"),  # verdict case is normalised
        ({"claim": "  " + BASE.claim + "  "}, "unchanged"),  # surrounding whitespace
        ({"source_title": ""}, "update"),  # empty optional becomes NULL
        ({"valid_until": "2024-12-31"}, "update"),
        ({"variants": ("harus bawa fotokopi KTP",)}, "update"),
        ({"org": "Bawaslu"}, "update"),
    ],
)
def test_second_save_action(db: sqlite_utils.Database, change: dict, expected: str) -> None:
    save_statement(db, BASE, actor="t")
    _, action = save_statement(db, replace(BASE, **change), actor="t")
    assert action == expected
    assert len(history(db, BASE.external_id)) == (1 if expected == "unchanged" else 2)


def test_variants_are_replaced_but_linked_claim_variants_kept(db: sqlite_utils.Database) -> None:
    save_statement(db, BASE, actor="t")
    assert add_variant(db, "kpu-0001", "ktp fotokopi wajib ya?", source="linked-claim", actor="m")
    updated, action = save_statement(db, replace(BASE, variants=("varian baru",)), actor="t")
    assert action == "update"
    assert set(updated.variants) == {"varian baru", "ktp fotokopi wajib ya?"}
    sources = dict(db.execute("SELECT text, source FROM variants").fetchall())
    assert sources == {"varian baru": "import", "ktp fotokopi wajib ya?": "linked-claim"}
    # Re-sending the full variant list (as an export would) is a no-op.
    _, action = save_statement(db, replace(BASE, variants=updated.variants), actor="t")
    assert action == "unchanged"


def test_failed_save_leaves_nothing(db: sqlite_utils.Database, monkeypatch) -> None:
    """An error after the rows were written (here: in the audit step) rolls back all of it."""

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit failed")

    version = data_version(db)
    monkeypatch.setattr(statements_module, "record_change", broken_audit)
    with pytest.raises(RuntimeError, match="audit failed"):
        save_statement(db, BASE, actor="t")
    assert get_statement(db, "kpu-0001") is None
    assert count(db, "variants") == 0
    assert data_version(db) == version
    assert not db.conn.in_transaction


def test_failed_update_keeps_previous_version(db: sqlite_utils.Database, monkeypatch) -> None:
    original, _ = save_statement(db, BASE, actor="t")

    def broken_audit(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(statements_module, "record_change", broken_audit)
    with pytest.raises(OSError, match="disk full"):
        save_statement(db, replace(BASE, claim="lain", variants=()), actor="t")
    assert get_statement(db, "kpu-0001") == original


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"claim": "   "}, "missing required field 'claim'"),
        ({"org": ""}, "missing required field 'org'"),
        ({"verdict": "PALSU"}, "field 'verdict' must be one of"),
        ({"published_at": "01/02/2024"}, "field 'published_at' is not a valid date"),
        ({"published_at": "2024-02-30"}, "field 'published_at' is not a valid date"),
        ({"valid_until": "2024-01-01"}, "earlier than 'published_at'"),
        ({"source_url": "javascript:alert(1)"}, "field 'source_url' must be an http(s) URL"),
        ({"claim": "a\x00b"}, "contains control characters"),
        ({"claim": "x" * 1001}, "field 'claim' is too long (1001 characters, maximum 1000)"),
        ({"external_id": "kpu 1/../x"}, "field 'id' may only contain"),
    ],
)
def test_invalid_input_is_rejected(db: sqlite_utils.Database, change: dict, message: str) -> None:
    with pytest.raises(InvalidStatement) as info:
        save_statement(db, replace(BASE, **change), actor="t")
    assert any(message in error for error in info.value.errors)
    assert count(db, "statements") == 0


def test_html_characters_are_stored_verbatim(db: sqlite_utils.Database) -> None:
    text = "<b>KPU</b> & \"Bawaslu\" <script>alert('x')</script>"
    saved, _ = save_statement(db, replace(BASE, clarification=text), actor="t")
    assert get_statement(db, saved.external_id).clarification == text  # type: ignore[union-attr]


def test_retire_statement(db: sqlite_utils.Database) -> None:
    save_statement(db, BASE, actor="t")
    retired = retire_statement(db, "kpu-0001", actor="mod")
    assert retired.status == "retired"
    assert not retired.is_current(date(2024, 3, 1))
    assert servable_statements(db, date(2024, 3, 1)) == []
    assert list_statements(db) == []
    assert [s.external_id for s in list_statements(db, include_retired=True)] == ["kpu-0001"]
    # Retiring again is a no-op and not audited twice.
    assert retire_statement(db, "kpu-0001", actor="mod") == retired
    assert [e.action for e in history(db, "kpu-0001")] == ["create", "retire"]
    # Re-importing the same content does not resurrect it.
    again, action = save_statement(db, BASE, actor="import")
    assert (action, again.status) == ("unchanged", "retired")
    with pytest.raises(StatementNotFound):
        retire_statement(db, "nope", actor="mod")


def test_supersede_statement(db: sqlite_utils.Database) -> None:
    save_statement(db, BASE, actor="t")
    save_statement(db, replace(BASE, external_id="kpu-0002", claim="versi baru"), actor="t")
    old = supersede_statement(db, "kpu-0001", "kpu-0002", actor="mod")
    assert old.superseded_by == "kpu-0002"
    assert not old.is_current(date(2024, 3, 1))
    assert [s.external_id for s in servable_statements(db, date(2024, 3, 1))] == ["kpu-0002"]
    entry = history(db, "kpu-0001")[-1]
    assert entry.action == "supersede"
    assert entry.before is not None and entry.before["superseded_by"] is None
    assert entry.after is not None and entry.after["superseded_by"] == "kpu-0002"


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("kpu-0001", "kpu-0001", ValueError),
        ("kpu-0001", "missing", StatementNotFound),
        ("missing", "kpu-0001", StatementNotFound),
        ("kpu-0002", "kpu-0001", ValueError),  # would be a cycle: 0001 is superseded by 0002
        ("kpu-0001", "kpu-0003", ValueError),  # replacement is retired
    ],
)
def test_supersede_validation(db: sqlite_utils.Database, old: str, new: str, error: type) -> None:
    for external_id in ("kpu-0001", "kpu-0002", "kpu-0003"):
        save_statement(db, replace(BASE, external_id=external_id, claim=external_id), actor="t")
    if (old, new) == ("kpu-0002", "kpu-0001"):
        supersede_statement(db, "kpu-0001", "kpu-0002", actor="t")
    retire_statement(db, "kpu-0003", actor="t")
    audit_rows = count(db, "audit_log")
    with pytest.raises(error):
        supersede_statement(db, old, new, actor="t")
    assert count(db, "audit_log") == audit_rows


@pytest.mark.parametrize(
    ("valid_until", "today", "current"),
    [
        (None, date(2030, 1, 1), True),
        ("2024-02-14", date(2024, 2, 13), True),
        ("2024-02-14", date(2024, 2, 14), True),  # valid through the whole last day
        ("2024-02-14", date(2024, 2, 15), False),
    ],
)
def test_validity_window(
    db: sqlite_utils.Database, valid_until: str | None, today: date, current: bool
) -> None:
    saved, _ = save_statement(db, replace(BASE, valid_until=valid_until), actor="t")
    assert saved.is_current(today) is current
    assert [s.external_id for s in servable_statements(db, today)] == (
        ["kpu-0001"] if current else []
    )


def test_list_statements_loads_variants_without_n_plus_one(db: sqlite_utils.Database) -> None:
    for n in range(1, 8):
        save_statement(
            db,
            replace(BASE, external_id=f"kpu-{n:04d}", claim=f"klaim {n}", variants=(f"v{n}",)),
            actor="t",
        )
    queries: list[str] = []
    with db.tracer(lambda sql, params: queries.append(sql)):
        found = list_statements(db)
    assert [s.variants for s in found] == [(f"v{n}",) for n in range(1, 8)]
    assert len(queries) == 2


def test_add_variant(db: sqlite_utils.Database) -> None:
    save_statement(db, BASE, actor="t")
    version = data_version(db)
    assert add_variant(db, "kpu-0001", "  fotokopi KTP perlu?  ", source="moderator", actor="m")
    assert not add_variant(db, "kpu-0001", "fotokopi KTP perlu?", source="moderator", actor="m")
    assert get_statement(db, "kpu-0001").variants[-1] == "fotokopi KTP perlu?"  # type: ignore[union-attr]
    assert data_version(db) > version
    assert [e.action for e in history(db, "kpu-0001")] == ["create", "add_variant"]
    with pytest.raises(ValueError, match="unknown variant source"):
        add_variant(db, "kpu-0001", "x", source="robot", actor="m")
    with pytest.raises(InvalidStatement):
        add_variant(db, "kpu-0001", "   ", source="moderator", actor="m")
    with pytest.raises(StatementNotFound):
        add_variant(db, "missing", "x", source="moderator", actor="m")


def test_new_external_id(db: sqlite_utils.Database) -> None:
    assert new_external_id(db, "KPU") == "kpu-0001"
    save_statement(db, replace(BASE, external_id="kpu-0006"), actor="t")
    save_statement(db, replace(BASE, external_id="kpu-lama", claim="lain"), actor="t")
    assert new_external_id(db, "KPU") == "kpu-0007"
    assert new_external_id(db, "Bawaslu RI") == "bawaslu-ri-0001"
    assert new_external_id(db, "!!!") == "stmt-0001"


def test_data_version_changes_only_on_real_changes(db: sqlite_utils.Database) -> None:
    v0 = data_version(db)
    save_statement(db, BASE, actor="t")
    v1 = data_version(db)
    save_statement(db, BASE, actor="t")
    v2 = data_version(db)
    retire_statement(db, "kpu-0001", actor="t")
    v3 = data_version(db)
    assert v0 < v1 == v2 < v3
