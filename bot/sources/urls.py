"""Links as comparable keys, and which domains are official.

Two links to the same page often differ only in the scheme, a `www.`, tracking parameters,
a trailing slash or a fragment; `normalize_url` removes exactly those differences so a link
a citizen sends can be compared with statements' sources and with links seen before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: A link as people paste it into a message: scheme, then everything up to whitespace.
URL_IN_TEXT = re.compile(r"https?://\S+", re.IGNORECASE)

#: Query parameters that only say where a click came from, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "igshid", "igsh", "mc_cid", "mc_eid",
        "msclkid", "yclid", "twclid", "ttclid", "si", "ref_src", "_ga", "_gl", "s_cid",
        "mkt_tok",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Issuing body for well-known official domains (a domain's subdomains included).
KNOWN_BODIES = {"kpu.go.id": "KPU", "bawaslu.go.id": "Bawaslu", "dkpp.go.id": "DKPP"}
DEFAULT_OFFICIAL_DOMAINS = "kpu.go.id,bawaslu.go.id"


def host_of(url: str) -> str | None:
    """The lower-case host of an absolute http(s) URL without a trailing dot, or None."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not host:
        return None
    return host.rstrip(".").lower()


def normalize_url(url: str) -> str | None:
    """A comparison key for a web link, or None when it is not an http(s) link.

    The key has no scheme (http and https of one page are the same page), no `www.`, no
    default port, no fragment, no tracking parameters (the rest keep their order) and no
    trailing slash on the path. Host case is folded; the path's case is kept (it matters).
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = host.rstrip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit(("", netloc, path, urlencode(query), "")).lstrip("/")


def parse_official_domains(raw: str) -> tuple[dict[str, str], list[str]]:
    """`kpu.go.id,bawaslu.go.id,example.org=Lembaga X` -> ({domain: body}, problems).

    A domain without `=Body` gets its known body (KPU, Bawaslu, DKPP) or its first label in
    capitals. Subdomains always count: `kpu.go.id` covers `jdih.kpu.go.id`.
    """
    domains: dict[str, str] = {}
    problems: list[str] = []
    for item in (p.strip() for p in raw.replace(";", ",").split(",")):
        if not item:
            continue
        domain, _, body = item.partition("=")
        domain = domain.strip().lower().rstrip(".")
        if domain.startswith("www."):
            domain = domain[4:]
        body = " ".join(body.split())
        if not domain or any(c in domain for c in "/:@ ") or "." not in domain:
            problems.append(f"{item!r} is not a domain name (e.g. kpu.go.id)")
            continue
        domains[domain] = body or KNOWN_BODIES.get(domain) or domain.split(".")[0].upper()
    return domains, problems


def official_body(url_or_host: str, domains: Mapping[str, str]) -> str | None:
    """The issuing body when the link's host is an official domain or its subdomain."""
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().rstrip(".")
    if not host:
        return None
    for domain, body in domains.items():
        if host == domain or host.endswith("." + domain):
            return body
    return None


def unique_keys(urls: Iterable[str]) -> list[str]:
    """Normalized keys of the http(s) links among `urls`, first occurrence first."""
    return list(dict.fromkeys(k for k in (normalize_url(u) for u in urls) if k))
