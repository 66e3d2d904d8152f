"""Who may do what: every moderator and admin command and every moderator, admin and group
settings button, from a citizen, a moderator, an admin, a group admin and a group member, in a
private chat and in a group. Plus forged callback data, checked again on every press.

Expected, cell by cell (the test ids spell the matrix: command-role-chat):
- private chat: the allowed role gets the effect (asserted on the database or the reply);
  everyone else gets a polite refusal and nothing changes (statements, moderators, claims,
  feedback, subscriptions, group settings, audit log).
- group chat: moderator commands are private-only, so in a group the bot stays silent for
  everyone (groups.py: it never becomes the noisy member) and nothing changes. Moderators'
  buttons are only ever sent in their private chat: pressed on a group message they are
  stale. Group settings buttons work only for that group's admins (getChatMember, asked on
  every press) and only in a group.

One bot serves the whole module (tests/threadbot.py). Every cell gets fresh users, a fresh
group, its own statements and its own claims, so cells do not depend on each other's order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fakebotapi import Call, check_text
from sqlite_utils import Database
from threadbot import ThreadedBot

import storage
import storage.sources as source_store
from bot.clusters import claim_key
from bot.replies.commands import ADMIN_COMMANDS, MOD_COMMANDS
from bot.replies.texts_id import ID
from storage import StatementInput, hash_user_id
from storage.claim_images import record_claim_image

ROLES = ("citizen", "moderator", "admin", "group_admin", "group_member")
CHATS = ("private", "group")
ADMINS = tuple(range(42_000, 42_080))  # one fresh admin per cell: no conversation carries over
SECRET = "test-secret-0123456789"  # botharness.SECRET: the bot's user hashes
_next = itertools.count(1)
_admins = iter(ADMINS)

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.bot_env(shared=True, MODERATOR_IDS=" ".join(map(str, ADMINS))),
]

#: A claim the starter base answers only with candidates ("possible").
UNSURE = "katanya lembaga survei sudah tau pemenangnya"


@dataclass
class Actor:
    user: int
    chat: int
    chat_type: str
    n: int  # a number unique to this cell, for its own statements and claims

    def message(self, bot: ThreadedBot, text: str) -> dict:
        return bot.fake.message_update(
            text, user_id=self.user, chat_id=self.chat, chat_type=self.chat_type
        )

    def press(self, bot: ThreadedBot, data: str) -> dict:
        return bot.fake.callback_update(data, user_id=self.user, chat_id=self.chat)


def actor(bot: ThreadedBot, role: str, chat: str) -> Actor:
    """A fresh user in `role`, in a fresh private chat or group."""
    n = next(_next)
    user = next(_admins) if role == "admin" else 3_000_000 + n
    if role == "moderator":
        storage.add_moderator(bot.db, user, added_by="test")
    chat_id = user if chat == "private" else -4_100_000_000 - n
    if chat == "group":
        status = "administrator" if role == "group_admin" else "member"
        bot.fake.chat_members[(chat_id, user)] = status
        storage.ensure_group(bot.db, chat_id)
    return Actor(user, chat_id, chat, n)


# ------------------------------------------------------------------------------ state


def state(db: Database) -> dict[str, list[Any]]:
    """Everything a command or button could change."""
    queries = {
        "statements": "SELECT external_id, status, superseded_by, claim, updated_at "
        "FROM statements ORDER BY id",
        "moderators": "SELECT user_id FROM moderators ORDER BY user_id",
        "claims": "SELECT id, status, best_statement_id FROM claims ORDER BY id",
        "feedback": "SELECT claim_id, statement_id, user_hash, kind FROM feedback ORDER BY id",
        "subscriptions": "SELECT claim_id, user_hash FROM subscriptions ORDER BY id",
        "groups": "SELECT chat_id, auto_check, sensitivity FROM group_settings ORDER BY chat_id",
        "source_drafts": "SELECT id, status FROM source_drafts ORDER BY id",
        "audit": "SELECT COUNT(*) FROM audit_log",
        "variants": "SELECT COUNT(*) FROM variants",
    }
    return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


def new_statement(db: Database, n: int, suffix: str = "") -> str:
    external_id = f"kpu-auth-{n}{suffix}"
    storage.save_statement(
        db,
        StatementInput(
            external_id=external_id,
            org="KPU",
            verdict="HOAKS",
            claim=f"klaim uji otorisasi nomor {n}{suffix}",
            clarification="Klarifikasi resmi untuk uji otorisasi.",
        ),
        actor="test",
    )
    return external_id


def new_cluster(db: Database, n: int, asks: int = 1) -> tuple[str, int]:
    """An open claim nobody else's resembles (its own words): its cluster key and claim id.
    Asked `asks` times, by as many citizens: the most asked come first in /antrean."""
    words = " ".join(f"qz{n}x{i}" for i in range(4))
    for asker in range(asks):
        recorded = storage.record_submission(
            db,
            text=words,
            normalized=words,
            channel="private",
            user_hash=hash_user_id(SECRET, 9_999_000 + 100 * n + asker),
            tier="none",
        )
    return claim_key(recorded.claim.id), recorded.claim.id


def new_source_draft(db: Database, n: int, *, alone: bool = False) -> int:
    """A pending draft from an official feed (no URL: nothing is fetched), for /draf;
    `alone`: earlier cells' drafts are dismissed, so this one gets the first /draf button."""
    if alone:
        db.execute("UPDATE source_drafts SET status = 'dismissed' WHERE status = 'pending'")
    draft_id = source_store.add_source_draft(
        db, key=f"auth-draft-{n}", origin="feed", title=f"Judul rilis {n}", summary="Ringkasan."
    )
    assert draft_id is not None
    return draft_id


