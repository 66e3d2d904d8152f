"""The shared reading of informal Indonesian text (bot.matcher.normalize)."""

from __future__ import annotations

import pytest

from bot.matcher.lexicon import NEGATIONS, STOPWORDS
from bot.matcher.normalize import MAX_CHARS, Normalized, clean, normalize


def tokens(text: str) -> tuple[str, ...]:
    return normalize(text).tokens


def content(text: str) -> tuple[str, ...]:
    return normalize(text).content


# --------------------------------------------------------------------------- unicode and case


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＰＥＭＩＬＵ ２０２４", ("pemilu", "2024")),  # full-width letters and digits
        ("ｑｃ", ("quick", "count")),  # folded first, then the vocabulary applies
        ("PEMILU Pemilu pEmIlU", ("pemilu", "pemilu", "pemilu")),
        ("café", ("cafe",)),  # accents folded, the word kept
        ("ﬁnal", ("final",)),  # ligature
    ],
)
def test_unicode_folding_and_case(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


def test_statement_and_claim_read_the_same_way() -> None:
    assert normalize("Pemilu 2024 DIUNDUR") == normalize("ｐｅｍｉｌｕ ２０２４ diundur")


# --------------------------------------------------------------------------- noise removal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cek https://kpu.go.id/berita/123 pemilu", ("cek", "pemilu")),
        ("cek http://example.com/a?b=c pemilu", ("cek", "pemilu")),
        ("cek www.bawaslu.go.id pemilu", ("cek", "pemilu")),
        ("cek kpu.go.id/berita pemilu", ("cek", "pemilu")),
        ("cek bit.ly/abc123 pemilu", ("cek", "pemilu")),
        ("kata @kpu_ri pemilu", ("kata", "pemilu")),
        ("pemilu #Pemilu2024 #HoaksPemilu ditunda", ("pemilu", "tunda")),
    ],
)
def test_urls_mentions_hashtags_removed(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pemilu😱diundur", ("pemilu", "tunda")),  # emoji between words must not glue them
        ("pemilu🗳️🗳️ditunda", ("pemilu", "tunda")),  # emoji with variation selector
        ("🚨🚨 PEMILU 🔥 ditunda 😡", ("pemilu", "tunda")),
        ("pemilu👍🏽diundur", ("pemilu", "tunda")),  # skin-tone modifier
        ("hoaks‼️pemilu", ("hoaks", "pemilu")),
    ],
)
def test_emoji_removed_without_gluing_words(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t", "😱😱🔥", "🙏🏻🗳️", "!!! ??? ...", "@kpu #pemilu"]
)
def test_nothing_matchable_gives_empty_content(text: str) -> None:
    n = normalize(text)
    assert n.content == ()
    assert n.tokens == ()
    assert n.text == ""
    assert n.negated is False


# --------------------------------------------------------------------------- spelling


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bohoooong", ("bohong",)),
        ("BOHOOOONG!!!", ("bohong",)),
        ("hoaxxx", ("hoaks",)),  # squeezed, then the slang table applies
        ("gaaak", ("tidak",)),
        ("pemiluuuu", ("pemilu",)),
        # two letters are not an elongation: Indonesian words have double letters
        ("saat maaf", ("saat", "maaf")),
    ],
)
def test_repeated_letters_squeezed(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hati2", ("hati",)),
        ("Hati2 ya", ("hati",)),
        ("benar²", ("benar",)),
        ("benar2", ("benar",)),
        ("kura-kura", ("kura",)),
        ("bagi2 uang", ("bagi", "uang")),
    ],
)
def test_reduplication_becomes_the_base_word(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


def test_numbers_are_not_taken_for_reduplication() -> None:
    assert tokens("tanggal 14 2024 nomor 2") == ("tanggal", "14", "2024", "nomor", "2")


# --------------------------------------------------------------------------- word tables


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("yg", ("yang",)),
        ("gak", ("tidak",)),
        ("ga", ("tidak",)),
        ("nggak", ("tidak",)),
        ("tdk", ("tidak",)),
        ("enggak", ("tidak",)),
        ("udh", ("sudah",)),
        ("blm", ("belum",)),
        ("dgn", ("dengan",)),
        ("krn", ("karena",)),
        ("utk", ("untuk",)),
        ("bkn", ("bukan",)),
        ("hoax", ("hoaks",)),
        ("GAK", ("tidak",)),  # after lower-casing
    ],
)
def test_slang_table(word: str, expected: tuple[str, ...]) -> None:
    assert tokens(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nyoblos", ("coblos",)),
        ("dicoblos", ("coblos",)),
        ("mencoblos", ("coblos",)),
        ("pencoblosan", ("coblos",)),
        ("paslon", ("pasangan", "calon")),
        ("capres", ("calon", "presiden")),
        ("cawapres", ("calon", "wakil", "presiden")),
        ("qc", ("quick", "count")),
        ("QuickCount", ("quick", "count")),
        ("diundur", ("tunda",)),
        ("ditunda", ("tunda",)),
        ("pilpres", ("pemilu", "presiden")),
        ("dpt", ("dpt",)),  # election sense wins over the slang "dapat"
    ],
)
def test_election_vocabulary(word: str, expected: tuple[str, ...]) -> None:
    assert tokens(word) == expected


