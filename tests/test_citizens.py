"""The buttons under a citizen's answer as a plain use case (bot/citizens.py `press`): who may
press what, what each press records, and what the answer shows next. No bot runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import citizens, claims
from bot.citizens import STALE, Action, Pressed
from bot.claims import Channel, Claim
from bot.core import Core

SECRET = "test-secret-0123456789abcdef"
CONFIDENT = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari"
ASKER, OTHER = 1001, 2002


@pytest.fixture
def asked(tmp_path: Path) -> tuple[Core, int, int, str]:
    """A core, a claim ASKER asked in their private chat, its matched statement's row id,
    and the asker's hash."""
    core = Core.open(tmp_path / "cekklaim.db", SECRET)
    who = core.pseudonym(ASKER)
    assert who is not None
    decision = claims.decide_now(
        core, Claim(CONFIDENT, (), Channel.PRIVATE, who, who, 1), claims.PRIVATE
    )
    assert decision.claim_id is not None and decision.statements
    return core, decision.claim_id, decision.statements[0].id, who


def _rows(core: Core, table: str) -> int:
    return int(core.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_the_asker_votes_once_per_statement_and_may_change_it(
    asked: tuple[Core, int, int, str],
) -> None:
    core, claim_id, rowid, who = asked
    vote = (core, Action.HELPFUL, claim_id, rowid, who)
    assert citizens.press(*vote, chat_id=ASKER, language="id") == Pressed("ack_helpful")
    assert citizens.press(*vote, chat_id=ASKER, language="id") == Pressed("ack_already")
    wrong = citizens.press(core, Action.WRONG, claim_id, rowid, who, chat_id=ASKER, language="id")
    assert wrong == Pressed("ack_wrong")  # a change of mind replaces the vote
    assert core.db.execute("SELECT kind, statement_id FROM feedback").fetchall() == [
        ("wrong", rowid)
    ]


@pytest.mark.parametrize("action", list(Action))
def test_a_press_by_anyone_but_the_asker_in_their_chat_changes_nothing(
    asked: tuple[Core, int, int, str], action: Action
) -> None:
    core, claim_id, rowid, who = asked
    other = core.pseudonym(OTHER)
    assert other is not None
    before = (_rows(core, "feedback"), _rows(core, "subscriptions"))
    for user_hash, chat_id in ((other, OTHER), (who, None)):  # someone else; not their chat
        outcome = citizens.press(
            core, action, claim_id, rowid, user_hash, chat_id=chat_id, language="id"
        )
        assert outcome == STALE
    assert (_rows(core, "feedback"), _rows(core, "subscriptions")) == before


@pytest.mark.parametrize("action", [Action.PICK, Action.HELPFUL, Action.WRONG])
def test_a_statement_that_does_not_exist_is_stale(
    asked: tuple[Core, int, int, str], action: Action
) -> None:
    core, claim_id, _, who = asked
    outcome = citizens.press(core, action, claim_id, 999_999, who, chat_id=ASKER, language="id")
    assert outcome == STALE and _rows(core, "feedback") == 0


def test_picking_a_candidate_shows_its_card(asked: tuple[Core, int, int, str]) -> None:
    core, claim_id, rowid, who = asked
    outcome = citizens.press(core, Action.PICK, claim_id, rowid, who, chat_id=ASKER, language="id")
    assert outcome.note is None and outcome.show is not None and outcome.show.id == rowid
    assert _rows(core, "feedback") == 0  # looking is not voting


def test_none_of_these_is_recorded_and_shows_the_honest_none(
    asked: tuple[Core, int, int, str],
) -> None:
    core, claim_id, _, who = asked
    outcome = citizens.press(
        core, Action.NONE_OF_THESE, claim_id, None, who, chat_id=ASKER, language="id"
    )
    assert outcome == Pressed("ack_none_of_these", show_none=True)
    votes = core.db.execute("SELECT kind, statement_id FROM feedback").fetchall()
    assert votes == [("wrong", None)]


def test_notify_me_is_kept_once_with_the_chat_and_language(
    asked: tuple[Core, int, int, str],
) -> None:
    core, claim_id, _, who = asked
    notify = (core, Action.NOTIFY, claim_id, None, who)
    assert citizens.press(*notify, chat_id=ASKER, language="en") == Pressed("ack_notify")
    assert citizens.press(*notify, chat_id=ASKER, language="en") == Pressed("ack_notify_already")
    assert core.db.execute("SELECT chat_id, language FROM subscriptions").fetchall() == [
        (ASKER, "en")
    ]


def test_the_automatic_check_runs_only_where_it_is_on_and_the_bot_still_is(
    tmp_path: Path,
) -> None:
    core = Core.open(tmp_path / "groups.db", SECRET)
    group = -100123
    assert citizens.auto_check_on(core, group) is None  # never seen
    citizens.group_added(core, group)
    assert citizens.auto_check_on(core, group) is None  # off by default
    citizens.change_group_setting(core, group, "a", "1")
    settings = citizens.auto_check_on(core, group)
    assert settings is not None and settings.chat_id == group and settings.auto_check
    citizens.group_removed(core, group)
    assert citizens.auto_check_on(core, group) is None  # removed: settings kept, not run
    citizens.group_added(core, group)
    assert citizens.auto_check_on(core, group) is not None  # back, with its settings


def test_after_a_failure_the_asker_hears_the_truth(asked: tuple[Core, int, int, str]) -> None:
    """'Still recorded' only for an update whose claim is stored; in the asker's language;
    with the database itself failing, 'not recorded' in the default language."""
    core, _, _, who = asked
    assert citizens.apology(core, 1, who) == (None, "error_recorded")  # update 1 was stored
    assert citizens.apology(core, 2, who) == (None, "error")  # nothing stored for update 2
    citizens.choose_language(core, who, "en")
    assert citizens.apology(core, 1, who) == ("en", "error_recorded")
    assert citizens.apology(core, 1, None) == (None, "error_recorded")  # no sender known
    core.close()
    assert citizens.apology(core, 1, who) == (None, "error")
