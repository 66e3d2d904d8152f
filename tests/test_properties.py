"""Property-based tests (hypothesis): bad input never breaks the bot, the core or the import.

Over the whole message path (the real Application against the fake Bot API, one bot per
test function, many examples pushed into it, see tests/threadbot.py) and over the pure core:
random Unicode, zero-width and right-to-left characters, combining marks, emoji only, 64 KB
texts, HTML and Markdown characters, FTS query syntax, and odd updates (no text, edited
messages, channel posts, unhandled and unknown update types, entities only, captions,
forwards, random and forged callback data, inline queries).

Properties: no handler raises (no error-handler call, no ERROR log record), every text sent is
valid Telegram HTML within 4096 UTF-16 code units after entity parsing (the fake parses it as
Telegram does and refuses anything else), callback data within 64 bytes, and the CLI import
either imports a file whole or reports line-numbered errors and imports nothing.
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import json
import os
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbhelpers import who
from fakebotapi import ApiError, Call, check_reply_markup, check_text, utf16_len
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadbot import ThreadedBot

import storage
import storage.sources as source_store
from bot import drafts
from bot.cli import main as cli_main
from bot.core import Core
from bot.matcher.match import Tier, match_text
from bot.matcher.normalize import MAX_CHARS, normalize
from bot.replies import render, short_cards
from bot.replies.callbacks import MAX_ID  # the largest row id buttons carry
from bot.replies.commands import ADMIN_COMMANDS, MOD_COMMANDS
from bot.replies.render import Reply
from bot.replies.texts import text as catalogue_text
from bot.replies.texts_en import EN as TEXTS_EN
from bot.replies.texts_id import ID as TEXTS_ID
from bot.settings import SETTING_NAMES
from bot.telegram.keyboards import markup
from storage import VERDICTS, Statement
from storage.statement_input import (
    MAX_CLAIM_LEN,
    MAX_CLARIFICATION_LEN,
    MAX_ORG_LEN,
    StatementInput,
    clean_statement_input,
    statement_input_errors,
)

pytestmark = pytest.mark.timeout(120)

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64
BOT_EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CORE_EXAMPLES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# ------------------------------------------------------------------------------ text strategies

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RTL = "\u202e\u200f\u202b\u2067" + "مرحبا الانتخابات" + "שלום בחירות"
EMOJI = ["😱", "🔥", "‼️", "🇮🇩", "👍🏽", "👨‍👩‍👧‍👦", "🗳️", "❤️", "🤬", "\U0001faf6", "©", "™️", "#️⃣"]
MARKUP = "<>&*_`[]()~|#+-=.!\"'/\\"
FTS_WORDS = [
    '"', "*", "NEAR", "NEAR(", "NEAR/3", "-", ":", "AND", "OR", "NOT", "(", ")", "^", "claim:",
    '"pemilu', "pemilu*", "-diundur", "{claim clarification}:", "''", "\\",
]  # fmt: skip
HTMLISH = [
    "<b>", "</b>", "<i>", "<a href='x'>", "</a>", "&amp;", "&lt;", "&#0;", "&#xD800;",
    "&nbsp;", "<tg-spoiler>", "<pre>", "<script>", "<!--", "]]>", "<br/>", "&", "<",
]  # fmt: skip
# Claim words that reach the confident, possible and none answers of the starter base.
CLAIM_WORDS = [
    "pemilu", "2024", "diundur", "gak", "jadi", "tanggal", "14", "februari", "quick", "count",
    "hasil", "resmi", "sirekap", "curang", "ktp", "coblos", "dpt", "tps", "surat", "suara",
    "kpu", "bawaslu", "hoaks", "bohong", "sebarkan", "tiktok", "kampanye", "tenang", "psu",
]  # fmt: skip
CLAIMS = [
    "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!",
    "hasil quick count itu hasil resmi pemilu",
    "bisa nyoblos cuma pakai ktp el",
    "sirekap itu penentu hasil resmi pemilu",
]


def _mixed(alphabet: st.SearchStrategy[str], max_size: int = 60) -> st.SearchStrategy[str]:
    """Claim words interleaved with characters from `alphabet`."""
    piece = st.one_of(st.sampled_from(CLAIM_WORDS), alphabet, st.just(" "))
    return st.lists(piece, max_size=max_size).map("".join)


def _long(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """64 KB texts: a generated piece repeated (generating 64 KB directly is slow)."""
    return st.tuples(base.filter(bool), st.integers(1, 65_536)).map(
        lambda pair: (pair[0] * (65_536 // len(pair[0]) + 1))[
            : pair[1] if pair[1] > 4096 else 65_536
        ]
    )


any_unicode = st.text(max_size=300)  # the full range, without surrogates (not valid UTF-8)
combining = _mixed(st.text(st.characters(categories=["Mn", "Me", "Mc"]), min_size=1, max_size=8))
zero_width = _mixed(st.text(st.sampled_from(ZERO_WIDTH), min_size=1, max_size=5))
rtl = _mixed(st.text(st.sampled_from(RTL), min_size=1, max_size=10))
emoji_only = st.lists(
    st.sampled_from([*EMOJI, " ", "\u200d", "\ufe0f"]), min_size=1, max_size=40
).map("".join)
markup_chars = _mixed(
    st.one_of(st.text(st.sampled_from(MARKUP), min_size=1), st.sampled_from(HTMLISH))
)
fts_syntax = st.lists(st.sampled_from([*FTS_WORDS, *CLAIM_WORDS]), min_size=1, max_size=30).map(
    " ".join
)
claims_with_noise = st.tuples(
    st.sampled_from(CLAIMS), st.one_of(zero_width, rtl, markup_chars, emoji_only, fts_syntax)
).map(lambda pair: pair[0] + " " + pair[1])
short_text = st.one_of(
    any_unicode, combining, zero_width, rtl, emoji_only, markup_chars, fts_syntax,
    claims_with_noise, st.sampled_from(["", " ", "\n\n", "\x00", "/", "@", "?", ".", "\u3000"]),
)  # fmt: skip
texts = st.one_of(short_text, _long(short_text))


# ------------------------------------------------------------------------------ checks


def _visible_ok(call: Call) -> list[str]:
    """Our own reading of one call: HTML valid, length and button limits as Telegram counts."""
    problems = []
    params = call.params
    if call.method in ("sendMessage", "editMessageText"):
        try:
            visible, _ = check_text(params.get("text"), params.get("parse_mode"))
        except ApiError as err:
            problems.append(f"{call.method}: {err.description}")
        else:
            if utf16_len(visible) > MAX_MESSAGE:
                problems.append(f"{call.method}: {utf16_len(visible)} UTF-16 units")
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode()) > MAX_CALLBACK_BYTES:
                    problems.append(f"callback_data {data!r} is over 64 bytes")
    if call.method == "answerCallbackQuery" and len(str(params.get("text") or "")) > 200:
        problems.append("callback answer over 200 characters")
    if call.status != 200 and call.method != "getUpdates":
        problems.append(f"{call.method} answered {call.status}: {call.response}")
    return problems


def assert_all_fine(
    bot: ThreadedBot, calls: list[Call], update: dict, since: tuple[int, int, int] = (0, 0, 0)
) -> None:
    problems = bot.failures(since) + [p for call in calls for p in _visible_ok(call)]
    assert problems == [], f"for {json.dumps(update, ensure_ascii=True)[:2000]}"


MOD_CHAT = -100777


@pytest.fixture
def threaded_bot(tmp_path: Path) -> Iterator[ThreadedBot]:
    with ThreadedBot(tmp_path, MODERATOR_IDS="42", MODERATOR_CHAT_ID=str(MOD_CHAT)) as bot:
        yield bot


# ------------------------------------------------------------------------------ the message path

GROUP = -4_000_222_000
CHANNEL = -1_001_555_000_000
USERS = st.integers(2_000, 2_400)  # citizens (42 is the admin)


def _entities_covering(text: str) -> st.SearchStrategy[list[dict]]:
    """Valid entities inside `text` (UTF-16 offsets), as Telegram would send them."""
    size = utf16_len(text)
    if size == 0:
        return st.just([])
    kinds = st.sampled_from(["bold", "italic", "url", "text_link", "code", "spoiler", "mention"])

    def entity(args: tuple[str, int, int]) -> dict:
        kind, offset, length = args
        found: dict[str, Any] = {"type": kind, "offset": offset, "length": max(1, length)}
        if kind == "text_link":
            found["url"] = "https://www.kpu.go.id/berita"
        return found

    one = st.tuples(kinds, st.integers(0, size - 1), st.integers(1, size)).map(
        lambda a: entity((a[0], a[1], min(a[2], size - a[1])))
    )
    return st.one_of(
        st.just([{"type": "bold", "offset": 0, "length": size}]), st.lists(one, max_size=4)
    )


@st.composite
def private_updates(draw: st.DrawFn, fake: Any) -> dict:
    """A message-like update in a private chat, in one of many shapes."""
    text = draw(texts)
    user = draw(USERS)
    shape = draw(
        st.sampled_from(
            ["text", "cek", "start", "caption", "forwarded", "entities", "sticker", "edited",
             "edited_sticker", "reply", "unknown_command", "bahasa_berhenti"]
        )
    )  # fmt: skip
    if shape == "text":
        return fake.message_update(text or ".", user_id=user)
    if shape == "cek":
        return fake.message_update("/cek " + text, user_id=user)
    if shape == "start":
        return fake.message_update(
            "/start " + draw(st.sampled_from(["s", "", "inline "])) + text, user_id=user
        )
    if shape == "caption":
        return fake.message_update(caption=text, photo=True, user_id=user)
    if shape == "forwarded":
        origin = draw(
            st.sampled_from(
                [
                    {"type": "hidden_user", "date": 1700000000,
                     "sender_user_name": text[:64] or "x"},
                    {"type": "user", "date": 1700000000,
                     "sender_user": {"id": 5, "is_bot": False, "first_name": "A"}},
                    {"type": "channel", "date": 1700000000, "message_id": 9,
                     "chat": {"id": -1001234, "type": "channel", "title": "Berita"}},
                ]
            )
        )  # fmt: skip
        if draw(st.booleans()):
            return fake.message_update(text or "x", forward_origin=origin, user_id=user)
        return fake.message_update(caption=text, photo=True, forward_origin=origin, user_id=user)
    if shape == "entities":
        body = text or "https://www.kpu.go.id/"
        return fake.message_update(body, entities=draw(_entities_covering(body)), user_id=user)
    if shape == "sticker":
        return fake.message_update(sticker=True, user_id=user)
    if shape in ("edited", "edited_sticker"):
        if shape == "edited":
            return fake.edited_message_update(text or ".", user_id=user)
        return fake.edited_message_update(None, sticker=True, user_id=user)
    if shape == "reply":
        original = fake.message_update(text or "x", user_id=user)
        return fake.message_update("/cek", reply_to=original, user_id=user)
    if shape == "unknown_command":
        return fake.message_update(
            "/" + "".join(c for c in text if c.isalnum())[:40] + " " + text, user_id=user
        )
    return fake.message_update(
        draw(st.sampled_from(["/bahasa", "/berhenti", "/bantuan", "/tentang"])), user_id=user
    )


@st.composite
def group_updates(draw: st.DrawFn, fake: Any) -> dict:
    """Group and channel traffic: /cek, mentions, forwards (auto check on), edits, posts."""
    text = draw(texts)
    user = draw(USERS)
    chat = GROUP - draw(st.integers(0, 400))  # many groups: stay under each group's rate limit
    shape = draw(
        st.sampled_from(
            ["cek", "cek_reply", "mention", "forward", "edited", "channel_post",
             "edited_channel_post", "plain", "pengaturan"]
        )
    )  # fmt: skip
    common = {"chat_id": chat, "chat_type": "group", "user_id": user}
    if shape == "cek":
        return fake.message_update("/cek " + text, **common)
    if shape == "cek_reply":
        original = fake.message_update(caption=text, photo=True, **common)
        return fake.message_update("/cek@CekKlaimBot", reply_to=original, **common)
    if shape == "mention":
        body = "@CekKlaimBot " + text
        return fake.message_update(
            body, entities=[{"type": "mention", "offset": 0, "length": 12}], **common
        )
    if shape == "forward":
        origin = {"type": "hidden_user", "date": 1700000000, "sender_user_name": "X"}
        return fake.message_update(text or "x", forward_origin=origin, **common)
    if shape == "edited":
        return fake.edited_message_update("/cek " + text, **common)
    if shape in ("channel_post", "edited_channel_post"):
        return fake.channel_post_update(
            text or ".", chat_id=CHANNEL, edited=shape == "edited_channel_post"
        )
    if shape == "pengaturan":
        return fake.message_update("/pengaturan " + text, **common)
    return fake.message_update(text or ".", **common)


CALLBACK_DATA = st.one_of(
    st.text(max_size=64).filter(lambda d: 0 < len(d.encode()) <= 64),
    st.tuples(
        st.sampled_from(["p", "x", "h", "w", "n", "l", "gs", "q", "t", "e", "v"]),
        st.lists(
            st.one_of(
                st.integers(-(2**63), 2**63).map(str),
                st.sampled_from(["", "a", "d", "s", "c1", "c999999", "ok", "no", "id", "en",
                                 "HOAKS", "strict", "1", "0"]),
            ),
            max_size=3,
        ),
    ).map(lambda kv: ":".join([kv[0], *kv[1]])[:64]),
)  # fmt: skip


@st.composite
def other_updates(draw: st.DrawFn, fake: Any) -> dict:
    """Callback presses with random or forged data, inline queries, membership changes,
    update types the bot does not handle and one no Bot API version has."""
    user = draw(USERS)
    shape = draw(
        st.sampled_from(["callback", "inline", "chosen", "member", "unhandled", "unknown"])
    )
    if shape == "callback":
        chat = draw(st.sampled_from([user, GROUP]))
        return fake.callback_update(draw(CALLBACK_DATA), user_id=user, chat_id=chat)
    if shape == "inline":
        return fake.inline_query_update(draw(texts)[:256], user_id=user)
    if shape == "chosen":
        result_id = draw(st.sampled_from(["m1", "m99999", "s1", "x", "m"]))
        return fake.chosen_inline_result_update(result_id, draw(texts)[:256], user_id=user)
    if shape == "member":
        statuses = ["member", "administrator", "left", "kicked", "restricted"]
        return fake.my_chat_member_update(
            GROUP - draw(st.integers(0, 50)),
            old_status=draw(st.sampled_from(statuses)),
            new_status=draw(st.sampled_from(statuses)),
            chat_type=draw(st.sampled_from(["group", "supergroup", "channel"])),
        )
    if shape == "unhandled":
        group = fake._chat(GROUP, "group")
        return draw(
            st.sampled_from(
                [
                    {"poll_answer": {"poll_id": "1", "option_ids": [0],
                                     "option_persistent_ids": ["a"],
                                     "user": fake._user(user)}},
                    {"chat_join_request": {"chat": group, "from": fake._user(user),
                                           "user_chat_id": user, "date": 1700000000}},
                    {"message_reaction": {"chat": group, "message_id": 3, "date": 1700000000,
                                          "old_reaction": [], "user": fake._user(user),
                                          "new_reaction": [{"type": "emoji", "emoji": "👍"}]}},
                ]
            )
        )  # fmt: skip
    return {"future_update_kind": {"id": user, "text": draw(texts)[:100]}}


STATEMENT_IDS = ["kpu-2024-hari-pemungutan", "kpu-2024-hari-libur", "c1", "c2", "c999", "-", ""]


@st.composite
def moderator_updates(draw: st.DrawFn, fake: Any) -> dict:
    """The admin (42) at work: every moderator command with hostile arguments, answers in
    /tambah, and buttons; one bot, so conversations run across examples. No "://": a URL
    would make /tambah fetch a page from the internet."""
    safe = texts.map(lambda t: t.replace("://", ":/"))
    command = draw(st.sampled_from([*MOD_COMMANDS, *ADMIN_COMMANDS, "start", "cek"]))
    parts = draw(
        st.lists(
            st.one_of(safe, st.sampled_from([*STATEMENT_IDS, *drafts.EDITABLE, "|", "HOAKS"])),
            max_size=8,
        )
    )
    shape = draw(st.sampled_from(["command", "command", "answer", "button"]))
    if shape == "command":
        return fake.message_update(f"/{command} " + " ".join(parts), user_id=42)
    if shape == "answer":
        answer = draw(safe).lstrip("/") or "KPU"
        return fake.message_update(answer, user_id=42)
    data = draw(
        st.one_of(
            CALLBACK_DATA,
            st.sampled_from(["t:ok", "t:no", "e:ok", "e:no", "v:HOAKS", "v:X", "q:a:c1",
                             "q:d:c1", "sd:a:1", "sd:d:1", "sd:a:99999999999999999999"]),
        )
    )  # fmt: skip
    return fake.callback_update(data, user_id=42)


Expectation = Callable[[dict, list[Call]], None]


def _exercise(
    bot: ThreadedBot, strategy: st.SearchStrategy[dict], expect: Expectation | None = None
) -> None:
    @BOT_EXAMPLES
    @given(strategy)
    def one(update: dict) -> None:
        since = bot.checkpoint()
        calls = bot.handle(update)
        assert_all_fine(bot, calls, update, since)
        if expect is not None:
            expect(update, calls)

    one()


def _messages(calls: list[Call]) -> list[Call]:
    """What the bot sent, but for the moderators' chat: the background upkeep posts its
    growth alerts there at any moment, in whichever update's window."""
    return [c for c in calls if c.method == "sendMessage" and c.params.get("chat_id") != MOD_CHAT]


