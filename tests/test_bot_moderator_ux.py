"""Moderators' journeys end to end (issue 15): their help, Indonesian field names, pre-filled
fields confirmed step by step, one preview message, the queue and statistics on a phone, a
queued cluster answered by /tambah, /tambahmod as a reply."""

from __future__ import annotations

import pytest
from botharness import Bot, visible

from bot.replies.texts_id import ID

ADMIN = 42
CITIZEN = 1001

pytestmark = [pytest.mark.timeout(40), pytest.mark.bot_env(MODERATOR_IDS=str(ADMIN))]


async def to_admin(bot: Bot, text: str, replies: int = 1) -> list[str]:
    """What the admin sees in reply: the first `replies` messages to their chat."""
    return await bot.replies_to(ADMIN, text, replies)


@pytest.mark.parametrize("command", ["/bantuan", "/help"])
async def test_help_shows_a_moderator_their_commands(bot: Bot, command: str) -> None:
    (shown,) = await to_admin(bot, command)  # one message: the citizen help, then theirs
    citizen_help, mod_help = shown.split("\n\nPerintah moderator\n")
    assert citizen_help.startswith("Cara memakai CekKlaim") and "/antrean" not in citizen_help
    assert "/antrean" in mod_help and "/tambahmod" in mod_help and "/cari" in mod_help
    assert len(shown.encode("utf-16-le")) // 2 <= 4096


async def test_help_to_a_citizen_has_no_moderator_commands(bot: Bot) -> None:
    mark = bot.fake.mark()
    reply = visible(await bot.say("/bantuan", user_id=CITIZEN))
    assert reply.startswith("Cara memakai CekKlaim") and "/antrean" not in reply
    await bot.say("/start", user_id=9999)  # updates are handled in order: /bantuan is done
    sent = [c for c in bot.fake.calls[mark:] if c.params.get("chat_id") == CITIZEN]
    assert len(sent) == 1  # the citizen help only


ENGLISH = ("verdict", "source_url", "published_at", "org", "clarification", "valid_until")


async def test_edit_takes_indonesian_and_english_field_names(bot: Bot) -> None:
    (usage,) = await to_admin(bot, "/ubah")
    assert "lembaga, label, klaim, penjelasan, sumber, tanggal" in usage
    assert not any(word in usage for word in ENGLISH)
    (preview,) = await to_admin(bot, "/ubah kpu-2024-jam-tps label MENYESATKAN")
    assert "Pratinjau perubahan kolom label" in preview
    await bot.press("e:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert bot.core.snapshot.statements["kpu-2024-jam-tps"].verdict == "MENYESATKAN"
    (wrong,) = await to_admin(bot, "/ubah kpu-2024-jam-tps label PALSU")
    assert "Label tidak dikenal" in wrong and "verdict" not in wrong
    (unknown,) = await to_admin(bot, "/ubah kpu-2024-jam-tps warna merah")
    assert "Kolom tidak dikenal: warna" in unknown and not any(w in unknown for w in ENGLISH)
    (english,) = await to_admin(bot, "/ubah kpu-2024-jam-tps verdict SALAH")  # still taken
    assert "Pratinjau perubahan kolom label" in english
    await bot.press("e:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert bot.core.snapshot.statements["kpu-2024-jam-tps"].verdict == "SALAH"
    (history,) = await to_admin(bot, "/riwayat kpu-2024-jam-tps")
    assert "label:" in history and "verdict:" not in history


async def test_preview_edit_and_one_message_errors_speak_indonesian(bot: Bot) -> None:
    (errors,) = await to_admin(bot, "/tambah KPU | PALSU | klaim | | ftp://x | besok")
    assert "label: Label tidak dikenal" in errors and "tanggal terbit:" in errors
    assert not any(word in errors for word in ENGLISH)
    shown = await to_admin(
        bot,
        "/tambah KPU | HOAKS | Kotak suara dari kardus gampang jebol | Kotak suara karton "
        "kedap air. | https://www.kpu.go.id/k | 2023-12-12 | -",
    )
    assert "penjelasan teks baru" in shown[0] and "clarification" not in shown[0]
    (changed,) = await to_admin(bot, "penjelasan Kotak suara karton diuji tahan air.")
    assert "diuji tahan air" in changed
    (late,) = await to_admin(bot, "berlaku 2020-01-01")
    assert "Tanggal berlaku sampai lebih awal dari tanggal terbit" in late


async def test_search_says_the_tier_in_indonesian(bot: Bot) -> None:
    (reply,) = await to_admin(bot, "/cari pemilu 2024 diundur gak jadi 14 februari")
    assert "warga akan mendapat: jawaban yakin" in reply
    assert "confident" not in reply and "possible" not in reply
    (nothing,) = await to_admin(bot, "/cari zzzz qqqq")
    assert "tidak ada" in nothing and "none" not in nothing


async def test_the_preview_is_one_message_with_its_buttons_within_the_limit(bot: Bot) -> None:
    from botharness import button_data

    from storage.statement_input import MAX_CLARIFICATION_LEN

    long = ("Kedap air 😱😱😱😱😱😱😱😱. " * 300)[:MAX_CLARIFICATION_LEN].strip()  # 😱: 2 units
    mark = bot.fake.mark()
    bot.fake.push_update(
        bot.fake.message_update(
            f"/tambah KPU | HOAKS | Kotak suara dari kardus gampang jebol | {long} | "
            "https://www.kpu.go.id/k | 2023-12-12 | -",
            user_id=ADMIN,
        )
    )
    preview = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN,
                                      after=mark)  # fmt: skip
    await bot.say("/start", user_id=9999)  # handled in order: the /tambah is done
    sent = [c for c in bot.fake.calls[mark:] if c.params.get("chat_id") == ADMIN]
    assert sent == [preview]  # one message, no lone "⬇️"
    shown = visible(preview)
    assert shown.startswith(ID["preview"].replace("<b>", "").replace("</b>", ""))
    assert "HOAKS" in shown and "Kotak suara dari kardus" in shown
    assert len(shown.encode("utf-16-le")) // 2 <= 4096  # the fake refuses more, as Telegram
    assert button_data(preview)[-2:] == ["t:ok", "t:no"]
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Tersimpan sebagai" in visible(saved)


NEW_HOAX = "bilik suara pemilu dipasangi kamera tersembunyi oleh petugas"
CLARIFICATION = "KPU menyatakan bilik suara tidak dipasangi kamera, pilihan tetap rahasia."


async def press_to_admin(bot: Bot, data: str) -> str:
    """Press a button under the admin's last message; what the bot says next."""
    _, said = await bot.press(data, "sendMessage", user_id=ADMIN, chat_id=ADMIN)
    return visible(said)


async def queue_key(bot: Bot) -> str:
    from botharness import button_data

    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update("/antrean", user_id=ADMIN))
    listing = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN,
                                      after=mark)  # fmt: skip
    return button_data(listing)[0].removeprefix("q:a:")


