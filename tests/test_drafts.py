"""The /tambah draft rules, as plain functions (bot/drafts.py): which field comes next, what
counts as a URL answer, which pre-filled values survive, how a source draft and a queue
cluster become a draft, and when the preview warns about an unofficial source."""

from __future__ import annotations

from typing import Any

import pytest

from bot import drafts
from bot.clusters import Cluster
from storage.sources import SourceDraft

DOMAINS = {"kpu.go.id": "KPU", "bawaslu.go.id": "Bawaslu"}


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        ({}, "org"),
        ({"org": "KPU"}, "verdict"),
        ({"org": "KPU", "verdict": "HOAKS", "claim": "x"}, "clarification"),
        ({"claim": "x", "cluster": "c1"}, "org"),  # asked in order, whatever is in
        (dict.fromkeys(drafts.FIELDS, "x"), None),
    ],
)
def test_the_next_field_is_the_first_one_missing(draft: dict[str, Any], field: str | None) -> None:
    assert drafts.next_field(draft) == field


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("https://www.kpu.go.id/berita/baca/1", True),
        ("  http://kpu.go.id  ", True),
        ("KPU", False),
        ("lihat https://kpu.go.id", False),  # words around it: an answer, not a page
        ("kpu.go.id/berita", False),  # no scheme
        ("", False),
    ],
)
def test_a_url_answer_is_one_url_alone(typed: str, url: bool) -> None:
    assert drafts.looks_like_url(typed) is url


def test_pre_filled_values_pass_the_typed_checks_or_are_dropped() -> None:
    clean = drafts.sanitized(
        {
            "org": "KPU",
            "verdict": "hoaks",  # normalized like a typed one
            "published_at": "bukan tanggal",  # fails: dropped, so asked for
            "source_url": "https://[::1",  # not an http URL: dropped
            "evidence": {"sha": "abc"},  # not a field: kept as it is
            "clarification": "   ",  # empty after the check: dropped
        }
    )
    assert clean == {"org": "KPU", "verdict": "HOAKS", "evidence": {"sha": "abc"}}
    assert drafts.sanitized({"source_url": "http://kpu.go.id/a"}) == {
        "source_url": "http://kpu.go.id/a"
    }


def _source_draft(**fields: Any) -> SourceDraft:
    return SourceDraft(
        id=5, key="k", url="https://kpu.go.id/a", title="Judul halaman",
        summary="Ringkasan dari feed.", published_at="2024-02-10", origin="feed",
        feed_url=None, fields=fields, status="pending", created_at="",
    )  # fmt: skip


def test_a_source_draft_states_its_fields_over_the_page_and_fills_the_gaps() -> None:
    page = {"org": "Bawaslu", "clarification": "Dari halaman.", "source_url": "https://kpu.go.id/a"}
    found = _source_draft(verdict="SALAH", claim="Pemilu diundur", org="KPU")
    draft = drafts.from_source_draft(found, page)
    assert draft == {
        "org": "Bawaslu",  # the page's body wins over the import's org (only a fallback)
        "clarification": "Dari halaman.",  # the page's own text is kept over the summary
        "source_url": "https://kpu.go.id/a",
        "verdict": "SALAH",
        "claim": "Pemilu diundur",
        "source_title": "Judul halaman",
        "published_at": drafts.parse_field("published_at", "2024-02-10"),
        "source_draft": 5,
        # every pre-filled field is shown and confirmed in the guided order
        "pending": ["org", "verdict", "claim", "clarification", "source_url", "published_at"],
    }
    assert page == {  # the page's draft is not changed in place
        "org": "Bawaslu", "clarification": "Dari halaman.", "source_url": "https://kpu.go.id/a"
    }  # fmt: skip
    bare = drafts.from_source_draft(_source_draft(org="KPU", verdict="bukan"), {})
    assert bare["org"] == "KPU" and "verdict" not in bare  # a bad verdict is asked again
    assert bare["clarification"] == "Ringkasan dari feed."


def test_a_cluster_draft_starts_from_its_example_cut_to_a_claim() -> None:
    cluster = Cluster("c7", (7, 9), 4, "", "", "kata " * 400, 1.0)
    draft = drafts.from_cluster(cluster)
    assert draft["cluster"] == "c7" and len(draft["claim"]) <= 1000
    assert draft["claim"].startswith("kata kata")
    # the claim is pre-filled, not skipped: the guided questions ask for it in its turn
    assert draft["pending"] == ["claim"] and drafts.next_field(draft) == "org"
    draft.update(org="KPU", verdict="HOAKS")
    assert drafts.next_field(draft) == "claim"
    drafts.confirmed(draft, "claim")
    assert drafts.next_field(draft) == "clarification"


@pytest.mark.parametrize(
    ("source", "host"),
    [
        ("https://www.kpu.go.id/berita/1", None),
        ("https://jabar.bawaslu.go.id/x", None),  # a subdomain counts
        ("https://kpu.go.id.example.com/x", "kpu.go.id.example.com"),
        ("https://berita.example.com/x", "berita.example.com"),
        (None, None),  # no source yet: nothing to warn about
    ],
)
def test_the_preview_warns_about_a_source_off_the_official_domains(
    source: str | None, host: str | None
) -> None:
    draft = {} if source is None else {"source_url": source}
    assert drafts.unofficial_host(draft, DOMAINS) == host


def test_a_preview_is_the_draft_as_an_unsaved_active_statement() -> None:
    data = drafts.to_input(
        {"org": "KPU", "verdict": "HOAKS", "claim": "Pemilu diundur", "clarification": "Tidak.",
         "source_url": "https://kpu.go.id/a", "variants": ["pemilu ditunda"]},
        "baru",
    )  # fmt: skip
    preview = drafts.as_statement(data)
    assert (preview.id, preview.status, preview.superseded_by) == (0, "active", None)
    assert drafts.as_input(preview) == data  # every field the citizens will see, unchanged


@pytest.mark.parametrize(
    ("typed", "name"),
    [("label", "verdict"), ("Lembaga:", "org"), ("penjelasan", "clarification"),
     ("klarifikasi", "clarification"), ("sumber", "source_url"), ("tanggal", "published_at"),
     ("variasi", "variants"), ("berlaku", "valid_until"), ("verdict", "verdict"),
     ("source_url", "source_url")],
)  # fmt: skip
def test_fields_are_named_in_indonesian_or_english(typed: str, name: str) -> None:
    assert drafts.field_named(typed) == name


def test_an_unknown_field_lists_the_indonesian_names() -> None:
    with pytest.raises(drafts.DraftError, match="Pilihan: lembaga, label, klaim") as caught:
        drafts.field_named("warna")
    assert "verdict" not in str(caught.value) and "source_url" not in str(caught.value)
