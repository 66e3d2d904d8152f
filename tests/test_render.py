"""Cards and keyboards stay within Telegram's limits whatever the statement holds."""

from __future__ import annotations

import pytest
from fakebotapi import check_reply_markup, parse_html

from bot.replies import render
from bot.replies.render import MAX_CALLBACK_BYTES, MAX_MESSAGE, Button
from bot.telegram.keyboards import markup
from storage import Statement


def statement(**overrides: object) -> Statement:
    fields: dict[str, object] = {
        "id": 2_147_483_647,
        "external_id": "kpu-2024-x",
        "org": "KPU",
        "verdict": "HOAKS",
        "claim": "Pemilu 2024 diundur",
        "clarification": "KPU menetapkan 14 Februari 2024.",
        "source_url": "https://jdih.kpu.go.id/",
        "source_title": "Keputusan KPU Nomor 21 Tahun 2022",
        "published_at": "2022-01-31",
        "valid_until": None,
        "superseded_by": None,
        "status": "active",
        "created_by": "test",
        "created_at": "2024-01-01T00:00:00+00:00",
        "updated_at": "2024-01-01T00:00:00+00:00",
        "variants": (),
    }
    fields.update(overrides)
    return Statement(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"clarification": "&" * 3000, "claim": "<" * 1000, "source_title": ">" * 500},
        {"clarification": "kata " * 600, "claim": "klaim " * 200},
        {"clarification": "🗳️" * 1500, "org": 'Bawaslu <RI> & "Daerah"'},
        {"clarification": "a" * 3000, "source_url": "https://x.go.id/" + "p" * 1000},
        {"published_at": "bukan tanggal", "verdict": "TIDAK-DIKENAL"},
        {"superseded_by": "kpu-2024-baru"},
        {"status": "retired"},
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_card_is_valid_telegram_html_within_limits(overrides: dict, language: str) -> None:
    s = statement(**overrides)
    reply = render.statement_card(s, language, claim_id=2_147_483_647)
    visible, _ = parse_html(reply.text)  # raises like Telegram on malformed HTML
    assert 0 < len(visible) <= MAX_MESSAGE
    assert len(reply.text) <= 3 * MAX_MESSAGE
    sent = markup(reply.keyboard)
    assert sent is not None
    check_reply_markup(sent.to_dict())  # as Telegram takes it
    for row in reply.keyboard:
        for button in row:
            assert button.callback is None or len(button.callback.encode()) <= MAX_CALLBACK_BYTES


def test_long_clarification_is_cut_on_a_word_with_a_pointer_to_the_source() -> None:
    reply = render.statement_card(statement(clarification="pernyataan & " * 400), "id")
    visible, _ = parse_html(reply.text)
    assert "selengkapnya di sumber" in visible
    assert "&amp" not in visible  # no entity was cut in half


def test_superseded_statement_is_not_shown_as_current() -> None:
    reply = render.statement_card(statement(superseded_by="kpu-2024-baru"), "id")
    assert "sudah tidak berlaku" in parse_html(reply.text)[0]


def test_possible_reply_offers_at_most_three_with_verdicts_none_fit_and_notify() -> None:
    candidates = [statement(id=i, claim=f"klaim nomor {i} " + "x" * 300) for i in range(1, 6)]
    reply = render.possible_reply(candidates, "id", claim_id=99)
    data = [b.callback for row in reply.keyboard for b in row]
    assert data == ["p:99:1", "p:99:2", "p:99:3", "x:99", "n:99"]
    assert all(len(b.label) <= 64 for row in reply.keyboard for b in row)
    verdict = render.verdict_label("HOAKS", "id")
    picks = [row[0].label for row in reply.keyboard[:3]]
    assert all(
        label.startswith(f"{n}. {verdict}: klaim nomor {n}") for n, label in enumerate(picks, 1)
    )
    labels = [b.label for b in reply.keyboard[3]]
    assert labels == ["Tidak ada yang cocok", "🔔 Kabari saya"]
    visible = parse_html(reply.text)[0]
    for n in (1, 2, 3):  # each line says the claim's official verdict before the claim
        assert f"{n}. {verdict} · klaim nomor {n}" in visible
    assert "klaim nomor 4" not in visible


