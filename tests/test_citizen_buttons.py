"""Citizen and group-settings buttons go through the one codec (bot/replies/callbacks.py),
and every data format already sent in chats still decodes to its kind."""

from __future__ import annotations

import pytest

from bot.replies import callbacks, render
from bot.replies.group_settings import (
    AUTO_CHECK,
    SENSITIVITY,
    setting_pressed,
    settings_keyboard,
    settings_reply,
)
from bot.replies.texts import text
from storage.groups import GroupSettings

SENT_IN_CHATS = [
    ("p:12:345", render.PICK, (12, 345)),
    ("x:12", render.NONE_OF_THESE, (12,)),
    ("h:12:345", render.HELPFUL, (12, 345)),
    ("w:12:345", render.WRONG, (12, 345)),
    ("n:12", render.NOTIFY, (12,)),
    ("l:id", render.LANGUAGE, ("id",)),
    ("l:en", render.LANGUAGE, ("en",)),
    ("gs:a:0", AUTO_CHECK, ("0",)),
    ("gs:a:1", AUTO_CHECK, ("1",)),
    ("gs:s:normal", SENSITIVITY, ("normal",)),
    ("gs:s:strict", SENSITIVITY, ("strict",)),
]


@pytest.mark.parametrize(("data", "kind", "args"), SENT_IN_CHATS)
def test_data_already_sent_in_chats_decodes(
    data: str, kind: callbacks.Kind, args: tuple[int | str, ...]
) -> None:
    pressed = callbacks.decode(data)
    assert pressed is not None and pressed.kind is kind and pressed.args == args
    assert callbacks.encode(kind, *args) == data  # and is what the bot writes today


@pytest.mark.parametrize(
    "data",
    ["p:12", "p:0:1", "p:12:345:6", "x:-1", "h:1:x", "n:", "l:", "l:id:en", "gs:a", "gs:x:1",
     "p:1:" + "9" * 17],
)  # fmt: skip
def test_forged_citizen_data_is_refused(data: str) -> None:
    assert callbacks.decode(data) is None


def test_the_keyboards_the_bot_sends_decode_to_their_kinds() -> None:
    keyboards = [
        render.none_reply("id", 7).keyboard,
        render.language_keyboard(),
        settings_keyboard(GroupSettings(-42, False, "normal", "", None, False, ""), "id"),
    ]
    kinds = []
    for keyboard in keyboards:
        assert keyboard
        for row in keyboard:
            for button in row:
                pressed = callbacks.decode(button.callback)
                assert pressed is not None
                kinds.append(pressed.kind)
    assert kinds == [render.NOTIFY, render.LANGUAGE, render.LANGUAGE, AUTO_CHECK, SENSITIVITY]


def test_the_settings_say_when_the_bot_cannot_see_forwards() -> None:
    """The access note only matters with the automatic check on."""
    on = GroupSettings(-42, True, "strict", "", None, False, "")
    off = GroupSettings(-42, False, "normal", "", None, False, "")
    note = text("en", "settings_need_access")
    assert settings_reply(on, "en", sees_forwards=False).text.endswith(note)
    assert note not in settings_reply(on, "en", sees_forwards=True).text
    assert note not in settings_reply(off, "en", sees_forwards=False).text
    labels = [b.label for row in settings_reply(on, "en", sees_forwards=True).keyboard for b in row]
    assert labels == [text("en", "btn_auto_off"), text("en", "btn_sensitivity_normal")]


@pytest.mark.parametrize(
    ("data", "setting"),
    [
        ("gs:a:1", ("a", "1")),
        ("gs:a:0", ("a", "0")),
        ("gs:s:strict", ("s", "strict")),
        ("gs:s:normal", ("s", "normal")),
        ("gs:a:2", None),  # decodes, but the bot never sends it
        ("gs:s:loud", None),
    ],
)
def test_a_settings_button_names_its_setting_and_value(
    data: str, setting: tuple[str, str] | None
) -> None:
    pressed = callbacks.decode(data)
    assert pressed is not None
    assert setting_pressed(pressed) == setting
