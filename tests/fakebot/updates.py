"""The updates a test pushes, shaped as Telegram sends them: messages, edits, channel posts,
button presses, inline queries and membership changes. A mixin of FakeBotAPI: builders read
what the fake has seen (chats, users, the bot's messages) so a pressed button lands on the
message that carries it."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from typing import Any

from fakebot.entities import utf16_len


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember dict with the fields python-telegram-bot requires for ``status``."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member |= {"can_be_edited": False, "is_anonymous": False}
        member |= dict.fromkeys(
            (
                "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_change_info", "can_invite_users",
                "can_post_stories", "can_edit_stories", "can_delete_stories",
                "can_pin_messages",
            ),
            True,
        )  # fmt: skip
        member["can_promote_members"] = False
    elif status == "restricted":
        member |= {"is_member": True, "until_date": 0}
        member |= dict.fromkeys(
            (
                "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
                "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
                "can_manage_topics", "can_send_audios", "can_send_documents",
                "can_send_photos", "can_send_videos", "can_send_video_notes",
                "can_send_voice_notes", "can_edit_tag", "can_react_to_messages",
            ),
            False,
        )  # fmt: skip
    elif status == "kicked":
        member["until_date"] = 0
    return member


class UpdateBuilders:
    """Update builders and the record of what pushed updates contained."""

    bot_user: dict[str, Any]
    _lock: threading.Lock
    _message_ids: itertools.count[int]
    _query_ids: itertools.count[int]
    _allowed_updates: frozenset[str]
    _messages: dict[tuple[Any, int], dict]
    _last_bot_message: dict[Any, dict]
    _chats: dict[Any, dict]
    _users: dict[int, dict]

    def _user(self, user_id: int, first_name: str = "Budi", language_code: str = "id") -> dict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    def _chat(self, chat_id: Any, chat_type: str = "private", title: str = "Keluarga") -> dict:
        if chat_type == "private":
            known = self._users.get(chat_id, {})
            return {"id": chat_id, "type": "private", "first_name": known.get("first_name", "Budi")}
        return {"id": chat_id, "type": chat_type, "title": title}

    def _chat_for_id(self, chat_id: Any) -> dict:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if isinstance(chat_id, str):  # "@channelusername"
            return {
                "id": -1001000000001,
                "type": "channel",
                "title": chat_id.lstrip("@"),
                "username": chat_id.lstrip("@"),
            }
        if chat_id > 0:
            return self._chat(chat_id)
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self._chat(chat_id, kind)

    @staticmethod
    def _default_chat_id(user_id: int, chat_type: str) -> int:
        if chat_type == "private":
            return user_id
        if chat_type == "group":
            return -4_000_000_000 - user_id
        return -1_001_000_000_000 - user_id  # supergroup / channel

    def message_update(
        self,
        text: str | None = None,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        forward_origin: dict | None = None,
        entities: list[dict] | None = None,
        sticker: bool = False,
        photo: bool = False,
        media: dict[str, dict] | None = None,
        reply_to: dict | None = None,
        message_thread_id: int | None = None,
        first_name: str = "Budi",
        language_code: str = "id",
    ) -> dict:
        """A ``message`` update from a user. A leading "/command" gets its bot_command entity."""
        if chat_id is None:
            chat_id = self._default_chat_id(user_id, chat_type)
        chat = self._chat(chat_id, chat_type)
        if chat_type == "private":
            chat["first_name"] = first_name
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, first_name, language_code),
        }
        if text is not None:
            message["text"] = text
            if entities is None and text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
            if entities:
                message["entities"] = entities
        if caption is not None:
            message["caption"] = caption
        if forward_origin is not None:
            message["forward_origin"] = forward_origin
        if sticker:
            message["sticker"] = {
                "file_id": "CAACAgIAAxkBAAEFakeSticker", "file_unique_id": "AgADFakeSticker",
                "type": "regular", "width": 512, "height": 512, "is_animated": False,
                "is_video": False, "emoji": "👍",
            }  # fmt: skip
        if photo:
            message["photo"] = [
                {"file_id": f"AgACAgIAAxkBAAEFakePhoto{w}", "file_unique_id": f"AQADFake{w}",
                 "width": w, "height": w * 3 // 4, "file_size": w * 100}
                for w in (90, 320, 800)
            ]  # fmt: skip
        if media is not None:  # e.g. {"voice": {"file_id": ..., "duration": 42, ...}}
            message.update(media)
        if reply_to is not None:
            message["reply_to_message"] = reply_to.get("message", reply_to)
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        return {"message": message}

    def edited_message_update(self, text: str | None = None, **kw: Any) -> dict:
        """An ``edited_message`` update: ``message_update(text, **kw)`` with an edit date."""
        message = self.message_update(text, **kw)["message"]
        message["edit_date"] = message["date"] + 1
        return {"edited_message": message}

    def channel_post_update(
        self,
        text: str | None = None,
        *,
        chat_id: int = -1_001_000_000_777,
        title: str = "Berita Viral",
        caption: str | None = None,
        edited: bool = False,
    ) -> dict:
        """A ``channel_post`` (or ``edited_channel_post``) in a channel the bot is admin of:
        no ``from``, the channel as ``sender_chat``."""
        chat = self._chat(chat_id, "channel", title)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "sender_chat": dict(chat),
        }
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        if edited:
            message["edit_date"] = message["date"] + 1
        return {"edited_channel_post" if edited else "channel_post": message}

    def allow_update_types(self, *kinds: str) -> None:
        """Deliver update types beyond Telegram's default set (e.g. a future kind)."""
        with self._lock:
            self._allowed_updates = self._allowed_updates | frozenset(kinds)

    def callback_update(
        self,
        data: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        message: dict | None = None,
    ) -> dict:
        """A ``callback_query`` update. Without ``message``, the button is pressed where it is:
        on the newest message the bot sent to the chat that carries this data, else (forged
        data) on the last message the bot sent there, or on a stand-in bot message."""
        if message is not None:
            message = message.get("message", message)
        else:
            if chat_id is None:
                chat_id = user_id
            with self._lock:
                message = self._message_with_button(chat_id, data) or self._last_bot_message.get(
                    chat_id
                )
            if message is None:
                message = {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat_for_id(chat_id),
                    "from": self.bot_user,
                    "text": "Pilih:",
                }
        return {
            "callback_query": {
                "id": str(4_000_000_000_000 + next(self._query_ids)),
                "from": self._user(user_id),
                "message": copy.deepcopy(message),
                "chat_instance": str(-7_000_000_000 - message["chat"]["id"]),
                "data": data,
            }
        }

    def _message_with_button(self, chat_id: int, data: str) -> dict | None:
        """The newest bot message in `chat_id` with a button carrying `data` (lock held)."""
        for (chat, _), message in reversed(self._messages.items()):
            if chat != chat_id or message.get("from", {}).get("id") != self.bot_user["id"]:
                continue
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(b.get("callback_data") == data for row in rows for b in row):
                return message
        return None

    def inline_query_update(self, query: str, *, user_id: int = 1001) -> dict:
        return {
            "inline_query": {
                "id": str(5_000_000_000_000 + next(self._query_ids)),
                "from": self._user(user_id),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            }
        }

    def chosen_inline_result_update(
        self, result_id: str, query: str, *, user_id: int = 1001
    ) -> dict:
        return {
            "chosen_inline_result": {
                "result_id": result_id,
                "from": self._user(user_id),
                "query": query,
            }
        }

    def my_chat_member_update(
        self,
        chat_id: int,
        *,
        old_status: str = "left",
        new_status: str = "member",
        chat_type: str = "group",
        title: str = "Keluarga",
        by_user_id: int = 1001,
    ) -> dict:
        """The bot's own membership in ``chat_id`` changed (e.g. added to a group)."""
        return {
            "my_chat_member": {
                "chat": self._chat(chat_id, chat_type, title),
                "from": self._user(by_user_id),
                "date": int(time.time()),
                "old_chat_member": chat_member(self.bot_user, old_status),
                "new_chat_member": chat_member(self.bot_user, new_status),
            }
        }

    def _remember(self, obj: Any) -> None:
        """Record the chats, users and messages in a pushed update (lock held)."""
        if isinstance(obj, list):
            for item in obj:
                self._remember(item)
            return
        if not isinstance(obj, dict):
            return
        for value in obj.values():
            self._remember(value)
        if {"message_id", "chat", "date"} <= obj.keys() and isinstance(obj["chat"], dict):
            self._messages.setdefault((obj["chat"].get("id"), obj["message_id"]), obj)
        elif (
            "type" in obj
            and "id" in obj
            and obj["type"] in ("private", "group", "supergroup", "channel")
        ):
            self._chats.setdefault(obj["id"], dict(obj))
        elif obj.get("is_bot") is False and "id" in obj:
            self._users.setdefault(obj["id"], dict(obj))
