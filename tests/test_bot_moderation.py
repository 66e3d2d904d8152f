"""Moderators end to end over HTTP: curation, the queue, notifications, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botharness import SECRET, Bot, button_data, running_bot, visible
from threadbot import ThreadedBot

import storage
from bot import clusters, curation, drafts
from bot.replies.commands import ADMIN_COMMANDS, MOD_COMMANDS
from bot.replies.texts_id import ID
from storage.statement_input import MAX_CLARIFICATION_LEN

ADMIN = 42
CITIZEN = 1001
NEW_HOAX = "bilik suara pemilu dipasangi kamera tersembunyi oleh petugas"

pytestmark = [
    pytest.mark.timeout(40),
    pytest.mark.bot_env(MODERATOR_IDS=str(ADMIN), MODERATOR_CHAT_ID="-100777"),
]


async def mod(bot: Bot, text: str, replies: int = 1) -> str:
    """What the admin sees in reply: the first `replies` messages to their chat, joined."""
    return "\n".join(await bot.replies_to(ADMIN, text, replies))


async def test_moderator_commands_are_scoped_to_moderators(bot: Bot) -> None:
    scoped = [
        c
        for c in bot.fake.calls
        if c.method == "setMyCommands" and c.params.get("scope", {}).get("type") == "chat"
    ]
    assert [c.params["scope"]["chat_id"] for c in scoped] == [ADMIN]
    names = [c["command"] for c in scoped[0].params["commands"]]
    assert {"tambah", "antrean", "tambahmod"} <= set(names)
    default = [c for c in bot.fake.calls if c.method == "setMyCommands" and "scope" in c.params]
    for call in default:
        if call.params["scope"]["type"] == "default":
            assert "tambah" not in [c["command"] for c in call.params["commands"]]


@pytest.mark.parametrize("command", [*MOD_COMMANDS, *ADMIN_COMMANDS])
async def test_non_moderator_is_refused_every_command(bot: Bot, command: str) -> None:
    reply = visible(await bot.say(f"/{command} kpu-2024-hari-pemungutan x y", user_id=CITIZEN))
    if command == "batal":  # /batal is harmless for anyone: nothing to cancel
        assert reply == ID["nothing_to_cancel"]
        return
    expected = ID["admin_refused"] if command in ADMIN_COMMANDS else ID["mod_refused"]
    assert reply == expected  # and nothing about the base
    assert storage.history(bot.core.db, "kpu-2024-hari-pemungutan")[-1].actor == "starter-base"


async def test_guided_add_with_bad_then_good_url_preview_and_confirm(bot: Bot) -> None:
    assert "Lembaga" in await mod(bot, "/tambah")
    assert "Label" in await mod(bot, "KPU")
    _, verdict_prompt = await bot.press("v:HOAKS", "sendMessage", user_id=ADMIN, chat_id=ADMIN)
    assert "klaim" in visible(verdict_prompt).lower()
    await mod(bot, NEW_HOAX)
    await mod(bot, "KPU menyatakan bilik suara tidak dipasangi kamera, pilihan tetap rahasia.")
    bad = await mod(bot, "http://kpu.go.id/kotak")  # not https
    assert "https" in bad and "Coba lagi" in bad
    assert "Tanggal" in await mod(bot, "https://www.kpu.go.id/berita/kotak-suara")
    assert "tidak dikenali" in await mod(bot, "kemarin sore")
    assert "Variasi" in await mod(bot, "12 Desember 2023")
    mark = bot.fake.mark()
    bot.fake.push_update(
        bot.fake.message_update("bilik suara ada kamera; bilik suara ada cctv", user_id=ADMIN)
    )
    preview = await bot.fake.wait_for(
        "sendMessage", lambda c: "HOAKS" in c.response.get("text", ""), after=mark
    )
    assert NEW_HOAX[:30] in visible(preview)  # the card exactly as citizens see it
    confirm = await bot.fake.wait_for(
        "sendMessage", lambda c: "t:ok" in json.dumps(c.params), after=mark
    )
    assert button_data(confirm) == ["t:ok", "t:no"]
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Tersimpan sebagai" in visible(saved)
    statement = storage.get_statement(bot.core.db, "kpu-0001")
    assert (
        statement is not None and statement.source_url == "https://www.kpu.go.id/berita/kotak-suara"
    )
    assert statement.variants == ("bilik suara ada kamera", "bilik suara ada cctv")
    assert storage.history(bot.core.db, "kpu-0001")[0].actor == f"mod:{ADMIN}"
    # the very next citizen message sees the new index
    answer = await bot.say("BILIK SUARA DIPASANGI KAMERA TERSEMBUNYI, pilihan kita direkam semua!!")
    assert "bilik suara tidak dipasangi kamera" in visible(answer)


async def test_cancel_leaves_nothing_half_saved(bot: Bot) -> None:
    before = bot.core.db["statements"].count
    await mod(bot, "/tambah")
    await mod(bot, "Bawaslu")
    assert await mod(bot, "/batal") == ID["cancelled"]
    assert bot.core.db["statements"].count == before


async def test_one_message_add_with_errors_then_valid(bot: Bot) -> None:
    reply = await mod(bot, "/tambah KPU | PALSU | klaim | | ftp://x | besok")
    assert "label:" in reply and "penjelasan:" in reply and "tautan sumber:" in reply
    for english in ("verdict", "clarification", "source_url", "published_at", "org:"):
        assert english not in reply
    reply = await mod(
        bot,
        "/tambah Bawaslu | SALAH | Pengawas TPS boleh ikut mencoblos di semua TPS | "
        "Pengawas TPS hanya memilih di TPS tempatnya terdaftar. | "
        "https://www.bawaslu.go.id/x | 2024-02-01 | ptps bebas nyoblos di tps mana aja",
    )
    assert "Pratinjau" in reply
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "bawaslu-0001" in visible(saved)


def save_camera_statement(bot: Bot, statement_id: str) -> None:
    """A statement that answers NEW_HOAX, saved straight to the database."""
    storage.save_statement(
        bot.core.db,
        storage.StatementInput(
            statement_id, "KPU", "HOAKS", "Bilik suara dipasangi kamera tersembunyi",
            "Bilik suara tidak dipasangi kamera.", f"https://www.kpu.go.id/{statement_id}",
        ),
        actor="test",
    )  # fmt: skip


async def test_unanswered_claim_subscribed_linked_and_notified_once(bot: Bot) -> None:
    call = await bot.say(NEW_HOAX)
    assert "Belum ada pernyataan resmi" in visible(call)
    (notify,) = button_data(call)
    await bot.press(notify, "answerCallbackQuery")
    await bot.say("bilik suara pemilu dipasang kamera tersembunyi oleh petugas", user_id=1002)
    queue = await mod(bot, "/antrean")
    key = queue.split("1. ", 1)[1].split(" ", 1)[0]
    assert key.startswith("c") and f"1. {key} · 2×" in queue
    save_camera_statement(bot, "kpu-kotak")
    mark = bot.fake.mark()
    reply = await mod(bot, f"/tautkan {key} kpu-kotak")
    assert "dijawab oleh" in reply and "1 warga diberi tahu" in reply
    note = await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == CITIZEN, after=mark
    )
    assert "Ada pernyataan resmi" in visible(note) and "tidak dipasangi kamera" in visible(note)
    assert list(bot.core.db.query("SELECT * FROM subscriptions")) == []  # chat id forgotten
    # linking again or any later change notifies nobody twice
    mark = bot.fake.mark()
    await mod(bot, "/ubah kpu-kotak verdict SALAH")
    await bot.press("e:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert not [c for c in bot.fake.calls[mark:] if c.params.get("chat_id") == CITIZEN]


async def test_a_notification_of_the_longest_statement_fits_with_its_header(bot: Bot) -> None:
    """The "Kabari saya" header goes through the card composer: it was added in front of a
    card already cut to 4,096 units, so a long statement's notification was refused."""
    call = await bot.say(NEW_HOAX)
    (notify,) = button_data(call)
    await bot.press(notify, "answerCallbackQuery")
    queue = await mod(bot, "/antrean")
    key = queue.split("1. ", 1)[1].split(" ", 1)[0]
    long = ("Kedap air 😱😱😱😱😱😱😱😱. " * 300)[:MAX_CLARIFICATION_LEN].strip()  # 😱: 2 units
    storage.save_statement(
        bot.core.db,
        storage.StatementInput(
            "kpu-kotak", "KPU", "HOAKS", "Bilik suara dipasangi kamera tersembunyi", long,
            None,  # no link: the card's markup is small, so the visible text is near the cap
        ),
        actor="test",
    )  # fmt: skip
    mark = bot.fake.mark()
    assert "1 warga diberi tahu" in await mod(bot, f"/tautkan {key} kpu-kotak")
    note = await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == CITIZEN, after=mark
    )
    shown = visible(note)  # the fake Bot API refuses more than 4,096 units, as Telegram does
    assert shown.startswith(ID["notify_header"]) and "selengkapnya di sumber" in shown
    assert len(shown.encode("utf-16-le")) // 2 <= 4096


