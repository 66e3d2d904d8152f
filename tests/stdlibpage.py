"""The stdlib `html.parser` tokenizer parse_page used before libxml2, feeding the same
collector (bot/sources/page.py `_Collector`): tests compare what both read from normal pages,
bench/sources.py times both."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.sources.page import _Collector


class StdlibTokenizer(HTMLParser):
    """html.parser events into a `_Collector`; `budget=False` lifts the collector's event cap
    (bench: time the whole page, as html.parser read it before the cap existed)."""

    def __init__(self, *, budget: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.collector = _Collector()
        if not budget:
            self.collector._count = lambda: None  # type: ignore[method-assign]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.collector.start(tag, {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        self.collector.end(tag)

    def handle_data(self, data: str) -> None:
        self.collector.data(data)
