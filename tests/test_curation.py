"""The curation service without Telegram or a terminal: each operation one transaction with
its audit entry, and the follow-up it asks for (index rebuild, notifications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

import storage
from bot import drafts
from bot.cli import history_detail
from bot.curation import Curation, history_line
from bot.matcher.normalize import normalize
from bot.telegram.moderation.statements import history_text
from storage import StatementInput
from storage import sources as source_store

ADMIN = 1001
BASE = StatementInput(
    "kpu-tunda", "KPU", "HOAKS", "Pemilu 2024 diundur ke bulan Juni",
    "Pemungutan suara tetap 14 Februari 2024.",
)  # fmt: skip
DRAFT: dict[str, Any] = {
    "org": "KPU",
    "verdict": "SALAH",
    "claim": "Tinta pemilu mengandung babi",
    "clarification": "Tinta pemilu bersertifikat halal MUI.",
}


@pytest.fixture
def curation(tmp_path: Path) -> Curation:
    db = storage.open_db(tmp_path / "cekklaim.db")
    storage.save_statement(db, BASE, actor="t")
    return Curation(db, frozenset({ADMIN}))


def ask(db: sqlite_utils.Database, text: str) -> int:
    result = storage.record_submission(
        db, text=text, normalized=normalize(text).text, channel="private", user_hash=None,
        best_statement_external_id=None, best_score=None, tier="none",
    )  # fmt: skip
    return result.claim.id


def audit_actions(db: sqlite_utils.Database) -> list[str]:
    return [row["action"] for row in db.query("SELECT action FROM audit_log ORDER BY id")]


def test_create_saves_links_the_cluster_and_uses_the_source_draft_in_one_step(
    curation: Curation,
) -> None:
    db = curation.db
    claim_id = ask(db, "tinta pemilu mengandung babi?")
    draft_id = source_store.add_source_draft(db, key="k1", origin="feed", url="https://kpu.go.id/a")
    assert draft_id is not None

    outcome = curation.create(
        {**DRAFT, "cluster": f"c{claim_id}", "source_draft": draft_id}, actor="mod:1"
    )

    assert (outcome.reindex, outcome.notify) == (True, True)
    saved = outcome.value
    assert saved.external_id.startswith("kpu-") and saved.created_by == "mod:1"
    claim = storage.get_claim(db, claim_id)
    assert claim is not None and claim.status == "answered"
    assert curation.pending_source_draft(draft_id) is None  # used
    actions = [h.action for h in curation.history(saved.external_id)]
    assert actions == ["create", "add_variant", "link_claims"]  # the claim became a phrasing


def test_a_refused_create_changes_nothing(curation: Curation) -> None:
    db = curation.db
    draft_id = source_store.add_source_draft(db, key="k2", origin="feed", url="https://kpu.go.id/b")
    assert draft_id is not None
    before = audit_actions(db)

    with pytest.raises(ValueError):
        curation.create({**DRAFT, "claim": "", "source_draft": draft_id}, actor="mod:1")

    assert audit_actions(db) == before
    assert curation.pending_source_draft(draft_id) is not None  # still waiting
    assert [s.external_id for s in storage.list_statements(db)] == [BASE.external_id]


def test_edit_and_retire_ask_for_a_rebuild_only_when_something_changed(
    curation: Curation,
) -> None:
    statement = curation.statement(BASE.external_id)
    assert statement is not None
    same = curation.edit(drafts.as_input(statement), actor="mod:1")
    assert (same.value, same.reindex, same.notify) == (False, False, False)
    changed = curation.edit(drafts.edited(statement, "verdict", "SALAH"), actor="mod:1")
    assert (changed.value, changed.reindex, changed.notify) == (True, True, True)

    first = curation.retire(BASE.external_id, actor="cli")
    again = curation.retire(BASE.external_id, actor="cli")
    assert (first.value.already, first.reindex) == (False, True)
    assert (again.value.already, again.reindex) == (True, False)
    with pytest.raises(LookupError):
        curation.retire("kpu-nope", actor="cli")


def test_dismissals_are_audited_and_say_when_nothing_was_there(curation: Curation) -> None:
    db = curation.db
    claim_id = ask(db, "kotak suara dari kardus")
    draft_id = source_store.add_source_draft(db, key="k3", origin="feed", url="https://kpu.go.id/c")
    assert draft_id is not None

    assert curation.dismiss_cluster(f"c{claim_id}", actor="mod:1") == 1
    assert curation.dismiss_cluster(f"c{claim_id}", actor="mod:1") is None
    assert curation.dismiss_source_draft(draft_id, actor="mod:1") is True
    assert curation.dismiss_source_draft(draft_id, actor="mod:1") is False
    assert audit_actions(db)[-2:] == ["dismiss_claims", "dismiss_source_draft"]


def test_link_cluster_refuses_an_unknown_cluster_and_changes_nothing(curation: Curation) -> None:
    with pytest.raises(LookupError, match="no unanswered cluster with key 'c999'"):
        curation.link_cluster("c999", BASE.external_id, actor="cli")
    assert audit_actions(curation.db) == ["create"]


def test_roles_one_check_for_admins_and_added_moderators(curation: Curation) -> None:
    assert curation.is_admin(ADMIN) and curation.is_moderator(ADMIN)
    assert not curation.is_moderator(7)
    assert curation.add_moderator(7, actor=f"mod:{ADMIN}") is True
    assert curation.add_moderator(7, actor=f"mod:{ADMIN}") is False
    assert curation.is_moderator(7) and not curation.is_admin(7)
    assert curation.everyone_moderating() == [7, ADMIN]
    assert curation.remove_moderator(7, actor="cli") is True
    assert not curation.is_moderator(7)


def test_the_roster_names_everyone_who_moderates_once_admins_first(curation: Curation) -> None:
    """What `cekklaim moderators list` prints: an admin also added at run time is listed as
    an admin only, and admins come before the moderators added."""
    assert [r.user_id for r in curation.roster()] == [ADMIN]
    for user_id in (7, ADMIN, 9):
        curation.add_moderator(user_id, actor="cli")
    roster = curation.roster()
    assert [(r.user_id, r.admin) for r in roster] == [(ADMIN, True), (7, False), (9, False)]
    assert roster[1].added_by == "cli" and roster[1].added_at is not None
    assert roster[0].added_by is None  # an admin is configured, not added
    assert curation.everyone_moderating() == [7, 9, ADMIN]


def test_the_bot_and_the_cli_show_the_same_fields_of_a_history(curation: Curation) -> None:
    statement = curation.statement(BASE.external_id)
    assert statement is not None
    curation.edit(drafts.edited(statement, "verdict", "SALAH"), actor="mod:1")

    entries = storage.history(curation.db, BASE.external_id)
    lines = [history_line(e) for e in entries]
    assert [[c.field for c in line.changes] for line in lines] == [[], ["verdict"]]
    assert history_detail(lines[1]) == "changed: verdict"  # updated_at is never shown
    bot_view = history_text(lines)
    assert "verdict: HOAKS → SALAH" in bot_view
    assert "updated_at" not in bot_view and "updated_at" not in history_detail(lines[1])


def _imports(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)  # and `from bot.telegram import app` names bot.telegram.app
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


ROOT = Path(__file__).resolve().parent.parent


def test_the_curation_service_is_telegram_free_and_the_moderators_code_storage_free() -> None:
    assert not any(m.startswith("telegram") for m in _imports(ROOT / "bot" / "curation.py"))
    for path in (ROOT / "bot" / "telegram" / "moderation").glob("*.py"):
        stored = {m for m in _imports(path) if m == "storage" or m.startswith("storage.")}
        assert stored == set(), path.name


def test_no_import_cycle_between_the_wiring_and_the_handlers() -> None:
    """app.py imports the handler modules; none of them imports app.py back, and the
    citizen handlers do not reach into the moderators' code for the draft key.
    (tests/test_layers.py checks the whole of bot/ for cycles of any length.)"""
    telegram = ROOT / "bot" / "telegram"
    wired = {
        m.removeprefix("bot.telegram.").split(".")[0]
        for m in _imports(telegram / "app.py")
        if m.startswith("bot.telegram.")
    }
    # every module of handlers app.py registers, citizens' and moderators' alike
    assert {"handlers", "groups", "group_settings", "inline", "moderation"} <= wired
    handler_modules = [
        telegram / "handlers.py",
        telegram / "groups.py",
        telegram / "group_settings.py",
        telegram / "group_limit.py",
        telegram / "inline.py",
        telegram / "feeds.py",
        *(telegram / "moderation").glob("*.py"),
    ]
    for path in handler_modules:
        assert "bot.telegram.app" not in _imports(path), path.name
    for citizen in ("handlers.py", "groups.py", "group_settings.py", "inline.py"):
        assert not any(
            m.startswith("bot.telegram.moderation") for m in _imports(telegram / citizen)
        ), citizen