async def test_blocked_subscriber_is_dropped_without_errors(bot: Bot) -> None:
    call = await bot.say(NEW_HOAX)
    (notify,) = button_data(call)
    await bot.press(notify, "answerCallbackQuery")
    bot.fake.blocked_users.add(CITIZEN)
    reply = await mod(
        bot,
        "/tambah KPU | HOAKS | Bilik suara pemilu dipasangi kamera tersembunyi oleh petugas | "
        "Bilik suara tidak dipasangi kamera. | https://www.kpu.go.id/k | 2023-12-12 | -",
    )
    assert "Pratinjau" in reply
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "0 warga diberi tahu" in visible(saved)
    assert bot.fake.forbidden  # Telegram refused: the user blocked the bot
    assert list(bot.core.db.query("SELECT * FROM subscriptions")) == []


async def test_edit_is_previewed_saved_and_in_the_audit_log(bot: Bot) -> None:
    reply = await mod(bot, "/ubah kpu-2024-jam-tps verdict MENYESATKAN")
    assert "Pratinjau perubahan" in reply
    _, saved = await bot.press("e:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Perubahan disimpan" in visible(saved)
    # taken into the index in place, not by rebuilding it (issue 14)
    assert bot.core.snapshot.index.changes == 2  # its new version in, the old one out
    assert bot.core.snapshot.statements["kpu-2024-jam-tps"].verdict == "MENYESATKAN"
    history = await mod(bot, "/riwayat kpu-2024-jam-tps")
    assert f"update · mod:{ADMIN}" in history
    assert "label:" in history and "→ MENYESATKAN" in history
    assert "Tanggal tidak dikenali" in await mod(bot, "/ubah kpu-2024-jam-tps published_at kapan")
    assert "tidak ditemukan" in await mod(bot, "/ubah tidak-ada verdict HOAKS")


async def test_retire_and_supersede_change_what_citizens_get(bot: Bot) -> None:
    claim = "BOHONG!! pemilu 2024 diundur gak jadi tgl 14 februari, sebarkan!!"
    assert "diarsipkan" in await mod(bot, "/arsip kpu-2024-hari-pemungutan")
    assert "Hasyim Asy'ari" not in visible(await bot.say(claim))
    assert "digantikan" in await mod(bot, "/ganti kpu-2024-masa-tenang kpu-2024-masa-kampanye")
    shown = await mod(bot, "/lihat kpu-2024-masa-tenang", replies=2)
    assert "status aktif" in shown and "kpu-2024-masa-kampanye" in shown


async def test_search_shows_scores_without_recording(bot: Bot) -> None:
    reply = await mod(bot, "/cari pemilu 2024 diundur gak jadi 14 februari")
    assert "mendapat: jawaban yakin" in reply and "kpu-2024-hari-pemungutan" in reply
    assert "cakupan" in reply and "confident" not in reply
    assert bot.core.db["claims"].count == 0


async def test_statistics_and_moderator_roles(bot: Bot) -> None:
    await bot.say("pemilu 2024 diundur gak jadi 14 februari")
    stats = await mod(bot, "/statistik")
    assert "Statistik CekKlaim" in stats and "Hari ini: 1 pertanyaan" in stats
    assert "ditambahkan" in await mod(bot, "/tambahmod 555")
    assert storage.is_moderator(bot.core.db, 555, frozenset())
    assert "Pakai" in visible(await bot.say("/lihat", user_id=555))  # now a moderator
    assert "dihapus" in await mod(bot, "/hapusmod 555")
    assert visible(await bot.say("/lihat x", user_id=555)) == ID["mod_refused"]


async def test_cli_import_while_running_is_picked_up_and_notifies(bot: Bot, tmp_path: Path) -> None:
    call = await bot.say(NEW_HOAX)
    (notify,) = button_data(call)
    await bot.press(notify, "answerCallbackQuery")
    path = tmp_path / "new.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "kpu-kotak-cli",
                "org": "KPU",
                "verdict": "HOAKS",
                "claim": "Bilik suara pemilu dipasangi kamera tersembunyi oleh petugas",
                "clarification": "Bilik suara tidak dipasangi kamera (dari CLI).",
                "source_url": "https://www.kpu.go.id/kotak-cli",
                "published_at": "2023-12-12",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    mark = bot.fake.mark()
    env = {"CEKKLAIM_DB": str(bot.core.db.conn.execute("PRAGMA database_list").fetchone()[2]),
           "CEKKLAIM_SECRET": SECRET, "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(path)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    note = await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == CITIZEN, after=mark, timeout=15
    )
    assert "dari CLI" in visible(note)
    answer = await bot.say("bilik suara pemilu dipasangi kamera tersembunyi oleh petugas")
    assert "dari CLI" in visible(answer)


async def test_every_moderator_command_is_in_the_readme_and_the_help(bot: Bot) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in (*MOD_COMMANDS, *ADMIN_COMMANDS):
        assert f"/{command}" in readme
        assert f"/{command}" in ID["mod_commands"]


async def test_queue_buttons_prefill_add_and_dismiss(bot: Bot) -> None:
    await bot.say(NEW_HOAX)
    await bot.say("bilik suara ada cctv", user_id=1003)  # a different cluster
    queue = await mod(bot, "/antrean")
    keys = [part.split(" ", 1)[0] for part in queue.split(". ")[1:3]]
    assert len(keys) == 2
    _, asked = await bot.press(f"q:a:{keys[0]}", "sendMessage", user_id=ADMIN, chat_id=ADMIN)
    assert visible(asked) == ID["ask_org"]  # the claim is pre-filled: shown in its turn
    assert await mod(bot, "/batal") == ID["cancelled"]
    answer, _ = await bot.press(f"q:d:{keys[1]}", "answerCallbackQuery", user_id=ADMIN)
    assert "diabaikan" in answer.params["text"]
    assert keys[1] not in await mod(bot, "/antrean")


async def test_moderators_writes_run_in_the_writers_thread(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/tambahmod, /hapusmod and the queue's 🗑 write where claims are committed while the bot
    serves (the writer's thread): a wait for another writer's lock is never the loop's."""
    threads: dict[str, str] = {}

    def recorded(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            threads[name] = threading.current_thread().name
            return real(*args, **kwargs)

        return call

    for name in ("add_moderator", "remove_moderator", "dismiss_claims"):
        monkeypatch.setattr(storage, name, recorded(name, getattr(storage, name)))
    assert "ditambahkan" in await mod(bot, "/tambahmod 556")
    assert "dihapus" in await mod(bot, "/hapusmod 556")
    await bot.say(NEW_HOAX)
    key = (await mod(bot, "/antrean")).split(". ")[1].split(" ", 1)[0]
    answer, _ = await bot.press(f"q:d:{key}", "answerCallbackQuery", user_id=ADMIN)
    assert "diabaikan" in answer.params["text"]
    assert sorted(threads) == ["add_moderator", "dismiss_claims", "remove_moderator"]
    assert all(thread.startswith("writer") for thread in threads.values()), threads


async def test_a_delivered_request_is_dropped_in_the_writers_thread(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "Kabari saya" request, once delivered, is dropped where claims are committed (the
    writer's thread), not on the loop."""
    threads: list[str] = []
    real = curation.remove_subscription

    def recorded(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(curation, "remove_subscription", recorded)
    (notify,) = button_data(await bot.say(NEW_HOAX))
    await bot.press(notify, "answerCallbackQuery")
    key = (await mod(bot, "/antrean")).split("1. ", 1)[1].split(" ", 1)[0]
    save_camera_statement(bot, "kpu-kamera")
    assert "1 warga diberi tahu" in await mod(bot, f"/tautkan {key} kpu-kamera")
    assert len(threads) == 1 and threads[0].startswith("writer"), threads
    assert list(bot.core.db.query("SELECT * FROM subscriptions")) == []


async def test_fast_growing_cluster_is_announced_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Posted once, and marked posted where claims are committed (the writer's thread)."""
    from bot.telegram.moderation import announce_fast_growing
    from bot.telegram.runtime import RUNTIME_KEY

    marked: list[str] = []
    real = clusters.mark_alerted

    def recorded(*args: Any) -> bool:
        marked.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(clusters, "mark_alerted", recorded)
    env = {"MODERATOR_IDS": str(ADMIN), "MODERATOR_CHAT_ID": "-100777", "ALERT_THRESHOLD": "3"}
    async for bot in running_bot(tmp_path, **env):
        for user in (2001, 2002, 2003):
            await bot.say("surat suara sudah dicoblos duluan di gudang kecamatan", user_id=user)
        app_bot = bot.fake  # the announcement goes through the real Bot over HTTP
        rt = bot.app.bot_data[RUNTIME_KEY]
        assert await announce_fast_growing(bot.app.bot, rt) == 1
        assert await announce_fast_growing(bot.app.bot, rt) == 0  # once only
        alerts = [c for c in app_bot.calls if c.method == "sendMessage"
                  and c.params["chat_id"] == -100777]  # fmt: skip
        assert len(alerts) == 1 and "3 pertanyaan" in visible(alerts[0])
    assert len(marked) == 1 and marked[0].startswith("writer"), marked


# ------------------------------------------------------------------------------ malformed input

GOOD = {
    "org": "KPU", "verdict": "HOAKS", "claim": "klaim uji masukan rusak",
    "clarification": "Klarifikasi resmi.", "source_url": "https://www.kpu.go.id/a",
    "published_at": "2024-01-02", "variants": "-",
}  # fmt: skip
URL_REASON = "Sumber harus tautan https yang lengkap"
CONTROL_REASON = "karakter kontrol"
DATE_REASON = "Tanggal tidak dikenali"
MALFORMED = [
    ("source_url", "https://[::1", URL_REASON),  # urllib: ValueError "Invalid IPv6 URL"
    ("source_url", "https://[zz]/", URL_REASON),  # ValueError: not an IP address
    ("source_url", "https://www.kpu.go.id:abc/a", URL_REASON),  # ValueError on .port
    ("source_url", "https://www.kpu.go.id:99999/a", URL_REASON),  # port out of range
    ("claim", "klaim dengan NUL \x00 di tengah", CONTROL_REASON),
    ("clarification", "klarifikasi \x1b[31m berwarna", CONTROL_REASON),
    ("published_at", "14 Februari 99999", DATE_REASON),
    ("published_at", "2024-02-30", DATE_REASON),
]
PATHS = ("one_message", "guided_step", "preview_edit", "ubah")


@pytest.fixture(scope="module")
def admin_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedBot]:
    with ThreadedBot(tmp_path_factory.mktemp("malformed"), MODERATOR_IDS=str(ADMIN)) as running:
        yield running


def _to_admin(bot: ThreadedBot, text: str) -> list[str]:
    calls = bot.handle(bot.fake.message_update(text, user_id=ADMIN))
    return [c.response["text"] for c in calls if c.method == "sendMessage" and c.status == 200]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("field", "value", "reason"), MALFORMED)
def test_malformed_values_get_a_polite_error_at_the_step(
    admin_bot: ThreadedBot, path: str, field: str, value: str, reason: str
) -> None:
    """A bad URL (including the ones urllib raises ValueError for), control characters and
    impossible dates: in the one-message /tambah, at the guided step, as a preview edit and
    in /ubah, the moderator is told what to fix; nothing raises, nothing is saved."""
    bot = admin_bot
    assert bot.db is not None
    _to_admin(bot, "/batal")
    before = [(s.external_id, s.updated_at) for s in storage.list_statements(bot.db)]
    since = bot.checkpoint()
    if path == "one_message":
        fields = [value if name == field else GOOD[name] for name in drafts.FIELDS[:6]]
        replies = _to_admin(bot, "/tambah " + " | ".join(fields))
    elif path == "guided_step":
        _to_admin(bot, "/tambah")
        for name in drafts.FIELDS[: drafts.FIELDS.index(field)]:
            _to_admin(bot, GOOD[name])
        replies = _to_admin(bot, value)
    elif path == "preview_edit":
        _to_admin(bot, "/tambah " + " | ".join(GOOD[name] for name in drafts.FIELDS[:6]))
        replies = _to_admin(bot, f"{field} {value}")
    else:
        replies = _to_admin(bot, f"/ubah kpu-2024-hari-libur {field} {value}")
    assert bot.failures(since) == []
    assert len(replies) == 1 and replies[0].startswith("⚠️") and reason in replies[0], replies
    assert "Coba lagi" in replies[0]
    after = [(s.external_id, s.updated_at) for s in storage.list_statements(bot.db)]
    assert after == before


@pytest.mark.parametrize("name", drafts.EDITABLE)
@pytest.mark.parametrize("raw", ["\ud800", "a\udfffb", "KPU \udc80"])
def test_lone_surrogates_are_refused_in_every_field(name: str, raw: str) -> None:
    """Unencodable text (SQLite and Telegram refuse it) is refused where it is typed."""
    with pytest.raises(drafts.DraftError, match="karakter rusak"):
        drafts.parse_field(name, raw)
