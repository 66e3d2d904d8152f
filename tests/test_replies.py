"""What each channel shows for a decision, tested directly (no bot running): the private
chat's `reply_for`, the groups' `group_reply`, inline mode's `results_for`, and the card
composer's 4,096-unit budget with every header a card can carry."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from fakebotapi import check_reply_markup, check_text, utf16_len

import storage
from bot import claims
from bot.claims import Channel, Claim, Decision
from bot.core import Answer, Core
from bot.matcher.match import Tier
from bot.replies import render
from bot.replies.render import Reply, reply_for
from bot.replies.short_cards import group_reply
from bot.replies.texts import CATALOGUES, text
from bot.telegram.inline import results_for
from bot.telegram.keyboards import markup
from storage import StatementInput
from storage.statement_input import (
    MAX_CLAIM_LEN,
    MAX_CLARIFICATION_LEN,
    MAX_ORG_LEN,
    MAX_SOURCE_TITLE_LEN,
    clean_statement_input,
    statement_input_errors,
)

SECRET = "test-secret-0123456789abcdef"
CONFIDENT = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
POSSIBLE = "pemilu diundur?"
NONE = "vaksin covid mengandung chip"
BOT = "CekKlaimBot"
SOURCE = "https://www.kpu.go.id/berita/baca/424242"


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return Core.open(tmp_path / "cekklaim.db", SECRET)


def decide(core: Core, text_: str, urls: tuple[str, ...] = (), update_id: int = 1) -> Decision:
    who = core.pseudonym(1001)
    claim = Claim(text_, urls, Channel.PRIVATE, who, who, update_id)
    return claims.decide_now(core, claim, claims.PRIVATE)


def data_of(reply: Reply) -> list[str]:
    return [b.callback or b.url or "" for row in reply.keyboard for b in row]


def assert_sendable(reply: Reply) -> None:
    """Valid HTML and keyboard, within Telegram's limit as Telegram counts it (the fake Bot
    API's parser refuses "message is too long" as Telegram does)."""
    visible, _ = check_text(reply.text, "HTML")
    assert utf16_len(visible) <= render.MAX_MESSAGE
    sent = markup(reply.keyboard)
    check_reply_markup(sent.to_dict() if sent is not None else None)


# --------------------------------------------------------------------------- private chat


def test_private_replies_per_tier(core: Core) -> None:
    confident = decide(core, CONFIDENT, update_id=1)
    card = reply_for(confident, "id")
    assert card.text.startswith(f"<b>{render.verdict_label('HOAKS', 'id')}</b>")
    statement = confident.statements[0]
    assert f"h:{confident.claim_id}:{statement.id}" in data_of(card)

    possible = decide(core, POSSIBLE, update_id=2)
    candidates = reply_for(possible, "id")
    assert [d[:2] for d in data_of(candidates)][-2:] == ["x:", "n:"]  # none fit, notify me
    assert all(d.startswith(f"p:{possible.claim_id}:") for d in data_of(candidates)[:-2])

    none = decide(core, NONE, update_id=3)
    assert reply_for(none, "en").text == text("en", "none")
    assert data_of(reply_for(none, "en")) == [f"n:{none.claim_id}"]

    short = decide(core, "chip", update_id=4)
    assert reply_for(short, "id").text.startswith(text("id", "too_short"))

    unreadable = decide(core, "yang dan", update_id=5)
    assert reply_for(unreadable, "id") == render.plain("id", "howto")


def test_a_link_answers_under_a_header_that_says_how(core: Core) -> None:
    storage.save_statement(
        core.db,
        StatementInput("kpu-tautan", "KPU", "SALAH", "Klaim tautan", "Penjelasan",
                       source_url=SOURCE),
        actor="t",
    )  # fmt: skip
    core.refresh(force=True)
    linked = decide(core, "", (SOURCE,))
    reply = reply_for(linked, "id")
    header = text("id", "statement_from_link")
    assert reply.text.startswith(f"{header}\n\n<b>{render.verdict_label('SALAH', 'id')}</b>")
    seen = reply_for(dataclasses.replace(linked, seen=True), "en")
    assert seen.text.startswith(text("en", "statement_from_seen_link"))
    failed = reply_for(dataclasses.replace(linked, linked=None, fetch_failure="timeout"), "id")
    note = text("id", "link_fetch_failed", reason=text("id", "fetch_timeout"))
    assert failed.text.startswith(note)  # said above whatever the answer is


# --------------------------------------------------------------------------- groups


