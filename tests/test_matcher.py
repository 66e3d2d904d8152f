"""Matching informal claims against the starter base (bot.matcher.index / match)."""

from __future__ import annotations

import pytest

import storage
from bot.core import starter_base_path
from bot.matcher.index import MatchIndex
from bot.matcher.match import MAX_RESULTS, MatchResult, Tier, match_text
from bot.matcher.postings import IndexDoc
from bot.snapshot import index_docs

FORWARDED_POST = (
    "Assalamualaikum bapak ibu sekalian. SEBARKAN!!! Info dari grup sebelah, penting sekali "
    "untuk keluarga kita semua 🙏🙏. Katanya pemilu 2024 diundur, gak jadi tanggal 14 februari. "
    "Tolong teruskan ke semua grup WA yang anda punya, jangan berhenti di anda. "
    "SEBARKAN!! SEBARKAN!! Semoga bermanfaat, aamiin 🤲 https://bit.ly/xyz123"
)


@pytest.fixture(scope="module")
def docs() -> list[IndexDoc]:
    parsed = storage.parse_statements_file(starter_base_path())
    assert parsed.ok, parsed.errors
    return index_docs(parsed.rows)  # type: ignore[arg-type]  # StatementInput has the fields


@pytest.fixture(scope="module")
def index(docs: list[IndexDoc]) -> MatchIndex:
    return MatchIndex(docs)


def ids(result: MatchResult) -> list[str]:
    return [m.statement_id for m in result.matches]


def test_starter_base_is_indexed(index: MatchIndex, docs: list[IndexDoc]) -> None:
    assert len(index) == len(docs) >= 20
    assert len({d.statement_id for d in docs}) == len(docs)


# --------------------------------------------------------------------------- confident answers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari", "kpu-2024-hari-pemungutan"),
        ("PEMILU 2024 DITUNDA!!! 😱😱", "kpu-2024-hari-pemungutan"),
        (FORWARDED_POST, "kpu-2024-hari-pemungutan"),
        ("katanya tgl 14 februari 2024 bkn hari libur, tetep masuk kerja", "kpu-2024-hari-libur"),
        ("MASA TENANG MASIH BOLEH KAMPANYE ASAL LEWAT MEDSOS!!!", "kpu-2024-masa-tenang"),
        ("qc itu hasil resmi pemilu bro", "kpu-2024-quick-count"),
        ("hasil qiuck count itu hasil resmii pemilu", "kpu-2024-quick-count"),  # typos
        ("angka di sirekapp itu hasil resmi pemlu dari kpu", "kpu-2024-sirekap"),  # typos
        ("🚨🚨 pilpres 2024 lanjut ke putaran kedua 🗳️🗳️", "kpu-2024-pilpres-satu-putaran"),
        (
            "pilpres 2024 lanjut ke putaran kedua https://t.co/abc @kpu_ri #pemilu2024",
            "kpu-2024-pilpres-satu-putaran",
        ),
        ("yg blm 17 tahun tp udh nikah gak boleh nyoblos", "kpu-2024-usia-pemilih"),
        ("TNI POLRI ikut nyoblos d pemilu 2024??? 😡😡", "kpu-2024-tni-polri-tidak-memilih"),
        ("polisi aktif boleh milih di pemilu", "kpu-2024-tni-polri-tidak-memilih"),
        (
            "gak terdaftar di dpt tetep bisa nyoblos di tps mana aja cukup bawa ktp",
            "kpu-2024-dpk-ktp-el",
        ),
        ("tps buka sampe sore jd bisa nyoblos pulang kerja", "kpu-2024-jam-tps"),
        # paslon 01 is Anies-Muhaimin: the Sirekap hoax about their votes
        (
            "KPU curang, suara paslon 01 dicuri di sirekap",
            "kpu-2024-sirekap-suara-anies-turun-3-juta",
        ),
        ("bagi2 uang ke pemilih pas masa tenang gak ada hukumannya", "bawaslu-2024-politik-uang"),
        (
            "hasil survei elektabilitas boleh diumumin pas masa tenang",
            "bawaslu-2024-survei-masa-tenang",
        ),
        ("paslon 02 itu prabowo gibran", "kpu-2024-nomor-urut-paslon"),
        (
            "KPU resmi menetapkan prabowo gibran menang pilpres 2024 58,59 persen",
            "kpu-2024-hasil-pilpres",
        ),
    ],
)
def test_informal_phrasings_answered_confidently(
    index: MatchIndex, text: str, expected: str
) -> None:
    result = match_text(index, text)
    assert result.tier is Tier.CONFIDENT, (result.tier, result.best)
    assert result.best is not None
    assert result.best.statement_id == expected
    # a clear winner, not a coin toss
    if len(result.matches) > 1:
        assert result.best.score - result.matches[1].score >= 10


