"""The statement index: BM25 retrieval over a base built once and the changes made since.

A view (`MatchIndex`) never changes once made, so a reader keeps one consistent view while
the base changes. `with_changes` returns the next view: it shares the large parts with the
one before (the base's postings, every statement's normalized phrasings) and adds only the
statements that changed, so an edit at 100,000 statements costs milliseconds, not a rebuild.
A word's BM25 impacts come from the view's own counts (statements, document frequencies,
average lengths), so a view reached by any sequence of changes ranks exactly as one built
fresh from the same statements in the same order. `compacted` folds the changes in.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matcher import paced
from bot.matcher.building import BaseBuilder
from bot.matcher.heap import held_back
from bot.matcher.layered import Layered
from bot.matcher.normalize import Normalized
from bot.matcher.postings import (
    BODY_WEIGHT,
    HEAD_WEIGHT,
    Built,
    DocTerms,
    IndexDoc,
    Postings,
    Ready,
    bm25_tf,
    idf_weights,
    ints,
    read,
    ready_impacts,
)

MAX_POSTINGS = 200  # per term, highest impact first: bounds work for very common words
MAX_QUERY_TERMS = 48  # a long forwarded post is represented by its most specific words
CANDIDATES = 20
IMPACTS_LIMIT = 200_000  # words whose impacts a view remembers; it starts over past this
#: a view with changes works out the impacts of words held this often and asked for lately
#: (ASKED; the SEEDED commonest at first) in a worker thread (`warm`): claims stalled the loop
WARM_FROM, ASKED, SEEDED = 500, 2_000, 100

Impacts = tuple[np.ndarray, np.ndarray]  # statement slots (int32), BM25 impacts (float32)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A statement retrieved for a text, with what the ranker reads of it."""

    doc: int
    bm25: float  # HEAD_WEIGHT * BM25 in the claim and phrasings + BODY_WEIGHT * in the rest
    explained: float  # idf-weighted share of the text's words the statement uses (0-1)


