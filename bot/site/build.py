"""Write the public site (bot/site) into a folder, whole: it is built next to the folder and
swapped in, so a web server serving it never shows half a site."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.domain import Statement
from bot.site.feeds import atom_feed, sitemap
from bot.site.images import verdict_png
from bot.site.pages import (
    Entry,
    Filter,
    Filters,
    ListPage,
    Site,
    entry,
    list_page,
    state_of,
    statement_page,
    static_file,
)
from bot.site.paths import MAX_PER_PAGE, image_path, numbered, page_path, slug
from storage.db import today_wib

#: Marks a folder as one `build_site` wrote: only such a folder (or an empty one) is replaced.
MARKER = ".cekklaim-site"
NO_DATE = "Tanpa tanggal"


class NotASiteFolder(Exception):
    """The output folder holds other files: it is never replaced."""


@dataclass(frozen=True, slots=True)
class SiteSummary:
    statements: int  # pages of statements (current ones and the archive)
    current: int
    files: int
    largest_page: tuple[str, int]  # the biggest HTML page and its size in bytes


def newest_first(statements: Iterable[Statement]) -> list[Statement]:
    """By the date the body said it, newest first (undated last), then by id."""
    ordered = sorted(statements, key=lambda s: s.external_id)
    return sorted(ordered, key=lambda s: s.published_at or "", reverse=True)


def _paginate(
    stem: str, heading: str, intro: str | None, entries: Sequence[Entry]
) -> list[ListPage]:
    chunks = [entries[i : i + MAX_PER_PAGE] for i in range(0, len(entries), MAX_PER_PAGE)] or [[]]
    name = stem.rsplit("/", 1)[-1]
    pages = []
    for number, chunk in enumerate(chunks, 1):
        pages.append(
            ListPage(
                path=numbered(stem, number),
                heading=heading if number == 1 else f"{heading} (halaman {number})",
                intro=intro,
                entries=chunk,
                previous=numbered(name, number - 1) if number > 1 else None,
                next=numbered(name, number + 1) if number < len(chunks) else None,
            )
        )
    return pages


def _grouped(
    current: Sequence[Statement],
    key: Callable[[Statement], str],
    folder: str,
    label: str,
    order: Callable[[str], Any] | None = None,
) -> tuple[list[Filter], list[tuple[str, str, list[Statement]]]]:
    """One filter page per value of `key` (most statements first, or in `order`)."""
    counts = Counter(key(s) for s in current)
    filters, groups = [], []
    for name in sorted(counts, key=order or (lambda n: (-counts[n], n))):
        path = f"{folder}/{slug(name)}"
        filters.append(Filter(name, f"{path}.html", counts[name]))
        heading = name if name == NO_DATE else f"{label} {name}"
        groups.append((path, heading, [s for s in current if key(s) == name]))
    return filters, groups


def _year_order(name: str) -> tuple[bool, int]:
    """Newest year first, undated last."""
    return (not name.isdigit(), -int(name) if name.isdigit() else 0)


def site_files(statements: Sequence[Statement], site: Site) -> dict[str, str | bytes]:
    """Every file of the site: its path below the root -> its text (or bytes)."""
    today = site.today
    everything = newest_first(statements)
    by_id = {s.external_id: s for s in everything}
    current = [s for s in everything if state_of(s, today) is None]
    archived = [s for s in everything if state_of(s, today) is not None]
    files: dict[str, str | bytes] = {}
    for statement in everything:
        newer = by_id.get(statement.superseded_by or "")
        files[page_path(statement.external_id)] = statement_page(statement, site, newer)
    bodies, by_body = _grouped(current, lambda s: s.org, "lembaga", "Pernyataan")
    verdicts, by_verdict = _grouped(current, lambda s: s.verdict, "label", "Label")
    years, by_year = _grouped(
        current, lambda s: (s.published_at or "")[:4] or NO_DATE, "tahun", "Tahun", _year_order
    )
    filters = Filters(bodies, verdicts, years)
    lists = _paginate(
        "index",
        "Pernyataan resmi soal klaim pemilu",
        "Klaim yang beredar, dan apa kata lembaga resmi (KPU, Bawaslu, dan lainnya) tentangnya. "
        "Terbaru di atas.",
        [entry(s, today) for s in current],
    )
    for path, heading, group in (*by_body, *by_verdict, *by_year):
        lists += _paginate(path, heading, None, [entry(s, today) for s in group])
    lists += _paginate(
        "arsip",
        "Arsip",
        "Pernyataan yang sudah diganti, diarsipkan atau habis masa berlakunya. "
        "Bot CekKlaim tidak lagi memakainya.",
        [entry(s, today) for s in archived],
    )
    for page in lists:
        files[page.path] = list_page(page, filters, site)
    for verdict in sorted({s.verdict for s in everything}):
        files[image_path(verdict)] = verdict_png(verdict)
    files["cari.js"] = static_file("cari.js")
    search = [
        {"u": page_path(s.external_id), "c": s.claim, "o": s.org, "v": s.verdict} for s in current
    ]
    files["cari.json"] = json.dumps(search, ensure_ascii=False, separators=(",", ":"))
    files["feed.xml"] = atom_feed(current, site.base_url)
    files["sitemap.xml"] = sitemap(current, site.base_url, [page.path for page in lists])
    files[MARKER] = "Written by `cekklaim site`; the whole folder is replaced on each run.\n"
    return files


def build_site(
    statements: Sequence[Statement],
    out_dir: Path,
    *,
    base_url: str,
    bot_username: str | None = None,
    today: date | None = None,
) -> SiteSummary:
    """Write the site into `out_dir` (created, or replaced when it holds an earlier site);
    raises NotASiteFolder when `out_dir` holds other files."""
    site = Site(base_url=base_url, bot_username=bot_username, today=today or today_wib())
    out_dir = out_dir.resolve()
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise NotASiteFolder(f"{out_dir} holds other files; give an empty or new folder")
    files = site_files(statements, site)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for path, content in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        staging.chmod(0o755)
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    html = {
        p: len(c.encode()) for p, c in files.items() if isinstance(c, str) and p.endswith(".html")
    }
    largest = max(html.items(), key=lambda item: item[1])
    current = sum(1 for s in statements if state_of(s, site.today) is None)
    return SiteSummary(len(statements), current, len(files), largest)


def _swap(staging: Path, out_dir: Path) -> None:
    """Put `staging` in the place of `out_dir`: two renames, the old folder removed after."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
