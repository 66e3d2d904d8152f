"""What moderator commands answer, without Telegram (bot/moderating.py). The same commands
through the real bot: tests/test_bot_moderation.py."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from bot import drafts, moderating
from bot.clusters import Cluster
from bot.curation import Curation
from bot.replies.moderators import SAVE_EDIT, confirm_keyboard
from bot.replies.texts import text
from storage import StatementInput

BASE = StatementInput(
    "kpu-tunda", "KPU", "HOAKS", "Pemilu 2024 diundur ke bulan Juni",
    "Pemungutan suara tetap 14 Februari 2024.",
)  # fmt: skip


@pytest.fixture
def curation(tmp_path: Path) -> Curation:
    db = storage.open_db(tmp_path / "cekklaim.db")
    storage.save_statement(db, BASE, actor="t")
    return Curation(db, frozenset({1001}))


@pytest.mark.parametrize(
    ("args", "count", "numeric", "fits"),
    [
        (["a"], 1, False, True),
        (["a", "b"], 1, False, False),
        ([], 1, False, False),
        (["42"], 1, True, True),
        (["042"], 1, True, False),  # not how Telegram writes an id
        (["-5"], 1, True, False),
        (["٤٢"], 1, True, False),  # digits, but not ASCII ones
        (["1" * 19], 1, True, False),  # past SQLite's integers
    ],
)
def test_arguments_fit(args: list[str], count: int, numeric: bool, fits: bool) -> None:
    assert moderating.arguments_fit(args, count, numeric=numeric) is fits


def test_show_gives_the_card_then_status_and_an_unknown_id_is_said(curation: Curation) -> None:
    card, meta = moderating.show(curation, "kpu-tunda")
    assert "Pemilu 2024 diundur" in card.text and card.keyboard
    assert meta.text.startswith("<b>kpu-tunda</b> · status aktif")
    assert meta.keyboard == ()
    (unknown,) = moderating.show(curation, "<nope>")
    assert unknown.text == text("id", "unknown_statement", id="&lt;nope&gt;")


def test_edit_previews_the_change_or_says_why_not(curation: Curation) -> None:
    changed, replies = moderating.edit(curation, "/ubah kpu-tunda org Bawaslu")
    assert changed is not None and changed.org == "Bawaslu"
    (card,) = replies  # one message: the header, the card, its buttons and ✅/✖️ under it
    assert card.text.startswith(text("id", "edit_preview", field="lembaga"))
    assert "Bawaslu" in card.text
    assert card.keyboard[-1:] == confirm_keyboard(SAVE_EDIT)

    for command, expected in [
        ("/ubah kpu-tunda org", "Pakai: /ubah ID kolom nilai"),  # the usage line
        ("/ubah nope org Bawaslu", text("id", "unknown_statement", id="nope")),
        ("/ubah kpu-tunda verdict KIRA-KIRA", "Label tidak dikenal"),
    ]:
        changed, (reply,) = moderating.edit(curation, command)
        assert changed is None
        assert expected in reply.text, command


def test_search_without_text_gives_its_usage() -> None:
    assert moderating.search(None, "") == text("id", "usage_cari")  # type: ignore[arg-type]


def test_history_queue_and_drafts_when_empty(curation: Curation) -> None:
    assert moderating.history(curation, "nope") == text("id", "history_empty", id="nope")
    assert moderating.history(curation, "kpu-tunda").startswith("<pre>")
    assert "· create · t</pre>" in moderating.history(curation, "kpu-tunda")
    empty = moderating.queue(curation)
    assert empty.keyboard == () and text("id", "queue_hint") not in empty.text
    assert moderating.source_drafts(curation).text == text("id", "drafts_empty")


def test_superseded_says_how_many_were_told_only_when_some_were() -> None:
    quiet = moderating.superseded(["a", "b"], None, 0)  # type: ignore[arg-type]
    assert quiet == text("id", "superseded", old="a", new="b")
    told = moderating.superseded(["a", "b"], None, 3)  # type: ignore[arg-type]
    assert told == quiet + " 3 warga diberi tahu."


def test_an_alert_quotes_the_example_escaped_on_one_line() -> None:
    cluster = Cluster("c7", (7,), 12, "2024-01-01", "2024-01-02", "<b>tinta</b>\nbabi", 1.0)
    alert = moderating.alert(cluster, 60)
    assert "&lt;b&gt;tinta&lt;/b&gt; babi" in alert and "c7" in alert and "12" in alert


def test_after_an_edit_is_confirmed(curation: Curation) -> None:
    changed, _ = moderating.edit(curation, "/ubah kpu-tunda org Bawaslu")
    assert changed is not None
    same = curation.edit(drafts.as_input(curation.statement("kpu-tunda")), actor="t")  # type: ignore[arg-type]
    assert moderating.edit_saved(changed, same, 0) == text("id", "edit_unchanged")
    done = curation.edit(changed, actor="t")
    assert moderating.edit_saved(changed, done, 2) == text(
        "id", "edit_saved", id="kpu-tunda", notified=2
    )


@pytest.mark.parametrize(
    ("args", "replied", "target"),
    [(["555"], None, 555), (["555"], 777, 555), ([], 777, 777), ([], None, None),
     ([], 0, None), (["x"], 777, None), (["1", "2"], None, None)],
)  # fmt: skip
def test_a_moderator_is_named_by_id_or_by_the_message_replied_to(
    args: list[str], replied: int | None, target: int | None
) -> None:
    assert moderating.moderator_target(args, replied) == target
