"""Known-image matching: are copies of known pictures found, and unrelated pictures left alone?

Generated, seeded pictures (tests/imagegen.py: posters, charts, chat screenshots) are the
known base; each is changed five ways (JPEG q=30, resize to 50%, 10% crop, a plain border,
a phone screenshot with a status bar) and looked up; then `--unrelated` pictures made the
same way from other seeds are looked up against the same base. Printed for the method of
bot/images/known.py and, in the same run, for a baseline: one 64-bit pHash of the whole
picture (imagehash's phash: 32x32 DCT, 8x8 low coefficients), a match within
`--baseline-bits` bits.

    .venv/bin/python bench/images_known.py [--bases 200] [--unrelated 1000]

Goal (issue 16): each change found confidently for >= 95% of the bases; 0 confident
matches among the unrelated pictures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from imagegen import CHANGES, changed, encode, picture  # noqa: E402

from bot.images import hashing, known  # noqa: E402

UNRELATED_SEED = 1_000_000


def baseline_hash(data: bytes) -> int:
    """imagehash.phash(image) of the whole picture, untrimmed: 64 bits."""
    grey = hashing.load_gray(data).astype(np.float64)
    words = hashing.phashes(grey, (hashing.WHOLE,), (hashing.WHOLE,), side=8)
    return int(words[0, 0])


def percent(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):5.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bases", type=int, default=200)
    parser.add_argument("--unrelated", type=int, default=1000)
    parser.add_argument("--baseline-bits", type=int, default=10)
    args = parser.parse_args()

    started = time.perf_counter()
    base_bytes = [encode(picture(seed)) for seed in range(args.bases)]
    made = time.perf_counter() - started
    started = time.perf_counter()
    fingerprints = [hashing.fingerprint(data) for data in base_bytes]
    fp_ms = 1000 * (time.perf_counter() - started) / args.bases
    index = known.KnownImages(enumerate(fingerprints))
    baseline = np.array([baseline_hash(data) for data in base_bytes], dtype=np.uint64)
    print(f"{args.bases} known pictures made in {made:.1f} s; fingerprint {fp_ms:.1f} ms each, "
          f"{len(fingerprints[0].text)} characters stored each")

    found: Counter[str] = Counter()
    confident: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    base_found: Counter[str] = Counter()
    own_coarse: list[int] = []
    own_fine: list[int] = []
    own_colour: list[float] = []
    own_shape: list[float] = []
    hash_s = match_s = 0.0
    for seed in range(args.bases):
        image = picture(seed)
        for change in CHANGES:
            data = changed(image, change, seed)
            t0 = time.perf_counter()
            query = hashing.query_hashes(data)
            t1 = time.perf_counter()
            match = index.lookup(query)
            t2 = time.perf_counter()
            hash_s += t1 - t0
            match_s += t2 - t1
            if match is not None and match.statement_id == seed:
                found[change] += 1
                confident[change] += match.confident
                own_coarse.append(match.distance)
                if match.distance <= known.CONFIDENT_DISTANCE:  # the finer checks were made
                    own_fine.append(match.quarters)
                    own_colour.append(match.colour)
                    own_shape.append(match.shape)
            elif match is not None and match.confident:
                wrong[change] += 1
            distance = np.bitwise_count(baseline ^ np.uint64(baseline_hash(data)))
            nearest = int(np.argmin(distance))
            base_found[change] += nearest == seed and distance[nearest] <= args.baseline_bits

    lookups = args.bases * len(CHANGES)
    print(f"\ncopies of the {args.bases} known pictures (confident = answered outright):")
    print(f"{'change':<12} {'confident':>10} {'found':>8} {'wrong':>6} {'baseline':>9}")
    for change in CHANGES:
        print(f"{change:<12} {percent(confident[change], args.bases):>10} "
              f"{percent(found[change], args.bases):>8} {wrong[change]:>6} "
              f"{percent(base_found[change], args.bases):>9}")
    print(f"copies' distances, max (95th percentile; confident at most; the finer ones of "
          f"the {len(own_fine)} copies within the coarse one): coarse "
          f"{max(own_coarse)} ({np.percentile(own_coarse, 95):.0f}; {known.CONFIDENT_DISTANCE}),"
          f" quarters {max(own_fine)} ({np.percentile(own_fine, 95):.0f}; "
          f"{known.CONFIDENT_QUARTERS}), colour {max(own_colour):.1f} "
          f"({np.percentile(own_colour, 95):.1f}; {known.CONFIDENT_COLOUR}), shape "
          f"{max(own_shape):.3f} ({np.percentile(own_shape, 95):.3f}; {known.CONFIDENT_SHAPE})")

    false_confident = base_false = 0
    near_coarse: list[int] = []
    near_fine: list[int] = []
    near_colour: list[float] = []
    stopped_by: Counter[str] = Counter()
    for seed in range(UNRELATED_SEED, UNRELATED_SEED + args.unrelated):
        data = encode(picture(seed))
        match = index.lookup(data)
        if match is not None:
            near_coarse.append(match.distance)
            near_fine.append(match.quarters)
            near_colour.append(match.colour)
            if match.distance <= known.CONFIDENT_DISTANCE:  # the finer checks were made
                stopped_by.update(
                    name
                    for name, bad in (
                        ("quarters", match.quarters > known.CONFIDENT_QUARTERS),
                        ("colour", match.colour > known.CONFIDENT_COLOUR),
                        ("shape", match.shape > known.CONFIDENT_SHAPE),
                    )
                    if bad
                )
            false_confident += match.confident
        distance = np.bitwise_count(baseline ^ np.uint64(baseline_hash(data)))
        base_false += int(distance.min()) <= args.baseline_bits
    print(f"\n{args.unrelated} unrelated pictures of the same kinds: {false_confident} confident "
          f"matches (baseline: {base_false} within {args.baseline_bits} bits)")
    if near_coarse:
        print(f"  {len(near_coarse)} came within {known.CANDIDATE_DISTANCE} coarse bits of a "
              f"known picture, {sum(c <= known.CONFIDENT_DISTANCE for c in near_coarse)} within "
              f"{known.CONFIDENT_DISTANCE} (checked finer): min coarse {min(near_coarse)}, "
              f"quarters {min(near_fine)}, colour {min(near_colour):.1f}; of those, each finer "
              f"check failed by (one can fail several): {dict(sorted(stopped_by.items()))}")

    print(f"\nper lookup, against {len(index)} known pictures: hashing the photo "
          f"{1000 * hash_s / lookups:.1f} ms ({len(hashing.windows())} windows), "
          f"matching {1000 * match_s / lookups:.1f} ms")
    reload_timing(fingerprints)


def reload_timing(fingerprints: list[hashing.Fingerprint], count: int = 2000) -> None:
    """What a reload after a statement change costs: `count` fingerprints in a database,
    read and indexed (bot.images.library.load_known)."""
    import tempfile

    import storage
    from bot.images.library import load_known
    from storage import StatementInput
    from storage.statement_images import add_image

    with tempfile.TemporaryDirectory() as folder:
        db = storage.open_db(Path(folder) / "known.db")
        for n in range(count):
            key = f"bench-{n}"
            storage.save_statement(db, StatementInput(key, "KPU", "HOAKS", f"klaim {n}",
                                                      "penjelasan"), actor="bench")
            add_image(db, key, fingerprints[n % len(fingerprints)].text, actor="bench")
        started = time.perf_counter()
        index = load_known(db)
        took = time.perf_counter() - started
        db.close()
    print(f"reload after a change: {len(index)} known pictures read and indexed in "
          f"{1000 * took:.1f} ms")


if __name__ == "__main__":
    main()
