"""When a "possible" answer has one clear leader: how often that leader is right, per dev set.

    cd ../shared/eval && python <project>/bench/suggest.py dev komdigi-dev election-dev

A "possible" answer (not sure) used to list three candidates. When the best one clearly
leads, the bot shows its card instead, worded as a suggestion ("Mungkin ini yang Anda
maksud"). A wrong suggestion still looks official, so the rule must be precise. For each
lead threshold (the best candidate's share of the softmax over candidates, `Match.score`),
printed per set: how many texts get a suggestion (of all "possible" answers), how many of
those suggestions are right, and how many unanswerable texts (no statement answers them)
get one. A threshold is chosen on each set (the lowest with precision >= MIN_PRECISION) and
measured on the others: the bot would show suggestions only for a threshold chosen on one
set that holds on the others. Measured so far, none does (dev's best is 0.75 precision), so
the bot lists candidates, each with its verdict, and offers "Kabari saya" under the list.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import load  # the dev sets read as bench/quality.py reads them

from bot.evaluation import EvalSet
from bot.matcher.index import MatchIndex
from bot.matcher.match import Tier, match_text

GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
MIN_PRECISION = 0.9  # a suggestion is right at least this often on the set it is chosen on


@dataclass(frozen=True, slots=True)
class Possible:
    share: float  # the best candidate's share, 0-1
    right: bool  # the best candidate answers the text
    answerable: bool  # some statement answers the text


def possibles(evalset: EvalSet) -> tuple[list[Possible], int]:
    """Every "possible" answer of the shipped matcher on the set, and how many texts."""
    index = MatchIndex(evalset.docs)
    found = []
    for text, expected in evalset.labelled:
        result = match_text(index, text)
        if result.tier is Tier.POSSIBLE and result.matches:
            best = result.matches[0]
            found.append(Possible(best.score / 100, best.statement_id in expected, bool(expected)))
    return found, len(evalset.labelled)


def row(found: list[Possible], threshold: float) -> tuple[int, int, int]:
    """Suggestions made, right, and made for unanswerable texts, at `threshold`."""
    made = [p for p in found if p.share >= threshold]
    return len(made), sum(p.right for p in made), sum(not p.answerable for p in made)


def chosen(found: list[Possible]) -> float | None:
    """The lowest threshold whose suggestions are right at least MIN_PRECISION of the time."""
    for t in GRID:
        made, right, _ = row(found, t)
        if made and right / made >= MIN_PRECISION:
            return t
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", type=Path, nargs="+", help="dev set folders (../shared/eval/*)")
    args = ap.parse_args()
    sets = load(args.folders)
    measured = {s.name: possibles(s) for s in sets}
    picks = {name: chosen(found) for name, (found, _) in measured.items()}
    for s in sets:
        found, texts = measured[s.name]
        print(
            f"{s.name}: {texts} texts, {len(found)} 'possible' answers; chosen here: "
            f"{picks[s.name] if picks[s.name] is not None else 'none reaches'} "
            f"(precision >= {MIN_PRECISION})"
        )
        print(
            f"  {'share >=':>9} {'suggested':>9} {'right':>7} {'precision':>9} {'unanswerable':>12}"
        )
        for t in GRID:
            made, right, wrong_null = row(found, t)
            precision = f"{right / made:.3f}" if made else "-"
            from_others = [n for n, p in picks.items() if p == t and n != s.name]
            mark = f" <- chosen on {', '.join(from_others)}" if from_others else ""
            print(f"  {t:>9.2f} {made:>9} {right:>7} {precision:>9} {wrong_null:>12}{mark}")
        print()
    holds = [
        name
        for name, t in picks.items()
        if t is not None
        and all(
            (r := row(measured[other][0], t))[0] == 0 or r[1] / r[0] >= MIN_PRECISION
            for other in measured
        )
    ]
    print("a threshold chosen on one set that holds on all: " + (", ".join(holds) or "none"))


if __name__ == "__main__":
    main()