def test_filler_words_vanish_entirely() -> None:
    assert tokens("wkwk gaes pemilu dong") == ("pemilu",)


# --------------------------------------------------------------------------- stopwords, negation


def test_stopwords_dropped_from_content_only() -> None:
    n = normalize("yang dan di ke pemilu ini itu ditunda")
    assert n.tokens == ("yang", "dan", "di", "ke", "pemilu", "ini", "itu", "tunda")
    assert n.content == ("pemilu", "tunda")
    assert not set(n.content) & STOPWORDS


@pytest.mark.parametrize(
    ("text", "negation"),
    [
        ("pemilu gak jadi ditunda", "tidak"),
        ("pemilu ga jadi", "tidak"),
        ("pemilu tdk ditunda", "tidak"),
        ("14 februari bkn hari libur", "bukan"),
        ("blm 17 tahun", "belum"),
        ("jangan nyoblos", "jangan"),
    ],
)
def test_negations_kept_in_tokens_and_flagged(text: str, negation: str) -> None:
    n = normalize(text)
    assert negation in n.tokens
    assert negation not in n.content  # no help for retrieval...
    assert n.negated is True  # ...but the polarity check sees it


@pytest.mark.parametrize("text", ["pemilu 2024 ditunda", "masa tenang boleh kampanye", ""])
def test_no_negation_not_flagged(text: str) -> None:
    assert normalize(text).negated is False


def test_every_negation_word_is_flagged() -> None:
    for word in NEGATIONS:
        assert normalize(f"pemilu {word} ditunda").negated, word


def test_content_drops_single_letters_and_long_numbers_but_keeps_short_numbers() -> None:
    n = normalize("a x 5 2024 12345678 pemilu")
    assert n.content == ("5", "2024", "pemilu")
    assert "12345678" in n.tokens  # e.g. a phone number: read, but never matched on


def test_full_slang_sentence() -> None:
    n = normalize("BOHONG!! yg blm 17 thn tp udh nikah gak boleh nyoblos 😡")
    assert n.tokens == (
        "bohong",
        "yang",
        "belum",
        "17",
        "tahun",
        "tapi",
        "sudah",
        "nikah",
        "tidak",
        "boleh",
        "coblos",
    )
    assert n.content == ("bohong", "17", "tahun", "nikah", "boleh", "coblos")
    assert n.negated


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pemilu\x00diundur", ("pemilu", "tunda")),
        ("\x00\x00\x00", ()),
        ("pemilu \x00 \x01\x02 ditunda", ("pemilu", "tunda")),
    ],
)
def test_nul_and_control_characters(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


def test_very_long_input_is_cut_not_crashed() -> None:
    text = "pemilu 2024 diundur gak jadi 14 februari " * 1000  # ~41,000 chars
    assert len(text) > MAX_CHARS
    n = normalize(text)
    assert isinstance(n, Normalized)
    assert n.tokens[:4] == ("pemilu", "2024", "tunda", "tidak")
    assert n == normalize(text[:MAX_CHARS])  # the rest is ignored, not processed


@pytest.mark.parametrize(
    "text",
    [
        "a" * 25_000,
        "😱" * 25_000,
        "x" * 19_999 + " pemilu",
        " ".join(["hati2"] * 6_000),
        "https://" + "a" * 25_000,
        "\x00" * 25_000,
    ],
)
def test_pathological_long_inputs(text: str) -> None:
    n = normalize(text)
    assert len(n.tokens) <= MAX_CHARS
    assert len(clean(text)) <= MAX_CHARS


def test_clean_keeps_plain_ascii_words() -> None:
    assert clean("Pemilu 2024: DITUNDA?").split() == ["pemilu", "2024:", "ditunda?"]


# --------------------------------------------------------------------------- matcher v2 reading


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ATAS PER1NTAH JKW, J3MPUT P4KSA", ("atas", "perintah", "jkw", "jemput", "paksa")),
        ("Bvntut PENCUC14N Uang", ("bvntut", "pencucian", "uang")),
        ("C0r€T", ("coret",)),  # a symbol typed for a letter
        ("N4NG!S", ("nangis",)),
        ("Pr0v0k?Si", ("provoksi",)),  # a "?" inside a word is dropped, not a word break
        # numbers that are names or amounts stay as they are
        (
            "g30s h1n1 covid19 rp50rb 5g 2024",
            ("g30s", "h1n1", "covid19", "rp", "50ribu", "5g", "2024"),
        ),
    ],
)
def test_digits_and_symbols_typed_for_letters_are_read_as_letters(
    text: str, expected: tuple[str, ...]
) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tinta pemilu ada babinya yg bikin haram, bener gk??",
        "bener gak sih tinta pemilu ada babinya",
        "tinta pemilu ada babinya, ya gak?",
        "tinta pemilu ada babinya atau tidak?",
        "tinta pemilu ada babinya kan? betul nggak sih",
    ],
)
def test_question_tags_are_not_negations(text: str) -> None:
    assert normalize(text).negated is False


