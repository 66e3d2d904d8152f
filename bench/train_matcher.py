"""Choose the matcher's weights on one dev set and its thresholds on another; write model.json.

    python bench/train_matcher.py --weights-from ../shared/eval/komdigi-dev \
        --thresholds-from ../shared/eval/dev [--write]

Deterministic: the same folders give the same file. Without --write it only prints the model
it would ship; bench/quality.py then shows how it does on every set and in both directions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluation import load_eval_set
from bot.matcher import training
from bot.matcher.index import MatchIndex
from bot.matcher.match import MODEL_PATH, Model


def examples(folder: Path, base: Path | None) -> list[training.Example]:
    evalset = load_eval_set(folder, base)
    return training.collect(MatchIndex(evalset.docs), evalset.labelled)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights-from", type=Path, required=True)
    ap.add_argument("--thresholds-from", type=Path, required=True)
    ap.add_argument("--base", type=Path, help="base to mix a statements.jsonl set into")
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.name}")
    args = ap.parse_args()

    weights = training.fit_weights(examples(args.weights_from, args.base))
    tuned = examples(args.thresholds_from, args.base)
    thresholds = training.choose_thresholds(training.outcomes(tuned, weights))
    model = Model(weights, thresholds)
    data = {
        **model.to_dict(),
        "chosen_on": {
            "weights": args.weights_from.resolve().name,
            "thresholds": args.thresholds_from.resolve().name,
            "how": "bench/train_matcher.py (bot.matcher.training)",
        },
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    print(text, end="")
    if args.write:
        MODEL_PATH.write_text(text, encoding="utf-8")
        print(f"written to {MODEL_PATH}")


if __name__ == "__main__":
    main()
