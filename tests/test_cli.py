"""The `cekklaim` command line (bot.cli), run in-process and once as a real pipe."""

from __future__ import annotations

import csv
import io
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from dbhelpers import write_jsonl

import storage
from bot.cli import NO_TOKEN_HELP, main, match_stream
from bot.core import Core, starter_base_path
from bot.matcher.index import MatchIndex
from bot.matcher.match import match_text
from bot.settings import SETTING_NAMES
from bot.snapshot import index_docs
from storage.transfer import FIELDS

SECRET = "cli-test-secret-0123456789"

pytestmark = pytest.mark.cli_env(secret=SECRET)
CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
TIERS = {"confident", "possible", "none"}


def starter_rows() -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in starter_base_path().read_text("utf-8").splitlines()]
    return {r["id"]: r for r in rows if r}


def statement_ids(db_path: Path) -> set[str]:
    db = storage.open_db(db_path)
    try:
        return {s.external_id for s in storage.list_statements(db, include_retired=True)}
    finally:
        db.close()


# --------------------------------------------------------------------------- check


def test_check_prints_the_confident_answer_and_records(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", CLAIM]) == 0
    out = capsys.readouterr().out
    assert out.startswith("YAKIN")
    assert "[kpu-2024-hari-pemungutan]" in out
    assert "Penjelasan:" in out
    db = storage.open_db(db_path)
    assert storage.claims_count(db) == 1
    row = db.execute("SELECT channel, user_hash FROM submissions").fetchone()
    assert tuple(row) == ("cli", None)


def test_check_joins_several_words(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "hasil", "quick", "count", "itu", "hasil", "resmi", "pemilu"]) == 0
    out = capsys.readouterr().out
    assert "YAKIN" in out and "[kpu-2024-quick-count]" in out


def test_check_no_record(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-record", CLAIM]) == 0
    out = capsys.readouterr().out
    assert "YAKIN" in out and "[kpu-2024-hari-pemungutan]" in out
    db = storage.open_db(db_path)
    assert storage.claims_count(db) == 0
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("pemilu diundur?", "MUNGKIN"),
        ("vaksin covid mengandung chip", "TIDAK ADA"),
    ],
)
def test_check_other_tiers(
    db_path: Path, capsys: pytest.CaptureFixture[str], text: str, label: str
) -> None:
    assert main(["check", "--no-record", text]) == 0
    assert capsys.readouterr().out.startswith(label)


def test_check_without_matchable_words_says_so(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "😱😱"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("TIDAK ADA")
    assert "no matchable words" in out


def test_check_flags_opposite_polarity(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-record", "anggota tni dan polri tidak ikut nyoblos"]) == 0
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.startswith("1. "))
    assert "[kpu-2024-tni-polri-tidak-memilih]" in first
    assert "berlawanan arah" in first


def test_db_option_overrides_env(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "sub" / "other.db"
    assert main(["check", "--db", str(other), CLAIM]) == 0
    assert "YAKIN" in capsys.readouterr().out
    assert other.exists()
    assert not db_path.exists()
    db = storage.open_db(other)
    assert storage.claims_count(db) == 1


# --------------------------------------------------------------------------- match --jsonl


def test_match_jsonl(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"id": "a", "text": CLAIM}),
        json.dumps({"id": 2, "text": "vaksin covid mengandung chip"}),
        "this is not json",
        json.dumps({"id": "c"}),  # no text
        json.dumps({"id": "d", "text": 5}),  # text not a string
        "",  # blank lines are skipped, not answered
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "e", "text": "hasil quick count itu hasil resmi pemilu", "x": 1}),
        json.dumps({"id": None, "text": "pemilu diundur?"}),
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["match", "--jsonl"]) == 1  # some lines were bad
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, None, "c", "d", None, "e", None]

    errors = {i: o["error"] for i, o in enumerate(out) if "error" in o}
    assert sorted(errors) == [2, 3, 4, 5]
    assert errors[2].startswith("line 3:")
    assert errors[3].startswith("line 4:")
    assert errors[4].startswith("line 5:")
    assert errors[5].startswith("line 7:")

    answered = [o for o in out if "error" not in o]
    assert len(answered) == 4
    for o in answered:
        assert o["tier"] in TIERS
        assert len(o["matches"]) <= 5
        for m in o["matches"]:
            assert set(m) == {"statement_id", "score"}
            assert isinstance(m["statement_id"], str)
            assert 0 <= m["score"] <= 100
        scores = [m["score"] for m in o["matches"]]
        assert scores == sorted(scores, reverse=True)
    assert out[0]["tier"] == "confident"
    assert out[0]["matches"][0]["statement_id"] == "kpu-2024-hari-pemungutan"
    assert out[1]["tier"] == "none"
    assert out[6]["matches"][0]["statement_id"] == "kpu-2024-quick-count"
    assert out[7]["tier"] == "possible"
    # matching never records
    assert storage.claims_count(storage.open_db(db_path)) == 0