def shown(key: str, **values: Any) -> str:
    """A text as the user sees it (HTML parsed, as the fake Bot API does)."""
    return check_text(ID[key].format(**values), "HTML")[0]


def sent_to(calls: list[Call], chat: int) -> list[str]:
    return [c.response["text"] for c in calls if c.method == "sendMessage" and c.status == 200
            and c.params.get("chat_id") == chat]  # fmt: skip


def answers(calls: list[Call]) -> list[str | None]:
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


def edits(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method.startswith("editMessage")]


def has_pre(calls: list[Call], chat: int) -> bool:
    return any(
        e["type"] == "pre"
        for c in calls
        if c.method == "sendMessage" and c.params.get("chat_id") == chat
        for e in (c.response or {}).get("entities", [])
    )


# ------------------------------------------------------------------------------ commands


def one_message_add(claim: str) -> str:
    return f"/tambah KPU | HOAKS | {claim} | klarifikasi | https://kpu.go.id/x | 2024-01-02"


@dataclass
class Scenario:
    text: str
    effect: Callable[[list[Call]], None]  # asserts the allowed role got what it asked for


def command_scenario(bot: ThreadedBot, command: str, who: Actor) -> Scenario:
    """Arrange what the command acts on (this cell's own) and say what it should do."""
    db, n, chat = bot.db, who.n, who.chat
    assert db is not None
    if command == "tambah":
        text = one_message_add(f"klaim tambah {n}")

        def effect(calls: list[Call]) -> None:
            (preview,) = sent_to(calls, chat)  # one message: header, card, Simpan/Batal
            assert preview.startswith(shown("preview"))

        return Scenario(text, effect)
    if command == "batal":

        def effect(calls: list[Call]) -> None:
            assert sent_to(calls, chat) == [shown("nothing_to_cancel")]

        return Scenario("/batal", effect)
    if command in ("lihat", "riwayat"):
        sid = new_statement(db, n)

        def effect(calls: list[Call]) -> None:
            replies = sent_to(calls, chat)
            if command == "lihat":
                assert len(replies) == 2 and sid in replies[1]
            else:
                assert "create" in replies[0] and has_pre(calls, chat)

        return Scenario(f"/{command} {sid}", effect)
    if command == "cari":

        def effect(calls: list[Call]) -> None:
            assert "kpu-2024-hari-pemungutan" in sent_to(calls, chat)[0]

        return Scenario("/cari pemilu 2024 diundur gak jadi 14 februari", effect)
    if command == "ubah":
        sid = new_statement(db, n)

        def effect(calls: list[Call]) -> None:
            assert sent_to(calls, chat)[0].startswith(shown("edit_preview", field="klaim"))

        return Scenario(f"/ubah {sid} claim klaim yang diubah {n}", effect)
    if command == "arsip":
        sid = new_statement(db, n)

        def effect(calls: list[Call]) -> None:
            got = storage.get_statement(db, sid)
            assert got is not None and got.status == "retired"

        return Scenario(f"/arsip {sid}", effect)
    if command == "ganti":
        old, new = new_statement(db, n, "-lama"), new_statement(db, n, "-baru")

        def effect(calls: list[Call]) -> None:
            got = storage.get_statement(db, old)
            assert got is not None and got.superseded_by == new

        return Scenario(f"/ganti {old} {new}", effect)
    if command in ("antrean", "statistik"):
        new_cluster(db, n)

        def effect(calls: list[Call]) -> None:  # short blocks for a phone, no <pre> table
            assert not has_pre(calls, chat)
            title = "Klaim tanpa jawaban" if command == "antrean" else "Statistik CekKlaim"
            assert sent_to(calls, chat)[0].startswith(title)

        return Scenario(f"/{command}", effect)
    if command == "tautkan":
        sid = new_statement(db, n)
        key, claim_id = new_cluster(db, n)

        def effect(calls: list[Call]) -> None:
            claim = storage.get_claim(db, claim_id)
            assert claim is not None and claim.status == "answered"

        return Scenario(f"/tautkan {key} {sid}", effect)
    if command == "fotoklaim":
        _, claim_id = new_cluster(db, n)
        file_id = f"AgACAgIAAxkBAAEFakePhoto{n}"  # the fake's stand-in photo
        record_claim_image(db, claim_id, file_id, f"AQAD{n}", f"teks terbaca {n}")

        def effect(calls: list[Call]) -> None:
            (shown_photo,) = [c for c in calls if c.method == "sendPhoto"]
            assert shown_photo.params["photo"] == file_id and shown_photo.status == 200

        return Scenario(f"/fotoklaim {claim_id}", effect)
    if command == "tambahmod":
        target = 5_000_000 + n

        def effect(calls: list[Call]) -> None:
            assert storage.is_moderator(db, target, frozenset())

        return Scenario(f"/tambahmod {target}", effect)
    if command == "hapusmod":
        target = 5_000_000 + n
        storage.add_moderator(db, target, added_by="test")

        def effect(calls: list[Call]) -> None:
            assert not storage.is_moderator(db, target, frozenset())

        return Scenario(f"/hapusmod {target}", effect)
    if command == "draf":
        new_source_draft(db, n)

        def effect(calls: list[Call]) -> None:
            sent = [c for c in calls if c.method == "sendMessage" and c.params["chat_id"] == chat]
            keyboard = sent[0].params["reply_markup"]["inline_keyboard"]
            assert any(b["callback_data"].startswith("sd:a:") for row in keyboard for b in row)

        return Scenario("/draf", effect)
    if command == "gambar":  # without a photo to reply to: the statement's pictures listed
        sid = new_statement(db, n)

        def effect(calls: list[Call]) -> None:
            assert sent_to(calls, chat)[0].startswith("Belum ada gambar")

        return Scenario(f"/gambar {sid}", effect)
    if command == "hapusgambar":
        sid = new_statement(db, n)
        image, _ = storage.statement_images.add_image(db, sid, f"ck1:{n:064x}", actor="test")

        def effect(calls: list[Call]) -> None:
            assert storage.statement_images.images_of(db, sid) == []

        return Scenario(f"/hapusgambar {sid} {image.id}", effect)
    raise AssertionError(f"no scenario for /{command}: add one")