# --------------------------------------------------------------------------- near misses


@pytest.mark.parametrize(
    "text",
    [
        "vaksin covid mengandung chip",
        "vaksin covid mengandung chip 5g dari bill gates",
        "harga beras naik 20 persen bulan depan",
        "pemilu diundur?",  # fewer than three content words
        "pemilu",
        "PEMILU 2024",
        "pemilu 2024 dimajukan ke bulan januari",  # same topic, different claim
        "masa kampanye pemilu 2024 diperpanjang sampai maret",
        "pilpres 2024 ada 3 putaran",
        "pemilu 2019 diundur gak jadi tanggal 17 april",  # another election year
        "pemilu 2029 diundur gak jadi tanggal 14 februari",
        "quick count pilkada jakarta sudah keluar",
        "",
        "😱🙏🔥",
    ],
)
def test_near_misses_are_not_confident(index: MatchIndex, text: str) -> None:
    assert match_text(index, text).tier is not Tier.CONFIDENT


@pytest.mark.parametrize(
    "text", ["vaksin covid mengandung chip", "", "   ", "😱🙏🔥", "zzzz qqqq xxxx"]
)
def test_unrelated_or_empty_text_gets_no_answer(index: MatchIndex, text: str) -> None:
    result = match_text(index, text)
    assert result.tier is Tier.NONE
    assert result.matches == ()
    assert result.best is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pemilu diundur?", "kpu-2024-hari-pemungutan"),
        ("masa kampanye pemilu 2024 diperpanjang sampai maret", "kpu-2024-masa-kampanye"),
        # "dua" in the claims: either statement on a second round answers it
        (
            "pilpres 2024 ada 3 putaran",
            "kpu-2024-pilpres-satu-putaran kominfo-2024-kpu-putaran-kedua-hindari-kemarahan-rakyat",
        ),
        ("pemilu 2029 diundur gak jadi tanggal 14 februari", "kpu-2024-hari-pemungutan"),
    ],
)
def test_partial_claims_rank_the_right_statement_first(
    index: MatchIndex, text: str, expected: str
) -> None:
    result = match_text(index, text)
    assert result.tier is Tier.POSSIBLE
    assert ids(result)[0] in expected.split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the text says the claim in other words and says nothing else: one statement fits
        ("surat suara pemilu 2024 ada 5 warna", "kpu-2024-lima-surat-suara"),
        ("nomor urut capres 2024: 1 anies, 2 prabowo, 3 ganjar", "kpu-2024-nomor-urut-paslon"),
    ],
)
def test_a_statement_that_stands_out_is_answered(
    index: MatchIndex, text: str, expected: str
) -> None:
    result = match_text(index, text)
    assert result.tier is Tier.CONFIDENT
    assert ids(result)[0] == expected


def test_a_correction_of_a_hoax_is_answered_but_never_as_its_confirmation(
    index: MatchIndex,
) -> None:
    # statement (a hoax): "Tanggal 14 Februari 2024 bukan hari libur"; the text says the truth
    result = match_text(index, "tanggal 14 februari 2024 hari libur")
    assert result.best is not None
    assert result.best.statement_id == "kpu-2024-hari-libur"
    assert result.best.polarity_differs is True  # the card says the text says the opposite


# --------------------------------------------------------------------------- result shape


@pytest.mark.parametrize(
    "text",
    [
        "pemilu",
        "pemilu 2024 kpu bawaslu tps surat suara kampanye masa tenang quick count sirekap",
        FORWARDED_POST,
        "hasil quick count itu hasil resmi pemilu",
        "harga beras naik 20 persen bulan depan",
    ],
)
def test_results_bounded_ordered_and_scaled(index: MatchIndex, text: str) -> None:
    result = match_text(index, text)
    assert 0 < len(result.matches) <= MAX_RESULTS == 5
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert all(0 <= m.coverage <= 1 and 0 <= m.fuzzy <= 1 for m in result.matches)
    assert len(set(ids(result))) == len(result.matches)
    assert result.best == result.matches[0]


def test_limit_argument(index: MatchIndex) -> None:
    assert len(match_text(index, "pemilu 2024 kampanye", limit=2).matches) == 2


