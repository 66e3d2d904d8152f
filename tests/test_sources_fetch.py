"""Safe fetching against a local server: limits, refused addresses, redirects, 304."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import ipaddress
import socket
import zlib
from pathlib import Path

import pytest
from hostile import stacked_gzip_bomb
from sourceserver import DATA, Route, SourceServer, self_signed

from bot.sources.fetch import (
    USER_AGENT,
    Fetched,
    FetchPolicy,
    address_allowed,
    fetch,
    resolve_vetted,
)
from bot.sources.fetch_error import FetchError

pytestmark = pytest.mark.timeout(30)

LOCAL = FetchPolicy(allow_loopback=True, connect_timeout=1.0, total_timeout=2.0)


async def reason(url: str, policy: FetchPolicy = LOCAL, **kw: object) -> str:
    with pytest.raises(FetchError) as caught:
        await fetch(url, policy, **kw)  # type: ignore[arg-type]
    return caught.value.reason


async def test_fetches_a_page_with_a_clear_user_agent(site: SourceServer) -> None:
    url = site.add_file("/berita/kotak-suara", "kpu_berita.html", "text/html; charset=utf-8")
    page = await fetch(url, LOCAL)
    raw = (DATA / "kpu_berita.html").read_bytes()
    assert (page.status, page.content_type, page.final_url) == (200, "text/html", url)
    assert page.body == raw and page.sha256 == hashlib.sha256(raw).hexdigest()
    assert "Kotak Suara Karton" in page.text
    seen = site.seen("/berita/kotak-suara")[0].headers
    assert seen["user-agent"] == USER_AGENT and "CekKlaimBot" in USER_AGENT
    assert seen["host"] == f"127.0.0.1:{site.port}"


async def test_the_name_is_kept_while_the_connection_goes_to_the_vetted_address(
    site: SourceServer,
) -> None:
    site.add("/p", body=b"<p>halo dunia</p>")
    page = await fetch(f"http://localhost:{site.port}/p", LOCAL)
    assert page.status == 200
    assert site.seen("/p")[0].headers["host"] == f"localhost:{site.port}"


async def test_follows_a_few_redirects_itself(site: SourceServer) -> None:
    target = site.add("/akhir", body=b"<title>akhir</title>")
    site.redirect("/a", "/b", 301)
    site.redirect("/b", target, 308)
    page = await fetch(site.url("/a"), LOCAL)
    assert page.final_url == target and page.url == site.url("/a")


async def test_a_redirect_loop_stops(site: SourceServer) -> None:
    site.redirect("/loop", "/loop")
    assert await reason(site.url("/loop")) == "too_many_redirects"
    assert len(site.seen("/loop")) == LOCAL.max_redirects + 1


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.5/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
async def test_a_redirect_to_a_private_address_is_refused_even_with_loopback_allowed(
    site: SourceServer, location: str
) -> None:
    site.redirect("/go", location)
    assert await reason(site.url("/go")) == "blocked_address"


async def test_loopback_is_refused_by_default_before_any_connection(site: SourceServer) -> None:
    site.add("/p", body=b"<p>rahasia</p>")
    assert await reason(site.url("/p"), FetchPolicy(total_timeout=2)) == "blocked_address"
    assert await reason(f"http://localhost:{site.port}/p", FetchPolicy()) == "blocked_address"
    assert site.requests == []


@pytest.mark.parametrize(
    "url",
    ["ftp://kpu.go.id/berkas", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"],
)
async def test_only_http_and_https(url: str) -> None:
    assert await reason(url) == "scheme"


@pytest.mark.parametrize("url", ["http://", "http://user:pw@127.0.0.1/", "http://a b/"])
async def test_malformed_urls(url: str) -> None:
    assert await reason(url) == "bad_url"


@pytest.mark.parametrize("kind", ["image/png", "application/octet-stream", "text/plain"])
async def test_wrong_content_type_is_refused(site: SourceServer, kind: str) -> None:
    site.add("/file", body=b"\x89PNG....", content_type=kind)
    assert await reason(site.url("/file")) == "content_type"


async def test_feeds_and_json_ld_are_accepted(site: SourceServer) -> None:
    site.add_file("/rss", "feed.rss", "application/rss+xml")
    site.add_file("/cr", "claimreviews.json", "application/ld+json")
    assert (await fetch(site.url("/rss"), LOCAL)).content_type == "application/rss+xml"
    assert (await fetch(site.url("/cr"), LOCAL)).content_type == "application/ld+json"


async def test_declared_oversize_is_refused(site: SourceServer) -> None:
    site.add("/big", body=b"x" * 65_536, repeat=40)  # 2.6 MB with a Content-Length
    assert await reason(site.url("/big")) == "too_large"


async def test_oversize_is_counted_while_streaming_without_content_length(
    site: SourceServer,
) -> None:
    site.add("/big", body=b"<p>" + b"y" * 65_533, repeat=33, send_length=False)  # 2.16 MB
    assert await reason(site.url("/big")) == "too_large"
    small = FetchPolicy(allow_loopback=True, total_timeout=2, max_bytes=100_000)
    site.add("/ok", body=b"<p>" + b"y" * 50_000, send_length=False)
    assert len((await fetch(site.url("/ok"), small)).body) == 50_003


async def test_slow_first_byte_hits_the_deadline(site: SourceServer) -> None:
    site.add("/slow", body=b"<p>lambat</p>", delay=1.5)
    quick = FetchPolicy(allow_loopback=True, connect_timeout=0.5, total_timeout=0.5)
    assert await reason(site.url("/slow"), quick) == "timeout"


async def test_a_dripping_body_hits_the_total_deadline(site: SourceServer) -> None:
    site.add("/drip", body=b"z" * 20_000, drip=0.1)  # 20 chunks, 2 s in all
    quick = FetchPolicy(allow_loopback=True, connect_timeout=0.5, total_timeout=0.6)
    assert await reason(site.url("/drip"), quick) == "timeout"


async def test_http_errors_and_closed_ports(site: SourceServer) -> None:
    assert await reason(site.url("/missing")) == "http_status"
    site.add("/err", Route(status=500, body=b"oops"))
    assert await reason(site.url("/err")) == "http_status"
    assert await reason("http://127.0.0.1:9/") == "network"  # discard port: nothing listens


async def test_conditional_request_gets_not_modified(site: SourceServer) -> None:
    site.add_file("/rss", "feed.rss", "application/rss+xml", etag='"v1"')
    first = await fetch(site.url("/rss"), LOCAL)
    assert first.etag == '"v1"'
    again = await fetch(site.url("/rss"), LOCAL, headers={"If-None-Match": '"v1"'})
    assert again.not_modified and again.body == b""
    assert site.seen("/rss")[1].headers["if-none-match"] == '"v1"'


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # CGNAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:0a00:0001::1", False),  # 6to4 around 10.0.0.1
        ("192.0.2.1", False),  # documentation
    ],
)
def test_address_ranges(address: str, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address)) is allowed


def test_loopback_switch_admits_loopback_only() -> None:
    assert address_allowed(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert address_allowed(ipaddress.ip_address("::1"), allow_loopback=True)
    assert not address_allowed(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert not address_allowed(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)


async def test_names_are_vetted_on_every_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with one private address among public ones is refused (no DNS is used)."""
    loop = asyncio.get_running_loop()
    answers = {
        "mixed.example": ["8.8.8.8", "10.0.0.1"],
        "public.example": ["2001:4860:4860::8888", "8.8.4.4"],
    }

    async def fake_getaddrinfo(host: str, port: int, **kw: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(loop, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchError) as caught:
        await resolve_vetted("mixed.example", 80)
    assert caught.value.reason == "blocked_address"
    assert str(await resolve_vetted("public.example", 443)) == "8.8.4.4"  # IPv4 first
    with pytest.raises(FetchError) as caught:
        await resolve_vetted("missing.example", 80)
    assert caught.value.reason == "dns"


async def test_https_goes_to_the_vetted_address_and_checks_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the connection goes to the address that was checked, while TLS still
    sends the name (SNI) and verifies the certificate against it, not against the IP."""
    contexts = self_signed(tmp_path, "sumber.test")
    if contexts is None:
        pytest.skip("openssl is not installed")
    server_tls, client_tls = contexts
    loop = asyncio.get_running_loop()
    lookups: list[str] = []

    async def fake_getaddrinfo(host: str, port: int, **kw: object) -> list[tuple]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(loop, "getaddrinfo", fake_getaddrinfo)
    with SourceServer(tls=server_tls) as site:
        site.add("/p", body=b"<p>aman lewat https</p>")
        policy = FetchPolicy(allow_loopback=True, total_timeout=5, tls=client_tls)
        page = await fetch(f"https://sumber.test:{site.port}/p", policy)
        assert page.body == b"<p>aman lewat https</p>"
        assert lookups == ["sumber.test"]  # resolved once, by us; httpx got the IP
        assert site.seen("/p")[0].headers["host"] == f"sumber.test:{site.port}"
        # a trusted certificate for another name is refused: the check is against the name
        assert await reason(f"https://lain.test:{site.port}/p", policy) == "network"
        assert len(site.seen("/p")) == 1


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://0x7f.0.0.1/", "http://017700000001/", "http://[::1]/"]
)
async def test_loopback_in_disguise_is_refused(url: str) -> None:
    """Numeric spellings of 127.0.0.1 are resolved like names, then refused by address."""
    assert await reason(url, FetchPolicy(total_timeout=2)) == "blocked_address"


# ------------------------------------------------------------------------------ encodings


PAGE = (DATA / "kpu_berita.html").read_bytes()


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE[:500]) + gzip.compress(PAGE[500:])),  # two members
        ("deflate", zlib.compress(PAGE)),
        ("deflate", _raw_deflate(PAGE)),  # what some servers send as "deflate"
        ("gzip, deflate", zlib.compress(gzip.compress(PAGE))),
        ("identity, gzip", gzip.compress(PAGE)),
        ("", PAGE),
    ],
)
async def test_compressed_pages_are_decoded(site: SourceServer, coding: str, body: bytes) -> None:
    site.add("/z", body=body, headers={"Content-Encoding": coding} if coding else {})
    assert (await fetch(site.url("/z"), LOCAL)).body == PAGE
    assert site.seen("/z")[0].headers["accept-encoding"] == "gzip, deflate"


async def test_the_cap_counts_decoded_bytes_in_every_layer(site: SourceServer) -> None:
    """What the body decodes to is capped, layer by layer, however small it is on the wire."""
    site.add("/bom", body=stacked_gzip_bomb(), headers={"Content-Encoding": "gzip, gzip"})
    assert await reason(site.url("/bom")) == "too_large"
    small = FetchPolicy(allow_loopback=True, total_timeout=2, max_bytes=len(PAGE) - 1)
    site.add("/gz", body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    assert await reason(site.url("/gz"), small) == "too_large"
    exact = FetchPolicy(allow_loopback=True, total_timeout=2, max_bytes=len(PAGE))
    assert (await fetch(site.url("/gz"), exact)).body == PAGE


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(PAGE)))),
        ("br", PAGE),
        ("compress", PAGE),
        ("gzip", b"\x1f\x8b\x08\x00" + b"\xff" * 100),  # not deflate data
    ],
)
async def test_too_many_layers_unknown_or_broken_codings_are_refused(
    site: SourceServer, coding: str, body: bytes
) -> None:
    site.add("/z", body=body, headers={"Content-Encoding": coding})
    assert await reason(site.url("/z")) == "encoding"


async def test_a_truncated_stream_gives_what_arrived(site: SourceServer) -> None:
    packed = gzip.compress(PAGE)
    site.add("/cut", body=packed[: len(packed) // 2], headers={"Content-Encoding": "gzip"})
    body = (await fetch(site.url("/cut"), LOCAL)).body
    assert 0 < len(body) < len(PAGE) and PAGE.startswith(body)


async def test_many_gzip_members_are_refused_before_they_cost_cpu(site: SourceServer) -> None:
    """100,000 empty members are 2 MB that decode to nothing, each a new inflater."""
    empty = gzip.compress(b"")
    site.add("/kosong", body=gzip.compress(empty * 100_000),
             headers={"Content-Encoding": "gzip, gzip"})  # fmt: skip
    assert await reason(site.url("/kosong")) == "encoding"


@pytest.mark.parametrize("charset", ["punycode", "idna", "undefined", "bogus", "base64", "rot13"])
def test_an_odd_or_slow_charset_is_read_as_utf8(charset: str) -> None:
    """punycode and idna are Python code, quadratic on a crafted body; others raise or are
    not text codecs at all."""
    body = b"-" + "kotak suara é ".encode() * 50_000
    page = Fetched("u", "u", 200, "text/html", body, charset)
    assert page.text == body.decode()
