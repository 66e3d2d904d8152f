"""Inline mode end to end (`@bot teks`, the chosen result, the "Bagikan" share query), plus
the links it builds, against the fake Bot API."""

from __future__ import annotations

import pytest
from fakebotapi import Call
from test_bot_groups import HOAX, HOAX_ID, GroupBot

import storage
from bot.replies.render import deep_link, share_button
from bot.replies.texts_id import ID as GROUP_TEXTS
from bot.telegram.inline import CACHE_SECONDS, HINT_START_PARAMETER, MAX_RESULTS
from storage import StatementInput

pytestmark = pytest.mark.timeout(30)


async def ask(bot: GroupBot, query: str, user_id: int = 1001) -> Call:
    return await bot.send(
        bot.fake.inline_query_update(query, user_id=user_id), method="answerInlineQuery"
    )


def submissions(bot: GroupBot) -> list[dict]:
    return list(bot.core.db.query("SELECT * FROM submissions ORDER BY id"))


async def test_inline_query_lists_the_best_matches_as_short_cards(bot: GroupBot) -> None:
    call = await ask(bot, "pemilu 2024 diundur gak jadi 14 februari")
    assert call.status == 200
    results = call.params["results"]
    assert 1 <= len(results) <= MAX_RESULTS
    first = results[0]
    statement = storage.get_statement(bot.core.db, HOAX_ID)
    assert statement is not None
    assert first["type"] == "article" and first["id"] == f"m{statement.id}"
    assert first["title"].startswith("🔴 HOAKS") and "Pemilu 2024 diundur" in first["title"]
    assert first["description"] == "KPU · 14 Maret 2023"
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "HOAKS" in content["message_text"] and "Pernyataan resmi KPU" in content["message_text"]
    assert len(content["message_text"]) < 800
    urls = [b["url"] for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert urls == [
        f"https://t.me/CekKlaimBot?start=s{HOAX_ID}",
        "https://www.detik.com/jabar/berita/d-6618299/ketua-kpu-tegaskan-pemilu-digelar-14-februari-2024",
    ]
    assert call.params["cache_time"] == CACHE_SECONDS
    assert call.params.get("is_personal") in (None, False)
    assert submissions(bot) == []  # typing is not recorded


async def test_chosen_result_records_the_query_as_an_inline_question(bot: GroupBot) -> None:
    query = "pemilu 2024 diundur gak jadi 14 februari"
    call = await ask(bot, query)
    chosen = call.params["results"][0]["id"]
    await bot.quiet(bot.fake.chosen_inline_result_update(chosen, query))
    (submission,) = submissions(bot)
    assert submission["channel"] == "inline"
    assert "1001" not in str(submission)
    claim = storage.get_claim(bot.core.db, submission["claim_id"])
    assert claim is not None and claim.tier == "confident"
    assert claim.best_statement_external_id == HOAX_ID


async def test_too_short_or_empty_queries_get_a_hint_button(bot: GroupBot) -> None:
    for query in ("", "pe", "😡😡😡", "yg dan"):
        call = await ask(bot, query)
        assert call.params["results"] == []
        button = call.params["button"]
        assert button["start_parameter"] == HINT_START_PARAMETER
        assert button["text"] == GROUP_TEXTS["inline_hint"]


async def test_no_plausible_match_gets_an_honest_hint(bot: GroupBot) -> None:
    call = await ask(bot, "resep rendang padang yang enak sekali")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == GROUP_TEXTS["inline_no_match"]


async def test_the_hint_button_starts_the_bot(bot: GroupBot) -> None:
    call = await bot.send(bot.fake.message_update(f"/start {HINT_START_PARAMETER}"))
    assert "CekKlaim" in call.response["text"]


async def test_share_query_returns_exactly_that_statement(bot: GroupBot) -> None:
    statement = storage.get_statement(bot.core.db, HOAX_ID)
    assert statement is not None
    button = share_button(statement, "id")
    assert button.switch_inline == f"s:{HOAX_ID}"
    assert button.label == GROUP_TEXTS["btn_share"]
    call = await ask(bot, button.switch_inline)
    (result,) = call.params["results"]
    assert result["id"] == f"s{statement.id}"
    assert "Pemilu 2024 diundur" in result["input_message_content"]["message_text"]
    # sending a share records nothing: it is not a claim
    await bot.quiet(bot.fake.chosen_inline_result_update(result["id"], f"s:{HOAX_ID}"))
    assert submissions(bot) == []


async def test_share_of_an_unknown_or_retired_statement(bot: GroupBot) -> None:
    call = await ask(bot, "s:no-such-statement")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == GROUP_TEXTS["inline_missing"]
    storage.retire_statement(bot.core.db, HOAX_ID, actor="test")
    call = await ask(bot, f"s:{HOAX_ID}")
    (result,) = call.params["results"]
    assert "diarsipkan" in result["input_message_content"]["message_text"]


async def test_html_in_statements_is_escaped_in_inline_cards(bot: GroupBot) -> None:
    storage.save_statement(
        bot.core.db,
        StatementInput(
            external_id="kpu-test-html",
            org="KPU <Pusat> & Daerah",
            verdict="HOAKS",
            claim='Formulir C1 <b>palsu</b> & "asli" beredar di grup <script>',
            clarification='KPU: formulir <C1> & salinan "resmi" hanya dari KPPS. ' * 20,
            source_url="https://www.kpu.go.id/?a=1&b=<2>",
            published_at="2024-02-15",
        ),
        actor="test",
    )
    bot.core.refresh()
    call = await ask(bot, "formulir c1 palsu dan asli beredar di grup")
    card = next(r for r in call.params["results"] if "Formulir" in r["title"])
    assert card["title"].startswith("🔴 HOAKS Formulir C1 <b>palsu</b>")  # plain text
    assert "&lt;script&gt;" in card["input_message_content"]["message_text"]
    assert call.status == 200  # the fake parsed the HTML as Telegram would


async def test_hoax_post_text_works_inline_too(bot: GroupBot) -> None:
    call = await ask(bot, HOAX)
    assert call.params["results"][0]["title"].startswith("🔴 HOAKS")


def test_deep_links_only_carry_valid_start_parameters() -> None:
    assert deep_link("CekKlaimBot", "kpu-2024_x") == "https://t.me/CekKlaimBot?start=skpu-2024_x"
    assert deep_link("CekKlaimBot", "kpu.2024:x") == "https://t.me/CekKlaimBot"
    assert deep_link("CekKlaimBot", "k" * 64) == "https://t.me/CekKlaimBot"
    assert deep_link("CekKlaimBot") == "https://t.me/CekKlaimBot"
