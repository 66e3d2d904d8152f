"""The claim use case (bot/claims.py) on its own: no Telegram, a real database on disk.

One example per channel and tier: what each channel records, answers and remembers is an
option of the one path, so these tables are the channels' differences in full.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlite_utils

import storage
from bot import claims
from bot.claims import Channel, Claim, Decision, readable, speaks_unprompted
from bot.core import Core
from bot.matcher.match import Tier, plausible
from storage import StatementInput

SECRET = "test-secret-0123456789abcdef"
CONFIDENT = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
POSSIBLE = "pemilu diundur?"
NONE = "vaksin covid mengandung chip"
STATEMENT = "kpu-2024-hari-pemungutan"
UNIQUE_SOURCE = "https://www.kpu.go.id/berita/baca/99999"
BORDERLINE = "kampanye di TV, koran, dan media online tayang sejak awal masa kampanye"
WORD_FOR_WORD = "INFO PENTING!!! Pemilu 2024 DIUNDUR, gak jadi tanggal 14 Februari. SEBARKAN"


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = Core.open(tmp_path / "cekklaim.db", SECRET)
    storage.save_statement(
        core.db,
        StatementInput(
            "kpu-unique-link", "KPU", "HOAKS", "Klaim khusus tentang kotak suara kardus",
            "Penjelasan khusus", source_url=UNIQUE_SOURCE,
        ),
        actor="t",
    )  # fmt: skip
    core.refresh(force=True)
    return core


def rows(db: sqlite_utils.Database, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in db.execute(sql).fetchall()]


def private(core: Core, text: str, urls: tuple[str, ...] = (), update_id: int = 1) -> Claim:
    who = core.pseudonym(1001)
    return Claim(text, urls, Channel.PRIVATE, who, who, update_id)


# --------------------------------------------------------------------------- readable


@pytest.mark.parametrize(
    ("text", "urls", "min_chars", "expected"),
    [
        ("pemilu 2024 diundur", (), 0, True),
        ("", ("https://contoh.id/berita/1",), 0, True),  # a link alone is a claim
        ("   ", (), 0, False),
        ("yang dan", (), 0, False),  # stop words only
        ("dan yang itu?", (), 0, False),
        ("😱😱", (), 0, False),
        ("ab", (), claims.MIN_INLINE_CHARS, False),  # inline: too short while typing
        ("pemilu", (), claims.MIN_INLINE_CHARS, True),
        ("ab   ", (), claims.MIN_INLINE_CHARS, False),  # spaces do not count
    ],
)
def test_readable_is_one_rule(
    text: str, urls: tuple[str, ...], min_chars: int, expected: bool
) -> None:
    assert readable(text, urls, min_chars=min_chars) is expected


# --------------------------------------------------------------------------- private chat


@pytest.mark.parametrize(
    ("text", "tier", "queued"),
    [(CONFIDENT, Tier.CONFIDENT, False), (POSSIBLE, Tier.POSSIBLE, True), (NONE, Tier.NONE, True)],
)
def test_private_claims_are_matched_and_recorded_per_tier(
    core: Core, text: str, tier: Tier, queued: bool
) -> None:
    decision = claims.decide_now(core, private(core, text), claims.PRIVATE)
    assert decision.tier is tier
    assert decision.claim_id is not None and not decision.duplicate
    assert decision.for_moderators is queued  # what waits for a moderator
    stored = rows(core.db, "SELECT channel, user_hash, chat_hash, update_id FROM submissions")
    assert stored == [("private", core.pseudonym(1001), core.pseudonym(1001), 1)]
    if tier is Tier.CONFIDENT:
        assert decision.statements[0].external_id == STATEMENT


def test_the_same_update_again_is_a_duplicate(core: Core) -> None:
    first = claims.decide_now(core, private(core, CONFIDENT), claims.PRIVATE)
    again = claims.decide_now(core, private(core, CONFIDENT), claims.PRIVATE)
    assert again.duplicate and again.claim_id == first.claim_id
    assert rows(core.db, "SELECT count(*) FROM submissions") == [(1,)]


def test_unreadable_text_is_neither_matched_nor_recorded(core: Core) -> None:
    decision = claims.decide_now(core, private(core, "yang dan 😱"), claims.PRIVATE)
    assert not decision.readable and decision.claim_id is None and decision.tier is Tier.NONE
    assert rows(core.db, "SELECT count(*) FROM claims") == [(0,)]


def test_a_statements_source_link_answers_and_is_remembered(core: Core) -> None:
    link = UNIQUE_SOURCE + "?utm_source=wa"
    decision = claims.decide_now(core, private(core, "", (link,)), claims.PRIVATE)
    assert decision.linked is not None and decision.linked.external_id == "kpu-unique-link"
    assert not decision.seen
    assert rows(core.db, "SELECT url_key FROM claim_links") == [("kpu.go.id/berita/baca/99999",)]


def test_too_few_words_says_so(core: Core) -> None:
    decision = claims.decide_now(core, private(core, "chip"), claims.PRIVATE)
    assert decision.tier is Tier.NONE and decision.too_short
    longer = claims.decide_now(core, private(core, NONE, update_id=2), claims.PRIVATE)
    assert not longer.too_short


def test_the_async_path_decides_the_same(core: Core) -> None:
    async def both() -> tuple[Decision, Decision]:
        a = await claims.decide(core, private(core, CONFIDENT, update_id=5), claims.PRIVATE)
        b = await claims.decide(core, private(core, POSSIBLE, update_id=6), claims.PRIVATE)
        return a, b

    confident, possible = asyncio.run(both())
    assert (confident.tier, possible.tier) == (Tier.CONFIDENT, Tier.POSSIBLE)
    assert rows(core.db, "SELECT update_id FROM submissions ORDER BY update_id") == [(5,), (6,)]


def test_decide_now_cannot_fetch(core: Core) -> None:
    from bot.sources.fetch import FetchPolicy

    with pytest.raises(ValueError, match="cannot fetch"):
        claims.decide_now(core, private(core, CONFIDENT), claims.PRIVATE.fetching(FetchPolicy()))


# --------------------------------------------------------------------------- groups


def group(core: Core, text: str, urls: tuple[str, ...] = (), update_id: int = 1) -> Claim:
    return Claim(text, urls, Channel.GROUP, core.pseudonym(1001), core.pseudonym(-42), update_id)


def test_an_ask_in_a_group_is_recorded_as_asked_and_remembers_links(core: Core) -> None:
    decision = claims.decide_now(
        core, group(core, "bener gak?", (UNIQUE_SOURCE,)), claims.GROUP_ASKED
    )
    assert decision.linked is not None
    assert rows(core.db, "SELECT channel FROM submissions") == [("group",)]
    assert rows(core.db, "SELECT asked FROM claims") == [(1,)]
    assert rows(core.db, "SELECT count(*) FROM claim_links") == [(1,)]


def test_the_automatic_check_records_for_trends_only_and_ignores_links(core: Core) -> None:
    decision = claims.decide_now(core, group(core, CONFIDENT, (UNIQUE_SOURCE,)), claims.GROUP_AUTO)
    assert decision.linked is None  # the post's text is the claim, not its links
    assert decision.tier is Tier.CONFIDENT and not decision.for_moderators
    assert rows(core.db, "SELECT asked FROM claims") == [(0,)]
    assert rows(core.db, "SELECT count(*) FROM claim_links") == [(0,)]
    only_a_link = claims.decide_now(core, group(core, "", (UNIQUE_SOURCE,), 2), claims.GROUP_AUTO)
    assert not only_a_link.readable  # a bare link is no post to answer unprompted


@pytest.mark.parametrize(
    ("text", "sensitivity", "speaks"),
    [
        (BORDERLINE, "normal", True),
        (BORDERLINE, "strict", False),  # confident, but not nearly word for word
        (WORD_FOR_WORD, "strict", True),
        (POSSIBLE, "normal", False),  # never "maybe" unprompted
        (NONE, "normal", False),  # never "no match" unprompted
        ("pemilih di jakarta gak dapat 5 surat suara", "normal", False),  # the opposite
    ],
)
def test_the_automatic_check_speaks_only_when_sure(
    core: Core, text: str, sensitivity: str, speaks: bool
) -> None:
    decision = claims.decide_now(core, group(core, text), claims.GROUP_AUTO)
    assert speaks_unprompted(decision, sensitivity) is speaks


# --------------------------------------------------------------------------- inline, CLI


def test_inline_typing_records_nothing_and_sending_records(core: Core) -> None:
    typing = claims.decide_now(core, Claim(CONFIDENT, channel=Channel.INLINE), claims.INLINE_TYPING)
    assert typing.claim_id is None and typing.plausible()[0][1].external_id == STATEMENT
    assert rows(core.db, "SELECT count(*) FROM claims") == [(0,)]
    assert not claims.decide_now(
        core, Claim("ab", channel=Channel.INLINE), claims.INLINE_TYPING
    ).readable
    sent = Claim(CONFIDENT, channel=Channel.INLINE, user_hash=core.pseudonym(7), update_id=9)
    chosen = claims.decide_now(core, sent, claims.INLINE_CHOSEN)
    assert chosen.claim_id is not None
    assert rows(core.db, "SELECT channel, chat_hash FROM submissions") == [("inline", None)]


@pytest.mark.parametrize(
    ("query", "shared", "empty"),
    [
        (f"  s:{STATEMENT} ", True, None),  # a share: exactly that statement
        ("s:tidak-ada", True, "missing"),
        ("ab", False, "unreadable"),  # too short while typing
        (NONE, False, "no_match"),
        (POSSIBLE, False, None),
    ],
)
def test_an_inline_query_lists_a_share_or_what_may_match(
    core: Core, query: str, shared: bool, empty: str | None
) -> None:
    listing = claims.inline_listing(core, query, "s:", limit=5)
    assert (listing.shared, listing.empty) == (shared, empty)
    assert bool(listing.found) is (empty is None)
    if shared and empty is None:
        assert [(s.external_id, m) for s, m in listing.found] == [(STATEMENT, None)]
    assert rows(core.db, "SELECT count(*) FROM claims") == [(0,)]  # typing records nothing


def test_an_inline_listing_keeps_the_best_plausible_matches(core: Core) -> None:
    every = claims.inline_listing(core, CONFIDENT, "s:", limit=50).found
    assert every[0][0].external_id == STATEMENT
    assert all(m is not None and plausible(m) for _, m in every)
    assert claims.inline_listing(core, CONFIDENT, "s:", limit=1).found == every[:1]


def test_the_cli_checks_any_text_and_previews_record_nothing(core: Core) -> None:
    preview = claims.decide_now(core, Claim("😱😱"), claims.CLI_PREVIEW)
    assert preview.readable and preview.tier is Tier.NONE and preview.claim_id is None
    assert rows(core.db, "SELECT count(*) FROM claims") == [(0,)]
    checked = claims.decide_now(core, Claim(CONFIDENT), claims.CLI)
    assert checked.claim_id is not None and checked.tier is Tier.CONFIDENT
    assert rows(core.db, "SELECT channel, user_hash FROM submissions") == [("cli", None)]


def test_no_raw_id_reaches_the_database(core: Core) -> None:
    user_id, chat_id = 731_904_265_813, -100_482_615_937_204
    claim = Claim(
        CONFIDENT, (UNIQUE_SOURCE,), Channel.GROUP,
        core.pseudonym(user_id), core.pseudonym(chat_id), 3,
    )  # fmt: skip
    claims.decide_now(core, claim, claims.GROUP_ASKED)
    core.db.conn.commit()
    dump = "\n".join(core.db.conn.iterdump())
    assert str(user_id) not in dump and str(abs(chat_id)) not in dump


def test_a_citizens_ask_picks_its_channels_options() -> None:
    """Private chats read an unknown link's page when fetching is on; groups never do."""
    from bot.sources.fetch import FetchPolicy

    policy = FetchPolicy()
    assert claims.ask_options(True) == (Channel.PRIVATE, claims.PRIVATE)
    assert claims.ask_options(True, policy) == (Channel.PRIVATE, claims.PRIVATE.fetching(policy))
    assert claims.ask_options(True, policy)[1].fetch is policy
    assert claims.ask_options(False, policy) == (Channel.GROUP, claims.GROUP_ASKED)
    assert claims.ask_options(False)[1].fetch is None


def test_what_a_message_says_is_made_storable() -> None:
    """NUL and lone surrogates cannot be stored; a huge text is cut; links come once each,
    the text's own first, then the ones the message marks, without trailing punctuation."""
    text, urls = claims.received(
        "  cek\x00 ini \ud800 https://kpu.go.id/a. dan https://kpu.go.id/a  ",
        ["https://bawaslu.go.id/b)", "https://kpu.go.id/a"],
    )
    assert text == "cek  ini \ufffd https://kpu.go.id/a. dan https://kpu.go.id/a"
    assert urls == ("https://kpu.go.id/a", "https://bawaslu.go.id/b")
    long, _ = claims.received("kata " * 10_000)
    assert len(long) <= claims.MAX_CLAIM_CHARS
    assert claims.received("") == ("", ())
