"""Run the real bot (the Application `cekklaim run` builds) against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fakebotapi import Call, FakeBotAPI
from telegram.ext import Application

from bot.core import Core
from bot.settings import load_settings
from bot.telegram.app import build_application

SECRET = "test-secret-0123456789"
GROUP = -4_000_001_001  # the group chat `group_message` writes to by default
MEMBER = 1002  # the group member who writes there
SENTINEL = 9999  # a private chat whose answer shows earlier updates were handled


class Bot:
    """The running bot plus its fake Telegram, with small helpers for one conversation."""

    def __init__(self, fake: FakeBotAPI, core: Core, app: Application) -> None:  # type: ignore[type-arg]
        self.fake = fake
        self.core = core
        self.app = app

    async def send(self, update: dict, method: str = "sendMessage") -> Call:
        mark = self.fake.mark()
        self.fake.push_update(update)
        return await self.fake.wait_for(method, after=mark)

    async def say(self, text: str, **kw: Any) -> Call:
        return await self.send(self.fake.message_update(text, **kw))

    async def press(self, data: str, method: str, **kw: Any) -> tuple[Call, Call]:
        """Press a button as a user would: after the messages already asked for are all sent
        (a button is only accepted on the message that carries it)."""
        await asyncio.wait_for(self.app.update_queue.join(), 5)
        mark = self.fake.mark()
        self.fake.push_update(self.fake.callback_update(data, **kw))
        answer = await self.fake.wait_for("answerCallbackQuery", after=mark)
        if method == "answerCallbackQuery":
            return answer, answer
        return answer, await self.fake.wait_for(method, after=mark)

    async def replies_to(self, user_id: int, text: str, replies: int = 1) -> list[str]:
        """What `user_id` sees in their private chat after sending `text`: the first
        `replies` messages sent there, as they read them."""
        mark = self.fake.mark()
        self.fake.push_update(self.fake.message_update(text, user_id=user_id))
        seen: list[str] = []
        for _ in range(replies):
            call = await self.fake.wait_for(
                "sendMessage", lambda c: c.params["chat_id"] == user_id, after=mark
            )
            mark = self.fake.calls.index(call) + 1
            seen.append(visible(call))
        return seen

    async def quiet(self, update: dict, method: str = "sendMessage") -> None:
        """Push `update` and check the bot sends no `method` for it.

        Once the answer to a sentinel pushed right after it (/start from another private
        chat) is out, `update` was fetched; once no update is in progress, it was handled
        (updates of different chats are handled side by side: a claim committed in the
        writer's thread may finish after the sentinel's answer).
        """
        mark = self.fake.mark()
        self.fake.push_update(update)
        self.fake.push_update(self.fake.message_update("/start", user_id=SENTINEL))
        await self.fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == SENTINEL, after=mark
        )
        await self.settled()
        sent = [
            c
            for c in self.fake.calls[mark:]
            if c.method == method and c.params.get("chat_id") != SENTINEL
        ]
        assert sent == [], f"expected no {method}, got {[c.params for c in sent]}"

    async def settled(self, seconds: float = 5.0) -> None:
        """Returns once the bot has no update in progress (fails after `seconds`)."""
        processor = self.app.update_processor
        for _ in range(round(seconds / 0.01)):
            if processor.current_concurrent_updates == 0 and self.app.update_queue.empty():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"updates still in progress after {seconds} s")

    def group_message(self, text: str | None = None, **kw: Any) -> dict:
        """A message update in a group (GROUP from MEMBER unless `kw` says otherwise)."""
        kw.setdefault("chat_id", GROUP)
        kw.setdefault("chat_type", "group" if kw["chat_id"] == GROUP else "supergroup")
        kw.setdefault("user_id", MEMBER)
        return self.fake.message_update(text, **kw)


async def running_bot(tmp_path: Path, **env: str) -> AsyncIterator[Bot]:
    with FakeBotAPI() as fake:
        settings = load_settings(
            environ={
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_API_FILE_URL": fake.file_url,
                "CEKKLAIM_DB": str(tmp_path / "bot.db"),
                "CEKKLAIM_SECRET": SECRET,
                "FETCH_LINKS": "0",  # tests never touch the internet; tests of links turn it on
                **env,
            },
            env_file=None,
        )
        core = Core.open(settings.db_path, settings.secret)
        app = build_application(settings, core)
        async with app:
            await app.start()
            assert app.post_init is not None
            await app.post_init(app)  # run_polling would call it; here the test does
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield Bot(fake, core, app)
            finally:
                await app.updater.stop()
                await app.stop()
                assert app.post_shutdown is not None
                await app.post_shutdown(app)
        # nothing the bot sent was refused as Telegram would refuse it
        assert fake.errors == []


def buttons(call: Call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button_data(call: Call) -> list[str]:
    return [b["callback_data"] for b in buttons(call) if "callback_data" in b]


def visible(call: Call) -> str:
    """The text as a user sees it (the fake's parse of the HTML)."""
    return call.response["text"]


def claims(core: Core) -> list[dict]:
    return list(core.db.query("SELECT * FROM claims ORDER BY id"))