def _private_answers(update: dict, calls: list[Call]) -> None:
    """A new private message always gets exactly one answer (nothing is silently lost);
    an edit at most one (none when it has no text)."""
    sent = _messages(calls)
    if "message" in update:
        chat = update["message"]["chat"]["id"]
        assert [c.params["chat_id"] for c in sent] == [chat], update
    else:
        assert len(sent) <= 1, update


VERDICT_LABELS = tuple(
    v for texts_ in (TEXTS_ID, TEXTS_EN) for k, v in texts_.items() if k.startswith("verdict_")
)


def _group_answers(update: dict, calls: list[Call]) -> None:
    """In groups at most one message per update, never in a channel, never for an edit,
    and unprompted (a forward or plain message) only a confident card."""
    sent = _messages(calls)
    assert len(sent) <= 1, update
    if "message" not in update:
        assert sent == [], update
        return
    message = update["message"]
    asked = message.get("text", "").startswith("/") or any(
        e["type"] == "mention" for e in message.get("entities", [])
    )
    if sent and not asked:
        assert sent[0].response["text"].startswith(VERDICT_LABELS), sent[0].response["text"]


def test_private_messages_never_break_the_bot(threaded_bot: ThreadedBot) -> None:
    bot = threaded_bot
    _exercise(bot, private_updates(bot.fake), _private_answers)


