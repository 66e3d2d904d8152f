"""What the citizen side of the bot keeps about people and groups, as plain functions.

The Telegram adapters (private chat, groups, inline mode) call these instead of storage,
so the Telegram layer knows no table: a language choice, "Kabari saya" requests, a vote
on an answer, a group's settings. Users are named by their keyed hash (`Core.pseudonym`),
computed once per update by the adapter.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from bot.core import Core
from storage import GroupSettings, Statement, get_statement, get_statement_by_rowid
from storage.claims import claim_recorded as _claim_recorded
from storage.db import describe_error
from storage.groups import (
    SENSITIVITIES,
    SENSITIVITY_NORMAL,
    SENSITIVITY_STRICT,
    claim_intro,
    ensure_group,
    get_group,
    mark_group_added,
    mark_group_removed,
    migrate_group,
    purge_removed_groups,
    set_auto_check,
    set_sensitivity,
)
from storage.people import asked_by, record_feedback, set_language, subscribe
from storage.people import unsubscribe_all as _unsubscribe_all

__all__ = [
    "SENSITIVITIES",
    "SENSITIVITY_NORMAL",
    "SENSITIVITY_STRICT",
    "Action",
    "GroupSettings",
    "Pressed",
    "Statement",
    "apology",
    "asked_by_user",
    "auto_check_on",
    "change_group_setting",
    "choose_language",
    "describe_error",
    "forget_removed_groups",
    "group_added",
    "group_migrated",
    "group_removed",
    "notify_me",
    "open_group_settings",
    "press",
    "statement_by_id",
    "statement_by_rowid",
    "stop_notifications",
    "vote",
]


# ------------------------------------------------------------------------------ people


def choose_language(core: Core, user_hash: str, language: str) -> None:
    set_language(core.db, user_hash, language)


def stop_notifications(core: Core, user_hash: str) -> int:
    """Forget every "Kabari saya" request of this user (and so their chat id); how many."""
    return _unsubscribe_all(core.db, user_hash)


def asked_by_user(core: Core, claim_id: int, user_hash: str) -> bool:
    """This user asked this claim: only the asker may press its buttons."""
    return asked_by(core.db, claim_id, user_hash)


def vote(core: Core, claim_id: int, statement_rowid: int | None, user_hash: str, kind: str) -> bool:
    """Record "helpful" / "wrong" (or "none of these" with no statement); False if already."""
    return record_feedback(
        core.db, claim_id=claim_id, statement_id=statement_rowid, user_hash=user_hash, kind=kind
    )


def notify_me(core: Core, claim_id: int, user_hash: str, chat_id: int, language: str) -> bool:
    """Keep a "Kabari saya" request; False if this user already made it."""
    return subscribe(
        core.db, claim_id=claim_id, user_hash=user_hash, chat_id=chat_id, language=language
    )


class Action(StrEnum):
    """The buttons under a citizen's answer."""

    PICK = "pick"  # one of the possible statements: show its card
    NONE_OF_THESE = "none"  # "Bukan ini": none of them answers the claim
    HELPFUL = "helpful"
    WRONG = "wrong"
    NOTIFY = "notify"  # "Kabari saya": tell me when this claim is answered


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a press on an answer's button does: the short note for the presser (a text
    key; None: no note), and what the answer shows next (a statement's card, or the
    honest "none"), if it changes."""

    note: str | None
    show: Statement | None = None
    show_none: bool = False


STALE = Pressed("ack_stale")


def press(
    core: Core,
    action: Action,
    claim_id: int,
    statement_rowid: int | None,
    user_hash: str,
    *,
    chat_id: int | None,
    language: str,
) -> Pressed:
    """A citizen pressed `action` under the answer to `claim_id`, in chat `chat_id` (None:
    not in their private chat, the only place these buttons are sent).

    Checked again on every press, never trusted from the callback data: the statement
    exists, and the presser is the claim's own asker, in their private chat. So a forged
    press cannot edit a group's or anyone else's answer, nor vote for them.
    """
    voting = action in (Action.HELPFUL, Action.WRONG)
    if voting and (statement_rowid is None or statement_by_rowid(core, statement_rowid) is None):
        return STALE
    if chat_id is None or not asked_by_user(core, claim_id, user_hash):
        return STALE
    if action is Action.PICK and statement_rowid is not None:
        statement = statement_by_rowid(core, statement_rowid)
        return STALE if statement is None else Pressed(None, show=statement)
    if action is Action.NONE_OF_THESE:
        vote(core, claim_id, None, user_hash, "wrong")
        return Pressed("ack_none_of_these", show_none=True)
    if voting and statement_rowid is not None:
        new = vote(core, claim_id, statement_rowid, user_hash, action.value)
        return Pressed(f"ack_{action.value}" if new else "ack_already")
    if action is Action.NOTIFY:
        new = notify_me(core, claim_id, user_hash, chat_id, language)
        return Pressed("ack_notify" if new else "ack_notify_already")
    return STALE


def apology(core: Core, update_id: int, user_hash: str | None) -> tuple[str | None, str]:
    """What a citizen whose update failed is told: their chosen language (None: the default)
    and the catalogue key. "Still recorded" only when this update's claim really is stored;
    when the database itself is what fails, "not recorded", in the default language."""
    try:
        language = core.language(user_hash) if user_hash is not None else None
        recorded = _claim_recorded(core.db, update_id)
    except sqlite3.Error:
        return None, "error"
    return language, "error_recorded" if recorded else "error"


# ------------------------------------------------------------------------------ statements


def statement_by_id(core: Core, external_id: str) -> Statement | None:
    """A statement by its public id (deep links, shares), whatever its status."""
    return get_statement(core.db, external_id)


def statement_by_rowid(core: Core, rowid: int) -> Statement | None:
    """A statement by the row id button data carries."""
    return get_statement_by_rowid(core.db, rowid)


# ------------------------------------------------------------------------------ groups


def auto_check_on(core: Core, chat_id: int) -> GroupSettings | None:
    """The group's settings when its automatic check runs: turned on, and the bot still in
    the group; None otherwise (nothing is checked or recorded for that group)."""
    settings = get_group(core.db, chat_id)
    if settings is None or not settings.active or not settings.auto_check:
        return None
    return settings


def open_group_settings(core: Core, chat_id: int) -> GroupSettings:
    """The group's settings, created with the defaults on first use."""
    return ensure_group(core.db, chat_id)