@pytest.mark.parametrize("keep", [True, False])
async def test_a_queued_claim_is_shown_confirmed_saved_and_leaves_the_queue(
    bot: Bot, keep: bool
) -> None:
    """➕ under /antrean: the cluster's text is shown when the claim is asked (kept with ✔️ or
    replaced by typing), answering in the usual order fills each field with its own answer,
    and Simpan links the cluster (it leaves the queue, audited) and tells who asked."""
    from botharness import button_data

    import storage

    call = await bot.say(NEW_HOAX)
    (notify,) = button_data(call)
    await bot.press(notify, "answerCallbackQuery")
    key = await queue_key(bot)
    assert await press_to_admin(bot, f"q:a:{key}") == ID["ask_org"]
    (ask_verdict,) = await to_admin(bot, "KPU")
    assert "Label" in ask_verdict
    ask_claim = await press_to_admin(bot, "v:HOAKS")
    assert ask_claim.startswith(ID["ask_claim"]) and "Sudah terisi" in ask_claim
    assert NEW_HOAX in ask_claim  # the pre-filled value is shown, not silently taken
    claim = NEW_HOAX if keep else "Bilik suara ada kamera tersembunyi"
    if keep:
        ask_clarification = await press_to_admin(bot, f"kp:{'claim'}")
    else:
        (ask_clarification,) = await to_admin(bot, claim)
    assert ask_clarification == ID["ask_clarification"]
    (ask_source,) = await to_admin(bot, CLARIFICATION)  # the usual order: its own field
    assert ask_source == ID["ask_source_url"]
    await to_admin(bot, "https://www.kpu.go.id/berita/kotak-suara")
    await to_admin(bot, "12 Desember 2023")
    (preview,) = await to_admin(bot, "-")
    assert claim in preview and CLARIFICATION in preview
    mark = bot.fake.mark()
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Tersimpan sebagai <code>kpu-0001</code>" in saved.params["text"]
    assert "1 warga diberi tahu" in visible(saved)
    assert f"Kelompok {key} terjawab dan keluar dari antrean" in visible(saved)
    note = await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == CITIZEN, after=mark
    )
    assert "Ada pernyataan resmi" in visible(note) and CLARIFICATION in visible(note)
    statement = storage.get_statement(bot.core.db, "kpu-0001")
    assert statement is not None and (statement.claim, statement.clarification) == (
        claim, CLARIFICATION
    )  # fmt: skip
    actions = [e.action for e in storage.history(bot.core.db, "kpu-0001")]
    assert actions[0] == "create" and "link_claims" in actions  # audited, with the save
    (empty,) = await to_admin(bot, "/antrean")
    assert key not in empty
    assert list(bot.core.db.query("SELECT * FROM subscriptions")) == []


