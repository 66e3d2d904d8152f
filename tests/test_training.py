"""Choosing the matcher's weights and thresholds (bot.matcher.training) and the shipped model."""

from __future__ import annotations

import json

from bot.matcher import training
from bot.matcher.index import MatchIndex
from bot.matcher.match import (
    FEATURES,
    MODEL,
    MODEL_PATH,
    Model,
    Scored,
    Thresholds,
    Tier,
    decide,
)
from bot.matcher.postings import IndexDoc

STATEMENTS = [
    IndexDoc("date", "Pemilu 2024 diundur ke tahun 2025", (), "KPU: pemungutan suara 14 Februari"),
    IndexDoc("ink", "Tinta pemilu mengandung babi", (), "Tinta sudah bersertifikat halal MUI"),
    IndexDoc("qc", "Hasil quick count itu hasil resmi pemilu", (), "Hasil resmi dari KPU"),
    IndexDoc("tps", "TPS tutup jam 5 sore", (), "TPS ditutup pukul 13.00 waktu setempat"),
]
LABELLED = [
    ("pemilu 2024 dimundurin ke 2025!!", frozenset({"date"})),
    ("PEMILU DITUNDA KE TAHUN DEPAN", frozenset({"date"})),
    ("tinta pemilu ada babinya, bener gk?", frozenset({"ink"})),
    ("quick count itu hasil resmi ya", frozenset({"qc"})),
    ("tps buka sampe jam 5 sore", frozenset({"tps"})),
    ("vaksin covid mengandung chip", frozenset()),
    ("harga beras naik bulan depan", frozenset()),
]


def examples() -> list[training.Example]:
    return training.collect(MatchIndex(STATEMENTS), LABELLED)


def test_training_is_deterministic() -> None:
    first, second = training.train(examples()), training.train(examples())
    assert first == second
    assert len(first.weights) == len(FEATURES)


def test_chosen_weights_rank_the_right_statement_first() -> None:
    data = examples()
    report = training.measure(data, training.train(data))
    assert report.answerable == 5 and report.unanswerable == 2
    assert report.success_at_1 == 1.0


def test_thresholds_keep_false_answers_out() -> None:
    data = examples()
    weights = training.fit_weights(data)
    thresholds = training.choose_thresholds(training.outcomes(data, weights))
    report = training.measure(data, Model(weights, thresholds))
    assert report.false_confident == 0
    assert report.precision >= training.MIN_PRECISION


def test_nothing_confident_when_numbers_differ_or_words_are_few() -> None:
    top = examples()[0].candidates[0]
    lenient = Thresholds(claim_coverage=0, claim_fuzzy=0, claim_sum=0, possible_coverage=0)
    assert decide(1.0, top, 5, False, lenient) is Tier.CONFIDENT
    assert decide(1.0, top, 5, True, lenient) is not Tier.CONFIDENT  # another year or count
    assert decide(1.0, top, 2, False, lenient) is not Tier.CONFIDENT  # too few words


def test_a_text_naming_the_claims_core_is_answered_when_the_statement_leads() -> None:
    """A retelling names the claim's most specific words but not the rest of its wording
    (half the claim covered, said in other words): answered when the statement leads its
    runner-up clearly, not when another statement is about as good."""
    t = MODEL.thresholds
    assert t.core_gap < 99, "the shipped model uses the core rule"
    retelling = Scored(0, (1.0, 0.6, 0.5, 0.5, 0.3), None, core=1.0)
    assert decide(0.3, retelling, 6, False, t, gap=t.core_gap) is Tier.CONFIDENT
    assert decide(0.3, retelling, 6, False, t, gap=t.core_gap / 2) is not Tier.CONFIDENT
    vague = Scored(0, (1.0, 0.6, 0.5, 0.5, 0.3), None, core=0.5)  # misses the claim's core
    assert decide(0.3, vague, 6, False, t, gap=t.core_gap * 4) is not Tier.CONFIDENT
    chatty = Scored(0, (1.0, 0.1, 0.5, 0.5, 0.3), None, core=1.0)  # mostly says other things
    assert decide(0.3, chatty, 6, False, t, gap=t.core_gap * 4) is not Tier.CONFIDENT


def test_the_shipped_model_names_every_signal_and_where_it_was_chosen() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert data["chosen_on"]["weights"] != data["chosen_on"]["thresholds"]  # one set each
    assert Model.from_dict(data) == MODEL
