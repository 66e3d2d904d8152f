"""Page extraction, link normalization, official domains, ClaimReview mapping (no network)."""

from __future__ import annotations

from datetime import date

import pytest
from sourceserver import DATA
from stdlibpage import StdlibTokenizer

from bot.sources.claimreview import map_verdict, review_fields, reviews_from_json
from bot.sources.fetch import Fetched
from bot.sources.page import as_date, page_info, parse_page
from bot.sources.prefill import prefill_from_page, suggest_clarification
from bot.sources.urls import normalize_url, official_body, parse_official_domains

TODAY = date(2024, 3, 1)
OFFICIAL, _ = parse_official_domains("kpu.go.id,bawaslu.go.id")


def page(name: str, url: str = "https://www.kpu.go.id/berita/x"):  # type: ignore[no-untyped-def]
    return parse_page((DATA / name).read_text(encoding="utf-8"), url, today=TODAY)


def test_kpu_style_page_og_tags_and_json_ld() -> None:
    info = page("kpu_berita.html")
    assert info.title == "KPU: Kotak Suara Karton Kedap Air dan Aman Dipakai di TPS"
    assert info.description is not None and info.description.startswith("KPU menegaskan")
    assert info.published_at == "2023-11-20"  # JSON-LD datePublished, not dateModified
    assert info.site_name == "KPU RI"
    assert "kedap air dan aman digunakan" in info.main_text
    assert "KPU & tidak menyebarkan" in info.main_text  # entities decoded
    for chrome in ("Beranda", "Selamat datang", "Hak cipta", "populer", "dataLayer", "Foto kotak"):
        assert chrome not in info.main_text
    assert info.claim_reviews == ()


def test_bawaslu_style_page_article_published_time() -> None:
    info = page("bawaslu_berita.html", "https://bawaslu.go.id/id/berita/y")
    assert (
        info.title
        == "Bawaslu Minta Masyarakat Laporkan Politik Uang | Badan Pengawas Pemilihan Umum"
    )
    assert info.published_at == "2023-12-05"  # the meta tag comes before <time>
    assert "tidak pernah membagikan uang" in info.main_text
    assert "Thamrin" not in info.main_text
    # the description "Bawaslu" is a teaser, so the suggestion comes from the paragraphs
    assert suggest_clarification(info).startswith("Badan Pengawas Pemilihan Umum (Bawaslu)")


def test_date_fallbacks_time_element_then_text_and_never_the_future() -> None:
    html = '<p><time datetime="2023-08-17T10:00">17/8</time></p><p>isi berita ini</p>'
    assert parse_page(html, "u", today=TODAY).published_at == "2023-08-17"
    html = "<article><p>Jakarta, Rabu, 14 Februari 2024 - KPU menyampaikan hasil.</p></article>"
    assert parse_page(html, "u", today=TODAY).published_at == "2024-02-14"
    html = '<meta property="article:published_time" content="2030-01-01"><p>kelak nanti</p>'
    assert parse_page(html, "u", today=TODAY).published_at is None
    assert as_date("2023-02-30") is None and as_date("bukan tanggal") is None


def test_broken_markup_degrades_without_raising() -> None:
    info = parse_page("<html><p>satu dua <b>tiga<div><script>x(</p>", "u", today=TODAY)
    assert info.title is None
    info = parse_page('<script type="application/ld+json">{broken', "u", today=TODAY)
    assert info.claim_reviews == ()


def test_claimreview_in_a_page_and_its_mapping() -> None:
    info = page("claimreview.html", "https://cekfakta.example.org/x")
    assert len(info.claim_reviews) == 1
    fields = review_fields(info.claim_reviews[0], today=TODAY)
    assert fields == {
        "claim": "Pemungutan suara Pemilu 2024 diundur ke bulan Juni",
        "verdict": "HOAKS",
        "org": "KPU",
        "source_url": "https://cekfakta.example.org/pemilu-tidak-diundur",
        "published_at": "2023-10-02",
        "clarification": (
            "KPU menetapkan hari pemungutan suara pada Rabu, 14 Februari 2024; kabar "
            "pengunduran ke bulan Juni tidak benar."
        ),
    }


def test_claimreview_json_file() -> None:
    reviews = reviews_from_json((DATA / "claimreviews.json").read_text(encoding="utf-8"))
    assert [review_fields(r, today=TODAY)["verdict"] for r in reviews] == ["SALAH", "MENYESATKAN"]
    assert reviews_from_json("not json") == []
    assert reviews_from_json('{"@type": "NewsArticle"}') == []


NORMAL = [
    (DATA / "kpu_berita.html").read_text(encoding="utf-8"),
    (DATA / "bawaslu_berita.html").read_text(encoding="utf-8"),
    (DATA / "claimreview.html").read_text(encoding="utf-8"),
    "<blockquote>kata awal <p>satu dua tiga</p> kata akhir</blockquote><ul><li>satu dua</li>"
    "<li>tiga &amp; empat</li></ul>",
    "<table><tr><td>kolom satu</td><td>kolom dua tiga</td></tr></table><p>a b<br>c d</p>",
    "<div><p>luar satu dua</p><article><p>dalam satu dua</p></article></div>",
    "<nav><p>menu satu dua</p></nav><main><h1>Judul berita ini</h1><p>isi satu dua</p></main>",
    '<title>Judul &quot;kutip&quot;</title><meta name="description" content="ringkas">'
    '<p><time datetime="2023-08-17">17 Agustus</time> isi berita</p>',
]


