"""The /tambah conversation without Telegram (bot/tambah.py): what each step says and the
state it leaves the conversation in. The same conversation through the real bot:
tests/test_bot_moderation.py and tests/test_bot_sources.py."""

from __future__ import annotations

from typing import Any

from bot import tambah
from bot.clusters import Cluster
from bot.replies.moderators import SAVE_NEW, VERDICT, confirm_keyboard
from bot.replies.texts import text
from bot.sources.fetch_error import FetchError
from bot.sources.prefill import Prefill

OFFICIAL = {"kpu.go.id": "KPU"}
ONE_MESSAGE = (
    "KPU | HOAKS | Pemilu diundur ke Juni | Pemungutan suara tetap 14 Februari. | "
    "https://kpu.go.id/berita/1 | 2024-01-05"
)
ANSWERS = {
    "org": "KPU",
    "verdict": "HOAKS",
    "claim": "Pemilu diundur ke Juni",
    "clarification": "Pemungutan suara tetap 14 Februari.",
    "source_url": "https://kpu.go.id/berita/1",
    "published_at": "2024-01-05",
    "variants": "-",
}


async def unreachable(url: str) -> Prefill:
    raise FetchError("timeout", url)


def adding(fetch: tambah.Fetch = unreachable) -> tambah.Adding:
    return tambah.Adding(fetch, OFFICIAL)


def texts(step: tambah.Step) -> list[str]:
    return [reply.text for reply in step.say]


async def test_a_bare_tambah_asks_the_first_field() -> None:
    draft, step = await adding().start("")
    assert draft == {}
    assert texts(step) == [text("id", "ask_org")]
    assert step.state == tambah.STEPS["org"]


async def test_the_one_message_form_goes_straight_to_the_preview() -> None:
    draft, step = await adding().start(ONE_MESSAGE)
    assert draft is not None and draft["org"] == "KPU"
    assert step.state == tambah.CONFIRM
    (card,) = step.say  # one message: the header, the card, ✅/✖️ under it
    assert card.text.startswith(text("id", "preview"))
    assert "Pemilu diundur ke Juni" in card.text
    assert card.keyboard[-1:] == confirm_keyboard(SAVE_NEW)


async def test_a_wrong_one_message_form_ends_with_the_reason_and_keeps_no_draft() -> None:
    draft, step = await adding().start("KPU | HOAKS")
    assert draft is None
    assert step.state == tambah.END
    assert "Format satu pesan" in texts(step)[0]


async def test_a_page_that_cannot_be_read_is_said_and_the_questions_start() -> None:
    draft, step = await adding().start("https://kpu.go.id/berita/1")
    assert draft == {}
    reason = text("id", "fetch_timeout")
    assert texts(step) == [text("id", "prefill_failed", reason=reason), text("id", "ask_org")]
    assert step.state == tambah.STEPS["org"]


async def test_each_answer_asks_the_next_field_and_the_verdict_has_buttons() -> None:
    steps = adding()
    draft: dict[str, Any] = {}
    step = await steps.typed(draft, "KPU", at_preview=False)
    assert draft["org"] == "KPU"
    assert step.state == tambah.STEPS["verdict"]
    (question,) = step.say
    assert question.text == text("id", "ask_verdict")
    assert {b.callback.split(":")[0] for row in question.keyboard for b in row} == {VERDICT.prefix}


async def test_a_wrong_answer_is_asked_again_with_the_reason() -> None:
    draft: dict[str, Any] = {"org": "KPU"}
    step = adding().fill(draft, "verdict", "KIRA-KIRA")
    assert "verdict" not in draft
    assert step.state == tambah.STEPS["verdict"]
    assert "Label tidak dikenal" in texts(step)[0]


async def test_the_last_answer_shows_the_preview_and_a_field_can_be_changed_there() -> None:
    steps, draft = adding(), {}
    for value in ANSWERS.values():
        step = await steps.typed(draft, value, at_preview=False)
    assert step.state == tambah.CONFIRM
    assert texts(step)[0].startswith(text("id", "preview"))
    assert text("id", "preview_unofficial", host="x")[:10] not in texts(step)[0]

    step = await steps.typed(draft, "org: Bawaslu", at_preview=True)
    assert draft["org"] == "Bawaslu" and step.state == tambah.CONFIRM
    step = await steps.typed(draft, "verdict KIRA-KIRA", at_preview=True)
    assert draft["verdict"] == "HOAKS" and step.state == tambah.CONFIRM  # stays at the preview


async def test_the_preview_warns_about_a_source_off_the_official_domains() -> None:
    draft: dict[str, Any] = {**ANSWERS, "source_url": "https://blog.example/x"}
    header = adding().preview_header(draft)
    assert text("id", "preview_unofficial", host="blog.example") in header


async def test_a_cluster_gone_from_the_queue_ends_the_conversation() -> None:
    assert adding().from_cluster(None) == (None, tambah.said("queue_gone"))
    cluster = Cluster("c7", (7,), 3, "2024-01-01", "2024-01-02", "tinta pemilu babi", 1.0)
    draft, step = adding().from_cluster(cluster)
    assert draft is not None and draft["claim"] == "tinta pemilu babi"
    assert step.state == tambah.STEPS["org"]


async def test_a_source_draft_gone_ends_the_conversation() -> None:
    assert await adding().from_source_draft(None) == (None, tambah.said("draft_gone"))


async def test_a_prefilled_claim_is_asked_in_its_turn_and_kept_or_replaced() -> None:
    from bot.clusters import Cluster

    cluster = Cluster("c3", (3,), 2, "", "", "kotak suara kardus jebol", 1.0)
    draft, step = adding().from_cluster(cluster)
    assert draft is not None and texts(step) == [text("id", "ask_org")]
    await adding().typed(draft, "KPU", at_preview=False)
    step = adding().fill(draft, "verdict", "HOAKS")
    assert step.state == tambah.STEPS["claim"]
    (asked,) = step.say
    assert "kotak suara kardus jebol" in asked.text and asked.keyboard[-1][0].callback == "kp:claim"
    kept = adding().keep(draft, "verdict")  # not the field asked: nothing changes
    assert kept.state == tambah.STEPS["claim"]
    step = await adding().typed(draft, "kotak suara kardus mudah rusak", at_preview=False)
    assert step.state == tambah.STEPS["clarification"] and "clarification" not in draft
    assert draft["claim"] == "kotak suara kardus mudah rusak"
    step = await adding().typed(draft, "Kotak suara karton kedap air.", at_preview=False)
    assert draft["clarification"] == "Kotak suara karton kedap air."
