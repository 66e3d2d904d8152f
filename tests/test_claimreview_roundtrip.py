"""ClaimReview out and back in: what `cekklaim export --format claimreview` (and each public
statement page, bot/site) publishes reads back into the same statement fields, through the
reader `cekklaim import` uses for fact-checkers' ClaimReview (bot/sources/claimreview.py)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

import storage
from bot.cli import main
from bot.core import seed_if_empty
from bot.sources.claimreview import review_fields, reviews_from_json
from storage import Statement, StatementInput
from storage.sources import pending_drafts

#: The statement fields a ClaimReview carries (phrasings are not published: some are
#: citizens' wordings).
CARRIED = ("claim", "verdict", "org", "source_url", "source_title", "published_at",
           "clarification", "valid_until")  # fmt: skip
TODAY = date(2026, 12, 2)

EXPIRING = StatementInput(
    external_id="kpu-expiring",
    org="KPU",
    verdict="MENYESATKAN",
    claim='Klaim dengan "kutip", <tag> & </script> di dalamnya',
    clarification="Penjelasan yang berlaku sampai tahun depan.",
    source_url="https://www.kpu.go.id/berita/baca/99?a=1&b=2",
    source_title=None,
    published_at="2024-01-05",
    valid_until="2027-06-30",
)
BARE = StatementInput(
    external_id="bawaslu-bare", org="Bawaslu", verdict="KLARIFIKASI",
    claim="Klaim tanpa sumber dan tanggal", clarification="Penjelasan singkat.",
)  # fmt: skip


def expected(statement: Statement) -> dict[str, object]:
    values = {name: getattr(statement, name) for name in CARRIED}
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture
def base(db: sqlite_utils.Database) -> list[Statement]:
    assert seed_if_empty(db) > 50
    for data in (EXPIRING, BARE):
        storage.save_statement(db, data, actor="t")
    return storage.list_statements(db)


@pytest.mark.parametrize("public", [False, True])
def test_every_statement_reads_back_the_same(base: list[Statement], public: bool) -> None:
    buffer = io.StringIO()
    pages = {s.external_id: f"https://cek.example.id/s/{s.external_id}.html" for s in base}
    page_url = (lambda s: pages[s.external_id]) if public else None
    assert storage.export_claimreview(base, buffer, page_url=page_url) == len(base)
    reviews = reviews_from_json(buffer.getvalue())
    assert len(reviews) == len(base)
    for statement, review in zip(base, reviews, strict=True):
        assert review["identifier"] == statement.external_id
        assert review.get("url") == (
            pages[statement.external_id] if public else statement.source_url
        )
        assert review_fields(review, today=TODAY) == expected(statement), statement.external_id


def test_import_queues_drafts_that_carry_every_field(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI round trip: export to a file, import it into a fresh database's drafts."""
    seed_if_empty(storage.open_db(db_path))
    out = tmp_path / "reviews.json"
    assert main(["export", "--format", "claimreview", "--output", str(out)]) == 0
    exported = storage.list_statements(storage.open_db(db_path))
    fresh = tmp_path / "fresh.db"
    assert main(["import", str(out), "--db", str(fresh)]) == 0
    assert f"{len(exported)} ClaimReview drafts queued" in capsys.readouterr().out
    db = storage.open_db(fresh)
    drafts = {d.fields["claim"]: d for d in pending_drafts(db, limit=1000)}
    assert len(drafts) == len(exported)
    for statement in exported:
        fields = drafts[statement.claim].fields
        assert {k: v for k, v in fields.items() if k != "published_at"} == {
            k: v for k, v in expected(statement).items() if k != "published_at"
        }
        # a date the reader takes for the future (it trusts no clock but today's) is dropped
        assert fields.get("published_at") in (statement.published_at, None)


@pytest.mark.cli_env(PUBLIC_BASE_URL="https://cek.example.id")
def test_export_names_each_statements_public_page(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_if_empty(storage.open_db(db_path))
    assert main(["export", "--format", "claimreview"]) == 0
    reviews = reviews_from_json(capsys.readouterr().out)
    assert len(reviews) > 50
    for review in reviews:
        assert review["url"] == f"https://cek.example.id/s/{review['identifier']}.html"
        assert review["publisher"]["name"] == "CekKlaim"
