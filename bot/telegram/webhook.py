"""Webhook mode: Telegram posts each update to us over https (TLS ends at the operator's
reverse proxy), and a health check tells the proxy or orchestrator whether we can serve.

    POST <path of WEBHOOK_URL>   X-Telegram-Bot-Api-Secret-Token must equal WEBHOOK_SECRET
                                 (403 otherwise, nothing handled) -> accept -> 200
    GET  /healthz                200 {"status": "ok", ...} when the database answers, else 503

Telegram retries a delivery that did not get a 200, so an update is stored in the inbox
(`bot.inbox`, as in long polling) and queued before the 200 goes out; a copy
Telegram delivers again is recognised there and handled once.

Tornado (python-telegram-bot's own `webhooks` extra) serves the requests: PTB's built-in
webhook server has no route for a health check, so we run our own small one, which knows
no Telegram (bot/webhook_server.py); here it is given the Application's inbox, queue and
figures, and run beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

import tornado.httpserver
from telegram import Update
from telegram.ext import Application

from bot.health import health as check_health
from bot.settings import Settings
from bot.telegram.runtime import runtime_of
from bot.webhook_server import (
    HEALTH_PATH,
    SECRET_HEADER,
    Accept,
    http_server,
    listen,
    webhook_path,
)

log = logging.getLogger(__name__)

__all__ = ["HEALTH_PATH", "SECRET_HEADER", "listen", "make_server", "serve", "webhook_path"]


def make_server(
    app: Application,  # type: ignore[type-arg]
    *,
    path: str | None,
    secret: str,
    accept: Accept | None = None,
    site_dir: Path | None = None,
) -> tornado.httpserver.HTTPServer:
    """The HTTP server for webhook mode (not yet listening), over this Application; with
    `site_dir` it serves the public pages too (path None: no webhook, long polling)."""

    inbox = getattr(app, "inbox", None)  # bot.inbox.Inbox, set by bot.botapi.inbox

    async def enqueue(data: dict) -> None:
        # stored (synced) before the 200 lets Telegram forget it; one that cannot be stored or
        # parsed is set aside (200: Telegram must not send it again); a database failure is
        # a 500, and Telegram delivers it again later
        ready = await inbox.arrived_async([data]) if inbox is not None else [data]
        for raw in ready:
            await app.update_queue.put(Update.de_json(raw, app.bot))

    def health() -> tuple[int, dict[str, object]]:
        return check_health(
            runtime_of(app).core, queued=app.update_queue.qsize(), running=app.running
        )

    return http_server(
        path=path, secret=secret, accept=accept or enqueue, health=health, site_dir=site_dir
    )


def serve_pages(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    site_dir: Path,
) -> tornado.httpserver.HTTPServer:
    """Long polling with PUBLIC_BASE_URL: the public pages and /healthz, read-only, on
    WEBHOOK_LISTEN:WEBHOOK_PORT (loopback by default: the reverse proxy is in front)."""
    server = make_server(app, path=None, secret="", site_dir=site_dir)
    port = listen(server, settings.webhook_listen, settings.webhook_port)
    log.info("public pages: serving %s on %s:%d", site_dir, settings.webhook_listen, port)
    return server


async def serve(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Run the bot in webhook mode until SIGTERM or SIGINT, then stop cleanly."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        publisher = runtime_of(app).publisher
        server = make_server(
            app,
            path=webhook_path(settings.webhook_url),
            secret=settings.webhook_secret,
            site_dir=publisher.out_dir if publisher is not None else None,
        )
        port = listen(server, settings.webhook_listen, settings.webhook_port)
        await app.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("webhook mode: listening on %s:%d", settings.webhook_listen, port)
        try:
            await stop.wait()
        finally:
            log.info("stopping: no new webhook calls, finishing queued updates")
            server.stop()
            with contextlib.suppress(Exception):
                await server.close_all_connections()
            await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
