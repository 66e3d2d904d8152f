"""The moderators' `cekklaim` commands: queue, stats, moderators, statement (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

import storage
from bot.cli import main
from storage import StatementInput

SECRET = "cli-moderation-secret-0123456789"

pytestmark = pytest.mark.cli_env(secret=SECRET)
INK = (
    "tinta pemilu mengandung babi",
    "TINTA PEMILU 2024 MENGANDUNG BABI!!",
    "katanya tinta pemilu mengandung babi ya",
)
BOX = "kotak suara kardus gampang rusak"
INK_STATEMENT = StatementInput(
    "kpu-tinta",
    "KPU",
    "HOAKS",
    "Tinta pemilu mengandung lemak babi",
    "Tinta pemilu 2024 bersertifikat halal dari MUI.",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def open_db(path: Path) -> sqlite_utils.Database:
    return storage.open_db(path)


@pytest.fixture
def asked(db_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    """The starter base plus four recorded questions: three ink paraphrases and one box claim.

    The ink rumour is asked twice in one wording, so its cluster ranks first.
    """
    for text in (BOX, *INK, INK[1]):
        assert main(["check", text]) == 0
    capsys.readouterr()
    db = open_db(db_path)
    rows = list(db.query("SELECT id, text, status FROM claims"))
    assert {r["status"] for r in rows} == {"open"} and len(rows) == 4
    ids = {r["text"]: r["id"] for r in rows}
    db.close()
    return ids


# --------------------------------------------------------------------------- queue


def test_queue_on_an_empty_database(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "queue")
    assert code == 0
    assert "queue is empty" in out


def test_queue_shows_ranked_clusters(
    asked: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "queue")
    assert code == 0
    lines = out.splitlines()
    ink_key, box_key = f"c{asked[INK[0]]}", f"c{asked[BOX]}"
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1."))
    assert f"[{ink_key}] 4x" in lines[first] and "3 klaim" in lines[first]
    assert "WIB" in lines[first]
    assert lines[first + 1].strip() == INK[1]  # the most asked wording is the example
    assert f"2. [{box_key}] 1x" in lines[first + 2]
    assert "statement link CLUSTER_KEY ID" in out

    code, out, _ = run(capsys, "queue", "--limit", "1")
    assert code == 0
    assert ink_key in out and box_key not in out


def test_queue_rejects_a_zero_limit(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["queue", "--limit", "0"])
    assert exc.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


# --------------------------------------------------------------------------- stats


def test_stats_reports_counts_and_top_claims(
    asked: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"]) == 0
    code, out, _ = run(capsys, "stats")
    assert code == 0
    rows = {line[:34].strip(): line[34:].split() for line in out.splitlines() if len(line) > 34}
    assert rows["pertanyaan / questions"] == ["6", "6"]
    assert rows["klaim berbeda / distinct claims"] == ["5", "5"]
    assert rows["yakin / confident"] == ["1", "(17%)", "1", "(17%)"]
    assert "open claims in the queue: 4" in out
    top = out.split("most asked claims")[1]
    assert f"1. 2x  {INK[1]}  [open]" in top
    assert "1. 1x  [kpu-2024-hari-pemungutan]" in out.split("statements served most")[1]


# --------------------------------------------------------------------------- moderators


def test_moderators_list_add_remove(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "moderators", "list")
    assert code == 0 and "no moderators" in out

    assert run(capsys, "moderators", "add", "42")[:2] == (0, "42 is now a moderator\n")
    code, out, _ = run(capsys, "moderators", "add", "42")
    assert code == 0 and "already a moderator" in out

    monkeypatch.setenv("MODERATOR_IDS", "7")
    code, out, _ = run(capsys, "moderators", "list")
    assert code == 0
    admin, added = out.splitlines()
    assert admin == "7  admin (MODERATOR_IDS)"
    assert added.startswith("42  added by cli on ") and added.endswith(" WIB")

    code, _, err = run(capsys, "moderators", "remove", "7")
    assert code == 1 and "admin from MODERATOR_IDS" in err
    code, _, err = run(capsys, "moderators", "remove", "99")
    assert code == 1 and "99 is not a moderator" in err
    code, _, err = run(capsys, "moderators", "add", "0")
    assert code == 1 and "positive Telegram user id" in err
    assert run(capsys, "moderators", "remove", "42")[:2] == (0, "42 is no longer a moderator\n")

    db = open_db(db_path)
    assert storage.list_moderators(db) == []
    assert storage.is_moderator(db, 7, frozenset({7}))


def test_an_admin_added_at_run_time_too_is_listed_once_and_removed_only_from_the_rows(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODERATOR_IDS", "7")
    assert run(capsys, "moderators", "add", "7")[:2] == (0, "7 is now a moderator\n")
    assert run(capsys, "moderators", "add", "7")[:2] == (
        0, "7 is already an admin (MODERATOR_IDS)\n"
    )  # fmt: skip
    assert run(capsys, "moderators", "list")[1] == "7  admin (MODERATOR_IDS)\n"
    code, _, err = run(capsys, "moderators", "remove", "7")
    assert code == 1 and "the added entry was removed, but 7 is an admin" in err
    assert storage.list_moderators(open_db(db_path)) == []

def test_moderators_take_db_before_or_after_the_action(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    assert run(capsys, "moderators", "--db", str(other), "add", "5")[0] == 0
    assert run(capsys, "moderators", "add", "6", "--db", str(other))[0] == 0
    assert [m.user_id for m in storage.list_moderators(open_db(other))] == [5, 6]
    assert not db_path.exists()  # CEKKLAIM_DB was never opened


def test_nested_commands_need_an_action(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("moderators", "statement"):
        with pytest.raises(SystemExit) as exc:
            main([command])
        assert exc.value.code == 2


# --------------------------------------------------------------------------- statement


def test_statement_show(asked: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "statement", "show", "kpu-2024-quick-count")
    assert code == 0
    assert out.startswith("[kpu-2024-quick-count] KPU · ")
    assert "Status: active, served" in out
    assert "Klaim: Hasil quick count itu hasil resmi pemilu" in out
    assert "(import)" in out  # phrasings with their source
    assert "Klaim terjawab / claims answered: 0" in out

    code, out, err = run(capsys, "statement", "show", "kpu-nope")
    assert code == 1 and out == ""
    assert "no statement with id 'kpu-nope'" in err


def test_statement_retire_supersede_history(
    asked: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "statement", "retire", "kpu-2024-jam-tps")
    assert code == 0 and "retired" in out
    code, out, _ = run(capsys, "statement", "retire", "kpu-2024-jam-tps")
    assert code == 0 and "already retired" in out
    code, _, err = run(capsys, "statement", "retire", "kpu-nope")
    assert code == 1 and "no statement with id 'kpu-nope'" in err

    code, out, _ = run(capsys, "statement", "supersede", "kpu-2024-sirekap", "kpu-2024-quick-count")
    assert code == 0 and "superseded by [kpu-2024-quick-count]" in out
    for argv, message in (
        (("kpu-2024-sirekap", "kpu-2024-sirekap"), "cannot supersede itself"),
        (("kpu-2024-sirekap", "kpu-2024-jam-tps"), "retired or superseded itself"),
        (("kpu-2024-sirekap", "kpu-nope"), "no statement with id 'kpu-nope'"),
    ):
        code, _, err = run(capsys, "statement", "supersede", *argv)
        assert code == 1 and message in err

    db = open_db(db_path)
    jam_tps = storage.get_statement(db, "kpu-2024-jam-tps")
    assert jam_tps is not None and jam_tps.status == "retired"
    sirekap = storage.get_statement(db, "kpu-2024-sirekap")
    assert sirekap is not None and sirekap.superseded_by == "kpu-2024-quick-count"

    code, out, _ = run(capsys, "statement", "history", "kpu-2024-sirekap")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "create" in lines[0] and "by starter-base" in lines[0]
    assert "supersede" in lines[1] and "by cli" in lines[1]
    assert "changed: superseded_by" in lines[1]
    code, _, err = run(capsys, "statement", "history", "kpu-nope")
    assert code == 1 and "no statement with id 'kpu-nope'" in err


def test_statement_link_answers_a_cluster(
    asked: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_db(db_path)
    storage.save_statement(db, INK_STATEMENT, actor="test")
    db.close()
    key = f"c{asked[INK[0]]}"

    code, out, _ = run(capsys, "statement", "link", key, "kpu-tinta")

    assert code == 0
    assert f"3 claim(s) of cluster {key} answered by [kpu-tinta]; 3 new phrasing(s)" in out
    assert "0 notification request(s)" in out
    db = open_db(db_path)
    for text in INK:
        claim = storage.get_claim(db, asked[text])
        assert claim is not None
        assert (claim.status, claim.best_statement_external_id) == ("answered", "kpu-tinta")
    statement = storage.get_statement(db, "kpu-tinta")
    assert statement is not None and set(statement.variants) == set(INK)
    assert [e.action for e in storage.history(db, "kpu-tinta")][-1] == "link_claims"
    db.close()

    code, out, _ = run(capsys, "queue")
    assert key not in out and f"c{asked[BOX]}" in out
    code, out, _ = run(capsys, "check", INK[2])
    assert out.startswith("YAKIN") and "[kpu-tinta]" in out
    code, out, _ = run(capsys, "statement", "history", "kpu-tinta")
    assert f"claims {', '.join(str(asked[t]) for t in INK)}; 3 new phrasing(s)" in out


def test_statement_link_errors(asked: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    box_key = f"c{asked[BOX]}"
    for argv, message in (
        (("c999", "kpu-2024-quick-count"), "no unanswered cluster with key 'c999'"),
        ((box_key, "kpu-nope"), "no statement with id 'kpu-nope'"),
    ):
        code, out, err = run(capsys, "statement", "link", *argv)
        assert code == 1 and out == ""
        assert message in err
    assert run(capsys, "statement", "retire", "kpu-2024-jam-tps")[0] == 0
    code, _, err = run(capsys, "statement", "link", box_key, "kpu-2024-jam-tps")
    assert code == 1 and "retired, superseded or expired" in err
    code, out, _ = run(capsys, "queue")
    assert box_key in out  # nothing was linked
