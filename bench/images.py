"""Photos as claims: OCR of generated chat screenshots of every starter statement's claim,
matched against the starter base, with the typed claim as the baseline in the same run;
OCR time; 20 photos at once against other users' text claims; memory with OCR loaded.

    python bench/images.py [--seed 16] [--limit N]

Screenshots: tests/screenshots.py (seeded, so every run draws the same ones: fonts, sizes,
colours, backgrounds, JPEG quality 30-90, some turned a few degrees, some in capitals). The
fonts used are printed (a machine without /usr/share/fonts/truetype uses Pillow's own).

Printed:
1. right statement first, and confident and right, for the claim typed (baseline), the
   screenshot's OCR text as read, and as the bot matches it (words run together split);
2. OCR time per image (decode + read, one thread), p50 / p90 / max;
3. a burst: 20 photos sent at once through the real use case (bot/photos.py check_photo,
   the OCR worker) while another user's text claims are timed (claims.decide), against the
   same text claims with no photos, in the same run;
4. resident memory before the engine is loaded and after the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matcher import percentile, rss_mb
from screenshots import DEFAULT_FONT, screenshots

from bot import claims, photos
from bot.core import Core, starter_base_path
from bot.images.worker import OcrWorker
from bot.matcher.match import Tier

BURST = 20
TEXT_CLAIMS = 40  # timed text claims, with and without the burst
TEXT_GAP = 0.05  # seconds between them


def peak_rss_mb() -> float:
    """The most resident memory this process has had (Linux VmHWM)."""
    with open("/proc/self/status") as fp:
        line = next(x for x in fp if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / max(total, 1):.1f}%"


def score(core: Core, text: str, expected: str) -> tuple[bool, bool]:
    """(right statement first, confident and right)."""
    result, statements = core.match(text)
    first = bool(statements) and statements[0].external_id == expected
    return first, first and result.tier is Tier.CONFIDENT


async def text_latencies(core: Core, texts: list[str], user: str) -> list[float]:
    """Each text claim decided and recorded as a private chat's, one every TEXT_GAP s."""
    found = []
    for i in range(TEXT_CLAIMS):
        claim = claims.Claim(texts[i % len(texts)], channel=claims.Channel.PRIVATE, user_hash=user)
        start = time.perf_counter()
        await claims.decide(core, claim, claims.PRIVATE)
        found.append(time.perf_counter() - start)
        await asyncio.sleep(TEXT_GAP)
    return found