# --------------------------------------------------------------------------- polarity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # statement: "14 Februari 2024 bukan hari libur" (negated); claim drops the negation
        ("tanggal 14 februari 2024 hari libur", "kpu-2024-hari-libur"),
        # statement: "... gak ada hukumannya"; claim: "... ada hukumannya"
        (
            "bagi bagi uang ke pemilih pas masa tenang atau hari H ada hukumannya",
            "bawaslu-2024-politik-uang",
        ),
        ("serangan fajar bisa dipidana", "bawaslu-2024-politik-uang"),
        (
            "KPU kerja sama dengan platform media sosial buat lawan hoaks pemilu",
            "kpu-2024-tiktok-informasi-pemilu",
        ),
        # statement has no negation; the claim adds one
        ("anggota tni dan polri tidak ikut nyoblos", "kpu-2024-tni-polri-tidak-memilih"),
        ("masa tenang tidak boleh kampanye lewat medsos", "kpu-2024-masa-tenang"),
        ("surat suara pemilu 2024 gak ada 5 warna", "kpu-2024-lima-surat-suara"),
    ],
)
def test_opposite_polarity_is_flagged(index: MatchIndex, text: str, expected: str) -> None:
    best = match_text(index, text).best
    assert best is not None
    assert best.statement_id == expected
    assert best.polarity_differs is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anggota tni dan polri ikut nyoblos di pemilu 2024", "kpu-2024-tni-polri-tidak-memilih"),
        ("katanya tgl 14 februari 2024 bkn hari libur", "kpu-2024-hari-libur"),
        ("KPU gak kerja sama dengan platform media sosial", "kpu-2024-tiktok-informasi-pemilu"),
        ("surat suara pemilu 2024 ada 5 warna beda", "kpu-2024-lima-surat-suara"),
        # a "tidak" far from the claim in a long post does not count
        (
            FORWARDED_POST.replace("jangan berhenti", "tidak usah berhenti"),
            "kpu-2024-hari-pemungutan",
        ),
    ],
)
def test_same_polarity_not_flagged(index: MatchIndex, text: str, expected: str) -> None:
    best = match_text(index, text).best
    assert best is not None
    assert best.statement_id == expected
    assert best.polarity_differs is False


def test_polarity_flag_with_unrelated_negation_in_both(index: MatchIndex) -> None:
    # statement: "Yang belum 17 tahun tapi sudah nikah gak boleh nyoblos"
    best = match_text(index, "yang belum 17 tahun tapi sudah nikah boleh nyoblos").best
    assert best is not None and best.statement_id == "kpu-2024-usia-pemilih"
    assert best.polarity_differs is True


# --------------------------------------------------------------------------- index behaviour


def test_index_is_an_immutable_snapshot(docs: list[IndexDoc]) -> None:
    source = list(docs)
    old = MatchIndex(source)
    text = "hasil quick count itu hasil resmi pemilu"
    before = match_text(old, text)
    assert before.best is not None and before.best.statement_id == "kpu-2024-quick-count"

    changed = [d for d in source if d.statement_id != "kpu-2024-quick-count"]
    changed.append(IndexDoc("new-quick-count", "Quick count itu hasil resmi pemilu dari KPU"))
    new = MatchIndex(changed)
    after_new = match_text(new, text)
    assert "kpu-2024-quick-count" not in ids(after_new)
    assert after_new.best is not None and after_new.best.statement_id == "new-quick-count"

    source.clear()  # mutating the list the old index was built from changes nothing either
    again = match_text(old, text)
    assert again.tier == before.tier
    assert again.matches == before.matches
    assert len(old) == len(docs)


def test_index_docs_are_frozen(docs: list[IndexDoc]) -> None:
    with pytest.raises(AttributeError):
        docs[0].claim = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["pemilu 2024 diundur gak jadi tanggal 14 februari", "", "😱"])
def test_empty_index_answers_none(text: str) -> None:
    empty = MatchIndex([])
    assert len(empty) == 0
    result = match_text(empty, text)
    assert result.tier is Tier.NONE
    assert result.matches == ()


def test_single_statement_index() -> None:
    idx = MatchIndex([IndexDoc("only", "Pemilu 2024 diundur gak jadi tanggal 14 Februari")])
    result = match_text(idx, "pemilu 2024 diundur gak jadi tanggal 14 februari")
    assert ids(result) == ["only"]
    assert result.tier is Tier.CONFIDENT


def test_statement_with_blank_variants_is_indexed() -> None:
    idx = MatchIndex(
        [
            IndexDoc("a", "Pemilu 2024 diundur ke tahun depan", ("", "   ")),
            IndexDoc("b", "Quick count itu hasil resmi", ()),
        ]
    )
    assert ids(match_text(idx, "pemilu 2024 diundur ke tahun depan"))[0] == "a"


def test_variants_make_a_statement_findable() -> None:
    plain = [IndexDoc("a", "Surat suara sudah dicoblos sebelum hari pemungutan")]
    with_variant = [
        IndexDoc(
            "a",
            "Surat suara sudah dicoblos sebelum hari pemungutan",
            ("kertas suara udh dicoblos duluan di malaysia",),
        )
    ]
    text = "kertas suara udh dicoblos duluan di malaysia"
    assert match_text(MatchIndex(with_variant), text).tier is Tier.CONFIDENT
    assert match_text(MatchIndex(plain), text).tier is not Tier.CONFIDENT


