"""Storing official KPU/Bawaslu statements and their paraphrase variants.

Statements are never deleted: a wrong or outdated one is retired or superseded, so
the audit trail and old claims that pointed at it stay meaningful. What a statement may
contain, and how an input is checked before it is stored, is `storage.statement_input`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from sqlite_utils import Database

from storage.audit import record_change
from storage.db import today_wib, transaction, utcnow_iso
from storage.statement_input import (
    MAX_VARIANT_LEN,
    InvalidStatement,
    StatementInput,
    clean_statement_input,
    statement_input_errors,
    text_errors,
)

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"

VARIANT_IMPORT = "import"
VARIANT_MODERATOR = "moderator"
# Variants created by linking a user's claim to a statement; they are learned from
# real traffic, so re-importing the statement file must not wipe them out.
VARIANT_LINKED_CLAIM = "linked-claim"
VARIANT_SOURCES = frozenset({VARIANT_IMPORT, VARIANT_MODERATOR, VARIANT_LINKED_CLAIM})


class StatementNotFound(LookupError):
    """No statement has the given external id."""


@dataclass(frozen=True)
class Statement:
    """A stored official statement with all of its variants (in insertion order)."""

    id: int
    external_id: str
    org: str
    verdict: str
    claim: str
    clarification: str
    source_url: str | None
    source_title: str | None
    published_at: str | None
    valid_until: str | None
    superseded_by: str | None
    status: str
    created_by: str | None
    created_at: str
    updated_at: str
    variants: tuple[str, ...] = ()

    def is_current(self, today: date | None = None) -> bool:
        """Whether the bot may still answer with this statement (Jakarta date by default)."""
        if self.status != STATUS_ACTIVE or self.superseded_by is not None:
            return False
        if self.valid_until is None:
            return True
        return date.fromisoformat(self.valid_until) >= (today or today_wib())


# Fields compared to decide between 'update' and 'unchanged'.
_CONTENT_FIELDS = tuple(
    f.name for f in fields(StatementInput) if f.name not in ("external_id", "variants")
)

_STATEMENT_COLUMNS = ", ".join(f.name for f in fields(Statement) if f.name != "variants")


def _load_statements(
    db: Database, where: str = "1", params: list[Any] | None = None
) -> list[Statement]:
    """Load statements matching an internal WHERE clause plus their variants, in two queries."""
    params = params or []
    variants: dict[int, list[str]] = defaultdict(list)
    for row in db.query(
        f"""
        SELECT statement_id, text FROM variants
        WHERE statement_id IN (SELECT id FROM statements WHERE {where})
        ORDER BY statement_id, id
        """,
        params,
    ):
        variants[row["statement_id"]].append(row["text"])
    # each row freed once read: a list of 100,000 rows freed at the end held the GIL 57 ms
    rows = db.query(
        f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE {where} ORDER BY id", params
    )
    return [Statement(**row, variants=tuple(variants.pop(row["id"], ()))) for row in rows]


def get_statement(db: Database, external_id: str) -> Statement | None:
    """The statement with this external id, whatever its status."""
    found = _load_statements(db, "external_id = ?", [external_id])
    return found[0] if found else None


def get_statement_by_rowid(db: Database, rowid: int) -> Statement | None:
    """The statement with this internal id (what compact button payloads carry)."""
    found = _load_statements(db, "id = ?", [rowid])
    return found[0] if found else None


def statements_by_rowid(db: Database, rowids: Iterable[int]) -> list[Statement]:
    """The statements with these internal ids, whatever their status, in id order."""
    return _statements_where_in(db, "id", rowids)


def statements_by_external_id(db: Database, external_ids: Iterable[str]) -> list[Statement]:
    """The statements with these external ids (those there are), in id order."""
    return _statements_where_in(db, "external_id", external_ids)


def _statements_where_in(db: Database, column: str, values: Iterable[Any]) -> list[Statement]:
    wanted = sorted(set(values))
    found: list[Statement] = []
    for at in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        chunk = wanted[at : at + 500]
        found += _load_statements(db, f"{column} IN ({', '.join('?' * len(chunk))})", chunk)
    return sorted(found, key=lambda s: s.id)


def statements_with_source(db: Database, url: str) -> list[Statement]:
    """Active statements whose source is this URL (a trailing slash does not matter)."""
    variants = {url, url.rstrip("/"), url.rstrip("/") + "/"}
    marks = ", ".join("?" for _ in variants)
    return _load_statements(db, f"status = 'active' AND source_url IN ({marks})", list(variants))


def _require_statement(db: Database, external_id: str) -> Statement:
    statement = get_statement(db, external_id)
    if statement is None:
        raise StatementNotFound(f"no statement with id {external_id!r}")
    return statement


def list_statements(db: Database, *, include_retired: bool = False) -> list[Statement]:
    """Statements for moderators and exports; superseded ones are included (still history)."""
    if include_retired:
        return _load_statements(db)
    return _load_statements(db, "status = ?", [STATUS_ACTIVE])


def servable_statements(db: Database, today: date | None = None) -> list[Statement]:
    """What the matcher index is built from: active, not superseded and still valid.

    Same rule as `Statement.is_current`, evaluated in SQL (dates are stored YYYY-MM-DD,
    so text comparison is date comparison).
    """
    day = (today or today_wib()).isoformat()
    return _load_statements(
        db,
        "status = ? AND superseded_by IS NULL AND (valid_until IS NULL OR valid_until >= ?)",
        [STATUS_ACTIVE, day],
    )


def data_version(db: Database) -> int:
    """A counter that changes whenever statements or variants change, in any process.

    Maintained by triggers, so a running bot can poll this one-row read and rebuild its
    index after a CLI import. (PRAGMA data_version is per-connection and would not do.)
    """
    row = db.execute("SELECT value FROM storage_meta WHERE key = 'data_version'").fetchone()
    return int(row[0])


def _snapshot(statement: Statement | None) -> dict[str, Any] | None:
    return None if statement is None else asdict(statement)


def _insert_variants(
    db: Database, statement_id: int, texts: Iterable[str], source: str, now: str
) -> int:
    """Insert variants not already attached to the statement; returns how many were new."""
    added = 0
    for text in texts:
        cursor = db.execute(
            """
            INSERT INTO variants (statement_id, text, source, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (statement_id, text) DO NOTHING
            """,
            [statement_id, text, source, now],
        )
        added += cursor.rowcount
    return added


def save_statement(
    db: Database,
    data: StatementInput,
    *,
    actor: str,
    variant_source: str = VARIANT_IMPORT,
) -> tuple[Statement, str]:
    """Create or update a statement by external id; returns it and 'create'/'update'/'unchanged'.

    The given variants replace the statement's import/moderator variants; linked-claim
    variants are kept. Status and supersession are not touched here (see
    `retire_statement`, `supersede_statement`), so re-importing an old file does not
    silently bring a retired statement back. Changes are audited; no-ops are not.
    """
    if variant_source not in VARIANT_SOURCES:
        raise ValueError(f"unknown variant source {variant_source!r}")
    data = clean_statement_input(data)
    errors = statement_input_errors(data)
    if errors:
        raise InvalidStatement(errors)
    content = {name: getattr(data, name) for name in _CONTENT_FIELDS}
    with transaction(db):
        now = utcnow_iso()
        existing = get_statement(db, data.external_id)
        if existing is None:
            cursor = db.execute(
                f"""
                INSERT INTO statements
                    (external_id, {", ".join(content)}, created_by, created_at, updated_at)
                VALUES (?, {", ".join("?" for _ in content)}, ?, ?, ?)
                """,
                [data.external_id, *content.values(), actor, now, now],
            )
            assert cursor.lastrowid is not None
            _insert_variants(db, cursor.lastrowid, data.variants, variant_source, now)
            return _audited(db, data.external_id, None, action="create", actor=actor), "create"

        current_variants = list(
            db.query("SELECT id, text, source FROM variants WHERE statement_id = ?", [existing.id])
        )
        kept = {v["text"] for v in current_variants if v["source"] == VARIANT_LINKED_CLAIM}
        same_content = all(getattr(existing, name) == value for name, value in content.items())
        if same_content and set(existing.variants) == kept | set(data.variants):
            return existing, "unchanged"

        db.execute(
            f"""
            UPDATE statements SET {", ".join(f"{name} = ?" for name in content)}, updated_at = ?
            WHERE id = ?
            """,
            [*content.values(), now, existing.id],
        )
        wanted = set(data.variants)
        for variant in current_variants:
            if variant["source"] != VARIANT_LINKED_CLAIM and variant["text"] not in wanted:
                db.execute("DELETE FROM variants WHERE id = ?", [variant["id"]])
        _insert_variants(db, existing.id, data.variants, variant_source, now)
        return _audited(db, data.external_id, existing, action="update", actor=actor), "update"


def _audited(
    db: Database, external_id: str, before: Statement | None, *, action: str, actor: str
) -> Statement:
    """The statement as the change left it, with the change recorded in the audit log (before
    and after): the last step of every write here, inside the writer's transaction."""
    after = _require_statement(db, external_id)
    record_change(
        db,
        action=action,
        actor=actor,
        statement_id=after.id,
        external_id=after.external_id,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    return after


def _set_columns(
    db: Database,
    statement: Statement,
    changes: Mapping[str, Any],
    *,
    action: str,
    actor: str,
) -> Statement:
    """Apply column changes to one statement and audit them (caller holds the transaction)."""
    db.execute(
        f"UPDATE statements SET {', '.join(f'{k} = ?' for k in changes)}, updated_at = ? "
        "WHERE id = ?",
        [*changes.values(), utcnow_iso(), statement.id],
    )
    return _audited(db, statement.external_id, statement, action=action, actor=actor)


def retire_statement(db: Database, external_id: str, *, actor: str) -> Statement:
    """Stop serving a statement (wrong, withdrawn, or no longer relevant); idempotent."""
    with transaction(db):
        statement = _require_statement(db, external_id)
        if statement.status == STATUS_RETIRED:
            return statement
        return _set_columns(db, statement, {"status": STATUS_RETIRED}, action="retire", actor=actor)


def supersede_statement(
    db: Database, old_external_id: str, new_external_id: str, *, actor: str
) -> Statement:
    """Mark `old` as replaced by `new`, so only the newer statement is served.

    `new` must itself be active and not superseded, which also rules out cycles.
    Returns the updated old statement.
    """
    if old_external_id == new_external_id:
        raise ValueError("a statement cannot supersede itself")
    with transaction(db):
        old = _require_statement(db, old_external_id)
        new = _require_statement(db, new_external_id)
        if new.status != STATUS_ACTIVE or new.superseded_by is not None:
            raise ValueError(
                f"statement {new_external_id!r} is retired or superseded itself "
                "and cannot replace another"
            )
        if old.superseded_by == new_external_id:
            return old
        return _set_columns(
            db, old, {"superseded_by": new_external_id}, action="supersede", actor=actor
        )


def add_variant(db: Database, external_id: str, text: str, *, source: str, actor: str) -> bool:
    """Attach one more paraphrase to a statement; False if it was already there."""
    if source not in VARIANT_SOURCES:
        raise ValueError(f"unknown variant source {source!r}")
    text = text.strip()
    errors = text_errors("variant", text, MAX_VARIANT_LEN) if text else ["variant is empty"]
    if errors:
        raise InvalidStatement(errors)
    with transaction(db):
        statement = _require_statement(db, external_id)
        if text in statement.variants:
            return False
        now = utcnow_iso()
        _insert_variants(db, statement.id, [text], source, now)
        db.execute("UPDATE statements SET updated_at = ? WHERE id = ?", [now, statement.id])
        _audited(db, external_id, statement, action="add_variant", actor=actor)
        return True


def org_slug(org: str) -> str:
    """ASCII slug of an organisation name, used as an id prefix ('Bawaslu RI' -> 'bawaslu-ri')."""
    ascii_name = unicodedata.normalize("NFKD", org).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:40].strip("-") or "stmt"


def new_external_id(db: Database, org: str) -> str:
    """Next sequential id for statements created without one, e.g. 'kpu-0007'.

    Call it inside the transaction that saves the statement, so two writers cannot
    be handed the same id.
    """
    prefix = org_slug(org) + "-"
    numbers = [
        int(suffix)
        for row in db.query(
            "SELECT substr(external_id, ?) AS suffix FROM statements "
            "WHERE substr(external_id, 1, ?) = ?",
            [len(prefix) + 1, len(prefix), prefix],
        )
        if re.fullmatch(r"[0-9]+", suffix := row["suffix"])
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