async def test_a_keep_press_for_another_field_changes_nothing(bot: Bot) -> None:
    await bot.say(NEW_HOAX)
    key = await queue_key(bot)
    await press_to_admin(bot, f"q:a:{key}")
    # not a button of the question asked (org): refused, nothing kept
    answer, _ = await bot.press("kp:claim", "answerCallbackQuery", user_id=ADMIN, chat_id=ADMIN)
    assert answer.params.get("text") == ID["ack_stale"]
    (ask_verdict,) = await to_admin(bot, "KPU")
    assert "Label" in ask_verdict
    ask_claim = await press_to_admin(bot, "v:HOAKS")
    assert "Sudah terisi" in ask_claim  # the claim is still asked, with its value shown


def _longest_line(shown: str) -> int:
    return max(len(line) for line in shown.split("\n"))


async def test_queue_and_statistics_read_on_a_phone(bot: Bot) -> None:
    from botharness import button_data

    await bot.say(NEW_HOAX)
    await bot.say("bilik suara pemilu dipasang kamera tersembunyi oleh petugas", user_id=1002)
    await bot.say("tinta pemilu mengandung minyak babi katanya", user_id=1003)
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update("/antrean", user_id=ADMIN))
    listing = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN,
                                      after=mark)  # fmt: skip
    shown = visible(listing)
    assert "<pre>" not in listing.params["text"]
    first, second = (d.removeprefix("q:a:") for d in button_data(listing)[::2])
    assert f"1. {first} · 2× · terakhir baru saja · 2 klaim mirip" in shown
    assert f"2. {second} · 1× · terakhir baru saja" in shown
    assert "bilik suara pemilu" in shown and "tinta pemilu" in shown
    # short lines: nothing but the claim texts (wrapped by the phone) runs past 60 characters
    assert max(len(line) for line in shown.split("\n") if "suara" not in line) <= 60
    (stats,) = await to_admin(bot, "/statistik")
    assert "Statistik CekKlaim" in stats and "Hari ini: 3 pertanyaan · 3 klaim berbeda" in stats
    assert "yakin 0 (0%)\nmungkin " in stats and "Antrean: 3 klaim terbuka" in stats
    assert "questions" not in stats and "/today" not in stats
    assert max(len(line) for line in stats.split("\n") if "suara" not in line) <= 60


NEW_MOD = 5555


def forwarded_from(bot: Bot, origin: dict) -> dict:
    """A message the admin forwarded to the bot (its author in `origin`)."""
    return bot.fake.message_update("saya siap jadi moderator", user_id=ADMIN,
                                   forward_origin=origin)  # fmt: skip


async def reply_with(bot: Bot, command: str, replied: dict) -> str:
    """The admin answers `replied` with `command`; what the bot says."""
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update(command, user_id=ADMIN, reply_to=replied))
    said = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == ADMIN,
                                   after=mark)  # fmt: skip
    return visible(said)


async def test_addmod_as_a_reply_to_a_forwarded_message(bot: Bot) -> None:
    import storage

    user = {"id": NEW_MOD, "is_bot": False, "first_name": "Sari"}
    forwarded = forwarded_from(bot, {"type": "user", "date": 0, "sender_user": user})
    mark = bot.fake.mark()
    assert await reply_with(bot, "/tambahmod", forwarded) == ID["mod_added"].format(id=NEW_MOD)
    assert storage.is_moderator(bot.core.db, NEW_MOD, frozenset())
    menu = [c for c in bot.fake.calls[mark:] if c.method == "setMyCommands"]
    assert menu and menu[0].params["scope"] == {"type": "chat", "chat_id": NEW_MOD}
    (added,) = storage.list_moderators(bot.core.db)
    assert (added.user_id, added.added_by) == (NEW_MOD, f"mod:{ADMIN}")
    # and removed the same way
    assert await reply_with(bot, "/hapusmod", forwarded) == ID["mod_removed"].format(id=NEW_MOD)
    assert not storage.is_moderator(bot.core.db, NEW_MOD, frozenset())


async def test_addmod_without_an_id_or_a_visible_sender_says_how(bot: Bot) -> None:
    import storage

    (usage,) = await to_admin(bot, "/tambahmod")
    assert usage.startswith("Pakai: /tambahmod ID") and "balas pesan terusan" in usage
    hidden = forwarded_from(bot, {"type": "hidden_user", "date": 0, "sender_user_name": "X"})
    assert await reply_with(bot, "/tambahmod", hidden) == ID["mod_hidden"]
    own = bot.fake.message_update("catatan saya sendiri", user_id=ADMIN)  # names nobody
    assert (await reply_with(bot, "/tambahmod", own)).startswith("Pakai: /tambahmod ID")
    assert storage.list_moderators(bot.core.db) == []