def change_group_setting(
    core: Core, chat_id: int, name: str, value: str
) -> tuple[GroupSettings, bool]:
    """Apply one settings button, "a" (automatic check, "0"/"1") or "s" (sensitivity):
    the settings now, and whether they changed (a double tap changes nothing)."""
    before = ensure_group(core.db, chat_id)
    if name == "a":
        after = set_auto_check(core.db, chat_id, value == "1")
    elif name == "s" and value in SENSITIVITIES:
        after = set_sensitivity(core.db, chat_id, value)
    else:
        raise ValueError(f"unknown group setting {name}={value}")
    return after, (after.auto_check, after.sensitivity) != (before.auto_check, before.sensitivity)


def group_added(core: Core, chat_id: int) -> bool:
    """The bot joined a group; True when it should introduce itself (once per group)."""
    mark_group_added(core.db, chat_id)
    return claim_intro(core.db, chat_id)


def group_removed(core: Core, chat_id: int) -> None:
    """The bot left: settings kept (a group that adds it back finds them), marked removed."""
    mark_group_removed(core.db, chat_id)


def group_migrated(core: Core, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its settings move to the new chat id."""
    migrate_group(core.db, old_chat_id, new_chat_id)


def forget_removed_groups(core: Core) -> int:
    """Forget the settings of groups that removed the bot over 30 days ago; how many."""
    return purge_removed_groups(core.db)
