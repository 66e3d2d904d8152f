"""The public pages (bot/site) in a real headless browser, Debian's Chromium, on a phone's
screen (390x844): the index and a statement page are served from 127.0.0.1, loaded, their
text read from the DOM the browser built, and a screenshot of each kept under
build/screenshots/ (git-ignored) for a person to look at. Skipped, saying why, where
/usr/bin/chromium is absent (CI installs it: .ci/run)."""

from __future__ import annotations

import functools
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.html
import pytest
import sqlite_utils

import storage
from bot.core import seed_if_empty
from bot.site import page_path
from bot.site.build import build_site

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PHONE = (390, 844)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", f"--window-size={PHONE[0]},{PHONE[1]}",
)  # fmt: skip
BROWSER_SECONDS = 90  # a bound on a hung browser, not a speed requirement
STATEMENT = "kpu-2024-pindah-memilih"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed (/usr/bin/chromium): apt-get install -y chromium",
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(db: sqlite_utils.Database, tmp_path: Path) -> Iterator[str]:
    """The starter base's site, served on 127.0.0.1 (its base URL is that address)."""
    seed_if_empty(db)
    handler = functools.partial(_Quiet, directory=str(tmp_path / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    build_site(storage.list_statements(db), tmp_path / "site", base_url=base, bot_username="X_bot")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    done = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=BROWSER_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def load(tmp_path: Path, url: str, name: str) -> lxml.html.HtmlElement:
    """The DOM as the browser built it (scripts run), and a screenshot kept as `name`."""
    dom = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = tmp_path / f"{name}.png"
    chromium(tmp_path, f"--screenshot={shot}", url)
    assert png_size(shot) == PHONE
    shutil.copyfile(shot, SCREENSHOTS / f"{name}.png")
    return lxml.html.document_fromstring(dom)


def test_a_phone_reads_the_index_and_a_statement(
    served: str, db: sqlite_utils.Database, tmp_path: Path
) -> None:
    index = load(tmp_path, served + "index.html", "site-index")
    text = " ".join(index.text_content().split())
    assert "Pernyataan resmi soal klaim pemilu" in text
    assert page_path(STATEMENT) in {a.get("href") for a in index.iter("a")}
    (search,) = index.xpath('//form[@id="cari"]')
    assert search.get("hidden") is None  # the optional search box, shown by its script
    found = load(tmp_path, served + "index.html?q=Sirekap+resmi", "site-search")
    hits = [a.get("href") for a in found.xpath('//ol[@id="hasil"]//a')]
    assert hits and all(h.startswith("s/") for h in hits)
    assert page_path("kpu-2024-sirekap") in hits  # the search box found it in cari.json

    statement = storage.get_statement(db, STATEMENT)
    assert statement is not None
    page = load(tmp_path, served + page_path(STATEMENT), "site-statement")
    text = " ".join(page.text_content().split())
    assert statement.claim in text
    assert statement.clarification.split(".")[0] in text
    assert "Sumber: KPU" in text
    assert page.xpath('//script[@type="application/ld+json"]')
