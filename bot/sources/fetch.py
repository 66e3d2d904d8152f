"""Fetch one web page or feed from the open internet, safely.

A link a citizen sends is untrusted input that makes the bot open a connection, so:

- http(s) only; every host is resolved first and refused unless every address it resolves
  to is public (no private, loopback, link-local, CGNAT, reserved, multicast or unspecified
  ranges; IPv4 inside IPv6 is unwrapped). The same check runs on every redirect hop, which
  this module follows itself (at most `max_redirects`).
- The connection goes to the vetted address itself (the URL's host is replaced by the IP,
  the Host header and TLS SNI/certificate check keep the name), so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot redirect it.
  Proxies from the environment are ignored for the same reason (`trust_env=False`).
- A connect timeout and a total deadline over all hops and the whole body (a server that
  drips bytes is cut off); only HTML, XHTML, RSS/Atom/XML and JSON(-LD) content types.
- A size cap on what the body *decodes to*, whatever Content-Length says: the raw bytes are
  read (`aiter_raw`) and decoded by `body_decoder.BodyDecoder`, which stops any compression
  bomb at the cap.

Every failure is a `FetchError` (`fetch_error.py`) with a short `reason` code that texts.py
turns into a polite message; nothing here raises anything else for a bad link or a bad server.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import ipaddress
import re
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from bot.sources.body_decoder import ACCEPT_ENCODING, BodyDecoder
from bot.sources.fetch_error import FetchError
from storage.db import utcnow_iso

if TYPE_CHECKING:  # settings import the sources' URL rules: no cycle at run time
    from bot.settings import Settings

USER_AGENT = "CekKlaimBot/0.1 (+cek klaim pemilu; https://github.com/cekklaim)"
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 4
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
     "application/rdf+xml"}
)  # fmt: skip
JSON_TYPES = frozenset({"application/ld+json", "application/json"})
CONTENT_TYPES = HTML_TYPES | FEED_TYPES | JSON_TYPES
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Text codecs written in Python, slow or quadratic on a crafted body (punycode: 0.7 s for
#: 80 KB), or that raise whatever `errors` says; a page naming one is read as UTF-8.
_ODD_CODECS = frozenset({"punycode", "idna", "undefined"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one fetch. `allow_loopback` exists for tests only (FETCH_ALLOW_LOOPBACK):
    it admits 127.0.0.0/8 and ::1, never the other private or link-local ranges."""

    allow_loopback: bool = False
    connect_timeout: float = 5.0
    total_timeout: float = 10.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    user_agent: str = USER_AGENT
    tls: ssl.SSLContext | None = None  # None: the system's CA certificates (tests pass their own)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document (status 200..299), or "not modified" (status 304, empty body)."""

    url: str  # what was asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # media type only, lower case ("" for a 304)
    body: bytes
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str = field(default_factory=utcnow_iso)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def text(self) -> str:
        """The body decoded: the declared charset, a <meta charset>, else UTF-8."""
        charset = self.charset
        if charset is None and self.content_type in HTML_TYPES:
            found = _META_CHARSET.search(self.body[:4096])
            charset = found.group(1).decode("ascii") if found else None
        try:
            codec = codecs.lookup(charset or "utf-8").name
            if codec not in _ODD_CODECS:
                return self.body.decode(codec, errors="replace")
        except (LookupError, UnicodeError):  # unknown, or not a bytes-to-text codec
            pass
        return self.body.decode("utf-8", errors="replace")


def address_allowed(ip: Address, *, allow_loopback: bool = False) -> bool:
    """True only for a public unicast address (loopback too when `allow_loopback`)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_allowed(embedded, allow_loopback=allow_loopback)
    if ip.is_loopback:
        return allow_loopback
    flagged = (
        ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )
    return ip.is_global and not flagged


def _ip_literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def resolve_vetted(host: str, port: int, *, allow_loopback: bool = False) -> Address:
    """One address to connect to; FetchError unless every address of `host` is allowed."""
    literal = _ip_literal(host)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError("dns", host) from exc
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
        )
        if not addresses:
            raise FetchError("dns", host)
    refused = [a for a in addresses if not address_allowed(a, allow_loopback=allow_loopback)]
    if refused:
        raise FetchError("blocked_address", f"{host} -> {refused[0]}")
    # IPv4 first: this fetcher does not race address families, and a host's IPv6 route is
    # the one more often broken on small servers.
    return sorted(addresses, key=lambda a: a.version)[0]


def _target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL; FetchError for anything else."""
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise FetchError("bad_url")
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise FetchError("bad_url") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("scheme", scheme or "-")
    if not host or parts.username is not None or parts.password is not None:
        raise FetchError("bad_url")
    try:  # an internationalised name travels as its ASCII (punycode) form
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise FetchError("bad_url") from exc
    return scheme, host.rstrip(".").lower(), port or (443 if scheme == "https" else 80)