async def burst(core: Core, worker: OcrWorker, images: list[bytes], texts: list[str]) -> None:
    quiet = await text_latencies(core, texts, "typist-alone")

    async def one(i: int) -> tuple[str, float]:
        start = time.perf_counter()
        photo = photos.Photo(images[i % len(images)], f"file{i}", f"unique{i}")
        claim = claims.Claim("", channel=claims.Channel.PRIVATE, user_hash=f"sender{i}")
        found = await photos.check_photo(core, worker, photo, claim, claims.PRIVATE)
        return found.failure or "read", time.perf_counter() - start

    started = time.perf_counter()
    photo_tasks = [asyncio.create_task(one(i)) for i in range(BURST)]
    during = await text_latencies(core, texts, "typist-during")
    done = await asyncio.gather(*photo_tasks)
    took = time.perf_counter() - started
    outcomes = Counter(kind for kind, _ in done)
    waits = [seconds for _, seconds in done]
    print(f"\n3. {BURST} photos sent at once (queue {worker.queue_limit}), while another user "
          f"sends {TEXT_CLAIMS} text claims, one every {TEXT_GAP * 1000:.0f} ms")  # fmt: skip
    print(f"   photos: {dict(outcomes)}; answered after p50 {statistics.median(waits):.2f} s, "
          f"max {max(waits):.2f} s; burst over in {took:.1f} s")  # fmt: skip
    for name, values in (("no photos (baseline)", quiet), (f"{BURST} photos at once", during)):
        ms = [v * 1000 for v in values]
        print(f"   text claim, {name:<22} p50 {statistics.median(ms):6.1f} ms  "
              f"p90 {percentile(ms, 90):6.1f} ms  max {max(ms):6.1f} ms")  # fmt: skip
    extra = [(d - q) * 1000 for d, q in zip(sorted(during), sorted(quiet), strict=True)]
    print(f"   delay added to a text claim by the burst: p50 {statistics.median(extra):+.1f} ms, "
          f"max {max(extra):+.1f} ms (sorted pairs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--limit", type=int, default=0, help="only the first N statements")
    args = parser.parse_args()

    rows = [json.loads(line) for line in starter_base_path().read_text().splitlines() if line]
    if args.limit:
        rows = rows[: args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="bench-images-"))
    core = Core.open(tmp / "bench.db", "bench-secret-0123456789")
    texts = [r["claim"] for r in rows]
    shots = screenshots(texts, seed=args.seed)
    fonts = Counter(Path(s.font).name if s.font != DEFAULT_FONT else s.font for s, _ in shots)
    print(f"{len(shots)} screenshots of the starter base's claims (seed {args.seed}); "
          f"base: {len(core.snapshot.statements)} statements")  # fmt: skip
    print("   fonts: " + ", ".join(f"{name} x{n}" for name, n in sorted(fonts.items())))
    sizes = Counter(s.size for s, _ in shots)
    qualities = [s.quality for s, _ in shots]
    capitals, turned = sum(s.headline for s, _ in shots), sum(bool(s.rotate) for s, _ in shots)
    print(f"   sizes: {dict(sorted(sizes.items()))}; in capitals: {capitals}; turned: {turned}; "
          f"JPEG quality {min(qualities)}-{max(qualities)}")  # fmt: skip

    rss_before = rss_mb()
    worker = OcrWorker()
    load_start = time.perf_counter()
    worker.engine.load()
    load_s = time.perf_counter() - load_start
    typed = [score(core, r["claim"], r["id"]) for r in rows]
    raw, bot_side, seconds, empty = [], [], [], 0
    for (_, image), row in zip(shots, rows, strict=True):
        start = time.perf_counter()
        read = worker.read_now(image)
        seconds.append(time.perf_counter() - start)
        empty += not read.lines
        raw.append(score(core, read.text, row["id"]))
        bot_side.append(score(core, photos.matchable(core, read.text, ""), row["id"]))
    n = len(rows)
    print("\n1. matching the claim, with the starter base loaded")
    print(f"   {'':<34} {'right first':>18} {'confident and right':>22}")
    for name, found in (
        ("typed claim (baseline)", typed),
        ("OCR text as read", raw),
        ("OCR text, words split (the bot)", bot_side),
    ):
        firsts, confident = sum(f for f, _ in found), sum(c for _, c in found)
        print(f"   {name:<34} {rate(firsts, n):>18} {rate(confident, n):>22}")
    print(f"   images where OCR read nothing: {empty}")
    ms = sorted(s * 1000 for s in seconds)
    p50, p90 = statistics.median(ms), percentile(ms, 90)
    print(f"\n2. OCR of one image (decode + read, 1 thread): p50 {p50:.0f} ms, "
          f"p90 {p90:.0f} ms, max {ms[-1]:.0f} ms; engine load {load_s:.2f} s")  # fmt: skip

    images = [image for _, image in shots]
    asyncio.run(burst(core, worker, images, texts))
    after, peak = rss_mb(), peak_rss_mb()
    print(f"\n4. resident memory: {rss_before:.0f} MB before the OCR engine; after loading it "
          f"and reading {n + BURST} images {after:.0f} MB (+{after - rss_before:.0f} MB), "
          f"peak {peak:.0f} MB (+{peak - rss_before:.0f} MB)")  # fmt: skip
    worker.close()
    core.close()


if __name__ == "__main__":
    main()
