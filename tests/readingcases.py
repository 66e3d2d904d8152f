"""Texts made to hit what crosses spaces in reading (amounts, question tags, URLs next to
numbers, symbols used as letters, reduplication, non-ASCII digits and letters), and the
reading as it was written before any fast way: the definition the fast ones must meet."""

from __future__ import annotations

from bot.matcher import normalize as norm
from bot.matcher.normalize import Normalized, clean


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
    *("kwww.x", "r!bu", "mi£iar", "1234567", "http://x/5"),
    *("gaksih", "tidaksi", "taksi", "g4k", "tdk?", "?x", "kok"),
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
    # a lone question tag ("gak?") in a text read a part at a time: across parts or not
    "pemilu ditunda gak ?",
    "kpu curang gasi?",
    "tidaksi?! kata kpu",
    "pemilu ditunda gak sih ?",
    "pemilu ditunda gak si ?",
    "pemilu ditunda gak si? ya",
    "pemilu ditunda gak\nsih ?bener",
    "pemilu ditunda g4k 😀 ?",
    "naik taksi? pemilu gak kok ?",
    "pemilu tdk? atau tidak ada",
    "tidak pernah ditunda, benarkah? kpu bilang tidak",
]
