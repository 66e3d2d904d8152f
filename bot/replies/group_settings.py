"""What /pengaturan shows a group's admin: the settings in words and the two buttons that
flip them. Buttons: gs:a:1 / gs:a:0 (automatic check on/off), gs:s:normal / gs:s:strict
(sensitivity), through the codec (bot/replies/callbacks.py)."""

from __future__ import annotations

from bot.domain import SENSITIVITIES, SENSITIVITY_NORMAL, SENSITIVITY_STRICT, GroupSettings
from bot.replies import callbacks
from bot.replies.callbacks import Arg
from bot.replies.render import Button, Keyboard, Reply
from bot.replies.texts import text

CB_SETTINGS = "gs"
AUTO_CHECK = callbacks.declare("gs:a", Arg.WORD)
SENSITIVITY = callbacks.declare("gs:s", Arg.WORD)
#: Each button's kind, the setting it names for bot.citizens.change_group_setting, and the
#: values it may carry (anything else was not sent by the bot).
SETTINGS = {AUTO_CHECK: ("a", ("0", "1")), SENSITIVITY: ("s", SENSITIVITIES)}


def setting_pressed(pressed: callbacks.Pressed) -> tuple[str, str] | None:
    """The setting a settings button names and the value it carries, as
    bot.citizens.change_group_setting takes them; None for a value the bot never sent."""
    name, values = SETTINGS[pressed.kind]
    value = pressed.word(0)
    return (name, value) if value in values else None


def settings_keyboard(settings: GroupSettings, language: str) -> Keyboard:
    """One button that flips the automatic check, one that switches the sensitivity."""
    auto = (
        Button(text(language, "btn_auto_off"), callback=callbacks.encode(AUTO_CHECK, "0"))
        if settings.auto_check
        else Button(text(language, "btn_auto_on"), callback=callbacks.encode(AUTO_CHECK, "1"))
    )
    other = SENSITIVITY_NORMAL if settings.sensitivity == SENSITIVITY_STRICT else SENSITIVITY_STRICT
    sensitivity = Button(
        text(language, f"btn_sensitivity_{other}"), callback=callbacks.encode(SENSITIVITY, other)
    )
    return ((auto,), (sensitivity,))


def settings_reply(settings: GroupSettings, language: str, *, sees_forwards: bool) -> Reply:
    """The settings and their buttons; with the automatic check on, a note when the bot
    cannot see forwarded posts (privacy mode, and not an admin)."""
    body = text(
        language,
        "settings",
        auto=text(language, "settings_on" if settings.auto_check else "settings_off"),
        sensitivity=text(language, f"sensitivity_{settings.sensitivity}"),
    )
    if settings.auto_check and not sees_forwards:
        body += text(language, "settings_need_access")
    return Reply(body, settings_keyboard(settings, language))
