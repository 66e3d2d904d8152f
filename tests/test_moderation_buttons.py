"""Moderators' buttons go through the one callback codec, and the data already sent in
chats before it existed still reaches the same handlers."""

from __future__ import annotations

import re

import pytest

from bot.replies import callbacks
from bot.telegram.moderation import common


@pytest.mark.parametrize(
    ("data", "kind", "args"),
    [
        ("q:a:c12", common.QUEUE_ADD, ("c12",)),
        ("q:d:c12", common.QUEUE_DISMISS, ("c12",)),
        ("sd:a:5", common.DRAFT_ADD, (5,)),
        ("sd:d:5", common.DRAFT_DISMISS, (5,)),
        ("v:HOAKS", common.VERDICT, ("HOAKS",)),
        ("t:ok", common.SAVE_NEW, ("ok",)),
        ("t:no", common.SAVE_NEW, ("no",)),
        ("e:ok", common.SAVE_EDIT, ("ok",)),
        ("e:no", common.SAVE_EDIT, ("no",)),
    ],
)
def test_data_already_in_chats_decodes_to_its_button(
    data: str, kind: callbacks.Kind, args: tuple[int | str, ...]
) -> None:
    pressed = callbacks.decode(data)
    assert pressed is not None and (pressed.kind, pressed.args) == (kind, args)
    assert callbacks.encode(kind, *args) == data  # new buttons write the same data
    assert re.match(callbacks.pattern(kind), data)
    others = [k for k in callbacks.KINDS.values() if k is not kind]
    assert not any(re.match(callbacks.pattern(k), data) for k in others)


@pytest.mark.parametrize("data", ["sd:a:0", "sd:d:x", "q:a:", "q:a:c1:2", "t:", "v:HOAKS!"])
def test_forged_moderator_data_decodes_to_nothing(data: str) -> None:
    assert callbacks.decode(data) is None


def test_only_save_confirms() -> None:
    assert common.confirmed(callbacks.decode("t:ok"))
    assert not common.confirmed(callbacks.decode("t:no"))
    assert not common.confirmed(callbacks.decode("t:maybe"))
    assert not common.confirmed(None)
