"""A local web server standing in for official sites in tests (127.0.0.1, port 0).

Routes are registered per test: a body with a content type, optional ETag/Last-Modified
(conditional requests answered with 304), redirects, slow or oversized bodies, chunked or
close-delimited, and any Content-Encoding header (the body is sent as given, so a test can
serve a compression bomb). Every request is recorded with its headers, and with the moment
its body was fully sent, so a test can check what the fetcher sent and act while it reads.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "sources"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the first byte of the body
    drip: float = 0.0  # seconds between 1 KB chunks (a slow body)
    repeat: int = 1  # the body is sent this many times (a large body without a big file)
    send_length: bool = True
    chunked: bool = False  # Transfer-Encoding: chunked, one chunk per repeat (or 1 KB drip)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    done: float | None = None  # time.monotonic() when the whole body was written


class SourceServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(seen)
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                headers = {"Content-Type": route.content_type, **route.headers}
                if route.etag:
                    headers["ETag"] = route.etag
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified
                    and not route.etag
                    and self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
                    return
                if route.delay:
                    time.sleep(route.delay)
                if self._send(route.status, route.body, headers, route):
                    seen.done = time.monotonic()

            def _send(
                self, status: int, body: bytes, headers: dict[str, str], route: Route | None = None
            ) -> bool:
                """Send the answer; False when the client hung up before the end."""
                repeat = route.repeat if route else 1
                chunked = route is not None and route.chunked
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif route is None or route.send_length:
                    self.send_header("Content-Length", str(len(body) * repeat))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()

                def write(data: bytes) -> None:
                    if chunked and data:
                        data = b"%x\r\n%s\r\n" % (len(data), data)
                    self.wfile.write(data)

                try:
                    for _ in range(repeat):
                        if route is not None and route.drip:
                            for start in range(0, len(body), 1024):
                                write(body[start : start + 1024])
                                self.wfile.flush()
                                time.sleep(route.drip)
                        else:
                            write(body)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return False
                if route is not None and not route.send_length and not chunked:
                    self.close_connection = True
                return True

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hangs up mid-request is what these tests are about

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> SourceServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route | None = None, **kw: object) -> str:
        self.routes[path] = route or Route(**kw)  # type: ignore[arg-type]
        return self.url(path)

    def add_file(self, path: str, name: str, content_type: str, **kw: object) -> str:
        body = (DATA / name).read_bytes()
        return self.add(path, Route(body=body, content_type=content_type, **kw))  # type: ignore[arg-type]

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, Route(status=status, headers={"Location": location}, body=b""))

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path.split("?")[0] == path]


def self_signed(tmp: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext] | None:
    """(server context, client context trusting only it) for a certificate naming `name`;
    None when the openssl command is not installed."""
    if shutil.which("openssl") is None:
        return None
    key, cert = tmp / f"{name}.key", tmp / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client
