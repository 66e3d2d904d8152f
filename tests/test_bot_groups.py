"""The bot in group chats, end to end: the real Application (build_application plus the group
and inline handlers) over real HTTP against the fake Bot API (tests/fakebotapi.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from botharness import GROUP, MEMBER, Bot, buttons, claims, visible
from fakebotapi import Call

import storage
from bot.claims import STRICT_MIN_COVERAGE, STRICT_MIN_FUZZY
from bot.core import Core
from bot.replies.texts_id import ID as GROUP_ID_TEXTS
from bot.replies.texts_id import ID as TEXTS_ID
from bot.telegram.runtime import runtime_of

pytestmark = pytest.mark.timeout(30)

SUPERGROUP = -1_001_000_002_002
ADMIN = 1001
HOAX = "INFO PENTING!!! Pemilu 2024 DIUNDUR, gak jadi tanggal 14 Februari. SEBARKAN"
HOAX_ID = "kpu-2024-hari-pemungutan"

GroupBot = Bot  # the group helpers (quiet, group_message) live in botharness.Bot


def replied_to(call: Call) -> int | None:
    return (call.params.get("reply_parameters") or {}).get("message_id")


def forwarded_post(bot: GroupBot, caption: str = HOAX, **kw: Any) -> dict:
    """A channel post forwarded into the group (a photo with a caption)."""
    return bot.group_message(
        caption=caption,
        photo=True,
        forward_origin={
            "type": "channel",
            "date": 1700000000,
            "chat": {"id": -1001234, "type": "channel", "title": "Berita Viral"},
            "message_id": 77,
        },
        **kw,
    )


def mention_entity(text: str, handle: str = "@CekKlaimBot") -> list[dict]:
    return [{"type": "mention", "offset": text.index(handle), "length": len(handle)}]


def submissions(core: Core) -> list[dict]:
    return list(core.db.query("SELECT * FROM submissions ORDER BY id"))


async def settings_as_admin(bot: GroupBot, chat_id: int = GROUP, **kw: Any) -> Call:
    bot.fake.chat_members[(chat_id, ADMIN)] = "administrator"
    return await bot.send(bot.group_message("/pengaturan", chat_id=chat_id, user_id=ADMIN, **kw))


# ------------------------------------------------------------------------------ membership


async def test_added_to_a_group_posts_one_introduction(bot: GroupBot) -> None:
    call = await bot.send(bot.fake.my_chat_member_update(GROUP))
    assert call.params["chat_id"] == GROUP
    assert "/cek" in visible(call) and "@CekKlaimBot" in visible(call)
    assert "/pengaturan" in visible(call)
    # promoted to admin, and the same join redelivered: no second introduction
    await bot.quiet(
        bot.fake.my_chat_member_update(GROUP, old_status="member", new_status="administrator")
    )
    await bot.quiet(bot.fake.my_chat_member_update(GROUP))
    assert len([c for c in bot.fake.sent("sendMessage") if c.params["chat_id"] == GROUP]) == 1
    settings = storage.get_group(bot.core.db, GROUP)
    assert settings is not None and settings.intro_sent and settings.active


async def test_removed_from_a_group_keeps_the_settings_marked_removed(bot: GroupBot) -> None:
    await bot.send(bot.fake.my_chat_member_update(GROUP))
    storage.set_auto_check(bot.core.db, GROUP, True)
    await bot.quiet(bot.fake.my_chat_member_update(GROUP, old_status="member", new_status="left"))
    settings = storage.get_group(bot.core.db, GROUP)
    assert settings is not None and settings.removed_at is not None and settings.auto_check
    await bot.quiet(bot.fake.my_chat_member_update(GROUP, old_status="left", new_status="kicked"))
    # added again: settings back, and a new introduction for the new membership
    call = await bot.send(bot.fake.my_chat_member_update(GROUP, old_status="kicked"))
    assert "/cek" in visible(call)
    settings = storage.get_group(bot.core.db, GROUP)
    assert settings is not None and settings.active and settings.auto_check


async def test_added_to_a_channel_says_nothing(bot: GroupBot) -> None:
    await bot.quiet(bot.fake.my_chat_member_update(-1_001_999, chat_type="channel"))
    assert storage.get_group(bot.core.db, -1_001_999) is None


async def test_group_command_menus(bot: GroupBot) -> None:
    scopes = {key[0]: value for key, value in bot.fake.commands.items() if key[1] == ""}
    members = scopes['{"type": "all_group_chats"}']
    admins = scopes['{"type": "all_chat_administrators"}']
    assert [c["command"] for c in members] == ["cek", "bantuan"]
    assert [c["command"] for c in admins] == ["cek", "pengaturan", "bantuan"]


# ------------------------------------------------------------------------------ asking


async def test_cek_as_a_reply_to_a_forwarded_channel_post(bot: GroupBot) -> None:
    post = forwarded_post(bot)["message"]
    call = await bot.send(bot.group_message("/cek", reply_to=post))
    text = visible(call)
    assert call.params["chat_id"] == GROUP
    assert replied_to(call) == post["message_id"]  # the answer sits under the post
    assert "HOAKS" in text and "Pernyataan resmi KPU" in text and "31 Januari 2022" in text
    assert len(text) < 700  # a short card, not the full statement
    urls = [b.get("url") for b in buttons(call)]
    assert f"https://t.me/CekKlaimBot?start=s{HOAX_ID}" in urls
    assert "https://jdih.kpu.go.id/" in urls
    assert all("callback_data" not in b for b in buttons(call))
    (claim,) = claims(bot.core)
    assert claim["tier"] == "confident" and claim["asked"] == 1
    (submission,) = submissions(bot.core)
    assert submission["channel"] == "group"
    assert str(GROUP) not in str(submission) and str(MEMBER) not in str(submission)


async def test_the_deep_link_opens_the_full_statement_in_private(bot: GroupBot) -> None:
    post = forwarded_post(bot)["message"]
    card = await bot.send(bot.group_message("/cek", reply_to=post))
    link = next(b["url"] for b in buttons(card) if "start=" in b["url"])
    payload = link.split("start=", 1)[1]
    call = await bot.send(bot.fake.message_update(f"/start {payload}"))
    assert "Pernyataan resmi KPU" in visible(call) and "Keputusan KPU Nomor 21" in visible(call)


async def test_cek_with_text_and_the_unsure_and_none_notes(bot: GroupBot) -> None:
    call = await bot.send(bot.group_message("/cek katanya lembaga survei sudah tau pemenangnya"))
    # not sure: no candidate is named in front of the group, the asker may look privately
    assert visible(call).startswith("Belum ada pernyataan resmi yang pasti cocok")
    assert "hitung cepat" not in visible(call).lower() and "survei" not in visible(call)
    assert replied_to(call) is not None
    assert [b["url"] for b in buttons(call)] == ["https://t.me/CekKlaimBot"]
    call = await bot.send(
        bot.group_message("/cek kotak suara di desa kami dibawa kabur orang")
    )
    assert visible(call).startswith("Belum ada pernyataan resmi")
    assert "dicatat" in visible(call) and buttons(call) == []
    # a question asked in a group goes to the moderators' queue
    queue = storage.queue_claims(bot.core.db)
    assert {c.tier for c in queue} == {"possible", "none"}


async def test_cek_without_text_or_reply_explains_how(bot: GroupBot) -> None:
    call = await bot.send(bot.group_message("/cek"))
    assert "Balas pesan yang ingin dicek" in visible(call)
    sticker = bot.group_message(sticker=True)["message"]
    call = await bot.send(bot.group_message("/cek", reply_to=sticker))
    assert visible(call) == GROUP_ID_TEXTS["group_unreadable"]
    assert claims(bot.core) == []


async def test_mention_in_a_reply_checks_the_replied_message(bot: GroupBot) -> None:
    original = bot.group_message(HOAX, user_id=1003)["message"]
    text = "@CekKlaimBot ini bener gak?"
    call = await bot.send(bot.group_message(text, entities=mention_entity(text), reply_to=original))
    assert "HOAKS" in visible(call)
    assert replied_to(call) == original["message_id"]
    assert claims(bot.core)[0]["asked"] == 1


async def test_mention_with_the_claim_checks_the_text(bot: GroupBot) -> None:
    text = "@cekklaimbot pemilu 2024 diundur gak jadi 14 februari"
    call = await bot.send(bot.group_message(text, entities=mention_entity(text, "@cekklaimbot")))
    assert "HOAKS" in visible(call)
    alone = "@CekKlaimBot"
    call = await bot.send(bot.group_message(alone, entities=mention_entity(alone)))
    assert "Balas pesan yang ingin dicek" in visible(call)


async def test_other_mentions_and_plain_chatter_are_ignored(bot: GroupBot) -> None:
    text = "@budi pemilu 2024 diundur gak jadi 14 februari"
    await bot.quiet(bot.group_message(text, entities=mention_entity(text, "@budi")))
    await bot.quiet(bot.group_message(HOAX))
    mine = await bot.send(bot.group_message("/cek " + HOAX))
    await bot.quiet(bot.group_message("makasih", reply_to=mine.response))  # reply to the bot
    assert len(claims(bot.core)) == 1


async def test_bantuan_in_a_group_is_still_answered_by_the_citizen_handler(bot: GroupBot) -> None:
    call = await bot.send(bot.group_message("/bantuan"))
    assert "Cara memakai CekKlaim" in visible(call)


async def test_an_edited_cek_is_not_answered_again(bot: GroupBot) -> None:
    update = bot.group_message("/cek " + HOAX)
    await bot.send(update)
    edited = {"edited_message": dict(update["message"], edit_date=int(time.time()))}
    edited["edited_message"]["text"] = "/cek " + HOAX + " !!"
    await bot.quiet(edited)
    assert len(claims(bot.core)) == 1


async def test_a_failing_group_handler_is_reported_and_group_0_stays_out(
    bot: GroupBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    async def broken_async(*args: object, **kwargs: object) -> None:
        broken()

    monkeypatch.setattr(bot.core, "check", broken)
    monkeypatch.setattr(bot.core, "check_async", broken_async)  # the bot's claim path
    await bot.quiet(bot.group_message("/cek " + HOAX))  # no full card from group 0 either
    assert "database on fire" in caplog.text  # through the application's error handler


# ------------------------------------------------------------------------------ settings


async def test_non_admin_is_refused_politely(bot: GroupBot) -> None:
    bot.fake.chat_members[(GROUP, MEMBER)] = "member"
    call = await bot.send(bot.group_message("/pengaturan", user_id=MEMBER))
    assert visible(call) == GROUP_ID_TEXTS["settings_not_admin"]
    assert buttons(call) == []
    checked = [c.params for c in bot.fake.sent("getChatMember")]
    assert {"chat_id": GROUP, "user_id": MEMBER} in checked
    assert storage.get_group(bot.core.db, GROUP) is None


async def test_forged_admin_claims_in_the_message_do_not_count(bot: GroupBot) -> None:
    # "from" says nothing about rights; only getChatMember does (here: "member")
    update = bot.group_message("/pengaturan", user_id=MEMBER, first_name="Admin Grup")
    call = await bot.send(update)
    assert visible(call) == GROUP_ID_TEXTS["settings_not_admin"]


async def test_pengaturan_in_private_points_to_groups(bot: GroupBot) -> None:
    call = await bot.send(bot.fake.message_update("/pengaturan"))
    assert visible(call) == GROUP_ID_TEXTS["settings_private"]


async def test_admin_turns_on_automatic_mode_then_forwards_are_answered(bot: GroupBot) -> None:
    call = await settings_as_admin(bot)
    assert "MATI" in visible(call)
    data = [b["callback_data"] for b in buttons(call)]
    assert data == ["gs:a:1", "gs:s:strict"]
    forwarded = forwarded_post(bot)
    await bot.quiet(forwarded)  # off by default: quiet, and nothing recorded
    assert claims(bot.core) == []

    answer, edit = await bot.press("gs:a:1", "editMessageText", user_id=ADMIN, chat_id=GROUP)
    assert answer.params["text"] == GROUP_ID_TEXTS["ack_settings_saved"]
    assert "AKTIF" in visible(edit)
    assert "jadikan saya admin grup" in visible(edit)  # privacy mode hides forwards otherwise
    assert [b["callback_data"] for b in buttons(edit)] == ["gs:a:0", "gs:s:strict"]
    settings = storage.get_group(bot.core.db, GROUP)
    assert settings is not None and settings.auto_check

    post = forwarded_post(bot, user_id=1004)
    call = await bot.send(post)
    assert "HOAKS" in visible(call)
    assert replied_to(call) == post["message"]["message_id"]
    # a plain (not forwarded) message with the same text: not checked automatically
    await bot.quiet(bot.group_message(HOAX, user_id=1005))
    # a forwarded post without a confident match: quiet, counted, but not queued
    await bot.quiet(forwarded_post(bot, caption="kotak suara di desa kami sudah tercoblos semua"))
    rows = claims(bot.core)
    assert len(rows) == 2 and all(c["asked"] == 0 for c in rows)
    assert rows[1]["tier"] != "confident"
    assert storage.queue_claims(bot.core.db) == []
    assert {s["channel"] for s in submissions(bot.core)} == {"group"}
    # a linked channel's posts copied into its discussion group are not "shared" posts
    seen = len(submissions(bot.core))
    automatic = forwarded_post(bot, user_id=1006)
    automatic["message"]["is_automatic_forward"] = True
    await bot.quiet(automatic)
    assert len(submissions(bot.core)) == seen


async def test_button_presses_recheck_admin_rights(bot: GroupBot) -> None:
    await settings_as_admin(bot)
    bot.fake.chat_members[(GROUP, MEMBER)] = "member"
    answer, _ = await bot.press("gs:a:1", "answerCallbackQuery", user_id=MEMBER, chat_id=GROUP)
    assert answer.params["text"] == GROUP_ID_TEXTS["ack_settings_not_admin"]
    assert answer.params.get("show_alert") is True
    settings = storage.get_group(bot.core.db, GROUP)
    assert settings is not None and not settings.auto_check
    # the admin is demoted in the meantime: refused too
    bot.fake.chat_members[(GROUP, ADMIN)] = "member"
    answer, _ = await bot.press("gs:a:1", "answerCallbackQuery", user_id=ADMIN, chat_id=GROUP)
    assert answer.params["text"] == GROUP_ID_TEXTS["ack_settings_not_admin"]


async def test_double_tap_and_forged_buttons_are_answered_without_errors(bot: GroupBot) -> None:
    await settings_as_admin(bot)
    await bot.app.update_queue.join()
    # a double tap: both presses carry the message as it was shown, before the first edit
    first = bot.fake.callback_update("gs:a:1", user_id=ADMIN, chat_id=GROUP)
    second = bot.fake.callback_update("gs:a:1", user_id=ADMIN, chat_id=GROUP)
    await bot.send(first, "editMessageText")
    answer = await bot.send(second, "answerCallbackQuery")
    assert answer.params["text"] == GROUP_ID_TEXTS["ack_settings_saved"]
    # once the edit shows "turn off", the old "turn on" is no button of that message
    answer, _ = await bot.press("gs:a:1", "answerCallbackQuery", user_id=ADMIN, chat_id=GROUP)
    assert answer.params["text"] == TEXTS_ID["ack_stale"]
    answer, _ = await bot.press(
        "gs:s:paranoid", "answerCallbackQuery", user_id=ADMIN, chat_id=GROUP
    )
    assert answer.params["text"] == TEXTS_ID["ack_stale"]
    # a settings button in a private chat is not a group's
    answer, _ = await bot.press("gs:a:1", "answerCallbackQuery", user_id=ADMIN)
    assert answer.params["text"] == TEXTS_ID["ack_stale"]


async def test_strict_sensitivity_needs_a_higher_score(bot: GroupBot) -> None:
    await settings_as_admin(bot)
    await bot.press("gs:a:1", "editMessageText", user_id=ADMIN, chat_id=GROUP)
    _, edit = await bot.press("gs:s:strict", "editMessageText", user_id=ADMIN, chat_id=GROUP)
    assert "ketat" in visible(edit)
    assert [b["callback_data"] for b in buttons(edit)] == ["gs:a:0", "gs:s:normal"]
    # confident, but only just: most, not all, of the claim's words are there
    borderline = "kampanye di TV, koran, dan media online tayang sejak awal masa kampanye"
    result, _ = bot.core.match(borderline)
    assert result.tier.value == "confident" and result.best is not None
    assert result.best.coverage < STRICT_MIN_COVERAGE or result.best.fuzzy < STRICT_MIN_FUZZY
    await bot.quiet(forwarded_post(bot, caption=borderline))
    strong, _ = bot.core.match(HOAX)
    assert strong.best is not None and strong.best.coverage >= STRICT_MIN_COVERAGE
    assert strong.best.fuzzy >= STRICT_MIN_FUZZY
    call = await bot.send(forwarded_post(bot))
    assert "HOAKS" in visible(call)
    # back to normal: the borderline post is answered
    await bot.press("gs:s:normal", "editMessageText", user_id=ADMIN, chat_id=GROUP)
    call = await bot.send(forwarded_post(bot, caption=borderline))
    assert "Iklan kampanye" in visible(call)


async def test_automatic_mode_does_not_answer_a_post_saying_the_opposite(bot: GroupBot) -> None:
    storage.set_auto_check(bot.core.db, GROUP, True)
    opposite = "pemilih di jakarta gak dapat 5 surat suara"
    result, _ = bot.core.match(opposite)
    assert result.tier.value == "confident" and result.best is not None
    assert result.best.polarity_differs
    await bot.quiet(forwarded_post(bot, caption=opposite))
    # asked explicitly, the answer comes, with a note about the opposite reading
    call = await bot.send(bot.group_message("/cek " + opposite))
    assert "kebalikan" in visible(call)


# ------------------------------------------------------------------------------ limits, topics


async def test_group_rate_limit_keeps_the_bot_quiet_beyond_it(bot: GroupBot) -> None:
    runtime_of(bot.app).group_limiter.limit = 3
    for n in range(3):
        call = await bot.send(bot.group_message("/cek " + HOAX, user_id=2000 + n))
        assert "HOAKS" in visible(call)
    await bot.quiet(bot.group_message("/cek " + HOAX, user_id=2010))
    await bot.quiet(bot.group_message("/pengaturan", user_id=2011))
    # another group has its own budget
    other = await bot.send(bot.group_message("/cek " + HOAX, chat_id=-4_000_009_999))
    assert "HOAKS" in visible(other)


async def test_default_group_limit_is_below_telegrams(bot: GroupBot) -> None:
    assert runtime_of(bot.app).group_limiter.limit <= 15


async def test_topics_keep_the_thread(bot: GroupBot) -> None:
    topic = 7
    root = {
        "message_id": topic,
        "date": int(time.time()),
        "chat": {"id": SUPERGROUP, "type": "supergroup", "title": "Warga", "is_forum": True},
        "from": {"id": MEMBER, "is_bot": False, "first_name": "Budi"},
        "message_thread_id": topic,
        "forum_topic_created": {"name": "Pemilu", "icon_color": 7322096},
    }
    post = forwarded_post(bot, chat_id=SUPERGROUP, message_thread_id=topic, reply_to=root)
    call = await bot.send(
        bot.group_message("/cek", chat_id=SUPERGROUP, message_thread_id=topic, reply_to=post)
    )
    assert call.params["message_thread_id"] == topic
    assert "HOAKS" in visible(call) and replied_to(call) == post["message"]["message_id"]
    # /cek in the topic without a reply: the topic's root is not the message to check
    call = await bot.send(
        bot.group_message("/cek", chat_id=SUPERGROUP, message_thread_id=topic, reply_to=root)
    )
    assert call.params["message_thread_id"] == topic
    assert "Balas pesan yang ingin dicek" in visible(call)
    # settings and automatic answers in the topic
    call = await settings_as_admin(bot, SUPERGROUP, message_thread_id=topic, reply_to=root)
    assert call.params["message_thread_id"] == topic
    _, edit = await bot.press("gs:a:1", "editMessageText", user_id=ADMIN, chat_id=SUPERGROUP)
    assert "AKTIF" in visible(edit)
    auto = await bot.send(forwarded_post(bot, chat_id=SUPERGROUP, message_thread_id=topic))
    assert auto.params["message_thread_id"] == topic and "HOAKS" in visible(auto)


async def test_group_becoming_a_supergroup_keeps_its_settings(bot: GroupBot) -> None:
    storage.set_auto_check(bot.core.db, GROUP, True)
    update = bot.group_message()
    update["message"]["migrate_to_chat_id"] = SUPERGROUP
    bot.fake.push_update(update)
    deadline = time.monotonic() + 5
    while storage.get_group(bot.core.db, SUPERGROUP) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    moved = storage.get_group(bot.core.db, SUPERGROUP)
    assert moved is not None and moved.auto_check
    assert storage.get_group(bot.core.db, GROUP) is None


def test_english_catalogue_only_translates_indonesian_keys() -> None:
    from bot.replies.texts_en import EN
    from bot.replies.texts_id import ID

    assert set(EN) <= set(ID)  # Indonesian is complete; English mirrors it
    for key in ("group_intro", "group_usage", "inline_hint", "btn_share", "cmd_pengaturan"):
        assert key in EN