# --------------------------------------------------------------------------- query syntax


@pytest.mark.parametrize(
    "text",
    [
        "pemilu AND NOT kpu*",
        '"pemilu 2024" NEAR(diundur, 5)',
        "pemilu OR (ditunda AND -kpu)",
        "kpu:pemilu claim:ditunda",
        "-pemilu -diundur",
        "pemilu^2 ditunda~ {kpu} [tps]",
        "' OR 1=1; DROP TABLE statements; --",
        '"""',
        "NEAR(",
        "*",
        "\\",
        "%_%",
    ],
)
def test_query_syntax_is_plain_text(index: MatchIndex, text: str) -> None:
    result = match_text(index, text)
    assert result.tier in set(Tier)
    assert len(result.matches) <= MAX_RESULTS


def test_operators_do_not_change_the_answer(index: MatchIndex) -> None:
    result = match_text(index, '"pemilu 2024" NEAR(diundur, 5) -kpu kpu:pemilu (ditunda OR batal)')
    assert ids(result)[0] == "kpu-2024-hari-pemungutan"


@pytest.mark.parametrize(
    "text",
    [
        "pemilu\x00diundur\x00gak jadi 14 februari 2024",
        "pemilu 2024 diundur " * 3000,
        "😱" * 30_000,
        " ".join(f"kata{i}" for i in range(5000)),
    ],
)
def test_hostile_inputs_do_not_raise(index: MatchIndex, text: str) -> None:
    result = match_text(index, text)
    assert len(result.matches) <= MAX_RESULTS


# --------------------------------------------------------------------------- small bases


@pytest.mark.parametrize(
    ("statement", "text"),
    [
        (
            "Surat suara pilpres sudah dicoblos duluan di gudang logistik KPU Jakarta",
            "gudang KPU surat suara sudah dicoblos duluan??",
        ),
        (
            "Tinta pemilu mengandung babi sehingga haram dipakai pemilih muslim",
            "tinta pemilu ada babinya yg bikin haram, bener gk??",
        ),
        (
            "Pemilu 2024 diundur ke tahun 2025",
            "INFO PENTING!!! pemilu 2024 DIMUNDURIN ke 2025, sebarkan!!",
        ),
    ],
)
def test_one_statement_that_explains_the_whole_text_is_answered(statement: str, text: str) -> None:
    other = IndexDoc("other", "Quick count itu hasil resmi")
    idx = MatchIndex([IndexDoc("only", statement), other])
    result = match_text(idx, text)
    assert result.tier is Tier.CONFIDENT, result.best
    assert ids(result)[0] == "only"
    assert result.best is not None and result.best.polarity_differs is False  # a question tag


@pytest.mark.parametrize(
    "text",
    [
        "tinta pemilu buatan cina",  # same words, another claim
        "surat suara pilkada dicetak di luar negeri",
        "pemilu 2029 diundur ke tahun 2030",  # another year
    ],
)
def test_a_small_base_does_not_answer_another_claim(text: str) -> None:
    idx = MatchIndex(
        [
            IndexDoc("ink", "Tinta pemilu mengandung babi sehingga haram dipakai pemilih muslim"),
            IndexDoc("ballots", "Surat suara pilpres sudah dicoblos duluan di gudang logistik KPU"),
            IndexDoc("date", "Pemilu 2024 diundur ke tahun 2025"),
        ]
    )
    assert match_text(idx, text).tier is not Tier.CONFIDENT


def test_a_text_that_corrects_the_hoax_is_flagged_as_saying_the_opposite() -> None:
    idx = MatchIndex([IndexDoc("hoax", "Pemilu 2024 diundur ke tahun 2025")])
    best = match_text(idx, "Pemilu 2024 tidak diundur ke 2025, itu hoaks").best
    assert best is not None and best.statement_id == "hoax"
    assert best.polarity_differs is True  # the card never reads as confirming the hoax


def test_leetspeak_finds_the_statement() -> None:
    idx = MatchIndex(
        [
            IndexDoc("kpk", "KPK temukan bukti pencucian uang di rumah artis"),
            IndexDoc("other", "Pemilu 2024 diundur ke tahun 2025"),
        ]
    )
    result = match_text(idx, "MENGEJUTK4N!! KPK temuk4n BUKT1 PENCUC14N uang di rumah 4rtis")
    assert ids(result)[0] == "kpk"
    assert result.tier is Tier.CONFIDENT
