"""The fake Bot API itself: Telegram-like validation, and the real python-telegram-bot
Bot/Application talking to it over HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fakebotapi import ApiError, FakeBotAPI, check_reply_markup, check_text, parse_html
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import Update as PTBUpdate
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler

pytestmark = pytest.mark.timeout(10)


@pytest.fixture
def fake():
    with FakeBotAPI() as api:
        yield api


def keyboard(*buttons: dict) -> dict:
    return {"inline_keyboard": [list(buttons)]}


# ------------------------------------------------------------------------- HTML parse mode

VALID_HTML = [
    ("<b>bold <i>italic</i></b>", "bold italic"),
    ("<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>",
     "abcdefg"),
    ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42;", '<tag> & "q" AB'),
    ('<a href="https://kpu.go.id/?a=1&amp;b=2">KPU</a>', "KPU"),
    ("<a href='tg://user?id=1'>x</a>", "x"),
    ('<pre><code class="language-python">x = 1 &lt; 2</code></pre>', "x = 1 < 2"),
    ("<code>inline</code>", "inline"),
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
    ("<blockquote expandable>kutipan</blockquote><blockquote>b</blockquote>", "kutipanb"),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ("<B>UPPER</B>", "UPPER"),
    ("a > b", "a > b"),
    ("  <b>\n trimmed </b>  ", "trimmed"),
]  # fmt: skip


@pytest.mark.parametrize(("html", "visible"), VALID_HTML)
def test_valid_html(html: str, visible: str) -> None:
    text, _ = check_text(html, "HTML")
    assert text == visible


def test_html_entities_have_utf16_offsets() -> None:
    text, entities = parse_html('😀 <b>tebal</b> <a href="https://x.id">t</a>')
    assert text == "😀 tebal t"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 5},  # the emoji is 2 UTF-16 units
        {"type": "text_link", "offset": 9, "length": 1, "url": "https://x.id"},
    ]
    _, entities = parse_html('<pre><code class="language-py">x</code></pre>')
    assert entities == [{"type": "pre", "offset": 0, "length": 1, "language": "py"}]
    _, entities = parse_html("<blockquote expandable>q</blockquote>")
    assert entities[0]["type"] == "expandable_blockquote"


BAD_HTML = [
    ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("1 &nbsp; 2", 'Unsupported HTML entity "&nbsp"'),
    ("Tom & Jerry", 'Unsupported HTML entity "& Jerry"'),
    ("&#0;", "Unsupported HTML entity"),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<a>no href</a>", 'Tag "a" must have attribute "href"'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ("<a href=https://x.id>x</a>", "Unexpected end of name token"),
    ('<a href="https://x.id>x</a>', "Unclosed start tag at byte offset 0"),
    ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
]


@pytest.mark.parametrize(("html", "reason"), BAD_HTML)
def test_invalid_html(html: str, reason: str) -> None:
    with pytest.raises(ApiError) as err:
        check_text(html, "HTML")
    assert err.value.code == 400
    assert err.value.description.startswith("Bad Request: can't parse entities: ")
    assert reason in err.value.description


@pytest.mark.parametrize(
    ("text", "parse_mode", "ok"),
    [
        ("x" * 4096, None, True),
        ("x" * 4097, None, False),
        ("<b>" + "x" * 4096 + "</b>", "HTML", True),  # tags do not count
        ("&amp;" * 4096, "HTML", True),  # entities count as one character
        ("&amp;" * 4097, "HTML", False),
        ("é" * 4096, None, True),  # 2 UTF-8 bytes, but one UTF-16 unit
        ("😀" * 2048, None, True),  # 2048 characters = 4096 UTF-16 units
        ("😀" * 2048 + "x", None, False),  # 2049 characters, 4097 UTF-16 units
        ("<i>" + "😀" * 2049 + "</i>", "HTML", False),
    ],
)
def test_message_length_is_counted_in_utf16_after_parsing(
    text: str, parse_mode: str | None, ok: bool
) -> None:
    if ok:
        check_text(text, parse_mode)
    else:
        with pytest.raises(ApiError, match="Bad Request: message is too long"):
            check_text(text, parse_mode)


@pytest.mark.parametrize("text", [None, "", "   \n", "<b> </b>"])
def test_empty_text(text: str | None) -> None:
    with pytest.raises(ApiError, match="Bad Request: message text is empty"):
        check_text(text, "HTML")


def test_unknown_parse_mode() -> None:
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        check_text("x", "XML")


# ------------------------------------------------------------------------- inline keyboards


@pytest.mark.parametrize(
    ("button", "reason"),
    [
        ({"text": "ok", "callback_data": "é" * 32}, None),  # exactly 64 bytes
        ({"text": "ok", "callback_data": "é" * 32 + "a"}, "BUTTON_DATA_INVALID"),  # 65 bytes
        ({"text": "ok", "callback_data": "x" * 65}, "BUTTON_DATA_INVALID"),
        ({"text": "ok", "callback_data": ""}, "BUTTON_DATA_INVALID"),
        ({"text": "ok", "url": "https://kpu.go.id/berita"}, None),
        ({"text": "ok", "url": "tg://resolve?domain=x"}, None),
        ({"text": "ok", "url": "javascript:alert(1)"}, "BUTTON_URL_INVALID"),
        ({"text": "ok", "url": "kpu.go.id"}, "BUTTON_URL_INVALID"),
        ({"text": "ok", "switch_inline_query": ""}, None),
        ({"text": "ok", "copy_text": {"text": "x"}}, None),
        ({"text": "ok"}, "Text buttons are unallowed"),
        ({"text": "ok", "url": "https://x.id", "callback_data": "a"}, "exactly one"),
        ({"callback_data": "a"}, 'Field "text" must be of type String'),
    ],
)
def test_inline_keyboard_buttons(button: dict, reason: str | None) -> None:
    if reason is None:
        check_reply_markup(keyboard(button))
    else:
        with pytest.raises(ApiError, match=reason):
            check_reply_markup(keyboard(button))


# ------------------------------------------------------------------------- raw HTTP


async def test_http_protocol_details(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{fake.token}"
    async with httpx.AsyncClient(timeout=5) as client:
        # form, JSON and multipart bodies are all accepted; JSON values decoded
        markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}'
        r = await client.post(
            f"{url}/sendMessage", data={"chat_id": "7", "text": "123", "reply_markup": markup}
        )
        assert r.status_code == 200
        assert r.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
        call = fake.sent("sendMessage")[-1]
        assert call.params == {
            "chat_id": 7,
            "text": "123",  # text stays a string even though it looks like JSON
            "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
        }
        r = await client.post(f"{url}/sendMessage", json={"chat_id": 7, "text": "hai"})
        assert r.json()["result"]["text"] == "hai"
        r = await client.post(
            f"{url}/sendMessage",
            data={"chat_id": "7", "text": "multi"},
            files={"document": ("a.txt", b"abc")},
        )
        assert r.json()["result"]["text"] == "multi"
        assert fake.sent("sendMessage")[-1].params["document"] == {
            "filename": "a.txt",
            "content": b"abc",
        }

        # getUpdates: offset confirms, long poll is capped
        first = fake.push_update(fake.message_update("satu"))
        second = fake.push_update(fake.message_update("dua"))
        assert second == first + 1
        r = await client.post(f"{url}/getUpdates", data={"timeout": "30"})
        assert [u["update_id"] for u in r.json()["result"]] == [first, second]
        r = await client.post(f"{url}/getUpdates", data={"offset": str(second)})
        assert [u["update_id"] for u in r.json()["result"]] == [second]
        loop = asyncio.get_running_loop()
        started = loop.time()
        r = await client.post(
            f"{url}/getUpdates", data={"offset": str(second + 1), "timeout": "30"}
        )
        assert r.json() == {"ok": True, "result": []}
        assert 0.9 <= loop.time() - started < 2.5

        # a long poll returns as soon as an update arrives
        poll = asyncio.create_task(
            client.post(f"{url}/getUpdates", data={"offset": str(second + 1), "timeout": "1"})
        )
        await asyncio.sleep(0.1)
        third = fake.push_update(fake.message_update("tiga"))
        r = await asyncio.wait_for(poll, 3)
        assert [u["update_id"] for u in r.json()["result"]] == [third]

        assert not fake.errors
        r = await client.post(f"{fake.base_url}123:WRONG/getMe")
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        r = await client.post(f"{url}/sendTelepathy")
        assert r.status_code == 404
        assert r.json()["description"] == "Not Found"
        r = await client.post(f"{url}/getUpdates", data={"offset": "abc"})
        assert r.status_code == 500  # malformed input never hangs the client
        assert fake.errors[:2] == [
            "getMe -> 401 Unauthorized",
            "sendTelepathy -> 404 Not Found",
        ]
        assert fake.errors[2].startswith("getUpdates -> 500 Internal: ValueError")


async def test_allowed_updates_filters_like_telegram(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{fake.token}/getUpdates"
    fake.push_update({"chat_member": {}})  # not in Telegram's default set
    kept = fake.push_update(fake.message_update("x"))
    async with httpx.AsyncClient(timeout=5) as client:
        r = await client.post(url, data={"allowed_updates": "[]"})
    assert [u["update_id"] for u in r.json()["result"]] == [kept]
    assert fake.dropped_updates == [{"chat_member": {}, "update_id": kept - 1}]


# ------------------------------------------------------------------------- real Bot


async def test_real_bot_against_fake(fake: FakeBotAPI) -> None:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.file_url) as bot:
        me = await bot.get_me()
        assert me.username == "CekKlaimBot"
        assert me.id == 123456789

        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Sumber", url="https://kpu.go.id"),
              InlineKeyboardButton("Lagi", callback_data="again:1")]]
        )  # fmt: skip
        message = await bot.send_message(
            1001, "<b>HOAKS</b> &amp; <i>salah</i>", parse_mode="HTML", reply_markup=markup
        )
        assert message.text == "HOAKS & salah"
        assert [(e.type, e.offset, e.length) for e in message.entities] == [
            ("bold", 0, 5),
            ("italic", 8, 5),
        ]
        assert message.reply_markup == markup
        assert message.from_user.id == me.id
        call = fake.sent("sendMessage")[-1]
        assert call.params["parse_mode"] == "HTML"
        assert call.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "again:1"

        edited = await bot.edit_message_text("baru", chat_id=1001, message_id=message.message_id)
        assert edited.text == "baru"
        assert edited.reply_markup is None  # editing without a keyboard removes it
        assert not fake.errors

        with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
            await bot.edit_message_text("baru", chat_id=1001, message_id=message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
            await bot.send_message(
                1001,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="é" * 32 + "a")]]
                ),
            )
        with pytest.raises(BadRequest, match=r"(?i)Can't parse entities"):
            await bot.send_message(1001, "1 < 2", parse_mode="HTML")
        assert len(fake.errors) == 3
        assert "BUTTON_DATA_INVALID" in fake.errors[1]
        fake.errors.clear()

        group_message = fake.message_update("cek ini", chat_type="group")
        fake.push_update(group_message)
        group_id = group_message["message"]["chat"]["id"]
        reply = await bot.send_message(
            group_id, "Hasil", reply_to_message_id=group_message["message"]["message_id"]
        )
        assert reply.reply_to_message.text == "cek ini"
        assert reply.chat.type == "group"
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(group_id, "Hasil", reply_to_message_id=999_999)
        with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
            await bot.edit_message_text(
                "x", chat_id=group_id, message_id=group_message["message"]["message_id"]
            )
        assert len(fake.errors) == 2
        fake.errors.clear()

        fake.blocked_users.add(2002)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(2002, "halo")
        assert fake.forbidden == ["sendMessage -> 403 Forbidden: bot was blocked by the user"]
        assert not fake.errors

        fake.chat_members[(-100123, 1001)] = "administrator"
        for user_id, status in [(1001, "administrator"), (1002, "member")]:
            member = await bot.get_chat_member(-100123, user_id)
            assert member.status == status
        for status in ("creator", "restricted", "left", "kicked"):
            fake.chat_members[(-100123, 1003)] = status
            assert (await bot.get_chat_member(-100123, 1003)).status == status
        chat = await bot.get_chat(-1001234)
        assert chat.type == "supergroup"

        assert await bot.set_my_commands([("start", "Mulai"), ("cek", "Cek klaim")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "cek"]
        with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
            await bot.set_my_commands([("Cek-Klaim", "x")])
        fake.errors.clear()
        assert await bot.send_chat_action(1001, "typing")
        assert await bot.answer_callback_query("1", text="ok")
        with pytest.raises(BadRequest, match=r"(?i)Message_too_long"):
            await bot.answer_callback_query("1", text="x" * 201)
        assert fake.errors == ["answerCallbackQuery -> 400 Bad Request: MESSAGE_TOO_LONG"]


def test_update_builders_parse_with_ptb(fake: FakeBotAPI) -> None:
    bot = Bot(fake.token)

    class Update:  # the builders leave update_id to push_update
        @staticmethod
        def de_json(data: dict, bot: Bot) -> PTBUpdate:
            return PTBUpdate.de_json({"update_id": 1, **data}, bot)

    update = Update.de_json(fake.message_update("/start@CekKlaimBot halo"), bot)
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@CekKlaimBot")
    update = Update.de_json(
        fake.message_update(
            None,
            chat_type="supergroup",
            caption="lihat",
            photo=True,
            message_thread_id=5,
            forward_origin={"type": "hidden_user", "date": 0, "sender_user_name": "X"},
        ),
        bot,
    )
    assert update.message.photo[-1].width == 800
    assert update.message.chat.type == "supergroup"
    assert update.message.forward_origin.sender_user_name == "X"
    assert Update.de_json(fake.message_update(sticker=True), bot).message.sticker.emoji
    assert Update.de_json(fake.callback_update("a:1"), bot).callback_query.data == "a:1"
    assert Update.de_json(fake.inline_query_update("pemilu"), bot).inline_query.query == "pemilu"
    chosen = Update.de_json(fake.chosen_inline_result_update("r1", "q"), bot)
    assert chosen.chosen_inline_result.result_id == "r1"
    for old, new in [("left", "member"), ("member", "administrator"), ("administrator", "kicked")]:
        update = Update.de_json(
            fake.my_chat_member_update(-100, old_status=old, new_status=new), bot
        )
        assert update.my_chat_member.new_chat_member.status == new


async def test_answer_inline_query_validation(fake: FakeBotAPI) -> None:
    def article(result_id: str, text: str = "isi", parse_mode: str | None = "HTML") -> dict:
        content = {"message_text": text}
        if parse_mode:
            content["parse_mode"] = parse_mode
        return {"type": "article", "id": result_id, "title": "t", "input_message_content": content}

    url = f"{fake.base_url}{fake.token}/answerInlineQuery"
    cases = [
        ([article("1"), article("2")], None),
        ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article("1"), article("1")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("1", "<b>x")], "can't parse entities"),
        ([article("1", "x" * 4097, None)], "message is too long"),
    ]
    async with httpx.AsyncClient(timeout=5) as client:
        for results, reason in cases:
            r = await client.post(url, json={"inline_query_id": "9", "results": results})
            if reason is None:
                assert r.json() == {"ok": True, "result": True}
            else:
                assert r.status_code == 400
                assert reason in r.json()["description"]
    assert len(fake.errors) == len(cases) - 1


# ------------------------------------------------------------------------- real Application


async def test_application_end_to_end(fake: FakeBotAPI) -> None:
    async def start(update: Update, context) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Cek", callback_data="cek")]])
        await update.message.reply_text(
            f"Halo <b>{update.effective_user.first_name}</b>!",
            parse_mode="HTML",
            reply_markup=markup,
        )

    async def pressed(update: Update, context) -> None:
        await update.callback_query.answer("Sip")
        await update.callback_query.edit_message_text("Sudah dicek")

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            mark = fake.mark()
            fake.push_update(fake.message_update("/start"))
            call = await fake.wait_for("sendMessage", after=mark)
            assert call.params["chat_id"] == 1001
            assert call.params["text"] == "Halo <b>Budi</b>!"
            assert call.response["text"] == "Halo Budi!"

            fake.push_update(fake.callback_update("cek"))  # on the bot's last message
            edit = await fake.wait_for("editMessageText", after=mark)
            assert edit.params["message_id"] == call.response["message_id"]
            assert edit.status == 200
            answer = await fake.wait_for("answerCallbackQuery", after=mark)
            assert answer.params["text"] == "Sip"

            with pytest.raises(AssertionError, match="no matching sendPhoto"):
                await fake.wait_for("sendPhoto", after=mark, timeout=0.1)
        finally:
            await app.updater.stop()
            await app.stop()
    methods = {c.method for c in fake.calls}
    assert {"getMe", "deleteWebhook", "getUpdates"} <= methods
    assert not fake.errors
