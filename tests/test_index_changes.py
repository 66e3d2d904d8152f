"""A view reached by changes ranks exactly as one built fresh (bot.matcher.index).

Statements are added, edited, removed and compacted in random order; after each sequence
every text gets the same candidates, scores and tier from the changed view as from a fresh
build over the same statements in the same order (an edited statement keeps its place, a
new one goes last: the database's order). Earlier views never change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matcher import index as index_module
from bot.matcher.index import MatchIndex
from bot.matcher.match import MatchResult, match_text
from bot.matcher.postings import IndexDoc

# Few words, so statements share them and document frequencies really move.
WORDS = (
    "pemilu ditunda kpu bawaslu surat suara dicoblos tinta babi haram kotak kardus "
    "tps kpps honor caleg quick count sirekap curang gudang jakarta 2024 2025 tidak"
).split()

TEXTS = (
    "pemilu 2024 ditunda ke 2025 katanya",
    "surat suara sudah dicoblos di gudang kpu jakarta",
    "tinta pemilu ada babinya jadi haram",
    "kotak suara kardus gampang curang",
    "honor kpps dari caleg",
    "sirekap kpu curang quick count",
    "bawaslu tidak tahu",
)

# a few fixed phrasings too, so statements tie and the order that breaks ties is checked
phrase = st.sampled_from(TEXTS[:3]) | st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(
    " ".join
)


@dataclass(frozen=True)
class Change:
    kind: str  # "put" (add or edit), "drop", "compact"
    key: int
    claim: str = ""
    body: str = ""
    variant: str = ""


body = st.sampled_from(("", "kpu membantah kabar itu")) | phrase
variant = st.sampled_from(("", "", "pemilu ditunda")) | phrase
put = st.builds(Change, st.just("put"), st.integers(0, 11), phrase, body, variant)
change = st.one_of(
    put,
    st.builds(Change, st.just("drop"), st.integers(0, 11)),
    st.builds(Change, st.just("compact"), st.just(0)),
)


def doc(c: Change) -> IndexDoc:
    return IndexDoc(f"s{c.key}", c.claim, (c.variant,) if c.variant else (), c.body)


def seen(index: MatchIndex, result: MatchResult) -> object:
    return (result.tier, [(m.statement_id, m.score, m.coverage, m.fuzzy) for m in result.matches])


def answers(index: MatchIndex) -> list[object]:
    out: list[object] = []
    for text in TEXTS:
        query = match_text(index, text).query
        out.append([(index.ids[c.doc], c.bm25, c.explained) for c in index.retrieve(query)])
        out.append(seen(index, match_text(index, text)))
    return out


@pytest.mark.parametrize("warm_from", [index_module.WARM_FROM, 1])  # as shipped; every word
@settings(max_examples=40, deadline=None)
@given(
    start=st.lists(
        st.builds(Change, st.just("put"), st.integers(0, 11), phrase, phrase), max_size=6
    ),
    changes=st.lists(change, min_size=1, max_size=12),
)
def test_changed_view_ranks_as_a_fresh_build(
    warm_from: int, start: list[Change], changes: list[Change]
) -> None:
    shipped, index_module.WARM_FROM = index_module.WARM_FROM, warm_from
    try:
        ranks_as_a_fresh_build(start, changes)
    finally:
        index_module.WARM_FROM = shipped


def ranks_as_a_fresh_build(start: list[Change], changes: list[Change]) -> None:
    live: dict[str, IndexDoc] = {}  # insertion order = the database's order
    for c in start:
        live[f"s{c.key}"] = doc(c)
    view = MatchIndex(list(live.values()))
    for c in changes:
        before = answers(view)
        if c.kind == "put":
            live[f"s{c.key}"] = doc(c)  # an edit keeps its place in the dict
            nxt = view.with_changes([doc(c)])
        elif c.kind == "drop":
            live.pop(f"s{c.key}", None)
            nxt = view.with_changes(removals=[f"s{c.key}"])
        else:
            nxt = view.compacted()
        nxt.warm()  # as the bot does once it serves a view with changes
        assert answers(view) == before  # the earlier view did not change
        view = nxt
        assert len(view) == len(live)
        assert answers(view) == answers(MatchIndex(list(live.values())))
    assert answers(view.compacted()) == answers(view)


def test_an_edit_is_found_by_its_new_words_and_not_its_old_ones() -> None:
    view = MatchIndex(
        [
            IndexDoc("a", "pemilu 2024 ditunda ke 2025", (), "KPU: pemilu tetap 14 Februari"),
            IndexDoc("b", "tinta pemilu mengandung babi", (), "MUI: tinta halal"),
        ]
    )
    edited = view.with_changes([IndexDoc("a", "kotak suara kardus mudah rusak", (), "")])
    query = match_text(edited, "kotak suara kardus").query
    assert [edited.ids[c.doc] for c in edited.retrieve(query)][:1] == ["a"]
    old_words = match_text(edited, "ditunda 2025").query
    assert "a" not in [edited.ids[c.doc] for c in edited.retrieve(old_words)]
    # the view before the edit still answers with the old claim
    assert [view.ids[c.doc] for c in view.retrieve(old_words)][:1] == ["a"]


def test_removed_statement_is_never_a_candidate_and_counts_go_down() -> None:
    view = MatchIndex([IndexDoc(f"s{i}", f"pemilu {w}", (), "") for i, w in enumerate(WORDS)])
    smaller = view.with_changes(removals=["s3", "s4", "nope"])
    assert len(smaller) == len(view) - 2
    assert smaller.df("pemilu") == view.df("pemilu") - 2
    found = {smaller.ids[c.doc] for c in smaller.retrieve(match_text(smaller, WORDS[3]).query)}
    assert "s3" not in found


def test_an_edited_statement_keeps_its_place_among_equals() -> None:
    same = ("surat suara sudah dicoblos", (), "KPU membantah")
    view = MatchIndex([IndexDoc("first", *same), IndexDoc("second", *same)])
    edited = view.with_changes([IndexDoc("first", *same)])  # saved again, unchanged
    query = match_text(edited, "surat suara dicoblos").query
    assert [edited.ids[c.doc] for c in edited.retrieve(query)] == ["first", "second"]
    assert [m.statement_id for m in match_text(edited, "surat suara dicoblos").matches] == [
        "first",
        "second",
    ]


def test_a_view_with_changes_warmed_works_out_the_common_words_asked_lately(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_module, "WARM_FROM", 3)
    monkeypatch.setattr(index_module, "SEEDED", 1)
    docs = [IndexDoc(f"s{i}", f"pemilu {w} ditunda", (), f"KPU {w}") for i, w in enumerate(WORDS)]
    change = [IndexDoc("s1", "pemilu tetap 14 februari", (), "KPU")]
    view = MatchIndex(docs)
    cold = view.with_changes(change, removals=["s2"])
    assert not cold._impacts  # worked out on first use, or when warmed
    early = view.with_changes(change, removals=["s2"])
    early.warm()
    assert set(early._impacts) == {"pemilu"}  # nothing asked yet: the commonest word
    match_text(view, f"pemilu ditunda {WORDS[5]}")
    warm = view.with_changes(change, removals=["s2"])
    warm.warm(lambda: False)
    assert not warm._impacts  # no longer going
    warm.warm()
    assert set(warm._impacts) == {"pemilu", "tunda"}  # asked, held 3 times or more
    for term in sorted(warm._impacts):
        for got, want in zip(warm._impacts[term], cold.impacts(term), strict=True):
            assert got.tolist() == want.tolist()
    assert answers(warm) == answers(MatchIndex([docs[0], change[0], *docs[3:]]))
    assert warm.compacted()._asked is view._asked  # a folded base keeps what was asked
