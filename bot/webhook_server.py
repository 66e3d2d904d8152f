"""The HTTP side of webhook mode, without Telegram's library: a small tornado server that
takes the updates Telegram posts and answers the health check (TLS ends at the operator's
reverse proxy).

    POST <path of WEBHOOK_URL>   X-Telegram-Bot-Api-Secret-Token must equal WEBHOOK_SECRET
                                 (403 otherwise, nothing handled); a JSON object with an
                                 integer update_id (400 otherwise) -> accept -> 200; the
                                 database failing to store it -> 503 (Telegram retries)
    GET  /healthz                what `health` says: 200 when the database answers, else 503
    GET  /<page>                 with PUBLIC_BASE_URL: the public statement pages
                                 (bot/site), read-only from their folder (GET and HEAD only)

bot/telegram/webhook.py gives it `accept` (store the update in the inbox, queue it for
python-telegram-bot) and `health` (bot/health.py with the application's figures), and runs
it beside the Application. PTB's built-in webhook server has no route for a health check,
so this one replaces it.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.inbox import InboxUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Telegram's updates are a few KB; anything bigger is not one

#: Take one update (a JSON object): stored and queued before the 200 goes out.
Accept = Callable[[dict], Awaitable[None]]
#: The health check's HTTP status and JSON body.
Health = Callable[[], tuple[int, dict[str, object]]]


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
    def initialize(self, health: Health) -> None:
        self.health = health

    def get(self) -> None:
        status, body = self.health()
        self.set_status(status)
        self.write(body)


class _PageHandler(tornado.web.StaticFileHandler):
    """A file of the public pages: tornado's static files (GET and HEAD, nothing outside the
    folder, conditional requests), cached briefly since they change with the base."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", f"public, max-age={PAGE_CACHE_SECONDS}")
        self.set_header("X-Content-Type-Options", "nosniff")


PAGE_CACHE_SECONDS = 300


def http_server(
    *,
    path: str | None,
    secret: str,
    accept: Accept,
    health: Health,
    site_dir: Path | None = None,
) -> tornado.httpserver.HTTPServer:
    """The bot's HTTP server (not yet listening): the webhook at `path` (None: long polling,
    no webhook), the health check, and the public pages in `site_dir` when given."""
    Route = tuple[str, type[tornado.web.RequestHandler], dict[str, object]]
    routes: list[Route] = [(HEALTH_PATH, _HealthHandler, {"health": health})]
    if path is not None:
        routes.append((path, _UpdateHandler, {"secret": secret, "accept": accept}))
    if site_dir is not None:
        options: dict[str, object] = {"path": str(site_dir), "default_filename": "index.html"}
        routes.append((r"/(.*)", _PageHandler, options))
    web = tornado.web.Application(routes)
    return tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY_BYTES, xheaders=True)


def listen(server: tornado.httpserver.HTTPServer, host: str, port: int) -> int:
    """Bind and start serving; returns the port (useful with port 0 in tests)."""
    sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_UNSPEC)
    server.add_sockets(sockets)
    return int(sockets[0].getsockname()[1])
