"""The fast reading (normalize.raw_tokens: a text cleaned a space-separated piece at a time,
each distinct piece once) gives exactly what the plain one gives: every step of `clean` over
the whole text, then the tokens one by one. An index built either way ranks the same.

The texts are made to hit what crosses spaces: amounts ("rp 600", "5 000", "12345 ."),
question tags ("bener gak sih", "ya gak?"), URLs and domains next to numbers, symbols used
as letters, reduplication, and non-ASCII digits and letters."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readingcases import CASES, PARTS, plain

from bot.matcher import normalize as norm
from bot.matcher.normalize import normalize, normalize_many, terms
from bot.matcher.postings import IndexDoc, read


def assert_same(text: str) -> None:
    expected = plain(text)
    assert normalize(text) == expected, text
    assert normalize_many(text) == expected, text
    assert tuple(terms(text)) == expected.terms, text


@pytest.mark.parametrize("text", CASES)
def test_the_fast_reading_is_the_plain_one(text: str) -> None:
    assert_same(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PARTS), max_size=30).map("".join))
def test_the_fast_reading_is_the_plain_one_on_made_up_texts(text: str) -> None:
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_the_fast_reading_is_the_plain_one_on_any_text(text: str) -> None:
    assert_same(text)


def test_a_memo_that_starts_over_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables are bounded: past their limit they are emptied and filled again."""
    monkeypatch.setattr(norm, "MEMO_LIMIT", 3)
    for text in CASES * 2:
        assert_same(text)


def test_a_statement_is_read_as_before() -> None:
    doc = IndexDoc("s1", "Pemilu 2024 diundur?", ("pemilu ditunda",), CASES[1] + " " + CASES[4])
    got = read(doc)
    assert got.heads == (plain(doc.claim), plain(doc.variants[0]))
    assert got.body_tf == dict(Counter(plain(doc.clarification).terms))


#: characters around the ellipsis `prepare` writes out before NFKC: marks that combine,
#: letters they combine with, and other characters NFKC changes
AROUND_ELLIPSIS = ["\u2026", ".", "e", "E", "\u0301", "\u0308", "\u0323", "²", "ﬁ", "\xa0", " "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(AROUND_ELLIPSIS), max_size=12).map("".join))
def test_a_text_is_prepared_as_nfkc_folds_it(text: str) -> None:
    assert norm.prepare(text) == unicodedata.normalize("NFKC", text).lower().replace("\x00", " ")
