"""Matcher quality on every dev set, against plain BM25, and across sets, in the same run.

    cd ../shared/eval && python <project>/bench/quality.py dev komdigi-dev election-dev
    python bench/quality.py ../shared/eval/dev   # one set, no across-sets check

Each folder is one dev set (see ../shared/eval/*/README.md). A folder with statements.jsonl
(the election set) is mixed into the base of the first folder that has a base.jsonl.

Printed:
1. per set, the shipped model (bot/matcher/model.json) against SQLite FTS5 bm25() over the
   statement's title and text with the text's words ORed (what a plain full-text search gives);
2. the discipline check: weights and thresholds chosen on one set (bot.matcher.training, the
   same code bench/train_matcher.py runs) and measured on the others, in both directions, so a
   rule fitted to one set shows up as a drop on the other.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import EvalSet, load_eval_set
from bot.matcher import training
from bot.matcher.index import MatchIndex
from bot.matcher.match import MODEL, Model, Thresholds

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_or_query(text: str) -> str | None:
    """Raw text as an FTS5 query that is only words: each one quoted, ORed; None if empty."""
    words = {w.lower() for w in _WORD.findall(text) if len(w) > 1}
    if not words:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))


def bm25_ranks(evalset: EvalSet) -> list[int | None]:
    """Rank (1-5) of the first acceptable statement for each answerable text, by FTS5 BM25."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE fc USING fts5(id UNINDEXED, title, text)")
    conn.executemany(
        "INSERT INTO fc VALUES (?, ?, ?)",
        [(r["id"], r["title"], r["text"]) for r in evalset.base_rows],
    )
    ranks: list[int | None] = []
    for text, expected in evalset.labelled:
        if not expected:
            continue
        fts = fts_or_query(text)
        ids = []
        if fts:
            rows = conn.execute(
                "SELECT id FROM fc WHERE fc MATCH ? ORDER BY bm25(fc) LIMIT 5", (fts,)
            )
            ids = [r[0] for r in rows]
        ranks.append(next((i + 1 for i, x in enumerate(ids) if x in expected), None))
    return ranks


def at(ranks: list[int | None], k: int) -> float:
    return sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1)


def line(name: str, r: training.Report) -> str:
    return (
        f"  {name:<34} S@1 {r.success_at_1:.3f}  S@3 {r.success_at_3:.3f}  "
        f"confident+right {r.confident_right_rate:6.1%}  precision {r.precision:.3f}  "
        f"false-confident {r.false_confident_rate:5.2%}  possible(null) {r.possible_null_rate:5.1%}"
    )


def load(folders: list[Path]) -> list[EvalSet]:
    base = next((f for f in folders if (f / "base.jsonl").exists()), None)
    return [load_eval_set(f, base) for f in folders]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", type=Path, nargs="+", help="dev set folders (../shared/eval/*)")
    ap.add_argument("--no-cross", action="store_true", help="skip the across-sets check")
    args = ap.parse_args()
    sets = load(args.folders)

    examples: dict[str, list[training.Example]] = {}
    print("Per set: the shipped model (bot/matcher/model.json) against plain BM25\n")
    for s in sets:
        started = time.perf_counter()
        index = MatchIndex(s.docs)
        examples[s.name] = training.collect(index, s.labelled)
        ours = training.measure(examples[s.name], MODEL)
        seconds = time.perf_counter() - started
        ranks = bm25_ranks(s)
        print(
            f"{s.name}: {len(s.docs)} statements, {ours.answerable} answerable texts, "
            f"{ours.unanswerable} unanswerable ({seconds:.0f} s)"
        )
        print(f"  {'':34} {'BM25 (FTS5)':>11} {'CekKlaim':>9}")
        for label, base, mine in (
            ("Success@1", at(ranks, 1), ours.success_at_1),
            ("Success@3", at(ranks, 3), ours.success_at_3),
            ("Success@5", at(ranks, 5), ours.success_at_5),
        ):
            print(f"  {label:<34} {base:>11.3f} {mine:>9.3f}")
        lead = 100 * (ours.success_at_1 - at(ranks, 1))
        print(f"  lead over BM25 on Success@1: {lead:+.1f} points")
        print(
            f"  answered confidently and right: {ours.confident_right} of {ours.answerable} "
            f"({ours.confident_right_rate:.1%}); confident precision {ours.precision:.3f} "
            f"({ours.confident_right}/{ours.confident})"
        )
        print(
            f"  confident answers to unanswerable texts: {ours.false_confident} of "
            f"{ours.unanswerable} ({ours.false_confident_rate:.2%}); offered 'possible' "
            f"candidates: {ours.possible_null_rate:.1%}"
        )
        print(
            f"  answerable texts offered an answer with the right one in the top 3: "
            f"{ours.top3_offered / max(ours.answerable, 1):.1%}\n"
        )

    tunable = [s.name for s in sets if not (s.name.startswith("election"))]
    if args.no_cross or len(tunable) < 2:
        return
    print("Across sets: chosen on one, measured on all (weights | thresholds)\n")
    shipped_w, shipped_t = MODEL.weights, MODEL.thresholds
    for weights_from in tunable:
        weights = training.fit_weights(examples[weights_from])
        for thresholds_from in tunable:
            outcomes = training.outcomes(examples[thresholds_from], weights)
            thresholds = training.choose_thresholds(outcomes)
            model = Model(weights, thresholds)
            marker = " (shipped)" if (weights, thresholds) == (shipped_w, shipped_t) else ""
            print(f"weights from {weights_from}, thresholds from {thresholds_from}{marker}")
            print(f"  weights {dict(zip(training.FEATURES, weights, strict=True))}")
            print(f"  thresholds {_short(thresholds)}")
            for s in sets:
                print(line(s.name, training.measure(examples[s.name], model)))
            print()


def _short(t: Thresholds) -> str:
    from dataclasses import asdict

    return ", ".join(f"{k} {v:g}" for k, v in asdict(t).items())


if __name__ == "__main__":
    main()
