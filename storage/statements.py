"""Official KPU/Bawaslu statements and their paraphrase variants.

Statements are never deleted: a wrong or outdated one is retired or superseded, so
the audit trail and old claims that pointed at it stay meaningful.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from storage.audit import record_change
from storage.db import today_wib, transaction, utcnow_iso

VERDICTS = frozenset(
    {"HOAKS", "SALAH", "MENYESATKAN", "KLARIFIKASI", "BENAR", "DISINFORMASI", "MISINFORMASI"}
)
DEFAULT_VERDICT = "KLARIFIKASI"

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"

VARIANT_IMPORT = "import"
VARIANT_MODERATOR = "moderator"
# Variants created by linking a user's claim to a statement; they are learned from
# real traffic, so re-importing the statement file must not wipe them out.
VARIANT_LINKED_CLAIM = "linked-claim"
VARIANT_SOURCES = frozenset({VARIANT_IMPORT, VARIANT_MODERATOR, VARIANT_LINKED_CLAIM})

MAX_ID_LEN = 100
MAX_ORG_LEN = 100
MAX_CLAIM_LEN = 1000
MAX_VARIANT_LEN = 1000
MAX_CLARIFICATION_LEN = 3000
MAX_SOURCE_TITLE_LEN = 500
MAX_URL_LEN = 2000

_EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# C0 controls except tab/newline/carriage return: never legitimate in a statement and
# NUL in particular truncates text in some SQLite functions and Telegram clients.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone UTF-16 surrogate (from a JSON "\\ud800" escape or undecodable command-line bytes) is
# not text: SQLite, hashing and Telegram all refuse to encode it.
LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class StatementNotFound(LookupError):
    """No statement has the given external id."""


class InvalidStatement(ValueError):
    """Statement data failed validation; `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


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


@dataclass(frozen=True)
class StatementInput:
    """Editable content of a statement, as it comes from an import file or a moderator."""

    external_id: str
    org: str
    verdict: str
    claim: str
    clarification: str
    source_url: str | None = None
    source_title: str | None = None
    published_at: str | None = None
    valid_until: str | None = None
    variants: tuple[str, ...] = ()


# Fields compared to decide between 'update' and 'unchanged'.
_CONTENT_FIELDS = tuple(
    f.name for f in fields(StatementInput) if f.name not in ("external_id", "variants")
)


def _strip_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def clean_variants(texts: Iterable[str]) -> tuple[str, ...]:
    """Strip, drop empty and de-duplicate variants, keeping their first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        text = text.strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def clean_statement_input(data: StatementInput) -> StatementInput:
    """Normalise whitespace, empty optionals and verdict case.

    Import and save both go through this, so a value that round-trips through an
    export compares equal to what is stored and re-imports as 'unchanged'.
    """
    return StatementInput(
        external_id=data.external_id.strip(),
        org=data.org.strip(),
        verdict=(data.verdict or "").strip().upper() or DEFAULT_VERDICT,
        claim=data.claim.strip(),
        clarification=data.clarification.strip(),
        source_url=_strip_or_none(data.source_url),
        source_title=_strip_or_none(data.source_title),
        published_at=_strip_or_none(data.published_at),
        valid_until=_strip_or_none(data.valid_until),
        variants=clean_variants(data.variants),
    )


def _text_errors(name: str, value: str | None, max_len: int) -> list[str]:
    if value is None:
        return []
    errors = []
    if len(value) > max_len:
        errors.append(f"field '{name}' is too long ({len(value)} characters, maximum {max_len})")
    if (problem := text_problem(value)) is not None:
        errors.append(f"field '{name}' contains {problem}")
    return errors


def text_problem(value: str) -> str | None:
    """What makes `value` unstorable as statement text (control characters, lone surrogates)."""
    if _CONTROL_RE.search(value):
        return "control characters (such as NUL)"
    if LONE_SURROGATE_RE.search(value):
        return "an invalid character (a lone surrogate)"
    return None


def _date_errors(name: str, value: str | None) -> list[str]:
    if value is None:
        return []
    if _ISO_DATE_RE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return []
        except ValueError:
            pass
    return [f"field '{name}' is not a valid date (expected YYYY-MM-DD): {value[:40]!r}"]


def is_http_url(value: str) -> bool:
    """True for absolute http(s) URLs with a host; anything else is not a usable source link."""
    if any(ch.isspace() for ch in value):
        return False
    try:  # urllib raises for a malformed IPv6 host ("https://[::1") or port
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def validate_external_id(external_id: str) -> list[str]:
    """Problems with an external id (shown in commands and URLs, so kept to a safe alphabet)."""
    if not external_id:
        return ["missing required field 'id'"]
    if len(external_id) > MAX_ID_LEN:
        return [f"field 'id' is too long ({len(external_id)} characters, maximum {MAX_ID_LEN})"]
    if not _EXTERNAL_ID_RE.fullmatch(external_id):
        return [
            f"field 'id' may only contain letters, digits, '.', '_', ':' and '-': "
            f"{external_id[:40]!r}"
        ]
    return []


def statement_input_errors(data: StatementInput) -> list[str]:
    """Every problem with an already-cleaned input, as messages without a location prefix."""
    errors = validate_external_id(data.external_id)
    for name, max_len in (
        ("org", MAX_ORG_LEN),
        ("claim", MAX_CLAIM_LEN),
        ("clarification", MAX_CLARIFICATION_LEN),
    ):
        value = getattr(data, name)
        if not value:
            errors.append(f"missing required field '{name}'")
        errors += _text_errors(name, value, max_len)
    if data.verdict not in VERDICTS:
        errors.append(
            f"field 'verdict' must be one of {', '.join(sorted(VERDICTS))}: {data.verdict[:40]!r}"
        )
    errors += _text_errors("source_title", data.source_title, MAX_SOURCE_TITLE_LEN)
    errors += _text_errors("source_url", data.source_url, MAX_URL_LEN)
    if data.source_url is not None and not is_http_url(data.source_url):
        errors.append(f"field 'source_url' must be an http(s) URL: {data.source_url[:80]!r}")
    date_errors = _date_errors("published_at", data.published_at)
    date_errors += _date_errors("valid_until", data.valid_until)
    errors += date_errors
    if (
        not date_errors
        and data.published_at is not None
        and data.valid_until is not None
        and data.valid_until < data.published_at
    ):
        errors.append("field 'valid_until' is earlier than 'published_at'")
    for index, variant in enumerate(data.variants, start=1):
        errors += _text_errors(f"variants[{index}]", variant, MAX_VARIANT_LEN)
    return errors


_STATEMENT_COLUMNS = ", ".join(f.name for f in fields(Statement) if f.name != "variants")


def _load_statements(
    db: Database, where: str = "1", params: list[Any] | None = None
) -> list[Statement]:
    """Load statements matching an internal WHERE clause plus their variants, in two queries."""
    params = params or []
    rows = list(
        db.query(f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE {where} ORDER BY id", params)
    )
    if not rows:
        return []
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
    return [Statement(**row, variants=tuple(variants[row["id"]])) for row in rows]


def get_statement(db: Database, external_id: str) -> Statement | None:
    """The statement with this external id, whatever its status."""
    found = _load_statements(db, "external_id = ?", [external_id])
    return found[0] if found else None


def get_statement_by_rowid(db: Database, rowid: int) -> Statement | None:
    """The statement with this internal id (what compact button payloads carry)."""
    found = _load_statements(db, "id = ?", [rowid])
    return found[0] if found else None


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
            created = _require_statement(db, data.external_id)
            record_change(
                db,
                action="create",
                actor=actor,
                statement_id=created.id,
                external_id=created.external_id,
                after=_snapshot(created),
            )
            return created, "create"

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
        updated = _require_statement(db, data.external_id)
        record_change(
            db,
            action="update",
            actor=actor,
            statement_id=updated.id,
            external_id=updated.external_id,
            before=_snapshot(existing),
            after=_snapshot(updated),
        )
        return updated, "update"


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
    after = _require_statement(db, statement.external_id)
    record_change(
        db,
        action=action,
        actor=actor,
        statement_id=statement.id,
        external_id=statement.external_id,
        before=_snapshot(statement),
        after=_snapshot(after),
    )
    return after


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
    errors = _text_errors("variant", text, MAX_VARIANT_LEN) if text else ["variant is empty"]
    if errors:
        raise InvalidStatement(errors)
    with transaction(db):
        statement = _require_statement(db, external_id)
        if text in statement.variants:
            return False
        now = utcnow_iso()
        _insert_variants(db, statement.id, [text], source, now)
        db.execute("UPDATE statements SET updated_at = ? WHERE id = ?", [now, statement.id])
        record_change(
            db,
            action="add_variant",
            actor=actor,
            statement_id=statement.id,
            external_id=external_id,
            before=_snapshot(statement),
            after=_snapshot(_require_statement(db, external_id)),
        )
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
