"""The public statement pages (bot/site, `cekklaim site OUT_DIR`): the starter base rendered,
every page parsed, each statement's ClaimReview JSON-LD checked, every internal link
resolved, every page under 50 KB, superseded and retired statements marked, and text from
the base escaped (a claim holding "</script>" neither ends the JSON-LD nor becomes markup)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from sitecheck import BASE_URL, claimreview_problems, local_target, read_page

import storage
from bot.cli import main
from bot.core import seed_if_empty
from bot.replies.render import deep_link
from bot.site import page_path
from bot.site.build import MARKER, NotASiteFolder, build_site
from storage import StatementInput

MAX_PAGE_BYTES = 50 * 1024


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


TODAY = date(2026, 12, 2)
TRICKY = StatementInput(
    external_id="kpu:uji.khusus",
    org="KPU & <Mitra>",
    verdict="MENYESATKAN",
    claim='Klaim "uji" </script><b>tebal</b> & sebarkan',
    clarification="Baris satu <i>miring</i>.\nBaris dua & selesai.",
    source_url="https://www.kpu.go.id/berita/baca/1?a=1&b=<2>",
    source_title="Judul <sumber>",
    published_at="2024-03-01",
)
OLD = "kpu-2024-hari-pemungutan"  # superseded by NEW in the fixture
NEW = "kpu-2024-hari-libur"
RETIRED = "kpu-2024-sirekap"


@pytest.fixture
def base(db: sqlite_utils.Database) -> list[storage.Statement]:
    seed_if_empty(db)
    storage.save_statement(db, TRICKY, actor="t")
    storage.supersede_statement(db, OLD, NEW, actor="t")
    storage.retire_statement(db, RETIRED, actor="t")
    return storage.list_statements(db, include_retired=True)


@pytest.fixture
def written(base: list[storage.Statement], tmp_path: Path) -> Path:
    out = tmp_path / "site"
    summary = build_site(base, out, base_url=BASE_URL, bot_username="CekKlaimBot", today=TODAY)
    assert summary.statements == len(base) == summary.current + 2
    return out


def html_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


def test_every_page_parses_links_resolve_and_stays_small(written: Path) -> None:
    pages = html_files(written)
    assert len(pages) > 80
    broken, large = [], []
    for path in pages:
        page = read_page(written, path)
        assert page.tree.get("lang") == "id", path
        assert page.tree.findtext(".//title"), path
        assert page.meta["og:title"] and page.meta["og:description"], path
        if (size := (written / path).stat().st_size) > MAX_PAGE_BYTES:
            large.append((path, size))
        for link in page.links:
            target = local_target(written, path, link)
            if target is not None and not target.is_file():
                broken.append((path, link))
    assert broken == []
    assert large == []


def test_each_current_statement_page_carries_its_claimreview(
    written: Path, base: list[storage.Statement]
) -> None:
    current = [s for s in base if s.is_current(TODAY)]
    assert len(current) == len(base) - 2
    for statement in current:
        path = page_path(statement.external_id)
        page = read_page(written, path)
        url = BASE_URL + path
        (review,) = page.json_ld
        dated = statement.published_at is not None
        assert claimreview_problems(review, url, dated) == [], statement.external_id
        assert review["claimReviewed"] == statement.claim
        assert review["author"]["name"] == statement.org
        assert review["reviewRating"]["alternateName"] == statement.verdict
        assert review.get("datePublished") == statement.published_at
        assert page.meta["og:url"] == url and page.meta["og:type"] == "article"
        assert statement.verdict in page.meta["og:title"]
        image = local_target(written, path, page.meta["og:image"])
        assert image is not None and png_size(image.read_bytes()) == (1200, 630)
        assert page.meta["og:image:alt"] == statement.verdict
        # the bot's deep link (an id too long for a start parameter opens the bot)
        assert deep_link("CekKlaimBot", statement.external_id) in page.links
        assert any(link.startswith("https://wa.me/?text=") for link in page.links)
        assert " ".join(statement.claim.split()) in page.text
        # read without JavaScript: the only script is the JSON-LD, which is data
        scripts = page.tree.xpath("//script")
        assert [x.get("type") for x in scripts] == ["application/ld+json"]


def test_superseded_and_retired_are_marked_and_not_offered_as_current(written: Path) -> None:
    old = read_page(written, page_path(OLD))
    assert "sudah diganti" in old.text and old.json_ld == []
    assert f"{NEW}.html" in " ".join(old.links)
    assert old.meta["robots"] == "noindex"
    retired = read_page(written, page_path(RETIRED))
    assert "diarsipkan" in retired.text and retired.json_ld == []
    index = read_page(written, "index.html")
    archive = read_page(written, "arsip.html")
    for external_id in (OLD, RETIRED):
        assert page_path(external_id) not in index.links
        assert page_path(external_id) in archive.links
    assert "[sudah diganti]" in archive.text and "[diarsipkan]" in archive.text


def test_text_from_the_base_is_escaped(written: Path) -> None:
    path = page_path(TRICKY.external_id)
    assert path == "s/kpu~uji.khusus.html"  # ':' would read as a URL scheme
    raw = (written / path).read_text(encoding="utf-8")
    assert "<b>tebal</b>" not in raw and "<i>miring</i>" not in raw
    assert raw.count("</script>") == 1  # the JSON-LD's own end
    page = read_page(written, path)
    assert page.json_ld[0]["claimReviewed"] == TRICKY.claim
    assert page.json_ld[0]["citation"]["url"] == TRICKY.source_url
    assert TRICKY.source_url in page.links
    assert "<b>tebal</b>" in page.text  # shown as text
    assert page.tree.xpath("//b") == [] and page.tree.xpath("//i") == []


def test_filters_feed_sitemap_and_search_data(written: Path, base: list[storage.Statement]) -> None:
    current = {s.external_id for s in base if s.is_current(TODAY)}
    index = read_page(written, "index.html")
    for filter_page in ("lembaga/kpu.html", "lembaga/bawaslu.html", "label/hoaks.html",
                        "tahun/2024.html"):  # fmt: skip
        assert filter_page in index.links
        listed = read_page(written, filter_page)
        assert any(link.startswith("../s/") for link in listed.links)
    hoaks = read_page(written, "label/hoaks.html").text
    assert "SALAH" not in hoaks.split("Lihat")[0].split("Tahun:")[-1].split("Arsip")[-1]
    ns = {"a": "http://www.w3.org/2005/Atom", "sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    feed = ET.parse(written / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert 0 < len(entries) <= 50
    for entry in entries:
        link = entry.find("a:link", ns)
        assert link is not None and local_target(written, "", link.get("href", "")) is not None
        assert local_target(written, "", link.get("href", "")).is_file()  # type: ignore[union-attr]
    sitemap = ET.parse(written / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.iter(f"{{{ns['sm']}}}loc")]
    statement_locs = {loc for loc in locs if "/s/" in loc}
    assert statement_locs == {BASE_URL + page_path(i) for i in current}
    assert all(local_target(written, "", loc).is_file() for loc in locs)  # type: ignore[union-attr]
    search = json.loads((written / "cari.json").read_text(encoding="utf-8"))
    assert {item["u"] for item in search} == {page_path(i) for i in current}
    assert "cari.js" in index.links and (written / "cari.js").is_file()


def test_rebuild_replaces_the_folder_but_never_a_foreign_one(
    base: list[storage.Statement], tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build_site(base, out, base_url=BASE_URL, today=TODAY)
    (out / "s" / "stale.html").write_text("old", encoding="utf-8")
    build_site(base[:3], out, base_url=BASE_URL, today=TODAY)
    assert not (out / "s" / "stale.html").exists() and (out / MARKER).is_file()
    assert len(list((out / "s").iterdir())) == 3
    foreign = tmp_path / "www"
    foreign.mkdir()
    (foreign / "index.html").write_text("mine", encoding="utf-8")
    with pytest.raises(NotASiteFolder):
        build_site(base, foreign, base_url=BASE_URL, today=TODAY)
    assert (foreign / "index.html").read_text(encoding="utf-8") == "mine"


def test_cli_writes_the_site(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "public"
    assert main(["site", str(out)]) == 2
    assert "PUBLIC_BASE_URL" in capsys.readouterr().err
    assert main(["site", str(out), "--base-url", BASE_URL, "--bot", "@CekKlaimBot"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"{out}: 81 statement pages (81 current)")
    page = read_page(out, page_path(OLD))
    assert "https://t.me/CekKlaimBot?start=s" + OLD in page.links


def test_the_preview_image_is_the_verdict_in_white_on_its_colour() -> None:
    import zlib

    from bot.site.images import COLOURS, HEIGHT, WIDTH, verdict_png

    data = verdict_png("HOAKS")
    assert png_size(data) == (WIDTH, HEIGHT) and len(data) < 20_000  # light for a preview
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    raw = zlib.decompress(data[start : start + length])
    stride = 1 + 3 * WIDTH
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(HEIGHT)]
    assert rows[0][:3] == bytes(COLOURS["HOAKS"])
    white = sum(row.count(b"\xff\xff\xff") for row in rows)
    assert 0.05 < white / (WIDTH * HEIGHT) < 0.5  # letters drawn, not a blank card
    assert verdict_png("BENAR") != data  # each verdict its own word and colour
