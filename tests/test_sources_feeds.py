"""Feeds into the drafts queue (conditional requests, 304), ClaimReview import, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cliharness import clean_cli_env
from sourceserver import DATA, Route, SourceServer

import storage
from bot.cli import main
from bot.sources.feeds import FeedParseError, parse_feed, poll_feed
from bot.sources.fetch import FetchPolicy
from storage import sources as source_store

pytestmark = pytest.mark.timeout(30)

LOCAL = FetchPolicy(allow_loopback=True, connect_timeout=1.0, total_timeout=2.0)
SECRET = "test-secret-0123456789"


def drafts(db) -> list[source_store.SourceDraft]:  # type: ignore[no-untyped-def]
    return source_store.pending_drafts(db, limit=100)


def test_rss_atom_and_sitemap_items() -> None:
    rss = parse_feed((DATA / "feed.rss").read_bytes())
    assert [i.title for i in rss][:2] == [
        "KPU Tetapkan Jadwal Kampanye Pemilu 2024",
        "KPU: Kotak Suara Karton Kedap Air",
    ]
    assert rss[0].published_at == "2023-11-28" and rss[0].link.endswith("utm_medium=feed")
    assert rss[1].summary == "Kotak suara karton kedap air dan aman."  # HTML stripped
    atom = parse_feed((DATA / "feed.atom").read_bytes())
    assert [(i.link, i.published_at) for i in atom] == [
        ("https://www.bawaslu.go.id/id/berita/laporkan-politik-uang", "2023-12-05")
    ]
    sitemap = parse_feed((DATA / "sitemap.xml").read_bytes())
    assert [(i.link, i.published_at) for i in sitemap] == [
        ("https://jdih.kpu.go.id/peraturan/pkpu-3-2022", "2022-06-09")
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>bukan feed</body></html>",
        b"<rss><channel><item>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>',
    ],
)
def test_unreadable_feeds(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(body)


async def test_rss_poll_queues_new_links_once_then_304(site: SourceServer, db) -> None:  # type: ignore[no-untyped-def]
    url = site.add_file("/rss", "feed.rss", "application/rss+xml", etag='"rss-1"')
    first = await poll_feed(db, url, LOCAL)
    assert (first.status, first.items, len(first.new)) == ("new", 3, 2)  # one is a duplicate
    keys = sorted(d.key for d in drafts(db))
    assert keys == ["kpu.go.id/berita/jadwal-kampanye", "kpu.go.id/berita/kotak-suara"]
    assert all(d.origin == "feed" and d.feed_url == url for d in drafts(db))
    second = await poll_feed(db, url, LOCAL)
    assert second.status == "not_modified" and second.new == []
    assert site.seen("/rss")[1].headers["if-none-match"] == '"rss-1"'
    assert len(drafts(db)) == 2
    state = source_store.get_feed_state(db, url)
    assert state is not None and state.etag == '"rss-1"' and state.last_status == "304"


async def test_atom_poll_with_last_modified(site: SourceServer, db) -> None:  # type: ignore[no-untyped-def]
    stamp = "Wed, 06 Dec 2023 10:00:00 GMT"
    url = site.add_file("/atom", "feed.atom", "application/atom+xml", last_modified=stamp)
    assert len((await poll_feed(db, url, LOCAL)).new) == 1
    again = await poll_feed(db, url, LOCAL)
    assert again.status == "not_modified"
    assert site.seen("/atom")[1].headers["if-modified-since"] == stamp


async def test_a_changed_feed_queues_only_what_is_new(site: SourceServer, db) -> None:  # type: ignore[no-untyped-def]
    storage.save_statement(
        db,
        storage.StatementInput(
            external_id="kpu-ada", org="KPU", verdict="HOAKS", claim="klaim", clarification="k",
            source_url="https://kpu.go.id/berita/sudah-ada",
        ),
        actor="test",
    )  # fmt: skip
    url = site.add_file("/rss", "feed.rss", "application/rss+xml", etag='"rss-1"')
    await poll_feed(db, url, LOCAL)
    changed = (
        (DATA / "feed.rss")
        .read_text()
        .replace(
            "<item>",
            "<item><title>Baru</title><link>https://www.kpu.go.id/berita/baru</link></item>"
            "<item><title>Sudah jadi pernyataan</title>"
            "<link>https://www.kpu.go.id/berita/sudah-ada/</link></item><item>",
            1,
        )
    )
    site.add("/rss", Route(body=changed.encode(), content_type="application/rss+xml",
                           etag='"rss-2"'))  # fmt: skip
    result = await poll_feed(db, url, LOCAL)
    assert [i.title for i in result.new] == ["Baru"]


async def test_feed_failures_are_results(site: SourceServer, db) -> None:  # type: ignore[no-untyped-def]
    site.add("/html", body=b"<html>x</html>")
    site.add("/broken", body=b"<rss><channel>", content_type="application/rss+xml")
    assert (await poll_feed(db, site.url("/html"), LOCAL)).reason == "content_type"
    assert (await poll_feed(db, site.url("/broken"), LOCAL)).reason == "parse"
    site.redirect("/evil", "http://10.0.0.1/feed")
    assert (await poll_feed(db, site.url("/evil"), LOCAL)).reason == "blocked_address"
    assert drafts(db) == []


# ------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return clean_cli_env(
        tmp_path, monkeypatch, secret=SECRET, FETCH_ALLOW_LOOPBACK="1", FETCH_TIMEOUT_SECONDS="2"
    )


def test_cli_feeds_poll_prints_what_it_found(
    cli_env: Path, site: SourceServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    url = site.add_file("/rss", "feed.rss", "application/rss+xml", etag='"e"')
    assert main(["feeds", "poll", "--feed", url]) == 0
    out = capsys.readouterr().out
    assert f"{url}: 3 items, 2 new drafts" in out and "Jadwal Kampanye" in out
    monkeypatch.setenv("SOURCE_FEEDS", url)
    assert main(["feeds", "poll"]) == 0
    assert f"{url}: not modified (304)" in capsys.readouterr().out
    assert main(["drafts"]) == 0
    assert "KPU Tetapkan Jadwal Kampanye Pemilu 2024" in capsys.readouterr().out
    monkeypatch.delenv("SOURCE_FEEDS")
    assert main(["feeds", "poll"]) == 1
    assert "no feeds" in capsys.readouterr().err


def test_cli_imports_claimreview_files_as_drafts(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = storage.data_version(storage.open_db(cli_env))
    path = DATA / "claimreviews.json"
    assert main(["import", str(path)]) == 0
    assert "2 ClaimReview drafts queued, 0 already" in capsys.readouterr().out
    assert main(["import", str(path)]) == 0
    assert "0 ClaimReview drafts queued, 2 already" in capsys.readouterr().out
    db = storage.open_db(cli_env)
    assert storage.data_version(db) == before  # drafts only: nothing is served
    first, second = drafts(db)
    assert first.origin == "claimreview" and first.fields["verdict"] == "SALAH"
    assert first.fields["org"] == "Bawaslu" and first.published_at == "2023-12-05"
    assert first.url == "https://www.bawaslu.go.id/id/berita/hoaks-uang-transport"
    assert second.fields["verdict"] == "MENYESATKAN" and "gratis" in second.fields["clarification"]


def test_cli_imports_claimreview_from_a_url(
    cli_env: Path, site: SourceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = site.add_file("/cek-fakta", "claimreview.html", "text/html")
    assert main(["import", page]) == 0
    assert "1 ClaimReview drafts queued" in capsys.readouterr().out
    as_json = site.add_file("/cr.jsonld", "claimreviews.json", "application/ld+json")
    assert main(["import", as_json]) == 0
    (draft, *_) = drafts(storage.open_db(cli_env))
    assert draft.fields["claim"] == "Pemungutan suara Pemilu 2024 diundur ke bulan Juni"
    assert draft.fields["verdict"] == "HOAKS"
    site.redirect("/ke-internal", "http://169.254.169.254/")
    assert main(["import", site.url("/ke-internal")]) == 1
    assert "blocked_address" in capsys.readouterr().err


def test_cli_claimreview_problems(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"@type": "NewsArticle"}))
    assert main(["import", str(empty)]) == 1
    assert "no ClaimReview found" in capsys.readouterr().err
    partial = tmp_path / "partial.jsonld"
    partial.write_text(json.dumps([{"@type": "ClaimReview", "url": "https://kpu.go.id/x"}]))
    assert main(["import", str(partial)]) == 1  # every review skipped: nothing was done
    captured = capsys.readouterr()
    assert "no claimReviewed" in captured.err and "1 error(s); nothing queued" in captured.err
    assert captured.out == ""


def test_cli_statement_evidence(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = storage.open_db(cli_env)
    saved, _ = storage.save_statement(
        db,
        storage.StatementInput(
            external_id="kpu-bukti", org="KPU", verdict="HOAKS", claim="klaim",
            clarification="k", source_url="https://www.kpu.go.id/b",
        ),
        actor="test",
    )  # fmt: skip
    assert main(["statement", "evidence", "kpu-bukti"]) == 0
    assert "no fetched source kept" in capsys.readouterr().out
    source_store.save_evidence(
        db, saved.id,
        {"url": "https://www.kpu.go.id/b", "body_sha256": "ab" * 32, "text": "Teks resmi KPU.",
         "fetched_at": "2024-01-02T03:04:05.000+00:00"},
        actor="mod:1",
    )  # fmt: skip
    assert main(["statement", "evidence", "kpu-bukti"]) == 0
    out = capsys.readouterr().out
    assert "ab" * 32 in out and "Teks resmi KPU." in out and "mod:1" in out
    assert main(["statement", "evidence", "tidak-ada"]) == 1


ENTITY_FEED = (
    '<?xml version="1.0" encoding="{enc}"?>{pad}<!DOCTYPE rss [<!ENTITY a "judul">]>'
    "<rss><channel><item><title>&a;</title><link>https://kpu.go.id/a</link></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize(
    "body",
    [
        ENTITY_FEED.format(enc="utf-8", pad="").encode(),
        ENTITY_FEED.format(enc="utf-8", pad="<!--" + " " * 20_000 + "-->").encode(),
        ENTITY_FEED.format(enc="utf-8", pad="\n" * 20_000).encode(),
        ENTITY_FEED.format(enc="UTF-16", pad="").encode("utf-16"),
        ENTITY_FEED.format(enc="UTF-16BE", pad="").encode("utf-16-be"),
        ENTITY_FEED.format(enc="ISO-8859-1", pad=" " * 20_000).encode("latin-1"),
    ],
    ids=["plain", "comment-padding", "newline-padding", "utf-16", "utf-16be", "latin-1"],
)
def test_entity_declarations_are_refused_wherever_and_however_encoded(body: bytes) -> None:
    """The screen reads the parser's own view of the DTD, not the first bytes of the file."""
    with pytest.raises(FeedParseError, match="entity"):
        parse_feed(body)


def test_entity_bombs_stop_inside_the_parser() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "ha">{laughs}]>'
        "<rss><channel><item><title>&l9;</title></item></channel></rss>"
    )
    external = '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>'
    for body in (bomb.encode(), bomb.encode("utf-16"), external.encode()):
        with pytest.raises(FeedParseError):
            parse_feed(body)


def test_a_doctype_without_entities_is_still_a_feed() -> None:
    """RSS 0.91 names its DTD; it is never loaded (no network, no DTD loading)."""
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
        b'0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91">'
        b"<channel><item><title>Berita</title><link>https://kpu.go.id/b</link></item>"
        b"</channel></rss>"
    )
    assert [(i.title, i.link) for i in parse_feed(body)] == [("Berita", "https://kpu.go.id/b")]
