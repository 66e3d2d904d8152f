"""A reply as a value: HTML text and a keyboard of neutral Buttons (render.py composes them,
bot/telegram/keyboards.py turns a keyboard into Telegram's at send time)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: its label and exactly one action. `callback` is data from the
    codec (bot/replies/callbacks.py), `url` opens a link, `switch_inline` lets the user pick a
    chat and starts an inline query there with that text."""

    label: str
    callback: str | None = None
    url: str | None = None
    switch_inline: str | None = None

    def __post_init__(self) -> None:
        actions = (self.callback, self.url, self.switch_inline)
        if sum(action is not None for action in actions) != 1:
            raise ValueError(f"button {self.label!r} needs exactly one action")


#: Rows of buttons, top to bottom; () is no keyboard at all.
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    keyboard: Keyboard = ()
