"""The fast reading (normalize.raw_tokens: a text cleaned a space-separated piece at a time,
each distinct piece once) gives exactly what the plain one gives: every step of `clean` over
the whole text, then the tokens one by one. An index built either way ranks the same.

The texts are made to hit what crosses spaces: amounts ("rp 600", "5 000", "12345 ."),
question tags ("bener gak sih", "ya gak?"), URLs and domains next to numbers, symbols used
as letters, reduplication, and non-ASCII digits and letters."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matcher import normalize as norm
from bot.matcher.normalize import Normalized, clean, normalize, normalize_many, terms
from bot.matcher.postings import IndexDoc, read


def plain(text: str) -> Normalized:
    """The reading as it was written before the fast way: no memo, the whole text."""
    tokens: list[str] = []
    for raw in norm._TOKEN.findall(clean(text)):
        tokens.extend(norm.expand(raw))
    content = tuple(t for t in tokens if norm.is_content(t))
    return Normalized(tuple(tokens), content, tuple(map(norm.stem, content)))


PARTS = [
    *("rp", "rp.", "Rp", "RP.", "5", "600", "000", ".000", ",5", "12345", "1.500.000", "٣"),
    *(" ", " ", " ", "  ", "\n", "\t", "\u00a0", "\u2028"),
    *("?", "!", "|", ".", ",", ":", ";", "-", "_", "(", ")", '"', "²"),
    *("gak", "ga", "tidak", "tak", "bener", "benar", "ya", "iya", "atau", "apa", "sih", "si"),
    *("ribu", "rb", "juta", "jt", "miliar", "k", "m", "t", "kali", "3x"),
    *("€", "$", "£", "¢", "@kpu", "#hoaks", "http://a.b/c?x=1", "www.x", ".com", "kpu.go.id"),
    *("hati", "2", "aaaa", "pemiluu", "diundurr", "é", "Ä", "😀", "ﬁ", "Ｐ", "b3ntar", "x"),
    *("pencoblosan", "dicoblos", "KPU", "Bawaslu", "p", "q", "nggak", "enggak", "bnr"),
]

CASES = [
    "",
    " ",
    "harga rp 600.000 atau rp\n5k, bener gak sih?",
    "Rp. 1.500.000 dan 600 ribu, 5 000 000 orang",
    "pemilu 2024 ditunda?? bener gak",
    "ya gak? 12345 . http://x.com 12345 kpu.go.id",
    "12345 http://x.y z",
    "rp 5 rp. 6 rp\t7 rp  8",
    "bayar rp 5k, rp. 2m atau rp 3 t",  # "k", "m", "t" are units only after "rp"
    "C0r€T N4NG!S Pr0v0k?Si hati2 apa-apa benar²",
    "benar tidak\nsih kabar ini, atau tidak?",
    "tgl 14 februari 2024, jam 07.00 sampai 13.00 wib",
    "٣ ٤ rp ٣ ribu",
    "  dua spasi  di  awal  dan  akhir  ",
    "pemilu ditunda gak?",  # a negation asking, with no lead word before it
    "kpu curang gasi ? tidak",
]


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