@pytest.mark.parametrize(
    ("iso", "language", "expected"),
    [
        ("2024-02-14", "id", "14 Februari 2024"),
        ("2024-02-14", "en", "14 February 2024"),
        (None, "id", "tanpa tanggal"),
        ("2024-13-45", "id", "2024-13-45"),
    ],
)
def test_format_date(iso: str | None, language: str, expected: str) -> None:
    assert render.format_date(iso, language) == expected


def test_a_keyboard_becomes_telegrams_at_send_time_with_each_buttons_action() -> None:
    keyboard = (
        (Button("Sumber", url="https://www.kpu.go.id/"), Button("Bagikan", switch_inline="s:x")),
        (Button("Membantu", callback="h:1:2"),),
    )
    sent = markup(keyboard)
    assert sent is not None
    assert sent.to_dict()["inline_keyboard"] == [
        [{"text": "Sumber", "url": "https://www.kpu.go.id/"},
         {"text": "Bagikan", "switch_inline_query": "s:x"}],
        [{"text": "Membantu", "callback_data": "h:1:2"}],
    ]  # fmt: skip
    assert markup(()) is None  # no keyboard: a message without buttons


@pytest.mark.parametrize("actions", [{}, {"url": "https://www.kpu.go.id/", "callback": "h:1:2"}])
def test_a_button_has_exactly_one_action(actions: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one action"):
        Button("x", **actions)


def test_a_current_statement_can_be_sent_to_whatsapp_with_its_verdict_and_source() -> None:
    from urllib.parse import unquote

    card = render.statement_card(statement(), "id")
    (whatsapp,) = [b for row in card.keyboard for b in row if b.label == "📤 WhatsApp"]
    assert whatsapp.url is not None and whatsapp.url.startswith("https://wa.me/?text=")
    body = unquote(whatsapp.url.removeprefix("https://wa.me/?text="))
    assert body.splitlines() == [
        f"{render.verdict_label('HOAKS', 'id')}: Pemilu 2024 diundur",
        "Penjelasan resmi KPU: KPU menetapkan 14 Februari 2024.",
        "(KPU, 31 Januari 2022)",
        "https://jdih.kpu.go.id/",
    ]
    retired = render.statement_card(statement(superseded_by="kpu-baru"), "id")
    assert all(b.label != "📤 WhatsApp" for row in retired.keyboard for b in row)


def test_the_whatsapp_link_stays_short_even_for_a_statement_of_emoji() -> None:
    from urllib.parse import unquote

    noisy = statement(claim="🔥" * 400, clarification="😡" * 3000, org="🏛" * 200)
    button = render.whatsapp_button(noisy, "id")
    assert button.url is not None and len(button.url) <= render.MAX_BUTTON_URL
    assert "https://jdih.kpu.go.id/" in unquote(button.url)  # the source is always kept


def test_with_public_pages_a_card_links_to_its_page_and_whatsapp_shares_it() -> None:
    from urllib.parse import unquote

    from bot.replies import short_cards

    base = "https://cek.example.id"
    page = "https://cek.example.id/s/kpu-2024-x.html"
    card = render.statement_card(statement(), "id", base_url=base)
    urls = {b.label: b.url for row in card.keyboard for b in row}
    assert urls["🌐 Halaman web"] == page
    assert urls["🔗 Buka sumber"] == "https://jdih.kpu.go.id/"
    whatsapp = urls["📤 WhatsApp"]
    assert whatsapp is not None
    shared = unquote(whatsapp.removeprefix("https://wa.me/?text=")).splitlines()
    assert shared[-1] == page  # its preview shows the verdict, and the page cites the source
    plain = render.statement_card(statement(), "id")
    assert all(b.label != "🌐 Halaman web" for row in plain.keyboard for b in row)
    short = short_cards.short_card_keyboard(statement(), "en", "CekKlaimBot", base)
    assert [b.url for row in short for b in row][-1] == page
    assert len(short_cards.short_card_keyboard(statement(), "en", "CekKlaimBot")) == 1