def test_group_and_channel_traffic_never_breaks_the_bot(threaded_bot: ThreadedBot) -> None:
    bot = threaded_bot
    for n in range(401):  # the automatic check on in every test group
        storage.set_auto_check(bot.db, GROUP - n, True)
    bot.fake.chat_members[(GROUP, 2_000)] = "administrator"
    _exercise(bot, group_updates(bot.fake), _group_answers)
    # never a word in a channel
    assert [c for c in bot.fake.sent("sendMessage") if c.params["chat_id"] == CHANNEL] == []


def test_moderator_traffic_never_breaks_the_bot(threaded_bot: ThreadedBot) -> None:
    bot = threaded_bot
    for text in CLAIMS:  # something in the queue
        bot.handle(bot.fake.message_update(text + " zzz", user_id=2_000))
    source_store.add_source_draft(bot.db, key="prop-draft", origin="feed", title="Judul <b>&")
    _exercise(bot, moderator_updates(bot.fake))


def test_buttons_inline_and_odd_updates_never_break_the_bot(threaded_bot: ThreadedBot) -> None:
    bot = threaded_bot
    bot.fake.allow_update_types("future_update_kind", "message_reaction")
    # some real claims and candidates first, so forged button data can point at real rows
    for text in CLAIMS:
        bot.handle(bot.fake.message_update(text, user_id=2_000))
    _exercise(bot, other_updates(bot.fake))


