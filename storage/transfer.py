"""Importing statement files (.jsonl, .csv) and exporting statements.

Imports are validated as a whole before anything is written: moderators fix a file in
one pass from a complete list of "line N: ..." errors, and a file with any error
imports nothing. Exports use the same columns, so export -> import is a no-op.

JSONL records may carry "images": the fingerprints of the pictures attached to the
statement (`storage.statement_images`). A record with the field makes the statement's
pictures exactly those; a record without it leaves them as they are. CSV does not carry
pictures (a fingerprint is 196 hex digits, not for a spreadsheet): use JSONL to move them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from storage.db import transaction
from storage.statement_images import fingerprint_list, replace_fingerprints
from storage.statement_input import StatementInput, clean_statement_input, statement_input_errors
from storage.statements import Statement, org_slug, save_statement

FIELDS = (
    "id",
    "org",
    "verdict",
    "claim",
    "variants",
    "clarification",
    "source_url",
    "source_title",
    "published_at",
    "valid_until",
)
REQUIRED_FIELDS = ("org", "claim", "clarification")
JSONL_FIELDS = (*FIELDS, "images")
_TEXT_FIELDS = tuple(name for name in FIELDS if name != "variants")
CSV_VARIANT_SEPARATOR = "|"
# A spreadsheet treats cells starting with these as formulas ("CSV injection"); user
# text can end up in exports via linked-claim variants, so such cells get a leading
# apostrophe on export, which import removes again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
# Between the transactions of a batched import: longer than SQLite's busy handler sleeps
# between retries once it has waited as long as one such transaction holds the lock (20-25 ms
# after 30-50 ms of waiting), so a waiting writer gets its turn.
YIELD_SECONDS = 0.06


@dataclass(frozen=True)
class ParseResult:
    """Rows of a statement file; import them only when `errors` is empty."""

    rows: list[StatementInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: external id -> picture fingerprints, for the JSONL records that carry "images"
    images: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportSummary:
    """How many statements an import created, changed and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def derive_external_id(org: str, claim: str) -> str:
    """Stable id for rows without one, so re-importing the same file updates, not duplicates.

    Whitespace and case are ignored, so trivial reformatting keeps the id.
    """
    key = "\n".join(" ".join(text.split()).casefold() for text in (org, claim))
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()  # never raises
    return f"{org_slug(org)}-{digest[:10]}"


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _row_from_mapping(
    raw: Mapping[str, Any],
) -> tuple[StatementInput | None, tuple[str, ...] | None, list[str]]:
    """Type-check one record and validate it; returns the cleaned input and its pictures'
    fingerprints (None: the record has none), or the problems."""
    errors = [f"unknown field {name!r}" for name in raw if name not in JSONL_FIELDS]
    try:
        images = fingerprint_list(raw.get("images"))
    except ValueError as exc:
        errors.append(str(exc))
        images = None
    bad_types: set[str] = set()
    values: dict[str, str | None] = {}
    for name in _TEXT_FIELDS:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(f"field {name!r} must be a string, not {_json_type(value)}")
            bad_types.add(name)
            value = None
        values[name] = value
    variants = raw.get("variants")
    if variants is None:
        variants = []
    elif not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        errors.append("field 'variants' must be a list of strings")
        variants = []
    org, claim = (values["org"] or "").strip(), (values["claim"] or "").strip()
    data = clean_statement_input(
        StatementInput(
            external_id=(values["id"] or "").strip() or derive_external_id(org, claim),
            org=org,
            verdict=values["verdict"] or "",
            claim=claim,
            clarification=values["clarification"] or "",
            source_url=values["source_url"],
            source_title=values["source_title"],
            published_at=values["published_at"],
            valid_until=values["valid_until"],
            variants=tuple(variants),
        )
    )
    errors += [
        message
        for message in statement_input_errors(data)
        if not any(message == f"missing required field '{name}'" for name in bad_types)
    ]
    return (None, None, errors) if errors else (data, images, [])


def _collect(records: Iterable[tuple[int, Mapping[str, Any] | str]]) -> ParseResult:
    """Validate (line, record-or-error) pairs, adding duplicate-id checks across the file."""
    rows: list[StatementInput] = []
    errors: list[str] = []
    images: dict[str, tuple[str, ...]] = {}
    first_line: dict[str, int] = {}
    for line, record in records:
        if isinstance(record, str):
            errors.append(f"line {line}: {record}")
            continue
        data, row_images, row_errors = _row_from_mapping(record)
        errors += [f"line {line}: {message}" for message in row_errors]
        if data is None:
            continue
        if data.external_id in first_line:
            errors.append(
                f"line {line}: duplicate id {data.external_id!r} "
                f"(first used on line {first_line[data.external_id]})"
            )
            continue
        first_line[data.external_id] = line
        rows.append(data)
        if row_images is not None:
            images[data.external_id] = row_images
    if not rows and not errors:
        errors.append("no statements found in file")
    if errors:
        return ParseResult(errors=errors)
    return ParseResult(rows=rows, errors=errors, images=images)


def _jsonl_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | str]]:
    # split("\n"), not splitlines(): JSON strings may legally contain U+2028 and friends.
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield line_number, f"invalid JSON ({exc.msg} at column {exc.colno})"
            continue
        except RecursionError:
            yield line_number, "invalid JSON (nested too deeply)"
            continue
        if isinstance(value, dict):
            yield line_number, value
        else:
            yield line_number, f"expected a JSON object, got {_json_type(value)}"


