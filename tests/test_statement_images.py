"""Pictures attached to statements: storage, the curation use case (audited, one
transaction), the index that follows changes, import/export, and `cekklaim statement image`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from dbhelpers import count, write_jsonl
from imagegen import changed, encode, picture, png
from sqlite_utils import Database

import storage
from bot.cli import main
from bot.curation import Curation
from bot.images.library import KnownPictures, load_known
from storage import StatementInput
from storage.statement_images import images_of, servable_fingerprints

INK = StatementInput("kpu-tinta", "KPU", "HOAKS", "Tinta pemilu mengandung babi",
                     "Tinta pemilu bersertifikat halal.")
BOX = StatementInput("kpu-kotak", "KPU", "HOAKS", "Kotak suara kardus mudah dicurangi",
                     "Kotak suara karton kedap air dan bersegel.")

pytestmark = pytest.mark.statements(INK, BOX)


def test_attaching_a_picture_keeps_its_fingerprint_with_an_audit_entry(db: Database) -> None:
    outcome = Curation(db).attach_image("kpu-tinta", encode(picture(1)), actor="mod:5",
                                        file_id="AgAD-file")
    assert outcome.value.new and outcome.reindex
    [image] = images_of(db, "kpu-tinta")
    assert image.fingerprint.startswith("ck1:") and image.file_id == "AgAD-file"
    assert image.added_by == "mod:5"
    [entry] = [e for e in storage.history(db, "kpu-tinta") if e.action == "add_image"]
    assert entry.actor == "mod:5" and entry.after == {"image": image.fingerprint,
                                                      "image_id": image.id}
    again = Curation(db).attach_image("kpu-tinta", encode(picture(1)), actor="mod:6")
    assert not again.value.new and not again.reindex
    assert count(db, "statement_images") == 1


def test_refusals_change_nothing(db: Database) -> None:
    curation = Curation(db)
    with pytest.raises(LookupError):
        curation.attach_image("no-such", encode(picture(1)), actor="mod:5")
    with pytest.raises(ValueError):
        curation.attach_image("kpu-tinta", b"not a picture", actor="mod:5")
    assert count(db, "statement_images") == 0
    assert not curation.detach_image("kpu-tinta", 99, actor="mod:5").value
    assert [e.action for e in storage.history(db, "kpu-tinta")] == ["create"]


def test_detaching_is_audited_and_the_index_follows(db: Database) -> None:
    curation, known = Curation(db), KnownPictures()
    curation.attach_image("kpu-tinta", encode(picture(1)), actor="mod:5")
    curation.attach_image("kpu-kotak", encode(picture(2)), actor="mod:5")
    ink_id = storage.get_statement(db, "kpu-tinta").id  # type: ignore[union-attr]
    match = known.current(db).lookup(changed(picture(1), "crop 10%", 1))
    assert match is not None and match.confident and match.statement_id == ink_id
    [image] = curation.images("kpu-tinta")
    assert curation.detach_image("kpu-tinta", image.id, actor="mod:7").value
    assert [e.action for e in storage.history(db, "kpu-tinta")][-1] == "remove_image"
    match = known.current(db).lookup(changed(picture(1), "crop 10%", 1))
    assert match is None or match.statement_id != ink_id or not match.confident
    assert len(known.current(db)) == 1


def test_only_served_statements_pictures_are_known(db: Database) -> None:
    curation = Curation(db)
    curation.attach_image("kpu-tinta", encode(picture(1)), actor="mod:5")
    known = KnownPictures()
    assert len(known.current(db)) == 1
    curation.retire("kpu-tinta", actor="mod:5")
    assert len(known.current(db)) == 0 and servable_fingerprints(db) == []


def test_a_fingerprint_this_version_cannot_read_is_skipped(db: Database) -> None:
    storage.statement_images.add_image(db, "kpu-tinta", "ck9:" + "ab" * 40, actor="t")
    Curation(db).attach_image("kpu-kotak", encode(picture(2)), actor="mod:5")
    assert len(load_known(db)) == 1


def _export(db: Database) -> list[dict]:
    buffer = io.StringIO()
    statements = storage.list_statements(db)
    storage.export_jsonl(statements, buffer, storage.statement_images.fingerprints_by_statement(
        db, (s.id for s in statements)))
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_export_then_import_carries_the_pictures(db: Database, tmp_path: Path) -> None:
    Curation(db).attach_image("kpu-tinta", encode(picture(1)), actor="mod:5")
    Curation(db).attach_image("kpu-tinta", png(picture(3)), actor="mod:5")
    records = _export(db)
    by_id = {r["id"]: r for r in records}
    assert len(by_id["kpu-tinta"]["images"]) == 2 and "images" not in by_id["kpu-kotak"]

    other = storage.open_db(tmp_path / "other.db")
    parsed = storage.parse_statements_file(write_jsonl(tmp_path / "base.jsonl", records))
    assert parsed.ok
    summary = storage.import_statements(other, parsed.rows, actor="cli", images=parsed.images)
    assert summary.created == 2
    assert _export(other) == records
    again = storage.import_statements(other, parsed.rows, actor="cli", images=parsed.images)
    assert again.unchanged == 2  # export -> import is a no-op
    match = load_known(other).lookup(changed(picture(1), "status bar", 1))
    assert match is not None and match.confident

    by_id["kpu-tinta"]["images"] = by_id["kpu-tinta"]["images"][:1]
    parsed = storage.parse_statements_file(write_jsonl(tmp_path / "one.jsonl", records))
    assert storage.import_statements(other, parsed.rows, actor="cli",
                                     images=parsed.images).updated == 1
    assert len(images_of(other, "kpu-tinta")) == 1


def test_import_refuses_what_is_not_a_fingerprint(tmp_path: Path) -> None:
    record = {"org": "KPU", "claim": "c", "clarification": "k"}
    for bad in ("ck1:zz", ["ck1:zz"], [1], ["x" * 600]):
        parsed = storage.parse_statements_file(
            write_jsonl(tmp_path / "bad.jsonl", [{**record, "images": bad}]))
        assert not parsed.ok and "picture fingerprints" in parsed.errors[0]


SECRET = "statement-images-cli-secret-0123"


@pytest.mark.cli_env(secret=SECRET)
def test_the_cli_adds_lists_and_removes_pictures(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = storage.open_db(db_path)
    storage.save_statement(db, INK, actor="t")
    db.close()
    file = tmp_path / "poster.jpg"
    file.write_bytes(encode(picture(1)))
    assert main(["statement", "image", "add", "kpu-tinta", str(file)]) == 0
    assert "picture 1 attached" in capsys.readouterr().out
    assert main(["statement", "image", "add", "kpu-tinta", str(file)]) == 0
    assert "attached already" in capsys.readouterr().out
    assert main(["statement", "image", "list", "kpu-tinta"]) == 0
    assert "by cli" in capsys.readouterr().out
    assert main(["export"]) == 0
    assert json.loads(capsys.readouterr().out)["images"][0].startswith("ck1:")
    (tmp_path / "junk.jpg").write_bytes(b"junk")
    assert main(["statement", "image", "add", "kpu-tinta", str(tmp_path / "junk.jpg")]) == 1
    assert "cannot read picture" in capsys.readouterr().err
    assert main(["statement", "image", "add", "nope", str(file)]) == 1
    assert main(["statement", "image", "remove", "kpu-tinta", "1"]) == 0
    assert main(["statement", "image", "remove", "kpu-tinta", "1"]) == 1
    capsys.readouterr()
    assert main(["statement", "image", "list", "kpu-tinta"]) == 0
    assert "no picture attached" in capsys.readouterr().out


def test_tambah_keeps_at_most_a_few_pictures_once_each() -> None:
    from bot import tambah

    draft: dict = {}
    fingerprints = [f"ck1:{n:064x}" for n in range(tambah.MAX_DRAFT_PICTURES + 1)]
    assert "(1)" in tambah.picture(draft, fingerprints[0], "f0")
    assert "sudah dicatat" in tambah.picture(draft, fingerprints[0], "f0")
    for n, fp in enumerate(fingerprints[1:-1], start=2):
        assert f"({n})" in tambah.picture(draft, fp, None)
    assert "Sudah" in tambah.picture(draft, fingerprints[-1], None)
    assert [p["fingerprint"] for p in draft["pictures"]] == fingerprints[:-1]
