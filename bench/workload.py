"""What the end-to-end benches run on: a statement base of any size, grown synthetically from
the dev fact-checks as bench/matcher.py grows them, and citizens' messages from the dev
queries and distractors.

Its own module because bench/throughput.py and bench/rebuild.py measure on the same base,
and importing it must not pull in a benchmark's Telegram stack.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matcher import grow

import storage
from bot.evaluation import read_jsonl
from bot.kept_terms import import_statements
from bot.matcher.postings import IndexDoc


def build_base(dev: Path, size: int, db_path: Path) -> float:
    """Fill `db_path` with `size` statements; returns the seconds it took."""
    rng = random.Random(7)
    rows = list(read_jsonl(dev / "base.jsonl"))
    urls = {r["id"]: r.get("source_url") for r in rows}
    dates = {r["id"]: r.get("date") for r in rows}
    docs = grow([IndexDoc(r["id"], r["title"], (), r["text"]) for r in rows], size, rng)
    started = time.perf_counter()
    records = [
        {
            "id": d.statement_id,
            "org": "TurnBackHoax",
            "claim": d.claim,
            "clarification": d.clarification,
            "source_url": urls.get(d.statement_id) or "https://turnbackhoax.id/",
            "published_at": dates.get(d.statement_id),
        }
        for d in docs
    ]
    base_file = db_path.with_suffix(".jsonl")
    base_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    parsed = storage.parse_statements_file(base_file)
    if not parsed.ok:
        raise SystemExit("\n".join(parsed.errors[:10]))
    db = storage.open_db(db_path)
    import_statements(db, parsed.rows, actor="bench")  # as `cekklaim import` does
    db.close()
    return time.perf_counter() - started


def claim_texts(dev: Path) -> list[str]:
    texts = [
        r["text"]
        for name in ("queries.jsonl", "distractors.jsonl")
        for r in read_jsonl(dev / name)
        if r.get("text", "").strip()
    ]
    random.Random(11).shuffle(texts)
    return texts


class Load:
    """Hands out messages: fresh users, two messages each, interleaved (never adjacent)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.next_text = 0
        self.next_user = 5_000_000

    def messages(self, n: int) -> list[tuple[int, str]]:
        users = max(1, n // 2)
        out = []
        for i in range(n):
            out.append((self.next_user + i % users, self.texts[self.next_text % len(self.texts)]))
            self.next_text += 1
        self.next_user += users
        return out
