"""Measure the matcher on labelled data: Success@k, MRR, and how often it is falsely sure.

Plain Python so the CLI (`cekklaim eval`) and bench/quality.py report the same figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.matcher.match import MatchResult, Tier
from bot.matcher.postings import IndexDoc


@dataclass(frozen=True, slots=True)
class Query:
    qid: str
    text: str
    expected_id: str | None


@dataclass(slots=True)
class EvalReport:
    answerable: int = 0
    unanswerable: int = 0
    hits_at_1: int = 0
    hits_at_5: int = 0
    reciprocal_rank_sum: float = 0.0
    confident_answerable: int = 0  # answerable queries given a confident answer
    confident_right: int = 0  # confident answers naming the expected statement
    confident_total: int = 0  # confident answers over all queries
    false_confident: int = 0  # confident answers to unanswerable queries
    tiers: dict[str, int] = field(default_factory=dict)

    @property
    def success_at_1(self) -> float:
        return self.hits_at_1 / self.answerable if self.answerable else 0.0

    @property
    def success_at_5(self) -> float:
        return self.hits_at_5 / self.answerable if self.answerable else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_rank_sum / self.answerable if self.answerable else 0.0

    @property
    def confident_precision(self) -> float:
        return self.confident_right / self.confident_total if self.confident_total else 1.0

    @property
    def false_confident_rate(self) -> float:
        return self.false_confident / self.unanswerable if self.unanswerable else 0.0

    def add(self, query: Query, ranked_ids: list[str], tier: Tier) -> None:
        self.tiers[tier.value] = self.tiers.get(tier.value, 0) + 1
        confident = tier is Tier.CONFIDENT
        self.confident_total += confident
        if query.expected_id is None:
            self.unanswerable += 1
            self.false_confident += confident
            return
        self.answerable += 1
        if query.expected_id in ranked_ids[:5]:
            rank = ranked_ids.index(query.expected_id) + 1
            self.hits_at_5 += 1
            self.hits_at_1 += rank == 1
            self.reciprocal_rank_sum += 1 / rank
        if confident:
            self.confident_answerable += 1
            self.confident_right += ranked_ids[:1] == [query.expected_id]

    def lines(self) -> list[str]:
        return [
            f"answerable queries     {self.answerable}",
            f"unanswerable queries   {self.unanswerable}",
            f"Success@1              {self.success_at_1:.3f}",
            f"Success@5              {self.success_at_5:.3f}",
            f"MRR                    {self.mrr:.3f}",
            f"confident answers      {self.confident_total} "
            f"(right: {self.confident_right}, precision {self.confident_precision:.3f})",
            f"answerable, confident  {self.confident_answerable} of {self.answerable} "
            f"({self.confident_answerable / max(self.answerable, 1):.1%})",
            f"false-confident rate   {self.false_confident_rate:.3%} "
            f"({self.false_confident} of {self.unanswerable})",
        ]


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fp:
        for lineno, line in enumerate(fp, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise ValueError(f"{path}, line {lineno}: not valid JSON ({exc})") from None


def read_queries(paths: Iterable[Path]) -> list[Query]:
    """Queries from one or more JSONL files ({"qid", "text", "expected_id"})."""
    return [
        Query(str(row["qid"]), str(row["text"]), row.get("expected_id"))
        for path in paths
        for row in read_jsonl(path)
    ]


def evaluate(matcher: Callable[[str], MatchResult], queries: Iterable[Query]) -> EvalReport:
    report = EvalReport()
    for query in queries:
        result = matcher(query.text)
        report.add(query, [m.statement_id for m in result.matches], result.tier)
    return report


# --------------------------------------------------------------------------- dev sets


@dataclass(frozen=True, slots=True)
class EvalSet:
    """A statement base and labelled texts: `expected` holds every acceptable statement id
    (empty when no statement answers the text)."""

    name: str
    docs: tuple[IndexDoc, ...]
    labelled: tuple[tuple[str, frozenset[str]], ...]

    @property
    def base_rows(self) -> list[dict[str, str]]:
        """Title/text rows for the BM25 baseline."""
        return [
            {
                "id": d.statement_id,
                "title": " ".join((d.claim, *d.variants)),
                "text": d.clarification,
            }
            for d in self.docs
        ]


def _expected(row: dict) -> frozenset[str]:
    ids = [row.get("expected_id"), *(row.get("also_ok") or ())]
    return frozenset(str(i) for i in ids if i)


def load_eval_set(folder: Path, base: Path | None = None) -> EvalSet:
    """A dev folder as shipped in ../shared/eval: base.jsonl (id, title, text) with
    queries.jsonl and optional distractors.jsonl, or statements.jsonl in the import format
    (id, claim, variants, clarification) mixed into the base of another folder (`base`)."""
    docs: list[IndexDoc] = []
    if (folder / "statements.jsonl").exists():
        if base is None:
            raise ValueError(f"{folder} holds statements to mix into a base: give the base")
        docs.extend(load_eval_set(base).docs)
        docs.extend(
            IndexDoc(
                str(r["id"]),
                str(r["claim"]),
                tuple(str(v) for v in r.get("variants") or ()),
                str(r.get("clarification") or ""),
            )
            for r in read_jsonl(folder / "statements.jsonl")
        )
    else:
        docs.extend(
            IndexDoc(str(r["id"]), str(r["title"]), (), str(r.get("text") or ""))
            for r in read_jsonl(folder / "base.jsonl")
        )
    labelled = [
        (str(row["text"]), _expected(row))
        for name in ("queries.jsonl", "distractors.jsonl")
        if (folder / name).exists()
        for row in read_jsonl(folder / name)
    ]
    return EvalSet(folder.resolve().name, tuple(docs), tuple(labelled))