def command_allowed(command: str, role: str, chat: str) -> bool:
    if chat != "private":
        return False
    if command == "batal":  # harmless for anyone: there is nothing of theirs to cancel
        return True
    if command in ADMIN_COMMANDS:
        return role == "admin"
    return role in ("moderator", "admin")


@pytest.mark.parametrize("chat", CHATS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", [*MOD_COMMANDS, *ADMIN_COMMANDS])
def test_command(bot: ThreadedBot, command: str, role: str, chat: str) -> None:
    who = actor(bot, role, chat)
    scenario = command_scenario(bot, command, who)
    assert bot.db is not None
    before = state(bot.db)
    since = bot.checkpoint()
    calls = bot.handle(who.message(bot, scenario.text))
    assert bot.failures(since) == []
    if command_allowed(command, role, chat):
        scenario.effect(calls)
        return
    assert state(bot.db) == before  # nothing changed
    replies = sent_to(calls, who.chat)
    if chat == "group":
        assert replies == []  # private-only commands: silence in groups
    else:
        refusal = "admin_refused" if command in ADMIN_COMMANDS else "mod_refused"
        assert replies == [shown(refusal)]


@pytest.mark.parametrize("chat", CHATS)
@pytest.mark.parametrize("role", ROLES)
def test_command_pengaturan(bot: ThreadedBot, role: str, chat: str) -> None:
    """The group admins' command: settings for that group's admins; a polite refusal for
    other members (asked, so answered); in a private chat a pointer to groups."""
    who = actor(bot, role, chat)
    assert bot.db is not None
    before = state(bot.db)
    calls = bot.handle(who.message(bot, "/pengaturan"))
    replies = sent_to(calls, who.chat)
    if chat == "private":
        assert replies == [shown("settings_private")]
    elif role == "group_admin":
        keyboard = next(c for c in calls if c.method == "sendMessage").params["reply_markup"]
        assert [b["callback_data"] for row in keyboard["inline_keyboard"] for b in row] == [
            "gs:a:1",
            "gs:s:strict",
        ]
        return
    else:
        assert replies == [shown("settings_not_admin")]
    assert state(bot.db) == before


# ------------------------------------------------------------------------------ buttons

MOD_BUTTONS = ("q:a", "q:d", "sd:a", "sd:d", "t:ok", "e:ok", "v:HOAKS", "kp:claim")
QUEUE_ASKS = 50  # more than any other cluster in this module: first in /antrean, with buttons
GROUP_BUTTONS = ("gs:a:1", "gs:s:strict")


def button_scenario(
    bot: ThreadedBot, button: str, who: Actor
) -> tuple[str, Callable[[list[Call]], None]]:
    """Arrange the press through the commands that lead to the button (a button is only
    accepted on the message that carries it) and return the callback data plus the effect
    the allowed role must see."""
    db, n, chat = bot.db, who.n, who.chat
    assert db is not None
    if button in ("q:a", "q:d"):
        key, claim_id = new_cluster(db, n, asks=QUEUE_ASKS)
        bot.handle(who.message(bot, "/antrean"))

        def effect(calls: list[Call]) -> None:
            if button == "q:a":  # /tambah starts, with the cluster's wording as the claim
                assert sent_to(calls, chat) == [shown("ask_org")]
            else:
                claim = storage.get_claim(db, claim_id)
                assert claim is not None and claim.status == "dismissed"

        return f"{button}:{key}", effect
    if button in ("sd:a", "sd:d"):
        draft_id = new_source_draft(db, n, alone=True)
        bot.handle(who.message(bot, "/draf"))

        def effect(calls: list[Call]) -> None:
            if button == "sd:a":  # /tambah starts from the draft: the body is asked first
                assert sent_to(calls, chat) == [shown("ask_org")]
            else:
                found = source_store.get_source_draft(db, draft_id)
                assert found is not None and found.status == "dismissed"

        return f"{button}:{draft_id}", effect
    if button == "t:ok":
        claim = f"klaim konfirmasi nomor {n}"
        bot.handle(
            who.message(
                bot,
                one_message_add(claim),
            )
        )

        def effect(calls: list[Call]) -> None:
            assert any(s.claim == claim for s in storage.list_statements(db))

        return "t:ok", effect
    if button == "e:ok":
        sid = new_statement(db, n)
        bot.handle(who.message(bot, f"/ubah {sid} claim klaim sesudah ubah {n}"))

        def effect(calls: list[Call]) -> None:
            got = storage.get_statement(db, sid)
            assert got is not None and got.claim == f"klaim sesudah ubah {n}"

        return "e:ok", effect
    if button == "v:HOAKS":
        bot.handle(who.message(bot, "/tambah"))
        bot.handle(who.message(bot, "KPU"))

        def effect(calls: list[Call]) -> None:
            assert sent_to(calls, chat) == [shown("ask_claim")]

        return "v:HOAKS", effect
    if button == "kp:claim":  # ✔️ keeps the cluster's wording, shown when the claim is asked
        key, _ = new_cluster(db, n, asks=QUEUE_ASKS)
        bot.handle(who.message(bot, "/antrean"))
        bot.handle(who.press(bot, f"q:a:{key}"))
        bot.handle(who.message(bot, "KPU"))
        bot.handle(who.press(bot, "v:HOAKS"))

        def effect(calls: list[Call]) -> None:
            assert sent_to(calls, chat) == [shown("ask_clarification")]

        return "kp:claim", effect
    if button.startswith("gs:"):
        bot.handle(who.message(bot, "/pengaturan"))

        def effect(calls: list[Call]) -> None:
            settings = storage.get_group(db, chat)
            assert settings is not None
            assert settings.auto_check if button == "gs:a:1" else settings.sensitivity == "strict"

        return button, effect
    raise AssertionError(f"no scenario for button {button}: add one")


def button_allowed(button: str, role: str, chat: str) -> bool:
    if button.startswith("gs:"):
        return chat == "group" and role == "group_admin"
    return chat == "private" and role in ("moderator", "admin")


REFUSALS = {ID["mod_refused"], ID["ack_stale"], ID["ack_settings_not_admin"]}


@pytest.mark.parametrize("chat", CHATS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("button", [*MOD_BUTTONS, *GROUP_BUTTONS])
def test_button(bot: ThreadedBot, button: str, role: str, chat: str) -> None:
    who = actor(bot, role, chat)
    data, effect = button_scenario(bot, button, who)
    assert bot.db is not None
    before = state(bot.db)
    since = bot.checkpoint()
    calls = bot.handle(who.press(bot, data))
    assert bot.failures(since) == []
    assert len(answers(calls)) == 1  # every press is answered, so no button spins forever
    if button_allowed(button, role, chat):
        effect(calls)
        return
    assert state(bot.db) == before
    assert answers(calls)[0] in REFUSALS
    assert sent_to(calls, who.chat) == []


def test_the_matrix_covers_every_registered_button_pattern(bot: ThreadedBot) -> None:
    """A new moderator or settings button must get a row above."""
    from telegram.ext import CallbackQueryHandler, ConversationHandler

    patterns: set[str] = set()
    handlers = [h for group in bot_app(bot).handlers.values() for h in group]
    for handler in handlers:
        inner = [handler]
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *itertools.chain(*handler.states.values())]
        patterns |= {
            h.pattern.pattern
            for h in inner
            if isinstance(h, CallbackQueryHandler) and h.pattern is not None
        }
    covered = {
        f"{b}:c1" if b.startswith("q:") else f"{b}:1" if b.startswith("sd:") else b
        for b in (*MOD_BUTTONS, *GROUP_BUTTONS)
    }

    for pattern in patterns:
        assert any(re.match(pattern, data) for data in covered), pattern


def test_every_moderator_handler_checks_rights_on_every_update(bot: ThreadedBot) -> None:
    """Entry points, every conversation step (typed answers, URL answers, preview edits),
    every button: each moderator callback re-checks rights. /batal is the one exception:
    anyone may cancel (nothing of theirs to cancel)."""
    from telegram.ext import ConversationHandler

    from bot.telegram import moderation

    found = []
    for handler in (h for group in bot_app(bot).handlers.values() for h in group):
        inner = [handler]
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *itertools.chain(*handler.states.values()),
                     *handler.fallbacks]  # fmt: skip
        found += [
            h.callback for h in inner if h.callback.__module__.startswith(moderation.__name__)
        ]  # the package's modules: adding, statements, queue, roles
    assert len(found) > 20
    unguarded = {f.__name__ for f in found if not getattr(f, "guarded", False)}
    assert unguarded == {"cancel"}