@pytest.mark.parametrize(
    "text",
    [
        "tinta pemilu gak ada babinya",
        "bener, pemilu 2024 tidak diundur",
        "pemilu tidak diundur kan?",
    ],
)
def test_real_negations_stay(text: str) -> None:
    assert normalize(text).negated is True


@pytest.mark.parametrize(
    ("words", "root"),
    [
        ("nyoblos mencoblos dicoblos pencoblosan", "coblos"),
        ("memilih pemilihan terpilih dipilih", "pilih"),
        ("penculikan penculik menculik diculik", "culik"),
        ("penyebaran menyebarkan disebar", "sebar"),
        ("mendaftar pendaftaran didaftarkan", "daftar"),
        ("memenangkan kemenangan", "menang"),
        ("dibagiin dibagikan membagi", "bagi"),
    ],
)
def test_inflected_forms_meet_at_their_root(words: str, root: str) -> None:
    assert set(normalize(words).terms) == {root}


def test_postponed_in_slang_and_in_standard_words_meet() -> None:
    terms = {normalize(w).terms for w in ("dimundurin", "diundur", "ditunda", "dimundurkan")}
    assert terms == {("tunda",)}


@pytest.mark.parametrize(
    ("informal", "formal"),
    [
        ("nyoblos 2x", "coblos 2 kali"),
        ("coblos dobel", "coblos dua kali"),
        ("batas umur 55 thn", "batas usia 55 tahun"),
        ("tentara ikut milih", "tni ikut pilih"),
        ("kotak suara kardus", "kotak suara karton"),
        ("gaji petugas kpps", "honor petugas kpps"),
        ("gabisa nyoblos kalo ga pulkam", "tidak bisa coblos kalau tidak pulang kampung"),
    ],
)
def test_everyday_words_meet_the_official_ones(informal: str, formal: str) -> None:
    """What people type and what a statement says are read as the same words."""
    assert normalize(informal).terms == normalize(formal).terms


@pytest.mark.parametrize(
    "written",
    ["Rp 600.000", "rp600rb", "Rp600 000", "rp 600 ribu", "RP. 600.000,-", "rp600k"],
)
def test_one_amount_written_many_ways_reads_the_same(written: str) -> None:
    assert normalize(f"bansos {written} cair").terms == ("bansos", "rp", "600ribu", "cair")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("pemilu 2024", "2024"),  # a year is not an amount
        ("tokek 1 m", "1"),  # "m" is a unit only after "rp"
        ("14 februari", "14"),
    ],
)
def test_years_and_small_numbers_are_not_read_as_amounts(text: str, kept: str) -> None:
    assert kept in normalize(text).terms


def test_a_count_that_is_not_round_keeps_its_digits() -> None:
    """204.807.222 voters is a count, not an amount: its groups stay words of the statement
    (a nine-digit number would be dropped like a phone number)."""
    assert normalize("204.807.222 orang").terms == ("204", "807", "222", "orang")


def test_a_word_run_into_a_link_is_kept() -> None:
    """"palsuwww.example.com": the link goes, the word typed against it stays."""
    assert normalize("ke web palsuwww.tamansafari-bogor.com hari ini").terms == (
        "web",
        "palsu",
        "hari",
    )


def test_a_doubled_last_letter_before_an_underscore_is_squeezed_once() -> None:
    """Found by hypothesis: "BB_" read as "bb", which read again is "b"; reading a text
    twice must give the same words."""
    once = normalize("BB_")
    assert once.tokens == normalize(once.text).tokens == ("b",)