@pytest.mark.parametrize(
    "update_kind", ["edited_message", "channel_post", "edited_channel_post", "future_update_kind"]
)
def test_odd_update_kinds_are_answered_sensibly(
    threaded_bot: ThreadedBot, update_kind: str
) -> None:
    """Examples that must always be among the inputs, whatever hypothesis draws."""
    bot = threaded_bot
    bot.fake.allow_update_types("future_update_kind")
    claim = CLAIMS[0]
    if update_kind == "edited_message":
        update = bot.fake.edited_message_update(claim, user_id=2_001)
    elif update_kind == "future_update_kind":
        update = {"future_update_kind": {"text": claim}}
    else:
        update = bot.fake.channel_post_update(
            claim, chat_id=CHANNEL, edited=update_kind == "edited_channel_post"
        )
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    sent = [c for c in calls if c.method == "sendMessage"]
    if update_kind == "edited_message":  # an edited claim is checked again, in reply to it
        assert len(sent) == 1 and sent[0].params["chat_id"] == 2_001
        assert "HOAKS" in sent[0].response["text"]
    else:
        assert sent == []


# ------------------------------------------------------------------------------ the pure core


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    core = Core.open(tmp_path_factory.mktemp("core") / "core.db", "property-secret-0123456789")
    yield core
    core.db.close()


@CORE_EXAMPLES
@given(texts)
def test_normalize_never_raises_and_yields_plain_tokens(text: str) -> None:
    normalized = normalize(text)
    assert all(
        (t and t.isascii() and t.isalnum() and t.islower()) or t.isdigit()
        for t in normalized.tokens
    )
    assert set(normalized.content) <= set(normalized.tokens)
    if len(normalized.text) <= MAX_CHARS:  # normalizing again reads the same (within the cut)
        assert normalize(normalized.text).tokens == normalized.tokens


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_match_and_check_never_raise(core: Core, text: str) -> None:
    result = match_text(core.snapshot.index, text)
    assert result.tier in set(Tier)
    for m in result.matches:
        assert 0 <= m.score <= 100 and 0 <= m.coverage <= 1.0001 and 0 <= m.fuzzy <= 1.0001
    if result.tier is Tier.CONFIDENT:
        assert result.best is not None
    answer = core.check(text, who(core, "cli"))
    if answer.claim_id is None:  # nothing recorded only for texts without anything readable
        assert not normalize(text).tokens
    else:
        stored = storage.get_claim(core.db, answer.claim_id)
        assert stored is not None and stored.text


def _statement(data: StatementInput, status: str, superseded: str | None, rowid: int) -> Statement:
    return Statement(
        id=rowid, external_id=data.external_id, org=data.org, verdict=data.verdict,
        claim=data.claim,
        clarification=data.clarification, source_url=data.source_url,
        source_title=data.source_title, published_at=data.published_at,
        valid_until=data.valid_until, superseded_by=superseded, status=status,
        created_by=None, created_at="", updated_at="", variants=data.variants,
    )  # fmt: skip


