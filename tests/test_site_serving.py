"""The running bot's public pages: rewritten off the event loop when the statements or the
day change (bot/site/publisher.py, poked by the upkeep loop), and served read-only by the
bot's HTTP server (bot/webhook_server.py) beside the webhook and /healthz."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from botharness import Bot

import storage
from bot.core import seed_if_empty
from bot.site import page_path
from bot.site.publisher import Publisher, site_dir_for
from bot.webhook_server import HEALTH_PATH, http_server, listen
from storage import StatementInput

BASE = "https://cek.example.id"
TODAY = date(2026, 12, 2)
NEW = StatementInput(
    external_id="bawaslu-baru",
    org="Bawaslu",
    verdict="HOAKS",
    claim="Klaim baru yang baru saja dijawab Bawaslu",
    clarification="Penjelasan Bawaslu.",
    published_at="2024-05-01",
)


@pytest.fixture
def publisher(db: sqlite_utils.Database, tmp_path: Path) -> Publisher:
    seed_if_empty(db)
    path = tmp_path / "cekklaim.db"
    return Publisher(path, site_dir_for(path), BASE)


async def published(publisher: Publisher, db: sqlite_utils.Database, today: date) -> bool:
    """Poke as the upkeep loop does; True when that started a rebuild (awaited here)."""
    task = publisher.poke(storage.data_version(db), today)
    if task is not None:
        await task
    return task is not None


async def test_pages_follow_the_statements_and_the_day(
    publisher: Publisher, db: sqlite_utils.Database
) -> None:
    out = publisher.out_dir
    assert out == Path(f"{db.conn.execute('PRAGMA database_list').fetchone()[2]}.site")
    assert await published(publisher, db, TODAY)
    assert (out / "index.html").is_file() and (out / page_path("kpu-2024-sirekap")).is_file()
    assert not await published(publisher, db, TODAY)  # nothing changed: nothing written
    storage.save_statement(db, NEW, actor="mod:1")
    assert await published(publisher, db, TODAY)
    assert "Klaim baru yang baru saja dijawab" in (out / page_path("bawaslu-baru")).read_text(
        encoding="utf-8"
    )
    storage.retire_statement(db, "bawaslu-baru", actor="mod:1")
    assert await published(publisher, db, TODAY)
    assert "diarsipkan" in (out / page_path("bawaslu-baru")).read_text(encoding="utf-8")
    assert await published(publisher, db, TODAY + timedelta(days=1))  # validity is by day


async def test_a_rebuild_runs_once_at_a_time_and_a_failure_is_not_retried_in_a_loop(
    publisher: Publisher, db: sqlite_utils.Database, caplog: pytest.LogCaptureFixture
) -> None:
    first = publisher.poke(storage.data_version(db), TODAY)
    assert first is not None
    assert publisher.poke(storage.data_version(db) + 1, TODAY) is None  # one at a time
    await first
    publisher.out_dir.joinpath(".cekklaim-site").unlink()  # now a folder of someone else's
    storage.save_statement(db, NEW, actor="mod:1")
    assert await published(publisher, db, TODAY)
    assert "public pages not written" in caplog.text
    assert not await published(publisher, db, TODAY)  # logged once per change, not per tick


async def test_the_bot_serves_the_pages_read_only(
    publisher: Publisher, db: sqlite_utils.Database
) -> None:
    await published(publisher, db, TODAY)

    async def accept(data: dict) -> None:
        raise AssertionError("no webhook in long polling")

    def health() -> tuple[int, dict[str, object]]:
        return 200, {"status": "ok"}

    server = http_server(
        path=None, secret="", accept=accept, health=health, site_dir=publisher.out_dir
    )
    base = f"http://127.0.0.1:{listen(server, '127.0.0.1', 0)}"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            root = await client.get(base + "/")
            page = await client.get(f"{base}/{page_path('kpu-2024-sirekap')}")
            feed = await client.get(base + "/feed.xml")
            healthz = await client.get(base + HEALTH_PATH)
            posted = await client.post(base + "/index.html", content=b"x")
            missing = await client.get(base + "/s/tidak-ada.html")
            outside = await client.get(base + "/%2e%2e/cekklaim.db")
            again = await client.get(
                base + "/index.html", headers={"If-None-Match": root.headers["Etag"]}
            )
    finally:
        server.stop()
    assert root.status_code == 200 and "Pernyataan resmi soal klaim pemilu" in root.text
    assert root.headers["Content-Type"].startswith("text/html")
    assert root.headers["Cache-Control"] == "public, max-age=300"
    assert page.status_code == 200 and "application/ld+json" in page.text
    assert feed.status_code == 200 and "<feed" in feed.text
    assert healthz.status_code == 200
    assert posted.status_code == 405  # read only: no action on the web
    assert missing.status_code == 404
    assert outside.status_code in (403, 404) and b"SQLite" not in outside.content
    assert again.status_code == 304


async def test_the_upkeep_loop_writes_the_pages_at_start(
    publisher: Publisher, db: sqlite_utils.Database
) -> None:
    from bot import upkeep
    from bot.core import Core

    core = Core(db, "s" * 32)

    async def nothing() -> None:
        return None

    loop = asyncio.create_task(
        upkeep.run(
            core,
            feed_minutes=None,
            changed=nothing,
            alerts=nothing,
            feeds=lambda: None,
            site=publisher,
        )
    )
    try:
        for _ in range(200):  # a bound on a stuck build, not a speed requirement
            if publisher.built is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        await upkeep.cancel(loop)
        await publisher.close()
    assert publisher.built is not None
    assert (publisher.out_dir / "index.html").is_file()


@pytest.mark.bot_env(PUBLIC_BASE_URL=BASE)
async def test_a_running_bot_writes_its_pages_and_serves_them_in_long_polling(bot: Bot) -> None:
    """The bot the harness starts keeps `<db>.site` (its deep links name the bot); long
    polling serves it on WEBHOOK_LISTEN:WEBHOOK_PORT (`cekklaim run` asks for that)."""
    import dataclasses
    import socket

    from bot.telegram import webhook
    from bot.telegram.runtime import runtime_of

    rt = runtime_of(bot.app)
    assert rt.publisher is not None and rt.publisher.bot_username
    for _ in range(200):  # a bound on a stuck build, not a speed requirement
        if rt.publisher.built is not None:
            break
        await asyncio.sleep(0.05)
    page = rt.publisher.out_dir / page_path("kpu-2024-sirekap")
    assert f"t.me/{rt.publisher.bot_username}?start=s" in page.read_text(encoding="utf-8")
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = dataclasses.replace(rt.settings, webhook_port=port)
    server = webhook.serve_pages(bot.app, settings, rt.publisher.out_dir)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            got = await client.get(f"http://127.0.0.1:{port}/{page_path('kpu-2024-sirekap')}")
            health = await client.get(f"http://127.0.0.1:{port}{HEALTH_PATH}")
    finally:
        server.stop()
    assert got.status_code == 200 and "application/ld+json" in got.text
    assert health.status_code == 200


async def test_in_webhook_mode_the_pages_sit_beside_the_webhook(
    publisher: Publisher, db: sqlite_utils.Database
) -> None:
    from bot.webhook_server import SECRET_HEADER

    await published(publisher, db, TODAY)
    taken: list[dict] = []

    async def accept(data: dict) -> None:
        taken.append(data)

    def health() -> tuple[int, dict[str, object]]:
        return 200, {"status": "ok"}

    server = http_server(
        path="/tg", secret="rahasia", accept=accept, health=health, site_dir=publisher.out_dir
    )
    base = f"http://127.0.0.1:{listen(server, '127.0.0.1', 0)}"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            hook = await client.post(
                base + "/tg", json={"update_id": 1}, headers={SECRET_HEADER: "rahasia"}
            )
            refused = await client.post(base + "/tg", json={"update_id": 2})
            page = await client.get(base + "/index.html")
    finally:
        server.stop()
    assert (hook.status_code, refused.status_code, page.status_code) == (200, 403, 200)
    assert taken == [{"update_id": 1}]