class MatchIndex:
    """BM25 over head (claim + variants) and body (clarification) of every statement.

    Slots: each statement version has one; a changed or removed statement's slot goes dead.
    `ids[slot]` and `heads[slot]` are what the re-ranker reads; ties go to the statement
    stored first (`order`), in every view alike."""

    def __init__(self, docs: Sequence[IndexDoc], keys: Sequence[int] | None = None) -> None:
        """`keys`: the statements' places in the database (ties go to the lower one);
        their places in `docs` by default."""
        with held_back():  # bot/matcher/heap.py
            builder = BaseBuilder()
            for doc in docs:
                builder.add_text(doc)
            built = builder.built()
            del builder
            order = np.arange(len(built.ids)) if keys is None else np.array(keys, dtype=np.int64)
            self._start(built._replace(order=order))
            del built

    @classmethod
    def from_built(cls, built: Built) -> MatchIndex:
        """A view with no changes over a base as `built` gives it (saved: bot/matcher/saved.py)."""
        index = cls.__new__(cls)
        index._start(built)
        return index

    def built(self) -> Built:
        """What a view with no changes is made of, to save it."""
        if self._changed:
            raise ValueError("only a view with no changes in place is saved: compact it")
        parts = (self._base, self.ids, self.heads, self._head_len, self._body_len, self._order)
        return Built(*parts, self._ready)

    def _start(self, built: Built) -> None:
        """A view with no changes: every statement in the base."""
        base, ids, heads, head_len, body_len, order, ready = built
        assert order is not None
        self.ids, self.heads = ids, heads
        self._base, self._base_size = base, len(ids)
        self._added: list[DocTerms | None] = []  # slots past the base: changed statements
        self._delta: dict[str, tuple[int, ...]] = {}  # word -> live and dead added slots
        self._df_change: dict[str, int] = {}
        self._changed = False
        self._alive = np.ones(len(ids), dtype=bool)
        self._order = order
        self._head_len, self._body_len = head_len, body_len
        self._head_total, self._body_total = int(head_len.sum()), int(body_len.sum())
        self._live = len(ids)
        top = np.argsort(-np.diff(base.start), kind="stable")[:SEEDED]  # words asked for lately
        self._asked: dict[str, None] = dict.fromkeys(base.names[r] for r in top.tolist())
        self._slot_of: Layered[str, int] = Layered({sid: i for i, sid in enumerate(ids)})
        self._reset_caches()
        self._ready = ready if ready is not None else self._all_impacts()

    def _reset_caches(self) -> None:
        n = max(self._live, 1)
        self._avg_head = self._head_total / n or 1.0
        self._avg_body = self._body_total / n or 1.0
        # a word no statement uses is as specific as the rarest one
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0
        self._idf: dict[str, float] = {}
        self._impacts: dict[str, Impacts] = {}
        # what the re-ranker derives from a phrasing once and reads for every text after
        # (signals.py; bounded there): plain values, no references back to the index
        self.memo: dict[tuple[int, int], object] = {}

    def __len__(self) -> int:
        return self._live

    def __contains__(self, statement_id: object) -> bool:
        return statement_id in self._slot_of

    @property
    def changes(self) -> int:
        """Statements added, replaced or removed since the base was built (0: a fresh base)."""
        return len(self._added) + int(self._base_size - self._alive[: self._base_size].sum())

    def df(self, term: str) -> int:
        """How many statements use a word."""
        return self._base.df(term) + self._df_change.get(term, 0)

    def weight(self, term: str) -> float:
        """How specific a word is (idf); a word no statement uses counts as the rarest."""
        idf = self._idf.get(term)
        if idf is None:
            df = self.df(term)
            if df <= 0:
                return self.max_idf
            n = max(self._live, 1)
            idf = self._idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return idf

    def with_changes(
        self,
        upserts: Iterable[DocTerms | IndexDoc] = (),
        removals: Collection[str] = (),
        keys: Sequence[int] | None = None,
    ) -> MatchIndex:
        """The next view: `removals` gone, `upserts` added or replacing their earlier
        version. `keys`: the upserts' places in the database; by default an edited
        statement keeps its place and a new one goes last. This view does not change."""
        upserts = list(upserts)
        if not upserts and not any(sid in self._slot_of for sid in removals):
            return self  # nothing to take in: the same view, still a fresh base if it was one
        new = MatchIndex.__new__(MatchIndex)
        new.ids, new.heads = list(self.ids), list(self.heads)
        new._base, new._base_size = self._base, self._base_size
        new._added = list(self._added)
        new._changed = True
        new._delta = dict(self._delta)
        new._df_change = dict(self._df_change)
        new._head_total, new._body_total = self._head_total, self._body_total
        new._live = self._live
        docs = [d if isinstance(d, DocTerms) else read(d) for d in upserts]
        removed = [sid for sid in dict.fromkeys(removals) if sid in self._slot_of]
        dead = [self._slot_of[sid] for sid in removed]
        now: dict[str, int | None] = dict.fromkeys(removed)  # this view's own (None: gone)
        places: list[int] = []
        next_key = int(self._order.max()) + 1 if len(self._order) else 0
        for i, d in enumerate(docs):
            sid = d.statement_id
            old = now[sid] if sid in now else self._slot_of.get(sid)
            if old is not None:
                dead.append(old)
            if keys is not None:
                places.append(keys[i])
            elif old is not None:
                places.append(int(self._order[old]))
            else:
                places.append(next_key)
                next_key += 1
            now[sid] = len(new.ids)
            new.ids.append(d.statement_id)
            new.heads.append(d.heads)
            new._added.append(d)
        put = [(sid, slot) for sid, slot in now.items() if slot is not None]
        new._slot_of = self._slot_of.changed(removed, put)  # not a copy of every statement's
        size = len(new.ids)
        new._alive = np.concatenate((self._alive, np.ones(len(docs), dtype=bool)))
        new._order = np.concatenate((self._order, np.array(places, dtype=np.int64)))
        new._head_len = np.concatenate(
            (self._head_len, np.array([d.head_len for d in docs], dtype=np.int64))
        )
        new._body_len = np.concatenate(
            (self._body_len, np.array([d.body_len for d in docs], dtype=np.int64))
        )
        new._enter(range(size - len(docs), size))
        gone = sorted({s for s in dead if new._alive[s]})
        in_base = new._base.words_of(s for s in gone if s < new._base_size)
        for slot in gone:
            new._kill(slot, in_base.get(slot, ()))
        new._reset_caches()
        new._asked = self._asked
        return new

    def warm(self, going: Callable[[], bool] = lambda: True) -> None:
        """`impacts` of common words asked for lately (WARM_FROM) and meanwhile, while
        `going()`: a word at a time, the GIL given up after each (one numpy pass held it)."""
        done: set[str] = set()
        while len(done) < len(self._asked):
            for term in [t for t in list(self._asked) if t not in done]:
                done.add(term)
                if not going():
                    return
                if self.df(term) >= WARM_FROM:
                    self.impacts(term)
                    time.sleep(0)

    def _added_words(self, slot: int) -> Iterable[str]:
        doc = self._added[slot - self._base_size]
        assert doc is not None
        return doc.terms

    def _kill(self, slot: int, base_words: Iterable[str]) -> None:
        words = base_words if slot < self._base_size else self._added_words(slot)
        for t in words:
            self._df_change[t] = self._df_change.get(t, 0) - 1
        self._alive[slot] = False
        self._live -= 1
        self._head_total -= int(self._head_len[slot])
        self._body_total -= int(self._body_len[slot])
        self.heads[slot] = ()
        if slot >= self._base_size:
            self._added[slot - self._base_size] = None

    def _enter(self, slots: range) -> None:
        grouped: dict[str, list[int]] = {}
        for slot in slots:
            for t in self._added_words(slot):
                grouped.setdefault(t, []).append(slot)
            self._live += 1
            self._head_total += int(self._head_len[slot])
            self._body_total += int(self._body_len[slot])
        for t, added in grouped.items():  # one copy per word, however many statements
            self._df_change[t] = self._df_change.get(t, 0) + len(added)
            self._delta[t] = (*self._delta.get(t, ()), *added)

    def compacted(self) -> MatchIndex:
        """The same statements as one fresh base, in order, with no text processing: it
        ranks exactly as this view. Made off the event loop once changes pile up."""
        live = np.flatnonzero(self._alive)
        live = live[np.argsort(self._order[live], kind="stable")]
        new_slot = np.full(len(self.ids), -1, dtype=np.int64)
        new_slot[live] = np.arange(len(live))
        rows, slots, htf, btf = self._base.entries()
        keep = self._alive[slots]
        names = list(self._base.names)
        known = dict(self._base.rows)
        extra = [array("i") for _ in range(4)]
        for i, doc in enumerate(self._added):
            if doc is None:
                continue
            words = list(doc.terms)
            extra[0].extend([known.setdefault(t, len(known)) for t in words])
            extra[1].extend([int(new_slot[self._base_size + i])] * len(words))
            extra[2].extend([doc.head_tf.get(t, 0) for t in words])
            extra[3].extend([doc.body_tf.get(t, 0) for t in words])
        names.extend(list(known)[len(names) :])
        term_row = np.concatenate((rows[keep], ints(extra[0])))
        slot = np.concatenate((new_slot[slots[keep]].astype(np.int32), ints(extra[1])))
        head_tf = np.concatenate((htf[keep], ints(extra[2])))
        body_tf = np.concatenate((btf[keep], ints(extra[3])))
        # a word no live statement uses any more drops out
        used = paced.bincount(term_row, None, len(names)) > 0
        renumber = np.cumsum(used) - 1
        names = [t for t, u in zip(names, used.tolist(), strict=True) if u]
        base = Postings.grouped(
            names, len(live), renumber[term_row].astype(np.int32), slot, head_tf, body_tf
        )
        ids = [self.ids[s] for s in live.tolist()]
        heads = [self.heads[s] for s in live.tolist()]
        lengths = (self._head_len[live], self._body_len[live])
        index = MatchIndex.from_built(Built(base, ids, heads, *lengths, self._order[live]))
        index._asked = self._asked  # what claims asked for lately, still (`warm`)
        return index

    def _all_impacts(self) -> Ready:
        """Every word's impacts at once: how a fresh base is made ready to answer with no
        first-use cost (`impacts` gives the same word by word)."""
        idf = idf_weights(np.diff(self._base.start), max(self._live, 1), self.max_idf)
        lengths = (self._head_len, self._body_len, self._avg_head, self._avg_body)
        return ready_impacts(self._base, idf, lengths, self._order, MAX_POSTINGS)

    def impacts(self, term: str) -> Impacts:
        """A word's MAX_POSTINGS highest BM25 impacts, best first (ties: stored first)."""
        if not self._changed:
            row = self._base.rows[term]
            slots, weights, starts = self._ready
            a, b = int(starts[row]), int(starts[row + 1])
            return slots[a:b], weights[a:b]
        found = self._impacts.get(term)
        if found is not None:
            return found
        slots, htf, btf = self._gather(term)
        idf = self.weight(term)
        weights = idf * (
            HEAD_WEIGHT * bm25_tf(htf, self._head_len[slots], self._avg_head)
            + BODY_WEIGHT * bm25_tf(btf, self._body_len[slots], self._avg_body)
        )
        if len(weights) > MAX_POSTINGS:
            kth = np.partition(weights, len(weights) - MAX_POSTINGS)[len(weights) - MAX_POSTINGS]
            keep = weights >= kth
            slots, weights = slots[keep], weights[keep]
        best = np.lexsort((self._order[slots], -weights))[:MAX_POSTINGS]
        found = (slots[best].astype(np.int32), weights[best].astype(np.float32))
        if len(self._impacts) >= IMPACTS_LIMIT:
            self._impacts.clear()
        self._impacts[term] = found
        return found

    def _gather(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The live postings of a word: slots, counts in heads, counts in bodies."""
        parts = []
        base = self._base.postings(term)
        if base is not None:
            slots, htf, btf = base
            if self._changed:
                keep = self._alive[slots]
                slots, htf, btf = slots[keep], htf[keep], btf[keep]
            parts.append((slots, htf, btf))
        added = [s for s in self._delta.get(term, ()) if self._alive[s]]
        if added:
            docs = [self._added[s - self._base_size] for s in added]
            parts.append(
                (
                    np.array(added, dtype=np.int32),
                    np.array([d.head_tf.get(term, 0) for d in docs if d], dtype=np.int32),
                    np.array([d.body_tf.get(term, 0) for d in docs if d], dtype=np.int32),
                )
            )
        if not parts:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, empty
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]

    def retrieve(self, query: Normalized, k: int = CANDIDATES) -> list[Candidate]:
        """Top-k statements by BM25; query words unknown to the base are ignored."""
        distinct = set(query.terms)
        # sorted: the same text gives the same sums and ties in every process (set order
        # follows the per-process string hash), so a trained model reproduces exactly
        terms = sorted(t for t in distinct if self.df(t) > 0)
        if len(self._asked) >= ASKED:
            self._asked.clear()
        self._asked.update(dict.fromkeys(terms))
        if len(terms) > MAX_QUERY_TERMS:
            terms = sorted(terms, key=lambda t: (-self.weight(t), t))[:MAX_QUERY_TERMS]
        if not terms:
            return []
        # every posting of the text's words at once, summed per statement in numpy (dense
        # over the base: a few hundred microseconds at 100,000 statements, where a Python
        # loop over up to MAX_QUERY_TERMS * MAX_POSTINGS postings took milliseconds)
        lists = [self.impacts(t) for t in terms]
        ids = np.concatenate([p[0] for p in lists])
        weights = np.concatenate([p[1] for p in lists]).astype(np.float64)
        size = len(self.ids)
        sums = np.bincount(ids, weights=weights, minlength=size)
        touched = np.flatnonzero(np.bincount(ids, minlength=size))
        if len(touched) > k:  # keep the k best, and every statement tied with the k-th
            values = sums[touched]
            kth = np.partition(values, len(values) - k)[len(values) - k]
            touched = touched[values >= kth]
        # best first; ties go to the statement stored first, so every view agrees
        top = touched[np.lexsort((self._order[touched], -sums[touched]))[:k]]
        # which of the text's words each candidate uses: idf summed over the postings that
        # hold a candidate
        query_mass = sum(self.weight(t) for t in sorted(distinct)) or 1.0
        idfs = np.repeat(np.array([self.weight(t) for t in terms]), [len(p[0]) for p in lists])
        rank_of = np.full(size, -1, dtype=np.int64)
        rank_of[top] = np.arange(len(top))
        ranks = rank_of[ids]
        held = ranks >= 0
        shared = np.bincount(ranks[held], weights=idfs[held], minlength=len(top))
        return [
            Candidate(int(d), float(sums[d]), float(shared[r]) / query_mass)
            for r, d in enumerate(top)
        ]