def _field(max_size: int) -> st.SearchStrategy[str]:
    piece = st.one_of(short_text, st.sampled_from(EMOJI), st.sampled_from(HTMLISH))
    base = st.lists(piece, max_size=20).map(" ".join)
    long = st.tuples(piece.filter(bool), st.integers(1, max_size)).map(
        lambda pair: (pair[0] * (max_size // len(pair[0]) + 1))[: pair[1]]
    )
    return st.one_of(base, long).map(lambda s: s[:max_size])


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    """Statements storage accepts, with hostile text in every field, up to every limit."""
    host = draw(st.sampled_from(["www.kpu.go.id", "bawaslu.go.id", "xn--80ak6aa92e.com"]))
    path = draw(
        st.text(st.sampled_from(string.ascii_letters + string.digits + "-_/?=&%.#~"), max_size=1500)
    )
    data = clean_statement_input(
        StatementInput(
            external_id=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,60}", fullmatch=True)),
            org=draw(_field(MAX_ORG_LEN)) or "KPU",
            verdict=draw(st.sampled_from(sorted(VERDICTS))),
            claim=draw(_field(MAX_CLAIM_LEN)) or "klaim",
            clarification=draw(_field(MAX_CLARIFICATION_LEN)) or "klarifikasi",
            source_url=draw(st.one_of(st.none(), st.just(f"https://{host}/{path}"))),
            source_title=draw(st.one_of(st.none(), _field(500))),
            published_at=draw(st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))),
            valid_until=None,
            variants=(),
        )
    )
    errors = statement_input_errors(data)
    if errors:  # a field the generator made invalid: make it the simplest valid value
        data = clean_statement_input(
            StatementInput(
                external_id=data.external_id, org=data.org[:MAX_ORG_LEN].strip() or "KPU",
                verdict=data.verdict, claim=data.claim.strip() or "klaim",
                clarification=data.clarification.strip() or "klarifikasi",
                source_url=None, source_title=None, published_at=None, valid_until=None,
            )
        )  # fmt: skip
    status = draw(st.sampled_from(["active", "active", "retired"]))
    superseded = draw(st.one_of(st.none(), st.none(), st.just("kpu-baru")))
    return _statement(data, status, superseded, draw(st.integers(1, MAX_ID)))


def assert_sendable(reply: Reply) -> None:
    """What the fake Bot API (Telegram's rules) would accept, checked without a bot: the
    text, and the keyboard as bot/telegram/keyboards.py sends it."""
    sent = markup(reply.keyboard)
    try:
        visible, _ = check_text(reply.text, "HTML")
        check_reply_markup(sent.to_dict() if sent is not None else None)
    except ApiError as err:
        raise AssertionError(f"{err.description}: {reply.text[:300]!r}") from None
    assert utf16_len(visible) <= MAX_MESSAGE
    for row in reply.keyboard:
        for button in row:
            assert button.url is None or (
                button.url.startswith("https://") and len(button.url) <= render.MAX_BUTTON_URL
            )


@CORE_EXAMPLES
@given(statements(), st.sampled_from(["id", "en"]), st.integers(1, MAX_ID))
def test_every_card_is_valid_html_within_telegram_limits(
    statement: Statement, language: str, claim_id: int
) -> None:
    card = render.statement_card(statement, language, claim_id=claim_id, headers=["<i>cat</i>"])
    assert_sendable(card)
    plain = render.statement_card(statement, language)
    assert_sendable(plain)
    possible = render.possible_reply([statement] * 3, language, claim_id)
    assert_sendable(possible)
    none = render.none_reply(language, claim_id)
    assert_sendable(none)
    short = short_cards.short_card(statement, language, "CekKlaimBot", note="catatan")
    assert_sendable(short)
    group = short_cards.group_unsure(language, "CekKlaimBot")
    assert_sendable(group)
    for title in (
        short_cards.inline_title(statement, language),
        short_cards.inline_description(statement, language),
    ):
        assert title and len(title) <= 256


def _headers_a_card_carries(language: str) -> list[list[str]]:
    """Every set of header lines a citizen's card is sent with: a page that could not be read
    (the longest reason) above a statement found through a link, and "Kabari saya" answered."""
    reasons = [catalogue_text(language, k) for k in TEXTS_ID if k.startswith("fetch_")]
    failed = html.escape(
        catalogue_text(language, "link_fetch_failed", reason=max(reasons, key=len))
    )
    return [
        [failed, catalogue_text(language, "statement_from_seen_link")],
        [catalogue_text(language, "statement_from_link")],
        [catalogue_text(language, "notify_header")],
    ]


def test_very_long_statements_fill_a_card_without_overflowing() -> None:
    """The longest fields storage accepts, in characters that count double in UTF-16 and
    that grow when escaped: the card stays within 4096 and keeps the source."""
    fillers = ("😱", "&", "a", "<b>", "\U0001f1ee\U0001f1e9", "e\u0301", "😱 ", "a😱")
    for filler, small_frame in itertools.product(fillers, (True, False)):
        long = (filler * MAX_CLARIFICATION_LEN)[:MAX_CLARIFICATION_LEN]
        data = StatementInput(
            external_id="kpu-panjang", org="KPU" if small_frame else "😱" * MAX_ORG_LEN,
            verdict="HOAKS",
            claim="klaim" if small_frame else (filler * MAX_CLAIM_LEN)[:MAX_CLAIM_LEN],
            clarification=long,
            source_url="https://www.kpu.go.id/" + ("" if small_frame else "a" * 1900),
            source_title=None if small_frame else "&" * 500,
            published_at="2024-01-01", valid_until=None,
        )  # fmt: skip
        assert statement_input_errors(clean_statement_input(data)) == []
        statement = _statement(data, "active", None, MAX_ID)
        for language in ("id", "en"):
            card = render.statement_card(statement, language, claim_id=MAX_ID)
            assert_sendable(card)
            assert "https://www.kpu.go.id/" in card.text
            for headers in _headers_a_card_carries(language):
                headed = render.statement_card(statement, language, headers=headers)
                assert_sendable(headed)  # the headers are inside the budget, not added after
                assert headed.text.startswith("\n\n".join(headers) + "\n\n")
                assert "https://www.kpu.go.id/" in headed.text
            short = short_cards.short_card(statement, language, "CekKlaimBot")
            assert_sendable(short)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), min_size=1, max_size=3), texts)