def test_match_jsonl_all_good_exits_zero(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": i, "text": t} for i, t in enumerate(["pemilu 2024 ditunda", "", "😱"])]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in rows)))
    assert main(["match", "--jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == [0, 1, 2]
    assert [o["tier"] for o in out[1:]] == ["none", "none"]


def test_match_requires_jsonl_flag(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["match"])
    assert info.value.code == 2
    assert "--jsonl" in capsys.readouterr().err


@pytest.fixture(scope="module")
def starter_index() -> MatchIndex:
    parsed = storage.parse_statements_file(starter_base_path())
    return MatchIndex(index_docs(parsed.rows))  # type: ignore[arg-type]


def test_match_stream_survives_deeply_nested_json(starter_index: MatchIndex) -> None:
    fin = io.StringIO("[" * 100_000 + "\n" + json.dumps({"id": 2, "text": CLAIM}) + "\n")
    fout = io.StringIO()
    assert match_stream(lambda text: match_text(starter_index, text), fin, fout) == 1
    out = [json.loads(line) for line in fout.getvalue().splitlines()]
    assert "error" in out[0] and out[1]["id"] == 2


def test_match_jsonl_streams_through_a_pipe(db_path: Path, tmp_path: Path) -> None:
    """Each answer arrives before the next question is written: usable as a co-process."""
    Core.open(db_path, SECRET)  # seed first, so the child's start-up is short
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(CEKKLAIM_DB=str(db_path), CEKKLAIM_SECRET=SECRET, PYTHONUNBUFFERED="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "match", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
        text=True,
        encoding="utf-8",
        bufsize=1,
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        queries = [
            ("q1", CLAIM, "kpu-2024-hari-pemungutan"),
            ("q2", "hasil quick count itu hasil resmi pemilu", "kpu-2024-quick-count"),
            ("q3", "pilpres 2024 lanjut ke putaran kedua", "kpu-2024-pilpres-satu-putaran"),
        ]
        for qid, text, expected in queries:
            proc.stdin.write(json.dumps({"id": qid, "text": text}) + "\n")
            proc.stdin.flush()
            try:
                answer = json.loads(lines.get(timeout=20))
            except queue.Empty:
                pytest.fail(f"no answer to {qid} while stdin was still open: output is buffered")
            assert answer["id"] == qid
            assert answer["tier"] == "confident"
            assert answer["matches"][0]["statement_id"] == expected
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
        reader.join(timeout=5)
        assert lines.empty()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# --------------------------------------------------------------------------- eval


EVAL_QUERIES = [
    {"qid": "q1", "text": CLAIM, "expected_id": "kpu-2024-hari-pemungutan"},
    {"qid": "q2", "text": "qc itu hasil resmi pemilu bro", "expected_id": "kpu-2024-quick-count"},
    {"qid": "q3", "text": "vaksin covid mengandung chip", "expected_id": None},
]


def eval_lines(out: str) -> dict[str, str]:
    """Report lines keyed by their label (the words before the aligned value)."""
    result = {}
    for line in out.splitlines():
        label, _, value = line.partition("  ")
        result[label.strip()] = value.strip()
    return result


def test_eval_import_format(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = starter_rows()
    wanted = ("kpu-2024-hari-pemungutan", "kpu-2024-quick-count", "kpu-2024-sirekap")
    base = write_jsonl(tmp_path / "base.jsonl", [rows[i] for i in wanted])
    queries = write_jsonl(tmp_path / "queries.jsonl", EVAL_QUERIES)
    assert main(["eval", "--base", str(base), "--queries", str(queries)]) == 0
    report = eval_lines(capsys.readouterr().out)
    assert report["statements"].startswith("3 ")
    assert report["answerable queries"] == "2"
    assert report["unanswerable queries"] == "1"
    assert report["Success@1"] == "1.000"
    assert report["Success@5"] == "1.000"
    assert report["MRR"] == "1.000"
    assert report["confident answers"] == "2 (right: 2, precision 1.000)"
    assert report["false-confident rate"] == "0.000% (0 of 1)"
    assert "time per query" in report
    assert not db_path.exists()  # eval works on a throwaway database


def test_eval_dev_set_format_and_several_query_files(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_jsonl(
        tmp_path / "dev_base.jsonl",
        [
            {
                "id": "tbh-0001",
                "title": "Pemilu 2024 diundur, gak jadi tanggal 14 Februari",
                "text": "KPU menetapkan pemungutan suara tetap 14 Februari 2024.",
                "source_url": "https://turnbackhoax.id/articles/1",
                "date": "2023-12-01",
                "topic_election": True,
            },
            {
                "id": "tbh-0002",
                "title": "Hasil quick count itu hasil resmi pemilu",
                "text": "Hasil resmi hanya dari rekapitulasi KPU.",
                "date": "2024-02-15",
            },
        ],
    )
    q1 = write_jsonl(
        tmp_path / "answerable.jsonl",
        [
            {"qid": "a1", "text": CLAIM, "expected_id": "tbh-0001"},
            {
                "qid": "a2",
                "text": "hasil quick count itu hasil resmi pemilu",
                "expected_id": "tbh-0002",
            },
            # expected statement not in the base: an answerable miss
            {"qid": "a3", "text": "tps tutup jam 5 sore", "expected_id": "tbh-9999"},
        ],
    )
    q2 = write_jsonl(
        tmp_path / "distractors.jsonl",
        [
            {"qid": "d1", "text": "vaksin covid mengandung chip", "expected_id": None},
            {"qid": "d2", "text": "harga beras naik bulan depan"},
        ],
    )
    assert main(["eval", "--base", str(base), "--queries", str(q1), str(q2)]) == 0
    report = eval_lines(capsys.readouterr().out)
    assert report["statements"].startswith("2 ")
    assert report["answerable queries"] == "3"
    assert report["unanswerable queries"] == "2"
    assert report["Success@1"] == "0.667"
    assert report["Success@5"] == "0.667"
    assert report["MRR"] == "0.667"
    assert report["false-confident rate"] == "0.000% (0 of 2)"
    assert report["answerable, confident"].startswith("2 of 3")


def test_eval_invalid_base_reports_errors(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_jsonl(tmp_path / "base.jsonl", [{"id": "x", "org": "KPU", "claim": "tanpa"}])
    queries = write_jsonl(tmp_path / "q.jsonl", EVAL_QUERIES)
    assert main(["eval", "--base", str(base), "--queries", str(queries)]) == 1
    captured = capsys.readouterr()
    assert "line 1" in captured.err and "clarification" in captured.err
    assert "Success@1" not in captured.out


# --------------------------------------------------------------------------- import


IMPORT_ROWS = [
    {
        "id": "kpu-test-1",
        "org": "KPU",
        "verdict": "HOAKS",
        "claim": "Surat suara sudah dicoblos duluan di Kuala Lumpur",
        "variants": ["surat suara tercoblos di malaysia"],
        "clarification": "Video itu simulasi.",
        "source_url": "https://www.kpu.go.id/berita/baca/1",
        "published_at": "2024-02-10",
    },
    {
        "id": "bawaslu-test-2",
        "org": "Bawaslu",
        "claim": "Saksi dilarang memotret formulir C1",
        "clarification": "Saksi boleh mendokumentasikan formulir C.Hasil.",
    },
]


def import_out(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{path}: ")
    return out.removeprefix(f"{path}: ")


def test_import_jsonl_then_reimport(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "statements.jsonl", IMPORT_ROWS)
    assert import_out(capsys, path) == "2 created, 0 updated, 0 unchanged"
    assert statement_ids(db_path) == {"kpu-test-1", "bawaslu-test-2"}  # no starter seeding
    assert import_out(capsys, path) == "0 created, 0 updated, 2 unchanged"

    changed = [dict(IMPORT_ROWS[0], clarification="Video itu simulasi KPU."), IMPORT_ROWS[1]]
    write_jsonl(path, changed)
    assert import_out(capsys, path) == "0 created, 1 updated, 1 unchanged"


def test_imported_statement_is_matchable(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_out(capsys, write_jsonl(tmp_path / "s.jsonl", IMPORT_ROWS))
    assert main(["check", "--no-record", "surat suara udh dicoblos duluan di kuala lumpur"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("YAKIN") and "[kpu-test-1]" in out


def test_import_csv_then_reimport(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "statements.csv"
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["id", "org", "verdict", "claim", "variants", "clarification"])
        writer.writerow(
            [
                "csv-1",
                "KPU",
                "SALAH",
                "TPS buka sampai malam",
                "tps tutup jam 9|nyoblos malam",
                "TPS buka 07.00 sampai 13.00 WIB.",
            ]
        )
        writer.writerow(["csv-2", "Bawaslu", "", "Politik uang, boleh", "", "Tidak boleh."])
    assert import_out(capsys, path) == "2 created, 0 updated, 0 unchanged"
    assert import_out(capsys, path) == "0 created, 0 updated, 2 unchanged"
    db = storage.open_db(db_path)
    one = storage.get_statement(db, "csv-1")
    assert one is not None and one.variants == ("tps tutup jam 9", "nyoblos malam")
    two = storage.get_statement(db, "csv-2")
    assert two is not None and two.claim == "Politik uang, boleh" and two.variants == ()


def test_import_with_errors_imports_nothing(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_out(capsys, write_jsonl(tmp_path / "good.jsonl", IMPORT_ROWS))
    before = storage.data_version(storage.open_db(db_path))
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"id": "new-ok", "org": "KPU", "claim": "Klaim baru", "clarification": "Penjelasan"},
            "{not json",
            {"id": "no-clarification", "org": "KPU", "claim": "Klaim"},
            {
                "id": "kpu-test-1",
                "org": "KPU",
                "claim": "Ganti",
                "clarification": "x",
                "verdict": "MUNGKIN",
            },
        ],
    )
    assert main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing imported" in captured.err
    error_lines = [line.strip() for line in captured.err.splitlines()[1:]]
    assert any(line.startswith("line 2:") for line in error_lines)
    assert any(line.startswith("line 3:") and "clarification" in line for line in error_lines)
    assert any(line.startswith("line 4:") and "verdict" in line for line in error_lines)
    assert not any(line.startswith("line 1:") for line in error_lines)
    assert statement_ids(db_path) == {"kpu-test-1", "bawaslu-test-2"}
    db = storage.open_db(db_path)
    assert storage.data_version(db) == before
    one = storage.get_statement(db, "kpu-test-1")
    assert one is not None and one.claim == IMPORT_ROWS[0]["claim"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.txt", "whatever", "unsupported file type"),
        ("missing.jsonl", None, "cannot read"),
        ("empty.jsonl", "", "no statements"),
        ("latin1.csv", "id,org,claim,clarification\nx,KPU,caf\xe9,y\n", "UTF-8"),
    ],
)
def test_import_bad_files(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    assert main(["import", str(path)]) == 1
    assert message in capsys.readouterr().err


def run_cli(db_path: Path, *args: str | bytes) -> subprocess.CompletedProcess[str]:
    """The real `cekklaim` process (arguments may be raw bytes, as a shell passes them)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(CEKKLAIM_DB=str(db_path), CEKKLAIM_SECRET=SECRET)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, encoding="utf-8",
        errors="replace", env=env, cwd=db_path.parent, timeout=60,
    )  # fmt: skip


GOOD_IMPORT_ROW = '{"org": "KPU", "claim": "Klaim yang baik", "clarification": "Penjelasan."}'
ROW_TWO = '{{"org": "KPU", "claim": {claim}, "clarification": "x", {extra}}}'
MALFORMED_ROWS = [
    # urllib raises ValueError for these: they made the import print a traceback
    ('"source_url": "https://[::1"', "field 'source_url' must be an http(s) URL"),
    ('"source_url": "https://kpu.go.id:99999/a"', "field 'source_url' must be an http(s) URL"),
    ('"source_url": "https://[zz]/"', "field 'source_url' must be an http(s) URL"),
    # JSON escapes that are no character: hashing and SQLite refuse to encode them
    ('"source_title": "judul \\ud800"', "field 'source_title' contains an invalid character"),
    ('"variants": ["\\udc80"]', "field 'variants[1]' contains an invalid character"),
    ('"published_at": "99999-01-01"', "field 'published_at' is not a valid date"),
    ('"source_title": "NUL \\u0000"', "field 'source_title' contains control characters"),
]


@pytest.mark.parametrize("claim", ['"Klaim kedua"', '"klaim \\ud800 tanpa id"'])
@pytest.mark.parametrize(("extra", "message"), MALFORMED_ROWS)
def test_import_of_malformed_values_reports_the_line_not_a_traceback(
    tmp_path: Path, db_path: Path, claim: str, extra: str, message: str
) -> None:
    """As a real process: exit 1, only "line N: ..." lines, nothing imported. A lone
    surrogate in a claim without an id also broke deriving the id from it."""
    path = tmp_path / "rows.jsonl"
    row = ROW_TWO.format(claim=claim, extra=extra)
    path.write_text(GOOD_IMPORT_ROW + "\n" + row + "\n", encoding="utf-8")
    before = statement_ids(db_path)
    done = run_cli(db_path, "import", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    lines = [line.strip() for line in done.stderr.splitlines()[1:]]
    assert lines and all(line.startswith("line 2: ") for line in lines), done.stderr
    assert any(line.startswith(f"line 2: {message}") for line in lines), done.stderr
    if "ud800" in claim:
        assert "line 2: field 'claim' contains an invalid character" in done.stderr
    assert statement_ids(db_path) == before


def test_import_csv_with_a_url_urllib_rejects(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "org,claim,clarification,source_url\nKPU,Klaim satu,x,https://kpu.go.id/a\n"
        "KPU,Klaim dua,x,https://[::1\n",
        encoding="utf-8",
    )
    done = run_cli(db_path, "import", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "line 3: field 'source_url' must be an http(s) URL" in done.stderr


def test_import_claimreview_with_broken_text_says_which_review(
    tmp_path: Path, db_path: Path
) -> None:
    review = '{"@type": "ClaimReview", "claimReviewed": "klaim \\ud800", "url": "https://[::1"}'
    path = tmp_path / "review.json"
    path.write_text(review, encoding="utf-8")
    done = run_cli(db_path, "import", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "ClaimReview 1: claim contains an invalid character" in done.stderr


def test_arguments_that_are_not_utf8_get_an_error_or_are_cleaned(db_path: Path) -> None:
    """Bytes a shell passes as they are (here \\xff): an id is a usage error; a claim to check
    is still checked (and recorded without the broken byte)."""
    done = run_cli(db_path, "statement", "show", b"kpu-\xff")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "not valid UTF-8" in done.stderr
    done = run_cli(db_path, "check", b"pemilu 2024 \xff diundur gak jadi 14 februari")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "kpu-2024-hari-pemungutan" in done.stdout


# --------------------------------------------------------------------------- export


@pytest.fixture
def seeded(db_path: Path) -> int:
    core = Core.open(db_path, SECRET)
    storage.retire_statement(core.db, "kpu-2024-sirekap", actor="mod")
    n = len(storage.list_statements(core.db))
    core.db.close()
    return n


def test_export_jsonl(seeded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == seeded
    assert all(set(r) == set(FIELDS) for r in rows)
    ids = {r["id"] for r in rows}
    assert "kpu-2024-hari-pemungutan" in ids
    assert "kpu-2024-sirekap" not in ids  # retired


def test_export_default_format_is_jsonl(seeded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 0
    assert len([json.loads(x) for x in capsys.readouterr().out.splitlines()]) == seeded


def test_export_include_retired(seeded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--include-retired"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == seeded + 1
    assert "kpu-2024-sirekap" in {r["id"] for r in rows}


def test_export_csv(seeded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == seeded + 1
    assert all(len(r) == len(FIELDS) for r in rows)


def test_export_claimreview(seeded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "claimreview"]) == 0
    reviews = json.loads(capsys.readouterr().out)
    assert isinstance(reviews, list) and len(reviews) == seeded
    for review in reviews:
        assert review["@type"] == "ClaimReview"
        assert review["@context"] == "https://schema.org"
        assert review["claimReviewed"]
        assert review["author"]["name"] in {"KPU", "Bawaslu", "Komdigi"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_to_file_round_trips(
    tmp_path: Path, db_path: Path, seeded: int, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--format", fmt, "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{seeded} statements written to {out}" in captured.err
    # re-importing an export changes nothing
    assert import_out(capsys, out) == f"0 created, 0 updated, {seeded} unchanged"


# --------------------------------------------------------------------------- run, settings, help


def test_run_without_token_explains_botfather(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert "statements ready" in captured.out
    assert "@BotFather" in captured.err
    assert "/newbot" in captured.err
    assert NO_TOKEN_HELP.strip() in captured.err
    assert db_path.exists()  # the database was prepared before giving up


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "LOUD"),
        ("CEKKLAIM_SECRET", "short"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
    ],
)
def test_invalid_settings_exit_2_naming_the_setting(
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["check", "--no-record", CLAIM]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("cekklaim: ")
    assert name in captured.err
    assert not db_path.exists()


def test_secret_values_not_echoed(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CEKKLAIM_SECRET", "tooshort")
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "LOG_LEVEL" in err and "CEKKLAIM_SECRET" in err
    assert "tooshort" not in err


def test_dotenv_in_cwd_is_read(
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=LOUD\n", encoding="utf-8")
    assert main(["check", "--no-record", CLAIM]) == 2
    assert "LOG_LEVEL" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], None])
def test_no_command_prints_help(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: Any
) -> None:
    monkeypatch.setattr(sys, "argv", ["cekklaim"])
    assert main(argv) == 2
    out = capsys.readouterr().out
    assert "usage: cekklaim" in out
    for command in ("run", "check", "match", "eval", "import", "export"):
        assert command in out
    assert not db_path.exists()


def test_unknown_command_is_a_usage_error(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