def _pinned(url: str, ip: Address) -> str:
    """`url` with its host replaced by the vetted address (credentials already refused)."""
    parts = urlsplit(url)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _host_header(host: str, port: int, scheme: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == (443 if scheme == "https" else 80) else f"{shown}:{port}"


def _media_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    kind, *params = (p.strip() for p in value.split(";"))
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return kind.lower(), charset


async def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    accept: frozenset[str] = CONTENT_TYPES,
) -> Fetched:
    """GET `url` within `policy`; FetchError for anything that is not a usable document.

    `headers` may carry conditional-request headers (If-None-Match, If-Modified-Since);
    a 304 answer comes back as `Fetched(status=304)`, not as an error.
    """
    policy = policy or FetchPolicy()
    try:
        async with asyncio.timeout(policy.total_timeout):
            return await _fetch(url, policy, dict(headers or {}), accept)
    except TimeoutError as exc:
        raise FetchError("timeout") from exc


async def _fetch(
    url: str, policy: FetchPolicy, extra: dict[str, str], accept: frozenset[str]
) -> Fetched:
    timeout = httpx.Timeout(policy.total_timeout, connect=policy.connect_timeout)
    current = url
    verify: ssl.SSLContext | bool = policy.tls if policy.tls is not None else True
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, trust_env=False, verify=verify
    ) as client:
        for _hop in range(policy.max_redirects + 1):
            scheme, host, port = _target(current)
            ip = await resolve_vetted(host, port, allow_loopback=policy.allow_loopback)
            request_headers = {
                "Host": _host_header(host, port, scheme),
                "User-Agent": policy.user_agent,
                "Accept": ", ".join(sorted(accept)) + ";q=1.0, */*;q=0.1",
                "Accept-Encoding": ACCEPT_ENCODING,
                **extra,
            }
            extensions: dict[str, str] = {}
            if scheme == "https" and _ip_literal(host) is None:
                extensions["sni_hostname"] = host  # TLS name and certificate check
            try:
                async with client.stream(
                    "GET", _pinned(current, ip), headers=request_headers, extensions=extensions
                ) as response:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError("http_status", str(response.status_code))
                        current = urljoin(current, location.strip())
                        continue
                    return await _read(url, current, response, policy, accept)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout") from exc
            except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError) as exc:
                # connection refused, TLS failure, malformed answer
                raise FetchError("network", type(exc).__name__) from exc
    raise FetchError("too_many_redirects", str(policy.max_redirects))


async def _read(
    url: str,
    final_url: str,
    response: httpx.Response,
    policy: FetchPolicy,
    accept: frozenset[str],
) -> Fetched:
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if response.status_code == 304:
        return Fetched(url, final_url, 304, "", b"", None, etag, last_modified)
    if not 200 <= response.status_code < 300:
        raise FetchError("http_status", str(response.status_code))
    media, charset = _media_type(response.headers.get("content-type"))
    if media not in accept:
        raise FetchError("content_type", media or "-")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError("too_large", declared)
    decoder = BodyDecoder(response.headers.get_list("content-encoding"), policy.max_bytes)
    async for raw in response.aiter_raw():
        decoder.feed(raw)
    return Fetched(
        url, final_url, response.status_code, media, decoder.body(), charset, etag,
        last_modified,
    )  # fmt: skip


def policy_from(settings: Settings) -> FetchPolicy:
    """The policy the settings ask for (FETCH_TIMEOUT_SECONDS, FETCH_ALLOW_LOOPBACK)."""
    total = float(settings.fetch_timeout_seconds)
    return FetchPolicy(
        allow_loopback=settings.fetch_allow_loopback,
        connect_timeout=min(5.0, total),
        total_timeout=total,
    )
