"""Audit trail of changes to official statements.

Answers shown to voters must be traceable: who changed a statement, when, and what it
said before. Rows are append-only; nothing in this package updates or deletes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.db import utcnow_iso


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change; `before`/`after` are statement snapshots (None on create)."""

    id: int
    statement_id: int | None
    external_id: str | None
    action: str
    actor: str | None
    at: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def _dump(snapshot: Mapping[str, Any] | None) -> str | None:
    if snapshot is None:
        return None
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def _load(text: str | None) -> Mapping[str, Any] | None:
    return None if text is None else json.loads(text)


def record_change(
    db: Database,
    *,
    action: str,
    actor: str | None,
    statement_id: int | None = None,
    external_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> int:
    """Append an audit row and return its id.

    Call it inside the same transaction as the change it describes, so the change and
    its record commit or roll back together.
    """
    cursor = db.execute(
        """
        INSERT INTO audit_log (statement_id, external_id, action, actor, at, before, after)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [statement_id, external_id, action, actor, utcnow_iso(), _dump(before), _dump(after)],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def history(db: Database, external_id: str) -> list[AuditEntry]:
    """All recorded changes of one statement, oldest first."""
    return [
        AuditEntry(
            id=row["id"],
            statement_id=row["statement_id"],
            external_id=row["external_id"],
            action=row["action"],
            actor=row["actor"],
            at=row["at"],
            before=_load(row["before"]),
            after=_load(row["after"]),
        )
        for row in db.query(
            "SELECT * FROM audit_log WHERE external_id = ? ORDER BY id", [external_id]
        )
    ]