def bot_app(bot: ThreadedBot) -> Any:
    assert bot._bot is not None
    return bot._bot.app


# ------------------------------------------------------------------------------ forged data


def _ask(bot: ThreadedBot, user: int, text: str) -> list[str]:
    """A citizen asks in private; the callback data of the buttons they got."""
    calls = bot.handle(bot.fake.message_update(text, user_id=user))
    markup = next(c for c in calls if c.method == "sendMessage").params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
            if "callback_data" in b]  # fmt: skip


@pytest.mark.parametrize("kind", ["p", "h", "w", "x", "n"])
def test_buttons_of_someone_elses_claim_change_nothing(bot: ThreadedBot, kind: str) -> None:
    """Candidate / vote / "Bukan ini" / "Kabari saya" data copied from another citizen's
    answer: stale, and no message is edited."""
    n = next(_next)
    owner, intruder = 6_000_000 + n, 6_500_000 + n
    texts = {
        "p": UNSURE,  # possible: candidates
        "h": "pemilu 2024 diundur gak jadi 14 februari",  # confident: vote buttons
        "w": "pemilu 2024 diundur gak jadi 14 februari",
        "x": UNSURE,  # possible: "Bukan ini"
        "n": f"kabar burung qz{n}a qz{n}b qz{n}c qz{n}d",  # none: "Kabari saya"
    }
    pool = _ask(bot, owner, texts[kind])
    data = next(d for d in pool if d.startswith(f"{kind}:"))
    assert bot.db is not None
    before = state(bot.db)
    since = bot.checkpoint()
    calls = bot.handle(bot.fake.callback_update(data, user_id=intruder))
    assert answers(calls) == [ID["ack_stale"]]
    assert edits(calls) == []
    assert state(bot.db) == before
    assert bot.failures(since) == []
    # the owner's own press still works
    calls = bot.handle(bot.fake.callback_update(data, user_id=owner))
    assert answers(calls) != [ID["ack_stale"]]


