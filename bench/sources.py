"""How long page extraction takes: a saved KPU-style page, and one at the 2 MB fetch cap.

    .venv/bin/python bench/sources.py

Prints milliseconds per page; no network (the pages are built from tests/data/sources).
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.sources.fetch import MAX_BYTES
from bot.sources.page import parse_page

PAGE = Path(__file__).resolve().parent.parent / "tests" / "data" / "sources" / "kpu_berita.html"


def per_page_ms(html: str, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        parse_page(html, "https://www.kpu.go.id/berita/x")
    return 1000 * (time.perf_counter() - started) / rounds


def main() -> None:
    small = PAGE.read_text(encoding="utf-8")
    paragraph = "<p>" + "kalimat berita yang panjang dari situs resmi " * 30 + "</p>"
    filler = paragraph * (MAX_BYTES // len(paragraph))
    large = small.replace("</article>", filler + "</article>")[:MAX_BYTES]
    print(f"page {len(small.encode()):>9,} bytes  {per_page_ms(small, 300):7.2f} ms")
    print(f"page {len(large.encode()):>9,} bytes  {per_page_ms(large, 5):7.2f} ms")


if __name__ == "__main__":
    main()
