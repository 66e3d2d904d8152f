"""An immutable in-memory index over statements: BM25 retrieval, then fuzzy re-ranking.

Built once from a snapshot of the statements and never mutated: a change to the base builds
a new index and the caller swaps the reference (one assignment, safe under asyncio).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matcher.normalize import Normalized, normalize

# BM25 parameters (Robertson's defaults; k1 lowered because statement heads are short).
K1 = 1.2
B = 0.75
HEAD_WEIGHT = 2.0  # the claim and its phrasings say what a statement is about
BODY_WEIGHT = 1.0  # the clarification quotes the claim, but also a lot else
MAX_POSTINGS = 200  # per term, highest impact first: bounds work for very common words
MAX_QUERY_TERMS = 48  # a long forwarded post is represented by its most specific words
CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """What the matcher needs of a statement; storage rows are converted to this."""

    statement_id: str
    claim: str
    variants: tuple[str, ...] = ()
    clarification: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A statement retrieved for a text, with what the ranker reads of it."""

    doc: int
    bm25: float  # HEAD_WEIGHT * BM25 in the claim and phrasings + BODY_WEIGHT * in the rest
    explained: float  # idf-weighted share of the text's words the statement uses (0-1)


class MatchIndex:
    """BM25 over head (claim + variants) and body (clarification) of every statement."""

    def __init__(self, docs: Sequence[IndexDoc]) -> None:
        self.ids: tuple[str, ...] = tuple(d.statement_id for d in docs)
        self.heads: list[tuple[Normalized, ...]] = []
        # what the re-ranker derives from a phrasing once and reads for every text after
        # (match.py; bounded there): plain values, no references back to the index
        self.memo: dict[tuple[int, int], object] = {}
        # Pass 1: raw term frequencies straight into compact per-term arrays, so building
        # 100k statements never holds a Python object per posting.
        raw: dict[str, tuple[array[int], array[int], array[int]]] = {}
        head_len = array("I")
        body_len = array("I")
        for i, doc in enumerate(docs):
            heads = tuple(normalize(t) for t in (doc.claim, *doc.variants) if t.strip())
            self.heads.append(heads)
            head_tf: Counter[str] = Counter()
            for h in heads:
                head_tf.update(set(h.terms))
            body_tf = Counter(normalize(doc.clarification).terms)
            head_len.append(sum(head_tf.values()))
            body_len.append(sum(body_tf.values()))
            for t in head_tf.keys() | body_tf.keys():
                entry = raw.get(t)
                if entry is None:
                    entry = raw[t] = (array("i"), array("I"), array("I"))
                entry[0].append(i)
                entry[1].append(head_tf.get(t, 0))
                entry[2].append(body_tf.get(t, 0))
        n = max(len(self.ids), 1)
        self.idf: dict[str, float] = {
            t: math.log(1 + (n - len(e[0]) + 0.5) / (len(e[0]) + 0.5)) for t, e in raw.items()
        }
        # a word no statement uses is as specific as the rarest one
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        avg_head = sum(head_len) / n or 1.0
        avg_body = sum(body_len) / n or 1.0
        # Pass 2: BM25 impact per posting, highest first, capped per term.
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for t, (ids, htf, btf) in raw.items():
            idf = self.idf[t]
            weights = [
                idf
                * (
                    HEAD_WEIGHT * _bm25_tf(htf[j], head_len[i], avg_head)
                    + BODY_WEIGHT * _bm25_tf(btf[j], body_len[i], avg_body)
                )
                for j, i in enumerate(ids)
            ]
            order = heapq.nlargest(MAX_POSTINGS, range(len(ids)), key=weights.__getitem__)
            self.postings[t] = (
                np.array([ids[j] for j in order], dtype=np.int32),
                np.array([weights[j] for j in order], dtype=np.float32),
            )

    def __len__(self) -> int:
        return len(self.ids)

    def weight(self, term: str) -> float:
        """How specific a word is (idf); a word no statement uses counts as the rarest."""
        return self.idf.get(term, self.max_idf)

    def retrieve(self, query: Normalized, k: int = CANDIDATES) -> list[Candidate]:
        """Top-k statements by BM25; query words unknown to the base are ignored."""
        distinct = set(query.terms)
        # sorted: the same text gives the same sums and ties in every process (set order
        # follows the per-process string hash), so a trained model reproduces exactly
        terms = sorted(t for t in distinct if t in self.postings)
        if len(terms) > MAX_QUERY_TERMS:
            terms = sorted(terms, key=lambda t: (-self.idf[t], t))[:MAX_QUERY_TERMS]
        if not terms:
            return []
        # every posting of the text's words at once, summed per statement in numpy (dense
        # over the base: a few hundred microseconds at 100,000 statements, where a Python
        # loop over up to MAX_QUERY_TERMS * MAX_POSTINGS postings took milliseconds)
        lists = [self.postings[t] for t in terms]
        ids = np.concatenate([p[0] for p in lists])
        weights = np.concatenate([p[1] for p in lists]).astype(np.float64)
        size = len(self.ids)
        sums = np.bincount(ids, weights=weights, minlength=size)
        touched = np.flatnonzero(np.bincount(ids, minlength=size))
        if len(touched) > k:  # keep the k best, and every statement tied with the k-th
            values = sums[touched]
            kth = np.partition(values, len(values) - k)[len(values) - k]
            touched = touched[values >= kth]
        # best first; ties go to the statement stored first, so every process agrees
        top = touched[np.lexsort((touched, -sums[touched]))[:k]]
        # which of the text's words each candidate uses: idf summed over the postings that
        # hold a candidate
        query_mass = sum(self.weight(t) for t in sorted(distinct)) or 1.0
        idfs = np.repeat(np.array([self.idf[t] for t in terms]), [len(p[0]) for p in lists])
        rank_of = np.full(size, -1, dtype=np.int64)
        rank_of[top] = np.arange(len(top))
        ranks = rank_of[ids]
        held = ranks >= 0
        shared = np.bincount(ranks[held], weights=idfs[held], minlength=len(top))
        return [
            Candidate(int(d), float(sums[d]), float(shared[r]) / query_mass)
            for r, d in enumerate(top)
        ]


def _bm25_tf(tf: int, length: int, avg: float) -> float:
    if tf == 0:
        return 0.0
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
