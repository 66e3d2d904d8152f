"""The citizen bot end to end: the real Application from `cekklaim run`'s builder, over real
HTTP, against the fake Bot API on 127.0.0.1 (tests/fakebotapi.py)."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from botharness import Bot, button_data, buttons, claims, running_bot, visible
from fakebotapi import Call, FakeBotAPI

import storage
from bot.replies.commands import CITIZEN_COMMANDS
from bot.replies.texts_id import ID
from storage import StatementInput

pytestmark = pytest.mark.timeout(30)

CONFIDENT_CLAIM = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.bot_env(PUBLIC_BASE_URL="https://cek.example.id")
async def test_with_public_pages_the_card_links_to_the_statements_page(bot: Bot) -> None:
    call = await bot.say(CONFIDENT_CLAIM)
    page = "https://cek.example.id/s/kpu-2024-hari-pemungutan.html"
    assert {"text": ID["btn_page"], "url": page} in buttons(call)
    (whatsapp,) = [b["url"] for b in buttons(call) if b.get("text") == ID["btn_whatsapp"]]
    assert unquote(whatsapp.removeprefix("https://wa.me/?text=")).endswith("\n" + page)
    opened = await bot.say("/start skpu-2024-hari-pemungutan")
    assert {"text": ID["btn_page"], "url": page} in buttons(opened)


# ------------------------------------------------------------------------------ /start


async def test_start_without_payload_welcomes_in_indonesian(bot: Bot) -> None:
    call = await bot.say("/start")
    assert "CekKlaim" in visible(call)
    assert "bukan KPU atau Bawaslu" in visible(call)
    assert call.params["parse_mode"] == "HTML"


async def test_start_with_statement_payload_opens_that_statement(bot: Bot) -> None:
    call = await bot.say("/start skpu-2024-lima-surat-suara")
    statement = storage.get_statement(bot.core.db, "kpu-2024-lima-surat-suara")
    assert statement is not None
    assert statement.claim[:40] in visible(call)
    assert "Pernyataan resmi KPU" in visible(call)
    assert any(b.get("url") == statement.source_url for b in buttons(call))


async def test_start_with_unknown_statement_says_so(bot: Bot) -> None:
    call = await bot.say("/start sno-such-statement")
    assert visible(call) == ID["statement_missing"]


async def test_commands_registered_in_indonesian_and_english(bot: Bot) -> None:
    calls = [
        c
        for c in bot.fake.calls
        if c.method == "setMyCommands" and c.params.get("scope", {}).get("type") == "default"
    ]
    by_language = {c.params.get("language_code", ""): c.params["commands"] for c in calls}
    assert set(by_language) == {"", "en"}
    for commands in by_language.values():
        assert [c["command"] for c in commands] == list(CITIZEN_COMMANDS)
    assert by_language[""][1]["description"] == ID["cmd_cek"]


async def test_every_command_is_in_help_and_readme(bot: Bot) -> None:
    help_text = visible(await bot.say("/bantuan"))
    readme = README.read_text(encoding="utf-8")
    for command in CITIZEN_COMMANDS:
        if command != "start":
            assert f"/{command}" in help_text
        assert f"/{command}" in readme


# ------------------------------------------------------------------------------ claims


async def test_typed_claim_gets_a_confident_sourced_card(bot: Bot) -> None:
    mark = bot.fake.mark()
    call = await bot.say(CONFIDENT_CLAIM)
    text = visible(call)
    assert "HOAKS" in text
    assert "Pernyataan resmi KPU" in text
    assert "Ketua KPU Tegaskan Pemilu Digelar 14 Februari 2024" in text  # the source's title
    assert "14 Maret 2023" in text  # the statement's date, in Indonesian
    source = "https://www.detik.com/jabar/berita/d-6618299/ketua-kpu-tegaskan-pemilu-digelar-14-februari-2024"
    assert any(b.get("url") == source for b in buttons(call))
    share = [b for b in buttons(call) if "switch_inline_query" in b]
    assert share == [
        {"text": ID["btn_share"], "switch_inline_query": "s:kpu-2024-hari-pemungutan"}
    ]  # Bagikan: drop the official card into the group where the hoax circulates
    (whatsapp,) = [b["url"] for b in buttons(call) if b.get("text") == ID["btn_whatsapp"]]
    shared = unquote(whatsapp.removeprefix("https://wa.me/?text="))
    assert shared.startswith("🔴 HOAKS: Pemilu 2024 diundur") and shared.endswith(source)
    assert [d[0] for d in button_data(call)] == ["h", "w"]  # Membantu / Bukan ini
    # one Bot API call per claim: the answer (no typing action; see README "Scaling")
    methods = [c.method for c in bot.fake.calls[mark:] if c.method != "getUpdates"]
    assert methods == ["sendMessage"]
    rows = claims(bot.core)
    assert len(rows) == 1 and rows[0]["tier"] == "confident" and rows[0]["count"] == 1
    submission = next(bot.core.db.query("SELECT * FROM submissions"))
    assert submission["channel"] == "private"
    assert submission["user_hash"] != "1001" and "1001" not in str(submission)


async def test_forwarded_channel_post_with_caption_is_checked(bot: Bot) -> None:
    update = bot.fake.message_update(
        caption="INFO PENTING!!! Pemilu 2024 DIUNDUR, gak jadi tanggal 14 Februari. SEBARKAN",
        photo=True,
        forward_origin={
            "type": "channel",
            "date": 1700000000,
            "chat": {"id": -1001234, "type": "channel", "title": "Berita Viral"},
            "message_id": 77,
        },
    )
    call = await bot.send(update)
    assert "HOAKS" in visible(call)
    claim = storage.get_claim(bot.core.db, claims(bot.core)[0]["id"])
    assert claim is not None and claim.best_statement_external_id == "kpu-2024-hari-pemungutan"


async def test_possible_tier_offers_candidates_and_a_press_shows_the_card(bot: Bot) -> None:
    call = await bot.say("katanya lembaga survei sudah tau pemenangnya")
    data = button_data(call)
    assert "belum menemukan jawaban yang pasti" in visible(call)
    picks = [d for d in data if d.startswith("p:")]
    assert 1 <= len(picks) <= 3 and data[-2].startswith("x:") and data[-1].startswith("n:")
    answer, edit = await bot.press(picks[0], "editMessageText")
    assert answer.status == 200
    assert "Pernyataan resmi" in visible(edit)


async def test_notify_me_is_offered_under_a_list_of_candidates(bot: Bot) -> None:
    call = await bot.say("katanya lembaga survei sudah tau pemenangnya")
    notify = button_data(call)[-1]
    answer, _ = await bot.press(notify, "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_notify"]
    (sub,) = bot.core.db.query("SELECT * FROM subscriptions")
    assert sub["claim_id"] == claims(bot.core)[0]["id"]


async def test_none_of_these_sends_the_claim_to_the_moderators(bot: Bot) -> None:
    call = await bot.say("katanya lembaga survei sudah tau pemenangnya")
    claim_id = claims(bot.core)[0]["id"]
    none_button = button_data(call)[-2]
    answer, edit = await bot.press(none_button, "editMessageText")
    assert answer.params["text"] == ID["ack_none_of_these"]
    assert "Belum ada pernyataan resmi" in visible(edit)
    feedback = list(bot.core.db.query("SELECT * FROM feedback"))
    assert [(f["claim_id"], f["kind"]) for f in feedback] == [(claim_id, "wrong")]
    assert storage.queue_claims(bot.core.db)[0].id == claim_id


async def test_feedback_buttons_are_answered_once_each(bot: Bot) -> None:
    call = await bot.say(CONFIDENT_CLAIM)
    helpful, wrong = button_data(call)
    answer, _ = await bot.press(helpful, "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_helpful"]
    again, _ = await bot.press(helpful, "answerCallbackQuery")
    assert again.params["text"] == ID["ack_already"]
    answer, _ = await bot.press(wrong, "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_wrong"]
    assert claims(bot.core)[0]["status"] == "open"  # back in the moderators' queue


async def test_unanswered_claim_can_be_subscribed_and_unsubscribed(bot: Bot) -> None:
    call = await bot.say("kotak suara di desa kami dibawa kabur orang")
    assert "Belum ada pernyataan resmi" in visible(call)
    (notify,) = button_data(call)
    assert notify.startswith("n:")
    answer, _ = await bot.press(notify, "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_notify"]
    subs = list(bot.core.db.query("SELECT * FROM subscriptions"))
    assert len(subs) == 1 and subs[0]["chat_id"] == 1001  # kept in clear only to notify
    again, _ = await bot.press(notify, "answerCallbackQuery")
    assert again.params["text"] == ID["ack_notify_already"]
    stop = await bot.say("/berhenti")
    assert "(1)" in visible(stop)
    assert list(bot.core.db.query("SELECT * FROM subscriptions")) == []


async def test_stale_or_forged_button_is_answered_politely(bot: Bot) -> None:
    await bot.say("/start")
    answer, _ = await bot.press("p:notanumber", "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_stale"]
    answer, _ = await bot.press("p:1:999999", "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_stale"]


async def test_language_choice_is_remembered(bot: Bot) -> None:
    call = await bot.say("/bahasa")
    assert button_data(call) == ["l:id", "l:en"]
    await bot.press("l:en", "editMessageText")
    call = await bot.say("/start")
    assert "Hi, this is CekKlaim" in visible(call)
    call = await bot.say(CONFIDENT_CLAIM)
    assert "HOAX" in visible(call) and "Official statement by KPU" in visible(call)


async def test_link_to_a_statement_source_answers_with_that_statement(bot: Bot) -> None:
    storage.save_statement(
        bot.core.db,
        StatementInput(
            external_id="bawaslu-test-link",
            org="Bawaslu",
            verdict="KLARIFIKASI",
            claim="Bawaslu membuka posko aduan pelanggaran kampanye di setiap kecamatan",
            clarification="Pengaduan dapat disampaikan ke Panwaslu Kecamatan.",
            source_url="https://www.bawaslu.go.id/id/berita/posko-aduan",
            source_title="Siaran pers Bawaslu",
            published_at="2023-11-20",
        ),
        actor="test",
    )
    bot.core.refresh()
    call = await bot.say("cek ini dong https://www.bawaslu.go.id/id/berita/posko-aduan")
    assert "sumber sebuah pernyataan resmi" in visible(call)
    assert "posko aduan" in visible(call)


# ------------------------------------------------------------------------------ bad input


async def test_sticker_gets_a_short_howto(bot: Bot) -> None:
    call = await bot.send(bot.fake.message_update(sticker=True))
    assert visible(call) == re.sub(r"<[^>]+>", "", ID["howto"])
    assert claims(bot.core) == []


async def test_emoji_only_message_gets_the_howto(bot: Bot) -> None:
    call = await bot.say("😡😡😡🔥")
    assert "hanya bisa membaca teks" in visible(call)


async def test_unknown_command_points_to_help(bot: Bot) -> None:
    call = await bot.say("/hapusdatabase")
    assert visible(call) == "Perintah itu tidak saya kenal. Lihat /bantuan."


async def test_cek_without_text_explains_usage(bot: Bot) -> None:
    call = await bot.say("/cek")
    assert "/cek pemilu 2024 diundur" in visible(call)
    call = await bot.say("/cek " + CONFIDENT_CLAIM)
    assert "HOAKS" in visible(call)


async def test_twenty_thousand_characters_are_answered_within_limits(bot: Bot) -> None:
    long_post = ("SEBARKAN!!! " * 900) + CONFIDENT_CLAIM + (" ayo bagikan 🙏" * 700)
    assert len(long_post) > 20_000
    call = await bot.say(long_post)
    assert call.status == 200
    assert len(call.params["text"]) <= 4096
    assert "HOAKS" in visible(call)
    stored = claims(bot.core)[0]
    assert len(stored["text"]) <= 4000


async def test_html_characters_in_claims_and_statements_are_escaped(bot: Bot) -> None:
    storage.save_statement(
        bot.core.db,
        StatementInput(
            external_id="kpu-test-html",
            org="KPU <Pusat> & Daerah",
            verdict="HOAKS",
            claim='Formulir C1 <b>palsu</b> & "asli" beredar di grup <script> ' + "x" * 900,
            clarification=('KPU: formulir <C1> & salinan "resmi" hanya dari KPPS. ' * 60)[:3000],
            source_url="https://www.kpu.go.id/?a=1&b=<2>",
            source_title="Siaran <pers> & rilis " + "y" * 250,
            published_at="2024-02-15",
        ),
        actor="test",
    )
    bot.core.refresh()
    call = await bot.say('formulir c1 <b>palsu</b> & "asli" beredar di grup <script>')
    assert call.status == 200
    text = visible(call)
    assert '<b>palsu</b> & "asli"' in text and "<script>" in text  # shown, not interpreted
    assert "KPU <Pusat> & Daerah" in text
    assert len(text) <= 4096


async def test_rate_limit_is_polite_and_then_quiet(tmp_path: Path) -> None:
    async for bot in running_bot(tmp_path, RATE_LIMIT_PER_MINUTE="2"):
        await bot.say("pemilu 2024 diundur")
        await bot.say("masa kampanye kapan")
        refused = await bot.say("surat suara ada berapa")
        assert "Pelan-pelan" in visible(refused)
        mark = bot.fake.mark()
        bot.fake.push_update(bot.fake.message_update("kotak suara kardus"))
        with pytest.raises(AssertionError):
            await bot.fake.wait_for("sendMessage", after=mark, timeout=0.5)
        assert len(claims(bot.core)) == 2


async def _flood(bot: Bot, updates: list[dict], bystander: int) -> list[Call]:
    """Push `updates` at once, then a /start from `bystander`: once it is answered and the
    fetched updates are all handled, the calls the bot made since (polls left out)."""
    mark = bot.fake.mark()
    for update in updates:
        bot.fake.push_update(update)
    bot.fake.push_update(bot.fake.message_update("/start", user_id=bystander))
    await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == bystander, after=mark, timeout=20
    )
    await asyncio.wait_for(bot.app.update_queue.join(), 20)
    return [c for c in bot.fake.calls[mark:] if c.method != "getUpdates"]


FLOOD = 300
LIMIT = 10


@pytest.mark.timeout(60)
async def test_every_command_and_press_counts_against_the_per_user_limit(tmp_path: Path) -> None:
    """300 /bantuan in a private chat: the limit's worth of answers, one polite note, then
    silence; 300 button presses likewise; the same in a group, without the note; someone
    else is answered throughout, and a moderator is not held back."""
    env = {"RATE_LIMIT_PER_MINUTE": str(LIMIT), "MODERATOR_IDS": "42"}
    async for bot in running_bot(tmp_path, **env):
        note = ID["rate_limited"]
        flooder, presser, member, group = 5001, 5002, 5003, -4_005_000_000
        flood = [bot.fake.message_update("/bantuan", user_id=flooder) for _ in range(FLOOD)]
        calls = await _flood(bot, flood, 5101)
        sent = [visible(c) for c in calls if c.method == "sendMessage"
                and c.params["chat_id"] == flooder]  # fmt: skip
        assert len(sent) == LIMIT + 1 and sent.count(note) == 1 and sent[-1] == note
        # a claim now is not answered and not recorded either
        calls = await _flood(bot, [bot.fake.message_update(CONFIDENT_CLAIM, user_id=flooder)], 5102)
        assert [c for c in calls if c.params.get("chat_id") == flooder] == []
        assert claims(bot.core) == []

        presses = [bot.fake.callback_update(f"p:{n}:1", user_id=presser) for n in range(FLOOD)]
        calls = await _flood(bot, presses, 5103)
        answered = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
        assert len(answered) == LIMIT + 1 and answered.count(note) == 1 and answered[-1] == note
        assert [c for c in calls if c.method.startswith("editMessage")] == []

        in_group = [bot.fake.message_update("/bantuan", user_id=member, chat_id=group,
                                            chat_type="group") for _ in range(FLOOD)]  # fmt: skip
        calls = await _flood(bot, in_group, 5104)
        sent = [visible(c) for c in calls if c.method == "sendMessage"
                and c.params["chat_id"] == group]  # fmt: skip
        assert len(sent) == LIMIT and note not in sent  # no note in front of the whole group

        work = [bot.fake.message_update("/bantuan", user_id=42) for _ in range(15)]
        calls = await _flood(bot, work, 5105)
        assert len([c for c in calls if c.method == "sendMessage"
                    and c.params["chat_id"] == 42]) == 15  # fmt: skip


async def test_token_never_reaches_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async for bot in running_bot(tmp_path):
        await bot.say("/start")
        await bot.say(CONFIDENT_CLAIM)
        token = bot.fake.token
    assert caplog.records  # the bot did log (DEBUG includes claim handling)
    assert token not in caplog.text
    assert token.split(":")[1] not in caplog.text


def test_cekklaim_run_serves_over_long_polling_and_stops_cleanly(tmp_path: Path) -> None:
    """The real `cekklaim run` process (run_polling, post_init, signals) against the fake."""
    with FakeBotAPI() as fake:
        env = fake.process_env(tmp_path / "run.db", "run-secret-0123456789", LOG_LEVEL="DEBUG")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            fake.push_update(fake.message_update(CONFIDENT_CLAIM))
            card = asyncio.run(fake.wait_for("sendMessage", timeout=30))
            assert "HOAKS" in card.response["text"]
            assert any(c.method == "setMyCommands" for c in fake.calls)  # post_init ran
        finally:
            proc.terminate()
            output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert fake.token not in output and re.search(r"seeded \d+ starter statements", output)
        assert fake.errors == []


def test_a_lone_surrogate_in_a_message_is_read_not_raised() -> None:
    """Telegram's JSON may escape a lone surrogate ("\\ud800"): the claim is read with a
    replacement character (SQLite could not store it), and entities over it do not raise."""
    from telegram import Message

    from bot.telegram.runtime import extract_claim

    fake = FakeBotAPI()
    update = fake.message_update(
        "pemilu \ud800 diundur https://kpu.go.id/a",
        entities=[{"type": "url", "offset": 17, "length": 19},
                  {"type": "bold", "offset": 7, "length": 1}],
    )  # fmt: skip
    claim = extract_claim(Message.de_json(update["message"], None))
    assert claim.text == "pemilu \ufffd diundur https://kpu.go.id/a"
    assert claim.urls == ("https://kpu.go.id/a",)
    claim.text.encode("utf-8")  # storable


async def test_about_speaks_plainly_in_the_users_language(bot: Bot) -> None:
    about = visible(await bot.say("/tentang"))
    count = len(bot.core.snapshot.statements)
    assert about.startswith("Tentang CekKlaim") and f"ada {count} penjelasan" in about
    assert "98 dari 100" in about  # how often a confident answer is right (README: quality)
    for jargon in ("BM25", "fuzzy", "Success", "normal", "kandidat"):
        assert jargon not in about
    await bot.say("/bahasa")
    await bot.press("l:en", "editMessageText")
    english = visible(await bot.say("/about"))
    assert english.startswith("About CekKlaim") and "right 98 times in 100" in english