def test_vote_naming_another_or_unknown_statement(bot: ThreadedBot) -> None:
    """Own claim, forged statement: data that is not a button of the pressed answer is
    stale, whether the statement it names exists or not; the button shown still works."""
    n = next(_next)
    user = 6_800_000 + n
    shown_data = next(
        d for d in _ask(bot, user, "pemilu 2024 diundur gak jadi 14 februari") if d[0] == "h"
    )
    claim_id = int(shown_data.split(":")[1])
    other = storage.get_statement(bot.db, "kpu-2024-hari-libur")
    assert bot.db is not None and other is not None
    before = state(bot.db)
    for forged in (f"h:{claim_id}:987654321", f"h:{claim_id}:{other.id}"):
        calls = bot.handle(bot.fake.callback_update(forged, user_id=user))
        assert answers(calls) == [ID["ack_stale"]] and state(bot.db) == before
    calls = bot.handle(bot.fake.callback_update(shown_data, user_id=user))
    assert answers(calls) == [ID["ack_helpful"]]
    votes = bot.db.execute(
        "SELECT statement_id FROM feedback WHERE claim_id = ? AND user_hash = ?",
        [claim_id, hash_user_id(SECRET, user)],
    ).fetchall()
    assert votes == [(int(shown_data.split(":")[2]),)]


