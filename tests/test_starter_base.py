"""The starter base a fresh install serves: real statements with links a citizen can open,
and realistic WhatsApp-style claims about them answered (bot/data/README.md).

The figures printed by `cekklaim eval --base bot/data/starter_base.jsonl --queries
tests/data/whatsapp_claims.jsonl` are the ones asserted here (README, "Starter base").
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import storage
from bot.core import starter_base_path
from bot.evaluation import evaluate, read_queries
from bot.matcher.index import MatchIndex
from bot.matcher.match import match_text
from bot.matcher.postings import IndexDoc

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "tests" / "data" / "whatsapp_claims.jsonl"
BODIES = {"KPU", "Bawaslu", "Komdigi"}


def rows() -> list[dict]:
    return [json.loads(line) for line in starter_base_path().read_text("utf-8").splitlines()]


def test_the_starter_base_parses_and_is_large_enough() -> None:
    parsed = storage.parse_statements_file(starter_base_path())
    assert parsed.ok, parsed.errors[:5]
    assert len(parsed.rows) >= 60
    assert len({r.external_id for r in parsed.rows}) == len(parsed.rows)


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["id"])
def test_every_statement_links_to_the_page_that_says_it(row: dict) -> None:
    """A deep link, never a site's root: a citizen who taps "Buka sumber" finds the words."""
    url = urlsplit(row["source_url"])
    assert url.scheme in ("https", "http") and url.netloc
    assert url.path.strip("/") or url.query, f"{row['id']}: a bare domain is no source"
    assert row["org"] in BODIES
    assert row["source_title"].strip()
    if "published_at" in row:  # the date the body said it, when the page shows one
        assert date.fromisoformat(row["published_at"]) <= date(2025, 1, 31)


def test_the_data_readme_says_how_each_statement_was_found() -> None:
    readme = (ROOT / "bot" / "data" / "README.md").read_text("utf-8")
    missing = [r["id"] for r in rows() if f"`{r['id']}`" not in readme]
    assert missing == []


def test_whatsapp_style_claims_about_the_starter_statements_are_answered() -> None:
    """30 claims written as they are forwarded (caps, slang, emoji, "sebarkan"): the right
    statement first for at least 90%, a confident card for at least 60%."""
    parsed = storage.parse_statements_file(starter_base_path())
    index = MatchIndex(
        [IndexDoc(r.external_id, r.claim, tuple(r.variants), r.clarification) for r in parsed.rows]
    )
    queries = read_queries([CLAIMS])
    assert len(queries) == 30
    assert {q.expected_id for q in queries} <= {r.external_id for r in parsed.rows}
    report = evaluate(lambda text: match_text(index, text), queries)
    assert report.success_at_1 >= 0.9, report.lines()
    assert report.confident_answerable >= 0.6 * report.answerable, report.lines()
    assert report.confident_precision == 1.0, report.lines()  # no wrong card among them
