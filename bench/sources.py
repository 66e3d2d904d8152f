"""How long page extraction takes: a saved KPU-style page, one at the 2 MB fetch cap, and
hostile markup, with the stdlib `html.parser` tokenizer it used before (same collector) and
with libxml2 (lxml) that it uses now; then the round trip through a parsing worker.

    .venv/bin/python bench/sources.py

Prints milliseconds per page; no network (the pages are built from tests/data/sources).
html.parser is quadratic on "<!--" * n, so it is timed on small sizes only.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.sources import sandbox
from bot.sources.fetch import MAX_BYTES, Fetched
from bot.sources.page import parse_page

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))
from stdlibpage import StdlibTokenizer  # noqa: E402  # the html.parser tokenizer, kept in tests/

PAGE = TESTS / "data" / "sources" / "kpu_berita.html"
URL = "https://www.kpu.go.id/berita/x"


def stdlib_collect(html: str) -> None:
    parser = StdlibTokenizer(budget=False)  # no event budget then
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # the collector's event budget, or html.parser on odd input
        pass


def per_page_ms(parse: Callable[[str], object], html: str, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        parse(html)
    return 1000 * (time.perf_counter() - started) / rounds


async def worker_ms(html: str, rounds: int) -> float:
    fetched = Fetched(URL, URL, 200, "text/html", html.encode(), "utf-8")
    await sandbox.read_page(fetched)  # the worker is started
    started = time.perf_counter()
    for _ in range(rounds):
        await sandbox.read_page(fetched)
    return 1000 * (time.perf_counter() - started) / rounds


def main() -> None:
    small = PAGE.read_text(encoding="utf-8")
    paragraph = "<p>" + "kalimat berita yang panjang dari situs resmi " * 30 + "</p>"
    filler = paragraph * (MAX_BYTES // len(paragraph))
    large = small.replace("</article>", filler + "</article>")[:MAX_BYTES]
    lxml_parse = lambda html: parse_page(html, URL)  # noqa: E731
    print(f"{'page':<28}{'bytes':>10}{'html.parser':>14}{'lxml':>10}{'worker':>10}  (ms)")
    for name, html, rounds in (("KPU news page", small, 200), ("page at the 2 MB cap", large, 5)):
        before = per_page_ms(stdlib_collect, html, rounds)
        after = per_page_ms(lxml_parse, html, rounds)
        via = asyncio.run(worker_ms(html, rounds))
        print(f"{name:<28}{len(html.encode()):>10,}{before:>14.2f}{after:>10.2f}{via:>10.2f}")
    hostile = {
        '"<!--" * n': "<!--",
        '"<p>" * n': "<p>",
        '"<" * n': "<",
        '"<table><tr><td>" * n': "<table><tr><td>",
    }
    for name, unit in hostile.items():
        for size in (10_000, 40_000, 200_000, MAX_BYTES):
            html = unit * (size // len(unit))
            slow = unit == "<!--" and size > 40_000  # a minute at 200 KB in html.parser
            before = "" if slow else f"{per_page_ms(stdlib_collect, html, 1):.0f}"
            after = per_page_ms(lxml_parse, html, 1)
            print(f"{name:<28}{size:>10,}{before or 'skipped':>14}{after:>10.0f}")
    sandbox.close()


if __name__ == "__main__":
    main()
