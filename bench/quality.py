"""Matcher quality on the dev set, against plain BM25 over title + text, in the same run.

    python bench/quality.py ../shared/eval/dev

The baseline is SQLite FTS5's bm25() over the fact-check title and text with the query's
words ORed: what a straightforward full-text search would give. CekKlaim's matcher runs
on the same base and queries (answerable queries, withheld ones and distractors).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import EvalReport, Query, evaluate, read_jsonl, read_queries
from bot.matcher.index import IndexDoc, MatchIndex
from bot.matcher.match import Tier, match_text

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_or_query(text: str) -> str | None:
    """Raw text as an FTS5 query that is only words: each one quoted, ORed; None if empty."""
    words = {w.lower() for w in _WORD.findall(text) if len(w) > 1}
    if not words:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))


def bm25_baseline(base: list[dict], queries: list[Query]) -> EvalReport:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE fc USING fts5(id UNINDEXED, title, text)")
    conn.executemany(
        "INSERT INTO fc VALUES (?, ?, ?)", [(r["id"], r["title"], r["text"]) for r in base]
    )
    report = EvalReport()
    for q in queries:
        fts = fts_or_query(q.text)
        ids = []
        if fts:
            rows = conn.execute(
                "SELECT id FROM fc WHERE fc MATCH ? ORDER BY bm25(fc) LIMIT 5", (fts,)
            )
            ids = [r[0] for r in rows]
        report.add(q, ids, Tier.NONE)  # BM25 has no notion of confidence
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path, help="folder with base.jsonl, queries.jsonl, distractors")
    args = ap.parse_args()
    base = list(read_jsonl(args.dev / "base.jsonl"))
    queries = read_queries([args.dev / "queries.jsonl", args.dev / "distractors.jsonl"])

    started = time.perf_counter()
    baseline = bm25_baseline(base, queries)
    baseline_s = time.perf_counter() - started

    started = time.perf_counter()
    index = MatchIndex([IndexDoc(r["id"], r["title"], (), r["text"]) for r in base])
    ours = evaluate(lambda text: match_text(index, text), queries)
    ours_s = time.perf_counter() - started

    print(
        f"dev set: {len(base)} statements, {ours.answerable} answerable queries, "
        f"{ours.unanswerable} unanswerable (withheld + distractors)\n"
    )
    print(f"{'':24} {'BM25 (FTS5)':>12} {'CekKlaim':>10}")
    for name, a, b in [
        ("Success@1", baseline.success_at_1, ours.success_at_1),
        ("Success@5", baseline.success_at_5, ours.success_at_5),
        ("MRR", baseline.mrr, ours.mrr),
    ]:
        print(f"{name:24} {a:>12.3f} {b:>10.3f}")
    print(f"{'seconds (all queries)':24} {baseline_s:>12.2f} {ours_s:>10.2f}")
    print()
    print(
        f"lead over BM25 on Success@1: {100 * (ours.success_at_1 - baseline.success_at_1):+.1f} "
        "points (target: >= +10, and >= 0.85)"
    )
    print(
        f"confident answers: {ours.confident_total}, right {ours.confident_right} "
        f"-> precision {ours.confident_precision:.3f} (target >= 0.95)"
    )
    print(
        f"answerable queries answered confidently: {ours.confident_answerable} of "
        f"{ours.answerable} ({ours.confident_answerable / max(ours.answerable, 1):.1%})"
    )
    print(
        f"false-confident on unanswerable: {ours.false_confident} of {ours.unanswerable} "
        f"= {ours.false_confident_rate:.2%} (target <= 2%)"
    )
    print(f"tiers: {ours.tiers}")


if __name__ == "__main__":
    main()
