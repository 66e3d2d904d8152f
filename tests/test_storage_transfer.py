"""Statement file parsing, all-or-nothing import, and exports."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlite_utils
from dbhelpers import count, write_jsonl

from storage import (
    ImportSummary,
    InvalidStatement,
    StatementInput,
    add_variant,
    export_claimreview,
    export_csv,
    export_jsonl,
    get_statement,
    import_statements,
    list_statements,
    open_db,
    parse_statements_file,
    record_submission,
    transfer,
)
from storage.claimreview import UNKNOWN_CLAIM_AUTHOR
from storage.transfer import FIELDS, derive_external_id

ROWS: list[dict[str, Any]] = [
    {
        "id": "kpu-0001",
        "org": "KPU",
        "verdict": "HOAKS",
        "claim": "Surat suara sudah dicoblos sebelum hari pemungutan",
        "variants": ["surat suara tercoblos duluan", "kertas suara sudah dicoblos"],
        "clarification": "KPU menegaskan video tersebut adalah simulasi.",
        "source_url": "https://www.kpu.go.id/berita/baca/12",
        "source_title": "Klarifikasi KPU",
        "published_at": "2024-02-10",
    },
    {
        "org": "Bawaslu",
        "claim": "Bawaslu melarang saksi memotret C1",
        "clarification": "Saksi boleh mendokumentasikan formulir C.Hasil.",
    },
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows(rows)
    return path


def csv_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    rows = [list(FIELDS)]
    for record in records:
        row = []
        for name in FIELDS:
            value = record.get(name)
            row.append("|".join(value) if isinstance(value, list) else (value or ""))
        rows.append(row)
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_parse_valid_file(tmp_path: Path, fmt: str) -> None:
    if fmt == "jsonl":
        path = write_jsonl(tmp_path / "s.jsonl", ROWS)
    else:
        path = write_csv(tmp_path / "s.csv", csv_rows(ROWS))
    result = parse_statements_file(path)
    assert result.errors == []
    assert result.ok
    first, second = result.rows
    assert first == StatementInput(
        external_id="kpu-0001",
        org="KPU",
        verdict="HOAKS",
        claim=ROWS[0]["claim"],
        clarification=ROWS[0]["clarification"],
        source_url=ROWS[0]["source_url"],
        source_title="Klarifikasi KPU",
        published_at="2024-02-10",
        variants=tuple(ROWS[0]["variants"]),
    )
    assert second.verdict == "KLARIFIKASI"  # default when absent
    assert second.external_id == derive_external_id("Bawaslu", ROWS[1]["claim"])
    assert second.external_id.startswith("bawaslu-")


def test_derived_id_is_stable_and_distinct() -> None:
    claim = "Bawaslu melarang saksi memotret C1"
    assert derive_external_id("Bawaslu", claim) == derive_external_id("Bawaslu", claim)
    assert derive_external_id("Bawaslu", claim) == derive_external_id(" bawaslu", claim + " ")
    assert derive_external_id("Bawaslu", claim) != derive_external_id("KPU", claim)
    assert derive_external_id("Bawaslu", claim) != derive_external_id("Bawaslu", claim + "!")


GOOD = {"id": "ok-1", "org": "KPU", "claim": "c", "clarification": "k"}


def test_jsonl_reports_every_error_with_its_line(tmp_path: Path) -> None:
    records: list[Any] = [
        GOOD,  # line 1
        "",  # line 2: blank lines are skipped
        "{not json",  # 3
        '["an", "array"]',  # 4
        {**GOOD, "id": "ok-2", "claim": "  "},  # 5
        {**GOOD, "id": "ok-3", "published_at": "10-02-2024"},  # 6
        {**GOOD, "id": "ok-4", "source_url": "ftp://kpu.go.id/x"},  # 7
        {**GOOD, "id": "ok-5", "verdict": "PALSU"},  # 8
        {**GOOD, "id": "ok-6", "variants": "bukan list"},  # 9
        {**GOOD, "id": "ok-7", "variants": ["a", 3]},  # 10
        {**GOOD},  # 11: duplicate of line 1
        {**GOOD, "id": "ok-8", "claim": "x" * 1001},  # 12
        {**GOOD, "id": "ok-9", "clarification": "y" * 3001},  # 13
        {**GOOD, "id": "ok-10", "org": "o" * 101},  # 14
        {**GOOD, "id": "ok-11", "claim": 5},  # 15
        {**GOOD, "id": "ok-12", "clarifcation": "typo"},  # 16
        {"org": "KPU"},  # 17: two missing fields
    ]
    result = parse_statements_file(write_jsonl(tmp_path / "bad.jsonl", records))
    assert result.rows == []
    expected = [
        "line 3: invalid JSON",
        "line 4: expected a JSON object, got array",
        "line 5: missing required field 'claim'",
        "line 6: field 'published_at' is not a valid date",
        "line 7: field 'source_url' must be an http(s) URL",
        "line 8: field 'verdict' must be one of",
        "line 9: field 'variants' must be a list of strings",
        "line 10: field 'variants' must be a list of strings",
        "line 11: duplicate id 'ok-1' (first used on line 1)",
        "line 12: field 'claim' is too long (1001 characters, maximum 1000)",
        "line 13: field 'clarification' is too long (3001 characters, maximum 3000)",
        "line 14: field 'org' is too long",
        "line 15: field 'claim' must be a string, not number",
        "line 16: unknown field 'clarifcation'",
        "line 17: missing required field 'claim'",
        "line 17: missing required field 'clarification'",
    ]
    for prefix in expected:
        assert any(error.startswith(prefix) for error in result.errors), prefix
    assert not any(e.startswith(("line 1:", "line 2:")) for e in result.errors)
    # A wrongly typed field is reported once, not also as "missing".
    assert [e for e in result.errors if e.startswith("line 15:")] == [
        "line 15: field 'claim' must be a string, not number"
    ]


def test_csv_reports_every_error_with_its_line(tmp_path: Path) -> None:
    good = {**GOOD}
    rows = csv_rows(
        [
            good,  # line 2
            {**good, "id": "ok-2", "clarification": ""},  # 3
            {**good, "id": "ok-3", "valid_until": "2024-13-01"},  # 4
            {**good, "id": "ok-1"},  # 5
        ]
    )
    rows.insert(3, [])  # blank line 4 shifts the rest down
    rows.append(["ok-9", "KPU", "", "c", "", "k", "", "", "", "", "extra"])  # 7
    result = parse_statements_file(write_csv(tmp_path / "bad.csv", rows))
    assert result.rows == []
    assert result.errors == [
        "line 3: missing required field 'clarification'",
        "line 5: field 'valid_until' is not a valid date (expected YYYY-MM-DD): '2024-13-01'",
        "line 6: duplicate id 'ok-1' (first used on line 2)",
        "line 7: has 11 values but the header has 10 columns",
    ]


def test_csv_multiline_cells_keep_line_numbers_right(tmp_path: Path) -> None:
    rows = [
        ["id", "org", "claim", "clarification"],
        ["a", "KPU", "c", "baris satu\nbaris dua\nbaris tiga"],  # lines 2-4
        ["b", "KPU", "", "k"],  # line 5
    ]
    result = parse_statements_file(write_csv(tmp_path / "m.csv", rows))
    assert result.errors == ["line 5: missing required field 'claim'"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["org", "claim"], "line 1: missing required column 'clarification'"),
        (["org", "claim", "clarification", "notes"], "line 1: unknown column 'notes'"),
        (["org", "claim", "claim", "clarification"], "line 1: duplicate column 'claim'"),
    ],
)
def test_csv_header_errors(tmp_path: Path, header: list[str], message: str) -> None:
    result = parse_statements_file(write_csv(tmp_path / "h.csv", [header, ["KPU", "c", "k"]]))
    assert message in result.errors
    assert result.rows == []


def test_csv_semicolon_separator_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefforg;claim;clarification;variants\r\nKPU;c;k;a|b\r\n".encode())
    result = parse_statements_file(path)
    assert result.errors == []
    assert result.rows[0].org == "KPU"
    assert result.rows[0].variants == ("a", "b")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_non_utf8_file_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"latin1{suffix}"
    path.write_bytes(b"org,claim,clarification\nKPU,Pemilu \xe9t\xe9,k\n")
    result = parse_statements_file(path)
    assert result.rows == []
    assert len(result.errors) == 1
    assert result.errors[0].startswith("line 2: file is not valid UTF-8")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.txt", "x", "unsupported file type"),
        ("missing.jsonl", None, "cannot read file"),
        ("empty.jsonl", "\n\n", "no statements found in file"),
        ("nul.jsonl", json.dumps({**GOOD, "claim": "a\u0000b"}), "contains control characters"),
        ("nul.csv", "org,claim,clarification\nKPU,a\x00b,k\n", "contains control characters"),
        ("deep.jsonl", "[" * 100_000, "invalid JSON"),
        ("huge.csv", "org,claim,clarification\nKPU," + "x" * 200_000 + ",k\n", "line 2: CSV"),
        ("quote.csv", 'org,claim,clarification\nKPU,"tanpa penutup\n', "line 2: CSV error"),
    ],
)
def test_odd_files_give_errors_not_tracebacks(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = parse_statements_file(path)
    assert result.rows == []
    assert any(message in error for error in result.errors), result.errors


def test_html_and_unicode_survive_parsing(tmp_path: Path) -> None:
    record = {**GOOD, "claim": "<script>alert('KPU')</script> & “curang”", "variants": ["é&<>"]}
    result = parse_statements_file(write_jsonl(tmp_path / "h.jsonl", [record]))
    assert result.rows[0].claim == record["claim"]
    assert result.rows[0].variants == ("é&<>",)


def test_file_with_one_bad_row_imports_nothing(tmp_path: Path, db: sqlite_utils.Database) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", [*ROWS, {**GOOD, "published_at": "kemarin"}])
    result = parse_statements_file(path)
    assert len(result.errors) == 1
    assert result.rows == []
    assert import_statements(db, result.rows, actor="cli") == ImportSummary(0, 0, 0)
    assert count(db, "statements") == 0


def test_import_is_all_or_nothing(db: sqlite_utils.Database) -> None:
    good = StatementInput("kpu-1", "KPU", "HOAKS", "c", "k", variants=("v",))
    bad = StatementInput("kpu-2", "KPU", "HOAKS", "", "k")
    with pytest.raises(InvalidStatement):
        import_statements(db, [good, bad], actor="cli")
    for table in ("statements", "variants", "audit_log"):
        assert count(db, table) == 0


def test_a_batched_import_lets_other_writers_in_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cekklaim import` while the bot runs: the bot records claims during the import.

    The import is held between two of its batches (where it sleeps) until the bot has
    written, so the test does not depend on how fast either side runs."""
    path = tmp_path / "shared.db"
    rows = [
        StatementInput(f"kpu-{i}", "KPU", "HOAKS", f"klaim nomor {i}", "klarifikasi")
        for i in range(600)
    ]
    summary: list[ImportSummary] = []
    between, resume = threading.Event(), threading.Event()

    def wait_between_batches(seconds: float) -> None:
        between.set()
        resume.wait(30)

    monkeypatch.setattr(
        transfer, "time", SimpleNamespace(monotonic=time.monotonic, sleep=wait_between_batches)
    )

    def run_import() -> None:
        importer = open_db(path)
        summary.append(import_statements(importer, rows, actor="cli", lock_seconds=0.0))
        importer.close()

    bot = open_db(path)
    thread = threading.Thread(target=run_import)
    thread.start()
    assert between.wait(30)  # the first batch is committed, the import goes on after
    for i in range(3):
        record_submission(
            bot, text="pemilu diundur", normalized="pemilu diundur", channel="private",
            user_hash=f"h{i}", update_id=i, tier="none",
        )  # fmt: skip
    imported_meanwhile = count(bot, "statements")
    resume.set()
    thread.join(30)
    assert summary == [ImportSummary(created=600)]
    assert 0 < imported_meanwhile < 600
    assert count(bot, "statements") == 600 and count(bot, "submissions") == 3


