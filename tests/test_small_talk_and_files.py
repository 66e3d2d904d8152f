"""Small talk is answered and not recorded; a file without text (a voice note, a video, a
document) is recorded for the moderators and the citizen is told so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from botharness import Bot, button_data, claims, visible

import storage
from bot import media
from bot.claims import PRIVATE, Channel, Claim, decide_now, small_talk
from bot.core import Core
from bot.domain import Media
from bot.replies.texts_en import EN
from bot.replies.texts_id import ID
from storage.claim_media import media_of

SECRET = "test-secret"


def shown(key: str, catalogue: dict[str, str] = ID) -> str:
    return re.sub(r"<[^>]+>", "", catalogue[key])


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("halo", "greeting"),
        ("Haloo min", "greeting"),
        ("assalamualaikum wr wb", "greeting"),
        ("selamat pagi kak", "greeting"),
        ("terima kasih ya", "thanks"),
        ("makasiiih kak 🙏", "thanks"),
        ("🙏", "thanks"),
        ("ok", "ack"),
        ("oke siap 👍", "ack"),
        ("👍🏽", "ack"),  # with a skin tone
        # anything else is a claim (or nothing to check): never swallowed as small talk
        ("halo, pemilu diundur ya?", None),
        ("terima kasih atas info pemilu 2024", None),
        ("halo 123", None),
        ("😡😡😡🔥", None),
        ("pemilu", None),
        ("", None),
    ],
)
def test_small_talk_is_only_a_message_made_of_it(message: str, kind: str | None) -> None:
    assert small_talk(message) == kind


def test_small_talk_is_decided_but_nothing_is_matched_or_recorded(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "c.db", SECRET)
    decision = decide_now(core, Claim("makasih ya min", channel=Channel.PRIVATE), PRIVATE)
    assert decision.small_talk == "thanks" and decision.answer is None
    assert decision.claim_id is None and storage.claims_count(core.db) == 0
    with_link = decide_now(core, Claim("halo", ("https://kpu.go.id/x",), Channel.PRIVATE), PRIVATE)
    assert with_link.small_talk is None  # a link is something to check
    core.close()


def test_a_file_is_one_claim_however_often_it_is_sent(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "c.db", SECRET)
    voice = Media("voice", "AwACAgFileId1", "AgADUnique1", 42, "audio/ogg")
    first = media.record_media(core, voice, Claim("", (), Channel.PRIVATE, "u1", "u1", 10))
    again = media.record_media(core, voice, Claim("", (), Channel.PRIVATE, "u1", "u1", 10))
    other = media.record_media(core, voice, Claim("", (), Channel.PRIVATE, "u2", "u2", 11))
    assert not first.duplicate and again.duplicate  # a redelivered update counts once
    assert first.claim_id == other.claim_id
    (row,) = claims(core)
    assert row["count"] == 2 and row["text"] == "[pesan suara 0:42]" and row["status"] == "open"
    assert media_of(core.db, [first.claim_id]) == {first.claim_id: voice}
    queued = storage.queue_claims(core.db)
    assert [c.id for c in queued] == [first.claim_id]  # it waits for the moderators
    core.close()


@pytest.mark.parametrize(
    ("item", "label"),
    [
        (Media("document", "BQAC1", "AgAD1", None, "application/pdf"), "[dokumen application/pdf]"),
        (Media("video", "BAAC1", "AgAD2", 75, "video/mp4"), "[video 1:15]"),
        (Media("video_note", "DQAC1", "AgAD3", 9), "[video bulat 0:09]"),
    ],
)
def test_a_file_is_named_for_the_moderators(item: Media, label: str) -> None:
    assert media.media_label(item) == label


def test_a_malformed_file_id_is_refused() -> None:
    with pytest.raises(ValueError):
        Media("voice", "", "AgAD1")
    with pytest.raises(ValueError):
        Media("voice", "x" * 300, "AgAD1")
    with pytest.raises(ValueError):
        Media("hologram", "AwAC1", "AgAD1")


# ------------------------------------------------------------------------------ the bot


async def test_a_greeting_and_thanks_are_answered_and_not_recorded(bot: Bot) -> None:
    assert visible(await bot.say("halo")) == shown("talk_greeting")
    assert visible(await bot.say("terima kasih ya")) == shown("talk_thanks")
    assert visible(await bot.say("👍")) == shown("talk_ack")
    assert claims(bot.core) == []  # nothing in the moderators' queue
    claim = await bot.say("halo, katanya pemilu 2024 diundur ya?")
    assert "Klaim yang beredar" in visible(claim)  # a greeting with a claim is a claim
    assert len(claims(bot.core)) == 1


async def test_small_talk_in_english_for_an_english_speaker(bot: Bot) -> None:
    await bot.say("/bahasa")
    await bot.press("l:en", "editMessageText")
    assert visible(await bot.say("thanks")) == shown("talk_thanks", EN)


VOICE = {
    "voice": {
        "file_id": "AwACAgIAAxkBAAEFakeVoice",
        "file_unique_id": "AgADFakeVoice",
        "duration": 42,
        "mime_type": "audio/ogg",
    }
}


async def test_a_voice_note_is_recorded_for_the_moderators(bot: Bot) -> None:
    call = await bot.send(bot.fake.message_update(media=VOICE))
    assert visible(call) == shown("media_recorded")
    (row,) = claims(bot.core)
    assert row["text"] == "[pesan suara 0:42]" and row["status"] == "open"
    found = media_of(bot.core.db, [row["id"]])[row["id"]]
    assert (found.kind, found.file_id, found.duration) == ("voice", "AwACAgIAAxkBAAEFakeVoice", 42)
    (notify,) = button_data(call)
    assert notify == f"n:{row['id']}"  # "Kabari saya" for when a statement answers it
    answer, _ = await bot.press(notify, "answerCallbackQuery")
    assert answer.params["text"] == ID["ack_notify"]
    forwarded = bot.fake.message_update(media=VOICE, user_id=1002)
    await bot.send(forwarded)
    assert [r["count"] for r in claims(bot.core)] == [2]  # the same file, one claim


async def test_a_document_and_a_video_without_caption_are_recorded(bot: Bot) -> None:
    document = {
        "document": {
            "file_id": "BQACFakeDoc",
            "file_unique_id": "AgADDoc",
            "mime_type": "application/pdf",
        }
    }
    video = {
        "video": {"file_id": "BAACFakeVideo", "file_unique_id": "AgADVid", "width": 640,
                  "height": 360, "duration": 75, "mime_type": "video/mp4"}
    }  # fmt: skip
    for item in (document, video):
        assert visible(await bot.send(bot.fake.message_update(media=item))) == shown(
            "media_recorded"
        )
    assert [r["text"] for r in claims(bot.core)] == ["[dokumen application/pdf]", "[video 1:15]"]


async def test_a_sticker_still_gets_the_howto_and_is_not_recorded(bot: Bot) -> None:
    call = await bot.send(bot.fake.message_update(sticker=True))
    assert visible(call) == shown("howto")
    assert claims(bot.core) == []