def test_dismissing_a_cluster_no_longer_in_the_queue_changes_nothing(bot: ThreadedBot) -> None:
    """🗑 pressed on an /antrean list after someone else handled the cluster: "gone";
    a cluster key that was never on the list: stale."""
    who = actor(bot, "moderator", "private")
    assert bot.db is not None
    key, claim_id = new_cluster(bot.db, who.n, asks=QUEUE_ASKS)
    bot.handle(who.message(bot, "/antrean"))
    storage.dismiss_claims(bot.db, [claim_id])  # already handled by someone else
    before = state(bot.db)
    calls = bot.handle(who.press(bot, f"q:d:{key}"))
    assert answers(calls) == [ID["queue_gone"]]
    calls = bot.handle(who.press(bot, "q:d:c987654321"))
    assert answers(calls) == [ID["ack_stale"]]
    assert state(bot.db) == before


def test_a_demoted_moderator_cannot_confirm_an_earlier_draft(bot: ThreadedBot) -> None:
    """Rights are checked on the press, not when the preview was shown."""
    who = actor(bot, "moderator", "private")
    claim = f"klaim dari moderator yang dicabut {who.n}"
    bot.handle(
        who.message(
            bot, f"/tambah KPU | HOAKS | {claim} | klarifikasi | https://kpu.go.id/d | 2024-01-02"
        )
    )
    assert bot.db is not None
    storage.remove_moderator(bot.db, who.user, removed_by="test")
    before = state(bot.db)
    calls = bot.handle(who.press(bot, "t:ok"))
    assert answers(calls) == [ID["mod_refused"]]
    assert state(bot.db) == before


