"""Keyboards on Telegram's side: a Reply's neutral keyboard (bot/replies/render.py) as
python-telegram-bot's InlineKeyboardMarkup, built at send time and nowhere else, and the
check that a press came from a button its message really shows."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.replies.render import Button, Keyboard


def _button(button: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button.label,
        callback_data=button.callback,
        url=button.url,
        switch_inline_query=button.switch_inline,
    )


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """The keyboard as Telegram takes it; None for no keyboard (a message without buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in keyboard])


def pressed_on_its_message(query: CallbackQuery) -> bool:
    """The pressed data is one of the buttons of the message it came with.

    A modified client can send any data with a press on any message the user can see; data
    not on that message's keyboard is forged (or stale: the message shows other buttons now).
    A message too old for Telegram to include (InaccessibleMessage) cannot be compared: the
    owner checks of each handler still apply to it.
    """
    message = query.message
    if message is None:
        return False
    if not isinstance(message, Message):
        return True
    shown = message.reply_markup
    return shown is not None and any(
        button.callback_data == query.data for row in shown.inline_keyboard for button in row
    )
