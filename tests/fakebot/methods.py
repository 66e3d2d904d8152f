"""The Bot API methods the bot calls, answered as Telegram answers them: each validates its
parameters (fakebot.validate) and records what a chat now shows. A mixin of FakeBotAPI; the
server dispatches ``/bot<token>/<method>`` to ``_api_<method>``."""

from __future__ import annotations

import copy
import functools
import io
import json
import re
import threading
import time
from typing import Any

from fakebot.updates import UpdateBuilders, chat_member
from fakebot.validate import (
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_INLINE_RESULTS,
    NOT_MODIFIED,
    ApiError,
    bad,
    check_reply_markup,
    check_text,
    valid_button_url,
)

_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip  # Telegram's default: everything but chat_member and message reactions

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
FAKE_PHOTO_PREFIX = "AgACAgIAAxkBAAEFakePhoto"  # `message_update(photo=True)`'s file ids


@functools.cache
def blank_photo() -> bytes:
    """A small blank JPEG: what `message_update(photo=True)`'s photo shows."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (250, 250, 250)).save(out, "JPEG", quality=80)
    return out.getvalue()


class BotMethods(UpdateBuilders):
    """``_api_<method>(params) -> result``; raising ApiError answers Telegram's error."""

    max_poll_timeout: float
    chat_members: dict[tuple[int, int], str]
    blocked_users: set[int]
    commands: dict[tuple[str, str], list[dict]]
    dropped_updates: list[dict]
    files: dict[str, bytes]
    token: str
    file_downloads: list[str]
    _cond: threading.Condition
    _queue: list[dict]
    _stopping: bool
    def _api_getme(self, p: dict) -> dict:
        return self.bot_user

    def _api_deletewebhook(self, p: dict) -> bool:
        if p.get("drop_pending_updates"):
            with self._lock:
                self._queue.clear()
        return True

    _api_setwebhook = _api_deletewebhook

    def _api_close(self, p: dict) -> bool:
        return True

    _api_logout = _api_close

    def _api_getupdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = min(max(float(p.get("timeout") or 0), 0.0), self.max_poll_timeout)
        allowed = p.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._cond:
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) or _DEFAULT_UPDATE_TYPES
            while True:
                if offset > 0:  # confirms (drops) every update below offset
                    self._queue = [u for u in self._queue if u["update_id"] >= offset]
                elif offset < 0:
                    self._queue = self._queue[offset:]
                ready = []
                for update in self._queue:
                    kinds = update.keys() - {"update_id"}
                    if kinds & self._allowed_updates:
                        ready.append(update)
                    else:
                        self.dropped_updates.append(update)
                self._queue = ready
                remaining = deadline - time.monotonic()
                if ready or self._stopping or remaining <= 0:
                    return copy.deepcopy(ready[:limit])
                self._cond.wait(remaining)

    def _chat_id(self, p: dict) -> Any:
        chat_id = p.get("chat_id")
        if chat_id in (None, ""):
            raise bad("chat_id is empty")
        return chat_id

    def _check_blocked(self, chat_id: Any) -> None:
        if chat_id in self.blocked_users:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _api_sendmessage(self, p: dict) -> dict:
        chat_id = self._chat_id(p)
        self._check_blocked(chat_id)
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": self._chat_for_id(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        if p.get("message_thread_id"):
            message["message_thread_id"] = p["message_thread_id"]
        reply = p.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or p.get("reply_to_message_id")
        if reply_id:
            with self._lock:
                original = self._messages.get((reply.get("chat_id", chat_id), reply_id))
            if original is not None:
                message["reply_to_message"] = copy.deepcopy(original)
            elif not (
                reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")
            ):
                raise bad("message to be replied not found")
        with self._lock:
            self._messages[(chat_id, message["message_id"])] = message
            self._last_bot_message[chat_id] = message
        return copy.deepcopy(message)

    def _api_sendphoto(self, p: dict) -> dict:
        """A photo sent again by its file id (the only way this bot sends one)."""
        photo = p.get("photo")
        if not isinstance(photo, str) or self._file(photo) is None:
            raise bad("wrong file identifier/HTTP URL specified")
        caption = p.get("caption")
        sent = self._api_sendmessage({**p, "text": caption or "-"})
        sent["photo"] = [{"file_id": photo, "file_unique_id": "U" + photo[-12:],
                          "width": 800, "height": 600}]  # fmt: skip
        return sent

    def _editable(self, p: dict) -> dict:
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if chat_id in (None, "") or not message_id:
            raise bad("message identifier is not specified")
        with self._lock:
            message = self._messages.get((chat_id, message_id))
        if message is None:
            raise bad("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad("message can't be edited")
        return message

    def _api_editmessagetext(self, p: dict) -> dict | bool:
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if p.get("inline_message_id"):
            return True
        message = self._editable(p)
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (message.get("text"), message.get("entities", []), message.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise bad(NOT_MODIFIED)
        with self._lock:
            message["text"] = text
            message.pop("entities", None)
            message.pop("reply_markup", None)  # editing without a keyboard removes it
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _api_editmessagereplymarkup(self, p: dict) -> dict | bool:
        markup = p.get("reply_markup")
        check_reply_markup(markup)
        if p.get("inline_message_id"):
            return True
        message = self._editable(p)
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("reply_markup") == markup:
            raise bad(NOT_MODIFIED)
        with self._lock:
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _api_deletemessage(self, p: dict) -> bool:
        with self._lock:
            key = (p.get("chat_id"), p.get("message_id"))
            if self._messages.pop(key, None) is None:  # type: ignore[arg-type]
                raise bad("message to delete not found")
        return True

    def _api_answercallbackquery(self, p: dict) -> bool:
        if not p.get("callback_query_id"):
            raise bad("query_id is empty")
        if len(str(p.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        if p.get("url") is not None and not valid_button_url(p["url"]):
            raise bad("URL_INVALID")
        return True

    def _api_sendchataction(self, p: dict) -> bool:
        chat_id = self._chat_id(p)
        self._check_blocked(chat_id)
        if p.get("action") not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(p: dict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _api_setmycommands(self, p: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.fullmatch(str(cmd.get("command"))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description") or "")) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self.commands[self._commands_key(p)] = commands
        return True

    def _api_deletemycommands(self, p: dict) -> bool:
        with self._lock:
            self.commands.pop(self._commands_key(p), None)
        return True

    def _api_getmycommands(self, p: dict) -> list[dict]:
        with self._lock:
            return self.commands.get(self._commands_key(p), [])

    def _api_answerinlinequery(self, p: dict) -> bool:
        if not p.get("inline_query_id"):
            raise bad("QUERY_ID_INVALID")
        results = p.get("results")
        if not isinstance(results, list):
            raise bad("can't parse results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = result.get("id") if isinstance(result, dict) else None
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                check_text(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
            check_reply_markup(result.get("reply_markup"))
        return True

    def _api_getchatmember(self, p: dict) -> dict:
        chat_id, user_id = self._chat_id(p), p.get("user_id")
        if not user_id:
            raise bad("user_id is empty")
        with self._lock:
            status = self.chat_members.get((chat_id, user_id), "member")
            user = self._users.get(user_id) or self._user(user_id)
        if user_id == self.bot_user["id"]:
            user = self.bot_user
        return chat_member(user, status)

    def _api_getchat(self, p: dict) -> dict:
        chat_id = self._chat_id(p)
        with self._lock:
            chat = self._chat_for_id(chat_id)
        return chat | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(
                ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                 "gifts_from_channels"),
                False,
            ),
        }  # fmt: skip

    # ------------------------------------------------------------------ files

    def add_photo(self, data: bytes, width: int = 800, height: int = 600) -> list[dict]:
        """Serve `data` as a photo a user sends: its sizes, for ``media={"photo": ...}``
        (every size is the same bytes; the largest is the one a bot should take)."""
        with self._lock:
            key = f"{len(self.files):04d}"
            sizes = []
            for scale in (8, 2, 1):
                file_id = f"AgACAgIAAxkBAAEPhoto{key}s{scale}"
                self.files[file_id] = data
                sizes.append({"file_id": file_id, "file_unique_id": f"AQADPhoto{key}s{scale}",
                              "width": width // scale, "height": height // scale,
                              "file_size": len(data)})  # fmt: skip
        return sizes

    def _file(self, file_id: str) -> bytes | None:
        """A file's content: added with `add_photo`, or `message_update(photo=True)`'s
        stand-in photo (a blank page: nothing to read in it)."""
        with self._lock:
            data = self.files.get(file_id)
        if data is None and file_id.startswith(FAKE_PHOTO_PREFIX):
            return blank_photo()
        return data

    def _api_getfile(self, p: dict) -> dict:
        file_id = str(p.get("file_id", ""))
        data = self._file(file_id)
        if data is None:
            raise bad("invalid file_id")
        return {"file_id": file_id, "file_unique_id": "U" + file_id[-12:],
                "file_size": len(data), "file_path": f"photos/{file_id}.jpg"}  # fmt: skip

    def file_body(self, path: str) -> bytes | None:
        """What ``GET /file/bot<token>/photos/<file_id>.jpg`` answers (None: 404)."""
        match = re.fullmatch(r"/file/bot([^/]*)/photos/([^/]+)\.jpg", path)
        if match is None or match.group(1) != self.token:
            return None
        with self._lock:
            self.file_downloads.append(match.group(2))
        return self._file(match.group(2))

    def _api_setchatmenubutton(self, p: dict) -> bool:
        return True

    def _api_getchatmenubutton(self, p: dict) -> dict:
        return {"type": "commands"}
