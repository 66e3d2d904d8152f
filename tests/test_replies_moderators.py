"""What moderators are shown, tested without a bot (bot/replies/moderators.py): their input
quoted back escaped and bounded, reports cut to fit, and their keyboards' data."""

from __future__ import annotations

from pathlib import Path

from fakebotapi import check_text, utf16_len

from bot.core import Core
from bot.replies import callbacks, moderators
from bot.replies.render import MAX_MESSAGE
from bot.replies.texts import text


def test_input_is_quoted_back_escaped_and_bounded() -> None:
    quoted = moderators.echo("<b>" + "x" * 5000)
    assert quoted.startswith("&lt;b&gt;")
    assert len(quoted) <= moderators.ECHO_LIMIT + len("&lt;&gt;") + 1
    assert moderators.echo_lines([f"line {n}" for n in range(50)]).count("\n") == 9


def test_a_long_report_is_cut_by_lines_within_the_limit() -> None:
    report = "\n".join(f"{n} 🗳️ <klaim> & lagi" for n in range(2000))
    block = moderators.pre(report)
    assert block.startswith("<pre>0 🗳️ &lt;klaim&gt; &amp; lagi") and block.endswith("\n…</pre>")
    visible, _ = check_text(block, "HTML")  # as Telegram counts it, after the entities
    assert utf16_len(visible) <= moderators.PRE_LIMIT < MAX_MESSAGE
    assert moderators.pre("pendek") == "<pre>pendek</pre>"


def test_keyboards_carry_decodable_data() -> None:
    (row,) = moderators.verdict_keyboard()
    assert [b.label for b in row] == list(moderators.VERDICT_BUTTONS)
    pressed = [callbacks.decode(b.callback) for b in row]
    assert all(p is not None and p.kind is moderators.VERDICT for p in pressed)
    ((save, cancel),) = moderators.confirm_keyboard(moderators.SAVE_EDIT)
    assert moderators.confirmed(callbacks.decode(save.callback))
    assert not moderators.confirmed(callbacks.decode(cancel.callback))
    assert not moderators.confirmed(None)
    add, dismiss = moderators.add_dismiss_row(
        moderators.DRAFT_ADD, moderators.DRAFT_DISMISS, 5, "d5"
    )
    assert (add.callback, dismiss.callback) == ("sd:a:5", "sd:d:5")


def test_search_shows_each_candidate_with_its_scores(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "bot.db", "search-secret-0123456789")
    try:
        result, statements = core.match("pemilu 2024 diundur gak jadi 14 februari")
        report = moderators.search_report(result, statements)
    finally:
        core.close()
    header, legend, *lines = report.split("\n")
    assert header == text("id", "search_header", tier=text("id", f"tier_{result.tier.value}"))
    assert "confident" not in header and "cakupan" in legend
    assert len(lines) == 2 * len(statements) > 0  # scores, then the claim, per candidate
    assert lines[0].startswith(f"<code>{statements[0].external_id}</code> ")
    assert lines[0].count(" · ") == 2


def test_ago_says_how_long_ago_in_words() -> None:
    from datetime import UTC, datetime

    from bot.replies.moderator_reports import ago

    now = datetime(2024, 2, 14, 12, 0, tzinfo=UTC)
    assert ago("2024-02-14T11:59:40+00:00", now) == "baru saja"
    assert ago("2024-02-14T11:35:00+00:00", now) == "25 menit lalu"
    assert ago("2024-02-14T10:00:00", now) == "2 jam lalu"  # stored UTC without zone
    assert ago("2024-02-10T12:00:00+00:00", now) == "4 hari lalu"
    assert ago(None, now) == "-"
