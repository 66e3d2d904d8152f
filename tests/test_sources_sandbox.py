"""The parsing workers: a deadline, a replacement after a failure, no secrets, and what a
citizen is told when a page is too heavy to read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from botharness import Bot, visible
from sourceserver import DATA, SourceServer

from bot.replies.texts_id import ID
from bot.sources import sandbox
from bot.sources.fetch import Fetched
from bot.sources.fetch_error import FetchError
from bot.sources.page import parse_page

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.bot_env(FETCH_ALLOW_LOOPBACK="1", FETCH_TIMEOUT_SECONDS="2"),
]

PAGE = (DATA / "kpu_berita.html").read_text(encoding="utf-8")
URL = "https://www.kpu.go.id/berita/x"


def page(
    html: str = PAGE, charset: str | None = "utf-8", content_type: str = "text/html"
) -> Fetched:
    return Fetched(URL, URL, 200, content_type, html.encode(), charset)


def workers() -> list[sandbox._Worker]:
    with sandbox._lock:
        return list(sandbox._workers)


async def test_a_worker_parses_as_parse_page_does() -> None:
    assert await sandbox.read_page(page()) == parse_page(PAGE, URL)
    feed = (DATA / "feed.rss").read_bytes()
    assert next(i.link for i in await sandbox.read_feed(feed)).startswith("https://www.kpu")
    reviews = await sandbox.read_reviews(
        page((DATA / "claimreviews.json").read_text("utf-8"), None, "application/ld+json")
    )
    assert [r["author"]["name"] for r in reviews] == ["Bawaslu", "KPU"]


async def test_past_the_deadline_the_worker_is_killed_and_replaced() -> None:
    await sandbox.read_page(page())  # a worker is up
    heavy = "<p>satu dua</p>" * 130_000
    with pytest.raises(FetchError) as caught:
        await sandbox.read_page(page(heavy), timeout=0.01)
    assert caught.value.reason == "unreadable"
    # the next document gets a fresh worker, whichever thread takes it
    assert (await sandbox.read_page(page())).title == parse_page(PAGE, URL).title
    assert all(w.proc.poll() is None for w in workers())


async def test_a_worker_that_died_while_idle_is_replaced_without_a_failure() -> None:
    await sandbox.read_page(page())
    for worker in workers():
        worker.proc.kill()
        worker.proc.wait()
    assert (await sandbox.read_page(page())).title is not None


async def test_workers_get_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:rahasia")
    sandbox.close()  # new workers, started with the secret in our environment
    await sandbox.read_page(page())
    (worker, *_) = workers()
    environ = Path(f"/proc/{worker.proc.pid}/environ").read_bytes()
    assert b"rahasia" not in environ and b"TELEGRAM" not in environ
    assert os.environ["TELEGRAM_BOT_TOKEN"] == "123:rahasia"


async def test_a_feed_that_is_no_feed_is_a_parse_error_not_a_dead_worker() -> None:
    from bot.sources.feeds import FeedParseError

    with pytest.raises(FeedParseError):
        await sandbox.read_feed(b"<html><body>bukan feed</body></html>")
    assert len(await sandbox.read_feed((DATA / "feed.rss").read_bytes())) == 3


async def test_a_citizen_is_told_the_page_was_too_heavy_and_still_answered(
    linking_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no time at all: every page is "too heavy" now (1 ms let a warm worker read this page)
    monkeypatch.setattr(sandbox, "PARSE_TIMEOUT", 0.0)
    with SourceServer() as site:
        url = site.add_file("/berita", "kpu_berita.html", "text/html")
        reply = await linking_bot.say(f"kotak suara kardus? {url}")
    note = ID["link_fetch_failed"].format(reason=ID["fetch_unreadable"])
    assert visible(reply).startswith(note)
    assert "Kotak Suara Karton" not in visible(reply)  # the page was not read
