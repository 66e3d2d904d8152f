"""Webhook mode: Telegram posts each update to us over https (TLS ends at the operator's
reverse proxy), and a health check tells the proxy or orchestrator whether we can serve.

    POST <path of WEBHOOK_URL>   X-Telegram-Bot-Api-Secret-Token must equal WEBHOOK_SECRET
                                 (403 otherwise, nothing handled) -> accept -> 200
    GET  /healthz                200 {"status": "ok", ...} when the database answers, else 503

Telegram retries a delivery that did not get a 200, so an update is stored in the inbox
(`bot.inbox`, as in long polling) and queued before the 200 goes out; a copy
Telegram delivers again is recognised there and handled once.

Tornado (python-telegram-bot's own `webhooks` extra) serves the requests: PTB's built-in
webhook server has no route for a health check, so we run our own small one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.health import health
from bot.inbox import InboxUnavailable
from bot.settings import Settings
from bot.telegram.runtime import runtime_of

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Telegram's updates are a few KB; anything bigger is not one

Accept = Callable[[dict], Awaitable[None]]


def webhook_path(webhook_url: str) -> str:
    return urlsplit(webhook_url).path or "/"


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, secret: str, accept: Accept) -> None:
        self.secret = secret.encode()
        self.accept = accept

    async def post(self) -> None:
        token = (self.request.headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(token, self.secret):
            log.warning("webhook call refused: wrong or missing secret token")
            self.send_error(403)
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            self.send_error(400)
            return
        try:
            await self.accept(data)
        except InboxUnavailable as exc:  # the database, not the update: Telegram retries
            log.error("webhook update %s not stored: %s", data["update_id"], exc)
            self.send_error(503)
            return
        self.set_status(200)

    def check_xsrf_cookie(self) -> None:  # Telegram sends no cookies; the secret is the check
        return


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app

    def get(self) -> None:
        app = self.app
        status, body = health(
            runtime_of(app).core, queued=app.update_queue.qsize(), running=app.running
        )
        self.set_status(status)
        self.write(body)


def make_server(
    app: Application,  # type: ignore[type-arg]
    *,
    path: str,
    secret: str,
    accept: Accept | None = None,
) -> tornado.httpserver.HTTPServer:
    """The HTTP server for webhook mode (not yet listening)."""

    inbox = getattr(app, "inbox", None)  # bot.inbox.Inbox, set by bot.telegram.inbox

    async def enqueue(data: dict) -> None:
        # stored (synced) before the 200 lets Telegram forget it; one that cannot be stored or
        # parsed is set aside (200: Telegram must not send it again); a database failure is
        # a 500, and Telegram delivers it again later
        ready = inbox.arrived([data]) if inbox is not None else [data]
        for raw in ready:
            await app.update_queue.put(Update.de_json(raw, app.bot))

    web = tornado.web.Application(
        [
            (HEALTH_PATH, _HealthHandler, {"app": app}),
            (path, _UpdateHandler, {"secret": secret, "accept": accept or enqueue}),
        ]
    )
    return tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY_BYTES, xheaders=True)


def listen(server: tornado.httpserver.HTTPServer, host: str, port: int) -> int:
    """Bind and start serving; returns the port (useful with port 0 in tests)."""
    sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_UNSPEC)
    server.add_sockets(sockets)
    return int(sockets[0].getsockname()[1])


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
        server = make_server(
            app, path=webhook_path(settings.webhook_url), secret=settings.webhook_secret
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