def test_group_admin_elsewhere_cannot_change_this_groups_settings(bot: ThreadedBot) -> None:
    """Admin of group A, member of group B: a settings button on B's message is refused."""
    who = actor(bot, "group_admin", "group")  # admin of who.chat
    other = -4_200_000_000 - who.n
    bot.fake.chat_members[(other, who.user)] = "member"
    b_admin = 7_700_000 + who.n  # B's admin opens B's settings
    bot.fake.chat_members[(other, b_admin)] = "administrator"
    bot.handle(bot.fake.message_update("/pengaturan", user_id=b_admin, chat_id=other,
                                       chat_type="group"))  # fmt: skip
    assert bot.db is not None
    storage.ensure_group(bot.db, other)
    before = state(bot.db)
    calls = bot.handle(bot.fake.callback_update("gs:a:1", user_id=who.user, chat_id=other))
    assert answers(calls) == [ID["ack_settings_not_admin"]]
    assert state(bot.db) == before
    bot.handle(who.message(bot, "/pengaturan"))
    calls = bot.handle(who.press(bot, "gs:a:1"))  # in their own group it works
    settings = storage.get_group(bot.db, who.chat)
    assert settings is not None and settings.auto_check


def test_settings_button_data_for_unknown_values_is_stale(bot: ThreadedBot) -> None:
    who = actor(bot, "group_admin", "group")
    assert bot.db is not None
    before = state(bot.db)
    for data in ("gs:a:2", "gs:s:loud", "gs:x:1", "gs:", "gs:a:1:extra", "gs:a"):
        calls = bot.handle(who.press(bot, data))
        assert answers(calls) == [ID["ack_stale"]], data
    assert state(bot.db) == before


@pytest.mark.parametrize("presser", ["asker_elsewhere", "group_member", "stranger"])
def test_a_forged_candidate_press_on_the_group_card_edits_nothing(
    bot: ThreadedBot, presser: str
) -> None:
    """The bot's answer in a group carries no buttons: a p: pressed on it (by someone with
    a claim of their own and real candidates, by the member who asked there, or by anyone
    with made-up ids) is stale, and the group card stays as it was."""
    n = next(_next)
    group, member = -4_300_000_000 - n, 6_900_000 + n
    storage.ensure_group(bot.db, group)
    calls = bot.handle(
        bot.fake.message_update(
            "/cek pemilu 2024 diundur gak jadi 14 februari",
            user_id=member, chat_id=group, chat_type="group",
        )
    )  # fmt: skip
    (card,) = [c for c in calls if c.method == "sendMessage" and c.params["chat_id"] == group]
    asker = 6_950_000 + n
    own = next(d for d in _ask(bot, asker, UNSURE) if d[0] == "p")
    claim_id, statement = own.split(":")[1:]
    data = {
        "asker_elsewhere": own,  # the asker's real candidate, pressed on the group's card
        "group_member": f"p:{claim_id}:{statement}",
        "stranger": "p:1:2",
    }[presser]
    user = {"asker_elsewhere": asker, "group_member": member, "stranger": 6_990_000 + n}[presser]
    assert bot.db is not None
    before = state(bot.db)
    since = bot.checkpoint()
    calls = bot.handle(bot.fake.callback_update(data, user_id=user, message=card.response))
    assert answers(calls) == [ID["ack_stale"]]
    assert edits(calls) == [] and state(bot.db) == before
    assert bot.failures(since) == []


