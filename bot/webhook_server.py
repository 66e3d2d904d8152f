"""The HTTP side of webhook mode, without Telegram's library: a small tornado server that
takes the updates Telegram posts and answers the health check (TLS ends at the operator's
reverse proxy).

    POST <path of WEBHOOK_URL>   X-Telegram-Bot-Api-Secret-Token must equal WEBHOOK_SECRET
                                 (403 otherwise, nothing handled); a JSON object with an
                                 integer update_id (400 otherwise) -> accept -> 200; the
                                 database failing to store it -> 503 (Telegram retries)
    GET  /healthz                what `health` says: 200 when the database answers, else 503

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


def http_server(
    *, path: str, secret: str, accept: Accept, health: Health
) -> tornado.httpserver.HTTPServer:
    """The HTTP server for webhook mode (not yet listening)."""
    web = tornado.web.Application(
        [
            (HEALTH_PATH, _HealthHandler, {"health": health}),
            (path, _UpdateHandler, {"secret": secret, "accept": accept}),
        ]
    )
    return tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY_BYTES, xheaders=True)


def listen(server: tornado.httpserver.HTTPServer, host: str, port: int) -> int:
    """Bind and start serving; returns the port (useful with port 0 in tests)."""
    sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_UNSPEC)
    server.add_sockets(sockets)
    return int(sockets[0].getsockname()[1])