def test_group_replies_fit(core: Core, found: list[Statement], text: str) -> None:
    result, _ = core.match(text)
    from bot.core import Answer

    for tier_statements in (found, []):
        answer = Answer(result, tuple(tier_statements or found), False, 1)
        reply = short_cards.group_reply(answer, "id", "CekKlaimBot")
        assert_sendable(reply)


@CORE_EXAMPLES
@given(st.sampled_from([*drafts.EDITABLE, "bukan_kolom", ""]), texts)
def test_draft_fields_either_parse_or_explain(name: str, raw: str) -> None:
    try:
        value = drafts.parse_field(name, raw)
    except drafts.DraftError as exc:
        assert str(exc)  # an Indonesian reason, shown escaped to the moderator
        return
    if name in ("org", "claim", "clarification"):
        assert isinstance(value, str) and value
    if name == "verdict":
        assert value in VERDICTS


@CORE_EXAMPLES
@given(
    st.lists(
        st.one_of(texts, st.sampled_from(["KPU", "HOAKS", "https://kpu.go.id/a", "2024-01-01"])),
        max_size=8,
    )
)
def test_one_message_add_either_parses_or_lists_errors(parts: list[str]) -> None:
    draft, errors = drafts.parse_one_message(" | ".join(parts))
    assert errors or {"org", "verdict", "claim", "clarification"} <= draft.keys()


# ------------------------------------------------------------------------------ the CLI import

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), short_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(short_text, inner, max_size=3)
    ),
    max_leaves=8,
)
FIELD_NAMES = ["id", "org", "verdict", "claim", "variants", "clarification", "source_url",
               "source_title", "published_at", "valid_until", "extra"]  # fmt: skip
GOOD_ROW = {
    "org": "KPU", "verdict": "HOAKS", "claim": "kotak suara dari kardus", "variants": ["kardus"],
    "clarification": "Kotak suara karton kedap air.", "source_url": "https://www.kpu.go.id/a",
    "published_at": "2024-01-02",
}  # fmt: skip


@st.composite
def jsonl_files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["good", "mutated", "garbage", "blank", "value"]))
        if kind == "good":
            row = dict(GOOD_ROW, claim=draw(texts)[:MAX_CLAIM_LEN] or "klaim")
            lines.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
        elif kind == "mutated":
            row = dict(GOOD_ROW)
            row[draw(st.sampled_from(FIELD_NAMES))] = draw(JSON_VALUES)
            lines.append(json.dumps(row))
        elif kind == "garbage":
            lines.append(draw(short_text).replace("\n", " "))
        elif kind == "value":
            lines.append(json.dumps(draw(JSON_VALUES)))
        else:
            lines.append(draw(st.sampled_from(["", " ", "\t"])))
    return "\n".join(lines)


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    sep = draw(st.sampled_from([",", ";"]))
    header = draw(st.one_of(st.just(["org", "verdict", "claim", "clarification", "variants"]),
                            st.lists(st.sampled_from(FIELD_NAMES), max_size=6)))  # fmt: skip
    cell = st.one_of(short_text, st.sampled_from(["KPU", "HOAKS", '"', '""', "'=1+1", "a|b", "\r"]))
    rows = [sep.join(header)]
    for _ in range(draw(st.integers(0, 5))):
        rows.append(sep.join(draw(st.lists(cell, max_size=len(header) + 1))))
    return draw(st.sampled_from(["\n", "\r\n"])).join(rows)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CEKKLAIM_SECRET", "cli-property-secret-0123456789")
    db_path = tmp_path / "cli.db"
    Core.open(db_path, "cli-property-secret-0123456789").db.close()  # starter base in
    return db_path


def _import(db_path: Path, content: str | bytes, suffix: str) -> tuple[int, str, str]:
    path = db_path.parent / f"statements.{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["import", str(path), "--db", str(db_path)])
    return code, out.getvalue(), err.getvalue()


def _snapshot(db_path: Path) -> list[tuple]:
    db = storage.open_db(db_path)
    try:
        return [
            (s.external_id, s.claim, s.clarification, s.variants, s.updated_at)
            for s in storage.list_statements(db, include_retired=True)
        ]
    finally:
        db.close()


def _check_import(db_path: Path, content: str | bytes, suffix: str) -> None:
    before = _snapshot(db_path)
    code, out, err = _import(db_path, content, suffix)
    after = _snapshot(db_path)
    assert "Traceback" not in out + err
    if code == 0:
        assert "created" in out and err == ""
    else:
        assert code == 1 and "nothing imported" in err
        reported = [line.strip() for line in err.splitlines()[1:]]
        file_level = ("no statements found in file",)  # nothing to number: an empty file
        assert reported and all(
            line.startswith("line ") or line in file_level for line in reported
        ), err
        assert after == before  # nothing imported


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(jsonl_files())
def test_import_jsonl_imports_whole_files_or_reports_lines(cli_env: Path, content: str) -> None:
    _check_import(cli_env, content, "jsonl")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(csv_files())
def test_import_csv_imports_whole_files_or_reports_lines(cli_env: Path, content: str) -> None:
    _check_import(cli_env, content, "csv")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.binary(max_size=300), st.sampled_from(["jsonl", "csv"]))
def test_import_of_arbitrary_bytes_never_crashes(
    cli_env: Path, content: bytes, suffix: str
) -> None:
    _check_import(cli_env, content, suffix)


# ------------------------------------------------------------------------------ regressions
# Found by the properties above; each is pinned by a plain example.


def test_entity_splitting_an_emoji_does_not_break_the_claim_or_mention(
    threaded_bot: ThreadedBot,
) -> None:
    """An entity whose offset falls inside a surrogate pair made parse_entities raise."""
    bot = threaded_bot
    text = "😱 pemilu 2024 diundur https://www.kpu.go.id/x"
    bad = [{"type": "url", "offset": 1, "length": 5}, {"type": "bold", "offset": 0, "length": 1}]
    for update in (
        bot.fake.message_update(text, entities=bad, user_id=2_100),
        bot.fake.message_update(
            "😱@CekKlaimBot " + text,
            entities=[
                {"type": "mention", "offset": 2, "length": 12},
                {"type": "url", "offset": 1, "length": 3},  # splits the 😱 before the mention
            ],
            chat_id=GROUP,
            chat_type="group",
            user_id=2_100,
        ),
    ):
        calls = bot.handle(update)
        assert_all_fine(bot, calls, update)
        assert len(_messages(calls)) == 1