def _csv_unescape(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def _csv_escape(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _csv_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | str]]:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in Indonesian locales save CSV with ';' as the separator.
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                problems = [f"unknown column {name!r}" for name in header if name not in FIELDS]
                problems += [
                    f"duplicate column {name!r}"
                    for i, name in enumerate(header)
                    if name in header[:i]
                ]
                problems += [
                    f"missing required column {name!r}"
                    for name in REQUIRED_FIELDS
                    if name not in header
                ]
                if problems:
                    for problem in problems:
                        yield start, problem
                    return
                continue
            if len(cells) > len(header):
                yield start, f"has {len(cells)} values but the header has {len(header)} columns"
                continue
            record: dict[str, Any] = {}
            for name, cell in zip(header, cells, strict=False):
                cell = _csv_unescape(cell)
                if name == "variants":
                    record[name] = cell.split(CSV_VARIANT_SEPARATOR) if cell.strip() else []
                else:
                    record[name] = cell if cell.strip() else None
            yield start, record
    except csv.Error as exc:
        yield reader.line_num, f"CSV error: {exc}"


def parse_statements_text(text: str, fmt: str) -> ParseResult:
    """Parse statements from already-decoded text; `fmt` is 'jsonl' or 'csv'."""
    if fmt == "jsonl":
        return _collect(_jsonl_records(text))
    if fmt == "csv":
        return _collect(_csv_records(text))
    raise ValueError(f"unknown format {fmt!r}")


def parse_statements_file(path: str | Path) -> ParseResult:
    """Read and validate a .jsonl or .csv statement file.

    Never raises for bad input: unreadable, non-UTF-8 or malformed files come back as
    errors, so the CLI can print them instead of a traceback.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("jsonl", "csv"):
        return ParseResult(errors=[f"{path}: unsupported file type; use .jsonl or .csv"])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ParseResult(errors=[f"{path}: cannot read file ({exc.strerror or exc})"])
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM Excel puts in "CSV UTF-8"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return ParseResult(
            errors=[f"line {line}: file is not valid UTF-8 (byte {exc.start}); save it as UTF-8"]
        )
    return parse_statements_text(text, fmt)


def import_statements(
    db: Database,
    rows: Iterable[StatementInput],
    *,
    actor: str,
    lock_seconds: float | None = None,
    images: Mapping[str, Iterable[str]] | None = None,
) -> ImportSummary:
    """Save all rows in one transaction: any failure leaves the database untouched.

    With `lock_seconds`, a transaction is committed once it has held the write lock that
    long, and the next begins after `YIELD_SECONDS`, so a running bot, which writes every
    claim and every fetched update, waits a fraction of a second instead of the whole
    import (SQLite has one writer at a time; 15,000 statements take several seconds).
    A failure then keeps the rows already committed; importing the file again completes
    it, since rows are matched by id.

    `images` (a parse's `ParseResult.images`): the statements listed there get exactly those
    picture fingerprints; a statement whose pictures changed counts as updated.
    """
    counts = {"create": 0, "update": 0, "unchanged": 0}
    pending = iter(rows)
    while True:
        started = time.monotonic()
        with transaction(db):
            for row in pending:
                saved, action = save_statement(db, row, actor=actor)
                if (
                    images is not None
                    and row.external_id in images
                    and replace_fingerprints(db, saved.id, images[row.external_id], actor=actor)
                    and action == "unchanged"
                ):
                    action = "update"
                counts[action] += 1
                if lock_seconds is not None and time.monotonic() - started >= lock_seconds:
                    break
            else:
                break  # every row saved
        time.sleep(YIELD_SECONDS)  # waiting writers poll within this (busy handler)
    return ImportSummary(
        created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"]
    )


def statement_record(statement: Statement, images: Iterable[str] = ()) -> dict[str, Any]:
    """A statement in import-file shape (the inverse of parsing one row); "images" only
    when it has pictures (JSONL)."""
    record = {
        "id": statement.external_id,
        "org": statement.org,
        "verdict": statement.verdict,
        "claim": statement.claim,
        "variants": list(statement.variants),
        "clarification": statement.clarification,
        "source_url": statement.source_url,
        "source_title": statement.source_title,
        "published_at": statement.published_at,
        "valid_until": statement.valid_until,
    }
    fingerprints = list(images)
    if fingerprints:
        record["images"] = fingerprints
    return record


def export_jsonl(
    statements: Iterable[Statement],
    fp: TextIO,
    images: Mapping[int, Iterable[str]] | None = None,
) -> int:
    """Write one JSON object per line (lossless); returns the number written. `images`:
    statement id -> its pictures' fingerprints (`fingerprints_by_statement`)."""
    count = 0
    for statement in statements:
        record = statement_record(statement, (images or {}).get(statement.id, ()))
        fp.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_csv(statements: Iterable[Statement], fp: TextIO) -> int:
    """Write a spreadsheet-friendly CSV (open `fp` with newline=""); returns rows written.

    Raises ValueError for a variant containing '|', which CSV cannot represent
    (use JSONL for those).
    """
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(FIELDS)
    count = 0
    for statement in statements:
        record = statement_record(statement)
        if any(CSV_VARIANT_SEPARATOR in variant for variant in statement.variants):
            raise ValueError(
                f"statement {statement.external_id!r} has a variant containing "
                f"{CSV_VARIANT_SEPARATOR!r}; export it as JSONL instead"
            )
        record["variants"] = CSV_VARIANT_SEPARATOR.join(statement.variants)
        writer.writerow([_csv_escape(record[name] or "") for name in FIELDS])
        count += 1
    return count
