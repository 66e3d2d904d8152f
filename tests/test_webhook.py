"""Webhook mode over real HTTP on loopback: the secret token, the health check, and the real
`cekklaim run` process serving a webhook and stopping on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from botharness import SECRET
from fakebotapi import FakeBotAPI

from bot.core import Core
from bot.inbox import InboxUnavailable
from bot.settings import load_settings
from bot.telegram.app import build_application
from bot.telegram.webhook import make_server
from bot.webhook_server import HEALTH_PATH, SECRET_HEADER, http_server, listen, webhook_path

CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
HOOK_SECRET = "hook-secret_0123456789"


@pytest.mark.parametrize(
    ("url", "path"),
    [("https://bot.example.org/tg", "/tg"), ("https://bot.example.org", "/"),
     ("https://bot.example.org:8443/a/b", "/a/b")],
)  # fmt: skip
def test_webhook_path(url: str, path: str) -> None:
    assert webhook_path(url) == path


class Served:
    def __init__(self, fake: FakeBotAPI, core: Core, base: str) -> None:
        self.fake, self.core, self.base = fake, core, base


async def test_the_http_server_alone_without_telegram() -> None:
    """bot/webhook_server.py knows no Telegram: what it accepts goes to `accept`, a database
    failure there is a 503 (Telegram retries), and the health check says what `health` says."""
    taken: list[dict] = []

    async def accept(data: dict) -> None:
        if data["update_id"] == 2:
            raise InboxUnavailable("disk I/O error")
        taken.append(data)

    def health() -> tuple[int, dict[str, object]]:
        return 503, {"status": "unavailable"}

    server = http_server(path="/tg", secret=HOOK_SECRET, accept=accept, health=health)
    base = f"http://127.0.0.1:{listen(server, '127.0.0.1', 0)}"
    try:
        async with httpx.AsyncClient() as client:
            sent = [
                await client.post(
                    base + "/tg", json={"update_id": n}, headers={SECRET_HEADER: HOOK_SECRET}
                )
                for n in (1, 2)
            ]
            checked = await client.get(base + HEALTH_PATH)
    finally:
        server.stop()
    assert [r.status_code for r in sent] == [200, 503]
    assert taken == [{"update_id": 1}]
    assert (checked.status_code, checked.json()) == (503, {"status": "unavailable"})


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    with FakeBotAPI() as fake:
        settings = load_settings(
            environ={
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "CEKKLAIM_DB": str(tmp_path / "hook.db"),
                "CEKKLAIM_SECRET": SECRET,
            },
            env_file=None,
        )
        core = Core.open(settings.db_path, settings.secret)
        app = build_application(settings, core)
        async with app:
            await app.start()
            server = make_server(app, path="/tg", secret=HOOK_SECRET)
            port = listen(server, "127.0.0.1", 0)
            try:
                yield Served(fake, core, f"http://127.0.0.1:{port}")
            finally:
                server.stop()
                await app.stop()
        assert fake.errors == []


async def test_update_with_the_secret_is_answered(served: Served) -> None:
    update = served.fake.message_update(CLAIM)
    update["update_id"] = 777
    async with httpx.AsyncClient() as client:
        response = await client.post(
            served.base + "/tg", json=update, headers={SECRET_HEADER: HOOK_SECRET}
        )
    assert response.status_code == 200
    card = await served.fake.wait_for("sendMessage", timeout=10)
    assert "HOAKS" in card.response["text"]
    rows = list(served.core.db.query("SELECT update_id FROM submissions"))
    assert rows == [{"update_id": 777}]
    inbox = list(served.core.db.query("SELECT update_id FROM inbox"))
    assert inbox == [{"update_id": 777}]  # stored before the 200, like a polled update


async def test_a_redelivered_update_is_handled_once(served: Served) -> None:
    update = served.fake.message_update(CLAIM)
    update["update_id"] = 778
    async with httpx.AsyncClient() as client:
        for _ in range(2):  # Telegram sends it again when our 200 got lost
            response = await client.post(
                served.base + "/tg", json=update, headers={SECRET_HEADER: HOOK_SECRET}
            )
            assert response.status_code == 200
        await served.fake.wait_for("sendMessage", timeout=10)
        await asyncio.sleep(0.3)
    assert len(served.fake.sent("sendMessage")) == 1
    assert served.core.db["submissions"].count == 1


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}])
async def test_update_without_the_secret_is_refused(served: Served, headers: dict) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            served.base + "/tg", json=served.fake.message_update(CLAIM), headers=headers
        )
        await asyncio.sleep(0.2)
    assert response.status_code == 403
    assert served.fake.sent("sendMessage") == []
    assert served.core.db["submissions"].count == 0


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"message": {}}'])
async def test_malformed_body_is_a_bad_request(served: Served, body: bytes) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            served.base + "/tg", content=body, headers={SECRET_HEADER: HOOK_SECRET}
        )
    assert response.status_code == 400
    assert served.core.db["submissions"].count == 0


async def test_health_check(served: Served) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(served.base + HEALTH_PATH)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["statements"] == len(served.core.snapshot.statements) > 0
    assert body["running"] is True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_cekklaim_run_in_webhook_mode_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    with FakeBotAPI() as fake:
        env = fake.process_env(
            tmp_path / "run.db",
            "run-secret-0123456789",
            WEBHOOK_URL="https://bot.example.org/tg",
            WEBHOOK_SECRET=HOOK_SECRET,
            WEBHOOK_PORT=str(port),
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:  # until the server answers its health check
                try:
                    if httpx.get(base + HEALTH_PATH, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and proc.poll() is None, "never healthy"
                time.sleep(0.1)
            hook = asyncio.run(fake.wait_for("setWebhook", timeout=30))
            assert hook.params["url"] == "https://bot.example.org/tg"
            assert hook.params["secret_token"] == HOOK_SECRET
            update = {"update_id": 5, **fake.message_update(CLAIM)}
            response = httpx.post(base + "/tg", json=update, headers={SECRET_HEADER: HOOK_SECRET})
            assert response.status_code == 200
            card = asyncio.run(fake.wait_for("sendMessage", timeout=30))
            assert "HOAKS" in card.response["text"]
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, output
        assert fake.token not in output and HOOK_SECRET not in output
        assert f"listening on 127.0.0.1:{port}" in output  # the default: loopback only
        assert fake.errors == []