@pytest.mark.parametrize(
    "data", ["h:99999999999999999999999:1", "w:1:-5", "p:0:1", "x:9223372036854775808", "n:1e3"]
)
def test_out_of_range_ids_in_buttons_are_stale_not_errors(
    threaded_bot: ThreadedBot, data: str
) -> None:
    """Ids beyond SQLite's integer range raised OverflowError in the button handler."""
    bot = threaded_bot
    update = bot.fake.callback_update(data, user_id=2_101)
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert [a.params.get("text") for a in answers] == [TEXTS_ID["ack_stale"]]


def test_card_of_emoji_clarification_fits_as_telegram_counts() -> None:
    """render counted code points; Telegram counts UTF-16 units (an emoji is two)."""
    data = StatementInput(
        external_id="kpu-emoji", org="KPU", verdict="HOAKS", claim="klaim",
        clarification="😱" * MAX_CLARIFICATION_LEN, source_url=None, source_title=None,
        published_at=None, valid_until=None,
    )  # fmt: skip
    card = render.statement_card(_statement(data, "active", None, 1), "id")
    visible, _ = check_text(card.text, "HTML")
    assert utf16_len(visible) <= MAX_MESSAGE and "😱" in visible


def test_an_edit_does_not_answer_the_moderators_next_question(threaded_bot: ThreadedBot) -> None:
    """In /tambah, editing an earlier answer was read as the answer to the field asked now."""
    bot = threaded_bot
    bot.handle(bot.fake.message_update("/tambah", user_id=42))
    bot.handle(bot.fake.message_update("KPU", user_id=42))  # org; now the verdict is asked
    calls = bot.handle(bot.fake.edited_message_update("Bawaslu", user_id=42))
    assert _messages(calls) == []  # neither "label tidak dikenal" nor a re-check
    calls = bot.handle(bot.fake.message_update("HOAKS", user_id=42))
    assert "klaim" in _messages(calls)[0].response["text"].lower()


def test_edited_message_handler_knows_the_moderators_draft_key() -> None:
    from bot.telegram import handlers, moderation

    assert handlers.MODERATOR_DRAFT == moderation.DRAFT  # one key, in bot/telegram/keys.py


def test_an_update_the_library_cannot_parse_does_not_stall_the_bot(tmp_path: Path) -> None:
    with ThreadedBot(tmp_path) as bot:  # here, not a fixture: a stalled bot fails to stop too
        # a poll answer without option_persistent_ids, which Bot API 9.6 made required
        bot.fake.push_update(
            {"poll_answer": {"poll_id": "1", "option_ids": [0], "user": bot.fake._user(2_200)}}
        )
        calls = bot.handle(bot.fake.message_update("/bantuan", user_id=2_201), timeout=3)
        assert len(_messages(calls)) == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("katanya lembaga survei sudah tau pemenangnya", "p"),  # possible: pick a candidate twice
        ("katanya lembaga survei sudah tau pemenangnya", "x"),  # possible: "Bukan ini" twice
        ("kabar burung qzz1 qzz2 qzz3 qzz4", "x"),  # forged "Bukan ini" on a none answer
    ],
)
def test_double_tap_sends_no_edit_telegram_refuses(
    threaded_bot: ThreadedBot, text: str, kind: str
) -> None:
    """A second press re-sent the same edit, which Telegram refuses as "not modified"."""
    bot = threaded_bot
    calls = bot.handle(bot.fake.message_update(text, user_id=2_300))
    markup = next(c for c in calls if c.method == "sendMessage").params["reply_markup"]
    data = [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]
    claim_id = next(d for d in data if d[:1] in "xn").split(":")[1]
    press = next((d for d in data if d.startswith("p:")), "") if kind == "p" else f"x:{claim_id}"
    since = bot.checkpoint()
    for _ in range(2):
        calls = bot.handle(bot.fake.callback_update(press, user_id=2_300))
        assert_all_fine(bot, calls, {"press": press}, since)


@st.composite
def claimreview_files(draw: st.DrawFn) -> str:
    """ClaimReview JSON-LD, well-formed or not: objects, lists, @graph, wrong types."""
    review = st.fixed_dictionaries(
        {"@type": st.sampled_from(["ClaimReview", ["ClaimReview"], "Review", 5])},
        optional={
            "claimReviewed": st.one_of(short_text, JSON_VALUES),
            "reviewRating": st.one_of(
                JSON_VALUES, st.fixed_dictionaries({"alternateName": short_text})
            ),
            "url": st.one_of(short_text, st.just("https://cekfakta.example/a"), JSON_VALUES),
            "datePublished": st.one_of(short_text, st.just("2024-02-01"), JSON_VALUES),
            "author": st.one_of(JSON_VALUES, st.fixed_dictionaries({"name": short_text})),
            "itemReviewed": JSON_VALUES,
        },
    )
    body = draw(
        st.one_of(
            review,
            st.lists(review, max_size=4),
            st.fixed_dictionaries({"@context": st.just("https://schema.org"),
                                   "@graph": st.lists(review, max_size=4)}),
            JSON_VALUES,
        )
    )  # fmt: skip
    text = json.dumps(body, ensure_ascii=draw(st.booleans()))
    return text if draw(st.integers(0, 9)) else text[: draw(st.integers(0, len(text)))]


def _drafts(db_path: Path) -> list[tuple]:
    db = storage.open_db(db_path)
    try:
        return db.execute("SELECT id, key, status FROM source_drafts ORDER BY id").fetchall()
    finally:
        db.close()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(claimreview_files(), st.sampled_from(["json", "jsonld"]))
