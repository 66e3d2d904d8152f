"""Fuzzing the fetch-and-parse path (issue 11): random markup shapes, content types, stacked
and unknown Content-Encodings, truncated streams and HTTP framings, served from 127.0.0.1.

Every case must end within the fetch deadline plus the parse deadline, raise the test
process's peak memory by less than 100 MB, and end as a document or as a FetchError with a
known reason; which one follows from the case. A page the worker read must read the same
as `parse_page` in this process.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import os
import time
import zlib
from dataclasses import dataclass

import pytest
from hostile import reset_peak, status_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sourceserver import Route, SourceServer

from bot.sources import sandbox
from bot.sources.feeds import FeedParseError
from bot.sources.fetch import (
    CONTENT_TYPES,
    FEED_TYPES,
    HTML_TYPES,
    MAX_BYTES,
    Fetched,
    FetchPolicy,
    fetch,
)
from bot.sources.fetch_error import REASONS, FetchError
from bot.sources.page import parse_page

pytestmark = pytest.mark.timeout(600)

POLICY = FetchPolicy(allow_loopback=True, connect_timeout=2.0, total_timeout=5.0)
MAX_GROWTH_KB = 100 * 1024
FRAGMENTS = [
    "<!--", "-->", "<", ">", "</", "<a ", 'href="', "<p>", "</p>", "<div>", "<br>", "&#",
    "&amp;", "&#x", "<![CDATA[", "]]>", "<script>", "</script>",
    '<script type="application/ld+json">', '{"@type":"ClaimReview","claimReviewed":"x"}',
    "[", "{", "<title>", '<meta property="og:title" content="', "<table><tr><td>", "<?",
    "<!", "<!DOCTYPE html>", "<!ENTITY a 'b'>", "<rss><channel><item><link>", "</item>",
    "\x00", "\ufeff", "kata berita ", "é", "\U0001f600", "\ud800",
]  # fmt: skip
CODINGS = ["gzip", "x-gzip", "deflate", "raw-deflate", "identity", "br", "compress"]
TYPES = [
    "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=bogus",
    "application/xhtml+xml", "application/rss+xml", "text/xml", "application/ld+json",
]  # fmt: skip


@dataclass
class Case:
    text: str
    content_type: str
    codings: list[str]
    cut: float | None  # keep this fraction of the encoded body
    framing: str  # "length", "chunked" or "close"

    @property
    def plain(self) -> bytes:
        charset = self.content_type.partition("charset=")[2] or "utf-8"
        try:
            return self.text.encode(charset, "surrogatepass")
        except LookupError:
            return self.text.encode("utf-8", "surrogatepass")

    def encoded(self) -> bytes:
        body = self.plain
        for coding in self.codings:
            if coding in ("gzip", "x-gzip"):
                body = gzip.compress(body, 1)
            elif coding == "deflate":
                body = zlib.compress(body, 1)
            elif coding == "raw-deflate":
                packer = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
                body = packer.compress(body) + packer.flush()
        if self.cut is not None:
            body = body[: int(len(body) * self.cut)]
        return body

    @property
    def layers(self) -> list[str]:
        return [c for c in self.codings if c != "identity"]

    @property
    def refused_coding(self) -> bool:
        return len(self.layers) > 2 or any(c in ("br", "compress") for c in self.codings)


def _sized(parts: list[tuple[str, int]], size: int) -> str:
    shape = "".join(fragment * count for fragment, count in parts)
    return (shape * (size // len(shape) + 1))[:size]


#: a few hostile fragments, repeated up to a size near the cap (or past it)
markup = st.builds(
    _sized,
    st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 5_000)), min_size=1,
             max_size=5),
    st.sampled_from([100, 20_000, 500_000, 1_500_000, MAX_BYTES // 4, 2_100_000]),
)  # fmt: skip
good_codings = st.lists(st.sampled_from(CODINGS[:5]), max_size=2)
cases = st.builds(
    Case,
    text=markup,
    content_type=st.sampled_from(TYPES),
    codings=st.one_of(good_codings, good_codings, st.lists(st.sampled_from(CODINGS), max_size=4)),
    cut=st.one_of(st.none(), st.none(), st.floats(0.0, 0.99)),
    framing=st.sampled_from(["length", "chunked", "close"]),
)


async def fetch_and_parse(url: str) -> tuple[Fetched, object]:
    """What the bot does with a link or a feed, without the bot."""
    fetched = await fetch(url, POLICY, accept=CONTENT_TYPES)
    if fetched.content_type in HTML_TYPES:
        return fetched, await sandbox.read_page(fetched)
    if fetched.content_type in FEED_TYPES:
        try:
            return fetched, await sandbox.read_feed(fetched.body)
        except FeedParseError:
            return fetched, None
    return fetched, await sandbox.read_reviews(fetched)


_paths = itertools.count()


@settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture, HealthCheck.large_base_example],
)  # fmt: skip
@given(case=cases)
def test_fetch_and_parse_stays_within_its_budget(site: SourceServer, case: Case) -> None:
    body = case.encoded()
    codings = ", ".join("deflate" if c == "raw-deflate" else c for c in case.codings)
    path = f"/fuzz/{next(_paths)}"
    site.add(path, Route(
        body=body, content_type=case.content_type, chunked=case.framing == "chunked",
        send_length=case.framing == "length",
        headers={"Content-Encoding": codings} if codings else {},
    ))  # fmt: skip
    pid = os.getpid()
    reset_peak(pid)
    before = status_kb(pid, "VmHWM")
    started = time.monotonic()
    try:
        fetched, parsed = asyncio.run(fetch_and_parse(site.url(path)))
        reason = None
    except FetchError as exc:
        reason = exc.reason
    elapsed = time.monotonic() - started
    growth = status_kb(pid, "VmHWM") - before
    assert elapsed < POLICY.total_timeout + sandbox.PARSE_TIMEOUT + 2.0
    assert growth < MAX_GROWTH_KB
    assert reason is None or reason in REASONS
    if case.refused_coding:  # unless the declared length already says too large
        declared_too_large = case.framing == "length" and len(body) > MAX_BYTES
        assert reason == ("too_large" if declared_too_large else "encoding")
    elif len(case.plain) > MAX_BYTES and case.cut is None:
        assert reason == "too_large"
    elif case.cut is None:
        assert reason in (None, "unreadable")  # unreadable: the worker's deadline
        if reason is None:
            assert fetched.body == case.plain
    else:  # a cut stream: what arrived, or a broken one
        assert reason in (None, "encoding", "too_large", "unreadable")
    if reason is None and fetched.content_type in HTML_TYPES:
        assert parsed == parse_page(fetched.text, fetched.final_url)