def test_a_candidate_not_offered_on_the_own_answer_edits_nothing(bot: ThreadedBot) -> None:
    """The asker's own answer, a real statement that was not among its candidates: stale
    (data not on the pressed keyboard); the candidate offered still opens its card."""
    n = next(_next)
    user = 6_970_000 + n
    offered = [d for d in _ask(bot, user, UNSURE) if d[0] == "p"]
    claim_id = offered[0].split(":")[1]
    other = storage.get_statement(bot.db, "kpu-2024-hari-libur")
    assert other is not None and f"p:{claim_id}:{other.id}" not in offered
    calls = bot.handle(bot.fake.callback_update(f"p:{claim_id}:{other.id}", user_id=user))
    assert answers(calls) == [ID["ack_stale"]] and edits(calls) == []
    calls = bot.handle(bot.fake.callback_update(offered[0], user_id=user))
    assert answers(calls) == [None] and len(edits(calls)) == 1


def test_the_language_keyboard_in_a_group_answers_only_its_asker(bot: ThreadedBot) -> None:
    """/bahasa in a group: another member's press on that keyboard is stale and neither
    edits the message nor sets a language; the member who asked may choose."""
    n = next(_next)
    group, asker, other = -4_400_000_000 - n, 7_100_000 + n, 7_150_000 + n
    calls = bot.handle(
        bot.fake.message_update("/bahasa", user_id=asker, chat_id=group, chat_type="group")
    )
    (keyboard,) = [c for c in calls if c.method == "sendMessage" and c.params["chat_id"] == group]
    assert bot.db is not None
    before = state(bot.db)
    calls = bot.handle(bot.fake.callback_update("l:en", user_id=other, message=keyboard.response))
    assert answers(calls) == [ID["ack_stale"]] and edits(calls) == []
    assert state(bot.db) == before
    calls = bot.handle(bot.fake.callback_update("l:en", user_id=asker, message=keyboard.response))
    assert len(edits(calls)) == 1


# ------------------------------------------------------------------------------ removed mid-way

REMOVED_AT = ("typed_answer", "verdict_button", "preview_edit", "ubah_preview_save")


@pytest.mark.parametrize("step", REMOVED_AT)
def test_a_moderator_removed_mid_conversation_is_refused_at_the_next_step(
    bot: ThreadedBot, step: str
) -> None:
    """Rights are checked at every step, not only on save: the next answer, button or
    preview edit of a moderator removed meanwhile is refused, changes nothing, and the
    draft is gone (their next message is no longer taken as a field)."""
    who = actor(bot, "moderator", "private")
    assert bot.db is not None
    if step in ("typed_answer", "verdict_button"):
        bot.handle(who.message(bot, "/tambah"))
        if step == "verdict_button":
            bot.handle(who.message(bot, "KPU"))
        nxt = who.press(bot, "v:HOAKS") if step == "verdict_button" else who.message(bot, "KPU")
    elif step == "preview_edit":
        bot.handle(who.message(bot, one_message_add(f"klaim pratinjau {who.n}")))
        nxt = who.message(bot, f"claim klaim yang diubah {who.n}")
    else:
        sid = new_statement(bot.db, who.n)
        bot.handle(who.message(bot, f"/ubah {sid} claim klaim sesudah dicabut {who.n}"))
        nxt = who.press(bot, "e:ok")
    storage.remove_moderator(bot.db, who.user, removed_by="test")
    before = state(bot.db)
    since = bot.checkpoint()
    calls = bot.handle(nxt)
    assert bot.failures(since) == []
    if "callback_query" in nxt:
        assert answers(calls) == [ID["mod_refused"]] and sent_to(calls, who.chat) == []
    else:
        assert sent_to(calls, who.chat) == [shown("mod_refused")]
    assert edits(calls) == [] and state(bot.db) == before
    # made a moderator again, the old draft does not come back
    storage.add_moderator(bot.db, who.user, added_by="test")
    calls = bot.handle(who.press(bot, "t:ok" if step == "preview_edit" else "e:ok"))
    assert state(bot.db)["statements"] == before["statements"]