def test_import_claimreview_queues_drafts_or_says_why(
    cli_env: Path, content: str, suffix: str
) -> None:
    """ClaimReview files only ever become drafts (nothing served), never a traceback."""
    statements, before = _snapshot(cli_env), _drafts(cli_env)
    code, out, err = _import(cli_env, content, suffix)
    assert code in (0, 1), (code, out, err)
    assert _snapshot(cli_env) == statements  # drafts only: nothing is served from an import
    if code == 1:
        assert _drafts(cli_env) == before and err.strip()


def test_cli_import_process_with_hostile_file_reports_lines_not_a_traceback(
    cli_env: Path,
) -> None:
    """The real entry point in a C locale: the messages echo RTL, emoji and control text."""
    path = cli_env.parent / "bad.jsonl"
    rows = [
        json.dumps(dict(GOOD_ROW, verdict="\u202eSKAOH😱")),
        '{"org": "KPU", "claim": "\u200b", "clarification": "x", "extra\u0301": 1}',
        "\x00\x1b[31m not json",
        json.dumps(dict(GOOD_ROW, published_at="2024-13-45", variants="bukan daftar")),
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env |= {"LC_ALL": "C", "LANG": "C", "CEKKLAIM_SECRET": "cli-property-secret-0123456789"}
    before = _snapshot(cli_env)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(path), "--db", str(cli_env)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        cwd=cli_env.parent,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    lines = [line.strip() for line in done.stderr.splitlines()[1:]]
    assert lines and all(line.startswith("line ") for line in lines), done.stderr
    assert {line.split(":")[0] for line in lines} == {"line 1", "line 2", "line 3", "line 4"}
    assert _snapshot(cli_env) == before


@pytest.mark.parametrize("command", ["/tambah", "/ubah"])
def test_second_press_on_an_answered_preview_sends_no_refused_edit(
    threaded_bot: ThreadedBot, command: str
) -> None:
    """✅ pressed again after the preview was answered re-sent "Dibatalkan" as an edit."""
    bot = threaded_bot
    if command == "/tambah":
        text_ = "/tambah KPU | HOAKS | klaim dua kali | jelas | https://kpu.go.id/a | 2024-01-02"
        data = "t:ok"
    else:
        text_, data = "/ubah kpu-2024-hari-libur claim klaim diubah dua kali", "e:ok"
    bot.handle(bot.fake.message_update(text_, user_id=42))
    since = bot.checkpoint()
    for _ in range(3):
        calls = bot.handle(bot.fake.callback_update(data, user_id=42))
        assert_all_fine(bot, calls, {"press": data}, since)


@pytest.mark.parametrize("command", ["/tambahmod", "/hapusmod"])
@pytest.mark.parametrize("user_id", ["0", "-5", "99999999999999999999999", "٣", "1e3", "07"])
def test_moderator_ids_out_of_range_get_the_usage_line(
    threaded_bot: ThreadedBot, command: str, user_id: str
) -> None:
    """0 raised ValueError and ids past SQLite's integers OverflowError in the handler;
    Unicode digits ("٣") were taken as numbers."""
    bot = threaded_bot
    update = bot.fake.message_update(f"{command} {user_id}", user_id=42)
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    assert [c.response["text"] for c in _messages(calls)] == [TEXTS_ID["usage_mod"]]


@pytest.mark.parametrize(
    "command",
    ["/lihat {x}", "/riwayat {x}", "/arsip {x}", "/ganti {x} kpu-2024-hari-libur",
     "/ubah {x} claim baru", "/tautkan {x} kpu-2024-hari-libur", "/ubah kpu-2024-hari-libur {x} v",
     "/tambah KPU | {x} | k | j | https://kpu.go.id/a | 2024-01-02"],
)  # fmt: skip
def test_a_moderators_long_input_quoted_back_still_fits(
    threaded_bot: ThreadedBot, command: str
) -> None:
    """Unknown ids and values were echoed whole: a 5,000-character id made the reply too
    long for Telegram (and the handler fail)."""
    bot = threaded_bot
    update = bot.fake.message_update(command.format(x="0😱<&" * 1300), user_id=42)
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    assert _messages(calls)


def test_a_forged_verdict_button_is_stale(threaded_bot: ThreadedBot) -> None:
    """v:A (no such label) in the verdict step raised DraftError in the handler; it is no
    button of the question it was pressed on, so it is stale and the question stands."""
    bot = threaded_bot
    bot.handle(bot.fake.message_update("/tambah", user_id=42))
    bot.handle(bot.fake.message_update("KPU", user_id=42))
    update = bot.fake.callback_update("v:A", user_id=42)
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    assert _messages(calls) == []
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        TEXTS_ID["ack_stale"]
    ]
    calls = bot.handle(bot.fake.callback_update("v:HOAKS", user_id=42))  # still asked
    assert "klaim" in _messages(calls)[0].response["text"].lower()


def test_group_admin_checks_do_not_throttle_the_whole_bot(threaded_bot: ThreadedBot) -> None:
    """getChatMember counted against the group's 20 messages a minute: after a few
    /pengaturan the rate limiter held every following update back for up to a minute."""
    bot = threaded_bot
    chat = GROUP - 999
    bot.fake.chat_members[(chat, 2_000)] = "administrator"
    for _ in range(12):  # 12 answers: within the bot's own 15 a minute per group
        update = bot.fake.message_update(
            "/pengaturan", chat_id=chat, chat_type="group", user_id=2_000
        )
        calls = bot.handle(update)  # each handled (the sentinel answered) within the timeout
        assert len(_messages(calls)) == 1


@pytest.mark.parametrize("data", ["sd:a:9223372036854775808", "sd:d:99999999999999999999"])
def test_draft_buttons_with_ids_past_sqlite_integers_are_stale(
    threaded_bot: ThreadedBot, data: str
) -> None:
    """A draft id beyond SQLite's integers raised OverflowError in the /draf buttons."""
    bot = threaded_bot
    update = bot.fake.callback_update(data, user_id=42)
    calls = bot.handle(update)
    assert_all_fine(bot, calls, update)
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == [TEXTS_ID["ack_stale"]]