def test_group_replies_per_tier(core: Core) -> None:
    confident = decide(core, CONFIDENT, update_id=1)
    assert confident.answer is not None
    short = group_reply(confident.answer, "id", BOT)
    assert "HOAKS" in short.text and any(d.startswith("https://t.me/") for d in data_of(short))
    possible = decide(core, POSSIBLE, update_id=2)
    assert possible.answer is not None
    unsure = group_reply(possible.answer, "id", BOT)
    assert unsure.text == text("id", "group_unsure")  # no candidate named before the group
    assert data_of(unsure) == [f"https://t.me/{BOT}"]  # but the asker can see them privately
    assert not any(s.claim in unsure.text for s in possible.answer.statements)
    none = decide(core, NONE, update_id=3)
    assert none.answer is not None
    assert group_reply(none.answer, "id", BOT).text == text("id", "group_none")
    unrecorded = Answer(none.answer.result, (), False, None)
    assert group_reply(unrecorded, "en", BOT).text == text("en", "group_unreadable")
    by_link = group_reply(none.answer, "id", BOT, confident.statements[0])
    assert by_link.text.startswith(text("id", "group_from_link"))


# --------------------------------------------------------------------------- inline


def test_inline_results_for_each_kind_of_query(core: Core) -> None:
    found, hint = results_for(core, CONFIDENT, BOT)
    assert hint is None and found[0].id.startswith("m")
    statement = core.snapshot.statements["kpu-2024-hari-pemungutan"]
    shared, hint = results_for(core, f"s:{statement.external_id}", BOT)
    assert [a.id for a in shared] == [f"s{statement.id}"] and hint is None
    for query, key in (("ab", "inline_hint"), ("s:tidak-ada", "inline_missing"),
                       (NONE, "inline_no_match")):  # fmt: skip
        found, hint = results_for(core, query, BOT)
        assert found == [] and hint is not None and hint.text == text("id", key)
    assert storage.claims_count(core.db) == 0  # typing records nothing


# --------------------------------------------------------------------------- the budget

FILLERS = ("a", "😱", "&", "a😱 ")


def maximal(core: Core, filler: str) -> storage.Statement:
    """The longest statement storage accepts, in characters that count double in UTF-16
    or grow when escaped, with a link of its own (so a link answers with it)."""
    data = clean_statement_input(
        StatementInput(
            external_id=f"kpu-panjang-{FILLERS.index(filler)}",
            org=("😱" * MAX_ORG_LEN)[:MAX_ORG_LEN],
            verdict="MENYESATKAN",
            claim=(filler * MAX_CLAIM_LEN)[:MAX_CLAIM_LEN],
            clarification=(filler * MAX_CLARIFICATION_LEN)[:MAX_CLARIFICATION_LEN],
            source_url=f"{SOURCE}{FILLERS.index(filler)}",
            source_title=(filler * MAX_SOURCE_TITLE_LEN)[:MAX_SOURCE_TITLE_LEN],
            published_at="2024-01-01",
        )
    )
    assert statement_input_errors(data) == []
    storage.save_statement(core.db, data, actor="t")
    core.refresh(force=True)
    found = core.snapshot.statements[data.external_id]
    return found


def longest_failure(language: str) -> str:
    keys = [k for k in CATALOGUES[language] if k.startswith("fetch_")]
    return max(keys, key=lambda k: len(text(language, k)))[len("fetch_") :]


def test_a_maximal_statement_through_every_header_stays_within_the_limit(core: Core) -> None:
    """Headers used to be added after the card had used up the budget; now the composer
    counts them, so the longest valid statement fits with any of them, in either language,
    and the header and the source link are still there."""
    for n, (filler, language) in enumerate(itertools.product(FILLERS, ("id", "en"))):
        statement = core.snapshot.statements.get(f"kpu-panjang-{FILLERS.index(filler)}")
        statement = statement or maximal(core, filler)
        linked = decide(core, "", (statement.source_url or "",), update_id=100 + n)
        assert linked.linked is not None and linked.linked.id == statement.id
        failure = longest_failure(language)
        confident = decide(core, CONFIDENT, update_id=200 + n)
        assert confident.answer is not None and confident.tier is Tier.CONFIDENT
        as_best = dataclasses.replace(
            confident, answer=dataclasses.replace(confident.answer, statements=(statement,))
        )
        for decision in (
            linked,
            dataclasses.replace(linked, seen=True),
            dataclasses.replace(linked, fetch_failure=failure),
            dataclasses.replace(as_best, fetch_failure=failure),
        ):
            reply = reply_for(decision, language)
            assert_sendable(reply)
            assert statement.source_url in reply.text
            if decision.fetch_failure:
                assert reply.text.startswith("ℹ️")
            if decision.linked is not None:
                how = "statement_from_seen_link" if decision.seen else "statement_from_link"
                assert text(language, how) in reply.text


def test_every_reason_an_inline_query_lists_nothing_has_its_hint() -> None:
    from bot.replies.short_cards import INLINE_HINTS, inline_hint

    assert set(INLINE_HINTS) == {"missing", "unreadable", "no_match"}
    for reason, key in INLINE_HINTS.items():
        assert inline_hint(reason, "en") == text("en", key)