def test_reimport_updates_by_id(tmp_path: Path, db: sqlite_utils.Database) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", ROWS)
    first = import_statements(db, parse_statements_file(path).rows, actor="cli")
    assert first == ImportSummary(created=2, updated=0, unchanged=0)
    assert import_statements(db, parse_statements_file(path).rows, actor="cli") == ImportSummary(
        created=0, updated=0, unchanged=2
    )
    edited = [{**ROWS[0], "clarification": "Klarifikasi diperbarui."}, ROWS[1]]
    write_jsonl(path, edited)
    summary = import_statements(db, parse_statements_file(path).rows, actor="cli")
    assert summary == ImportSummary(created=0, updated=1, unchanged=1)
    assert get_statement(db, "kpu-0001").clarification == "Klarifikasi diperbarui."  # type: ignore[union-attr]
    assert count(db, "statements") == 2


TRICKY = StatementInput(
    external_id="kpu-0099",
    org="KPU RI",
    verdict="MENYESATKAN",
    claim='=HYPERLINK("http://evil") "kutip", koma; <b>tebal</b> & ünicode',
    clarification="Baris satu,\nbaris dua dengan \"kutip\" dan 'apostrof'.\n-5% bukan rumus",
    source_url="https://bawaslu.go.id/a?b=1&c=2",
    source_title="@judul",
    published_at="2024-01-31",
    valid_until="2024-12-31",
    variants=("+62 nomor", "'sudah' dikutip", "varian biasa"),
)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_is_unchanged(
    tmp_path: Path, db: sqlite_utils.Database, fmt: str
) -> None:
    rows = [*parse_statements_file(write_jsonl(tmp_path / "s.jsonl", ROWS)).rows, TRICKY]
    import_statements(db, rows, actor="cli")
    add_variant(db, "kpu-0001", "varian dari klaim pengguna", source="linked-claim", actor="m")
    exported = tmp_path / f"export.{fmt}"
    with exported.open("w", encoding="utf-8", newline="") as fp:
        written = (export_jsonl if fmt == "jsonl" else export_csv)(list_statements(db), fp)
    assert written == 3
    parsed = parse_statements_file(exported)
    assert parsed.errors == []
    assert import_statements(db, parsed.rows, actor="cli") == ImportSummary(0, 0, 3)
    assert parsed.rows[-1] == TRICKY