@pytest.mark.parametrize("html", NORMAL, ids=range(len(NORMAL)))
def test_normal_pages_read_as_they_did_with_html_parser(html: str) -> None:
    old = StdlibTokenizer()
    old.feed(html)
    old.close()
    old.collector.close()
    url = "https://www.kpu.go.id/berita/x"
    assert parse_page(html, url, today=TODAY) == page_info(old.collector, url, today=TODAY)


@pytest.mark.parametrize(
    ("name", "verdict"),
    [("Hoax", "HOAKS"), ("FALSE", "SALAH"), ("mostly-false", "MENYESATKAN"), ("Benar", "BENAR"),
     ("Disinformasi", "DISINFORMASI"), ("5 stars", None), (None, None)],
)  # fmt: skip
def test_verdict_names(name: str | None, verdict: str | None) -> None:
    assert map_verdict(name) == verdict


def test_prefill_from_an_official_page_keeps_evidence() -> None:
    raw = (DATA / "kpu_berita.html").read_bytes()
    fetched = Fetched("https://www.kpu.go.id/b?utm_source=x", "https://www.kpu.go.id/b", 200,
                      "text/html", raw, "utf-8")  # fmt: skip
    found = prefill_from_page(fetched, OFFICIAL, today=TODAY)
    assert found.official and found.host == "www.kpu.go.id"
    assert found.draft["org"] == "KPU"
    assert found.draft["source_url"] == "https://www.kpu.go.id/b"
    assert found.draft["published_at"] == "2023-11-20"
    assert found.draft["clarification"].startswith("KPU menegaskan kotak suara")
    assert "claim" not in found.draft and "verdict" not in found.draft  # the moderator says
    assert found.evidence["body_sha256"] == fetched.sha256
    assert "kedap air" in found.evidence["text"]


def test_prefill_from_an_unofficial_page() -> None:
    raw = (DATA / "claimreview.html").read_bytes()
    fetched = Fetched("https://cekfakta.example.org/x", "https://cekfakta.example.org/x", 200,
                      "text/html", raw)  # fmt: skip
    found = prefill_from_page(fetched, OFFICIAL, today=TODAY)
    assert not found.official
    assert found.draft["claim"].startswith("Pemungutan suara Pemilu 2024 diundur")
    assert found.draft["verdict"] == "HOAKS"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("https://www.kpu.go.id/berita", "KPU"),
        ("https://jdih.kpu.go.id/peraturan", "KPU"),
        ("https://KPU.GO.ID./", "KPU"),
        ("http://bawaslu.go.id/id/berita", "Bawaslu"),
        ("https://sulsel.bawaslu.go.id/x", "Bawaslu"),
        ("https://evil-kpu.go.id.example.com/", None),
        ("https://kpu.go.id.evil.com/", None),
        ("https://notkpu.go.id/", None),
        ("https://kpu-go-id.com/", None),
        ("ftp://kpu.go.id/", None),
    ],
)
def test_official_domains_and_their_bodies(url: str, body: str | None) -> None:
    assert official_body(url, OFFICIAL) == body


def test_official_domains_setting_syntax() -> None:
    domains, problems = parse_official_domains("www.kpu.go.id, dkpp.go.id,127.0.0.1=KPU Uji, x")
    assert domains == {"kpu.go.id": "KPU", "dkpp.go.id": "DKPP", "127.0.0.1": "KPU Uji"}
    assert problems == ["'x' is not a domain name (e.g. kpu.go.id)"]
    assert official_body("http://127.0.0.1:8080/a", domains) == "KPU Uji"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.kpu.go.id/berita/a/", "http://kpu.go.id/berita/a"),
        ("https://KPU.go.id:443/berita/a#bagian", "https://kpu.go.id/berita/a"),
        ("https://kpu.go.id/a?utm_source=wa&utm_medium=x&id=5", "https://kpu.go.id/a?id=5"),
        ("https://kpu.go.id/a?fbclid=1&gclid=2&igshid=3", "https://kpu.go.id/a"),
        ("https://kpu.go.id", "https://kpu.go.id/"),
    ],
)
def test_links_that_are_the_same_page(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


def test_links_that_differ() -> None:
    assert normalize_url("https://kpu.go.id/a?id=5") != normalize_url("https://kpu.go.id/a?id=6")
    assert normalize_url("https://kpu.go.id/A") != normalize_url("https://kpu.go.id/a")
    assert normalize_url("https://kpu.go.id:8443/a") != normalize_url("https://kpu.go.id/a")
    assert normalize_url("mailto:a@kpu.go.id") is None
    assert normalize_url("https://") is None
