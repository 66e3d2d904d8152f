"""Word roots (bot.matcher.stemmer) on Sastrawi's dictionary."""

from __future__ import annotations

import pytest

from bot.matcher.stemmer import ROOTS, root


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("menulis", "tulis"),  # men- before t: the t goes
        ("memilih", "pilih"),  # mem- before p: the p goes
        ("mengirim", "kirim"),  # meng- before k
        ("mengambil", "ambil"),  # meng- before a vowel root
        ("menyebar", "sebar"),  # meny- before s
        ("menilai", "nilai"),  # me- before a root that starts with n
        ("diperpanjang", "panjang"),  # two prefixes
        ("memperbaiki", "baik"),
        ("kesehatan", "sehat"),  # a confix
        ("dicuri", "curi"),  # the fewest suffixes off first
        ("bukunya", "buku"),  # possessive
        ("dimundurin", "mundur"),  # informal -in
    ],
)
def test_roots(word: str, expected: str) -> None:
    assert root(word) == expected


@pytest.mark.parametrize("word", ["jokowi", "sirekap", "whatsapp", "qwerty"])
def test_words_without_a_root_in_the_dictionary_stay(word: str) -> None:
    assert root(word) == word


def test_the_dictionary_is_sastrawis() -> None:
    assert len(ROOTS) > 25_000
    assert {"coblos", "pilih", "tunda"} <= ROOTS