def test_csv_export_neutralises_formulas(db: sqlite_utils.Database) -> None:
    import_statements(db, [TRICKY], actor="cli")
    buffer = io.StringIO()
    export_csv(list_statements(db), buffer)
    header, row = list(csv.reader(io.StringIO(buffer.getvalue())))
    cells = dict(zip(header, row, strict=True))
    assert cells["claim"].startswith("'=HYPERLINK")
    assert cells["variants"].startswith("'+62")
    assert cells["source_title"] == "'@judul"
    assert cells["org"] == "KPU RI"


def test_csv_export_refuses_pipe_in_variant(db: sqlite_utils.Database) -> None:
    import_statements(db, [replace(TRICKY, variants=("a|b",))], actor="cli")
    with pytest.raises(ValueError, match="JSONL"):
        export_csv(list_statements(db), io.StringIO())


def test_claimreview_export(db: sqlite_utils.Database, tmp_path: Path) -> None:
    rows = parse_statements_file(write_jsonl(tmp_path / "s.jsonl", ROWS)).rows
    import_statements(db, rows, actor="cli")
    buffer = io.StringIO()
    assert export_claimreview(list_statements(db), buffer) == 2
    reviews = json.loads(buffer.getvalue())
    assert isinstance(reviews, list)
    full, minimal = reviews
    assert full == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": ROWS[0]["source_url"],
        "identifier": "kpu-0001",
        "inLanguage": "id",
        "claimReviewed": ROWS[0]["claim"],
        "datePublished": "2024-02-10",
        "author": {"@type": "Organization", "name": "KPU"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "HOAKS",
        },
        "itemReviewed": {
            "@type": "Claim",
            "text": ROWS[0]["claim"],
            "author": {"@type": "Person", "name": UNKNOWN_CLAIM_AUTHOR},
        },
        "reviewBody": ROWS[0]["clarification"],
        "citation": {
            "@type": "CreativeWork",
            "url": ROWS[0]["source_url"],
            "name": "Klarifikasi KPU",
        },
    }
    assert "url" not in minimal and "datePublished" not in minimal and "citation" not in minimal
    assert minimal["reviewRating"]["ratingValue"] == 3
    assert minimal["reviewRating"]["alternateName"] == "KLARIFIKASI"
    assert minimal["author"]["name"] == "Bawaslu"


def test_claimreview_names_the_public_page_and_keeps_the_source(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    rows = parse_statements_file(write_jsonl(tmp_path / "s.jsonl", ROWS[:1])).rows
    import_statements(db, rows, actor="cli")
    buffer = io.StringIO()
    page = "https://cek.example.id/s/kpu-0001.html"
    export_claimreview(list_statements(db), buffer, page_url=lambda s: page)
    (review,) = json.loads(buffer.getvalue())
    assert review["url"] == page
    assert review["citation"]["url"] == ROWS[0]["source_url"]
