"""Official sources end to end through the real bot: /tambah URL, /draf, citizens' links.

The "official sites" are a local server on 127.0.0.1 (tests/sourceserver.py); the bot is
allowed loopback (FETCH_ALLOW_LOOPBACK=1, tests only) and 127.0.0.1 counts as KPU's domain.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from botharness import Bot, button_data, claims, running_bot, visible
from dbhelpers import link
from fakebotapi import Call
from sourceserver import DATA, SourceServer

import storage
from bot.replies.texts_id import ID
from storage import sources as source_store

ADMIN = 42
CITIZEN = 1001
LOCAL_ENV = {
    "MODERATOR_IDS": str(ADMIN),
    "FETCH_ALLOW_LOOPBACK": "1",
    "FETCH_TIMEOUT_SECONDS": "2",
    "OFFICIAL_DOMAINS": "kpu.go.id,bawaslu.go.id,127.0.0.1=KPU",
}

pytestmark = [
    pytest.mark.timeout(40),
    pytest.mark.bot_env(**LOCAL_ENV),
    pytest.mark.site_files(
        ("/berita/kotak-suara", "kpu_berita.html", "text/html; charset=utf-8"),
        ("/bawaslu/politik-uang", "bawaslu_berita.html", "text/html"),
    ),
]


def visible_text(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text)


CLAIM = "kotak suara pemilu dari kardus gampang jebol kena hujan, surat suara rusak semua"


async def to_admin(bot: Bot, text: str, count: int = 1) -> list[Call]:
    """Send `text` as the admin; the next `count` messages the bot sends to the admin."""
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update(text, user_id=ADMIN))
    return await _next_to_admin(bot, mark, count)


async def _next_to_admin(bot: Bot, mark: int, count: int) -> list[Call]:
    seen: list[Call] = []
    for _ in range(count):
        call = await bot.fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == ADMIN, after=mark
        )
        mark = bot.fake.calls.index(call) + 1
        seen.append(call)
    return seen


async def press(bot: Bot, data: str, count: int = 1) -> list[Call]:
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.callback_update(data, user_id=ADMIN, chat_id=ADMIN))
    return await _next_to_admin(bot, mark, count)


async def test_add_from_an_official_page_prefills_and_keeps_evidence(
    bot: Bot, site: SourceServer
) -> None:
    url = site.url("/berita/kotak-suara")
    summary, ask = await to_admin(bot, f"/tambah {url}", 2)
    shown = visible(summary)
    assert "KPU: Kotak Suara Karton Kedap Air" in shown and "20 November 2023" in shown
    assert "Domain resmi" in shown and "kedap air dan aman digunakan" in shown
    # org, clarification, source and date came from the page: each is shown and confirmed
    assert "Lembaga" in visible(ask) and "Sudah terisi" in visible(ask) and "KPU" in visible(ask)
    assert button_data(ask) == ["kp:org"]
    (ask_verdict,) = await press(bot, "kp:org")
    assert "Label" in visible(ask_verdict) and "Sudah terisi" not in visible(ask_verdict)
    (ask_claim,) = await press(bot, "v:HOAKS")
    assert "klaim" in visible(ask_claim).lower()
    (ask_clarification,) = await to_admin(bot, CLAIM)
    assert "KPU menegaskan kotak suara berbahan karton" in visible(ask_clarification)
    (ask_source,) = await press(bot, "kp:clarification")
    assert url in visible(ask_source)
    (ask_date,) = await press(bot, "kp:source_url")
    assert "20 November 2023" in visible(ask_date)
    (ask_variants,) = await press(bot, "kp:published_at")
    assert "Variasi" in visible(ask_variants)
    (card,) = await to_admin(bot, "-")  # one message: header, card, ✅/✖️ under it
    assert "bukan domain resmi" not in visible(card)
    assert "KPU menegaskan kotak suara berbahan karton" in visible(card)
    assert "20 November 2023" in visible(card) and button_data(card)[-2:] == ["t:ok", "t:no"]
    # the moderator edits a pre-filled field at the preview, then saves
    edited = "KPU: kotak suara karton kedap air, sudah diuji sejak Pemilu 2019."
    (card,) = await to_admin(bot, f"penjelasan {edited}")
    assert edited in visible(card)
    _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
    assert "Tersimpan sebagai" in visible(saved)
    statement = storage.get_statement(bot.core.db, "kpu-0001")
    assert statement is not None
    assert (statement.org, statement.source_url, statement.published_at) == (
        "KPU",
        url,
        "2023-11-20",
    )
    assert statement.source_title == "KPU: Kotak Suara Karton Kedap Air dan Aman Dipakai di TPS"
    assert statement.clarification == edited
    (evidence,) = source_store.evidence_for(bot.core.db, statement.id)
    raw = (DATA / "kpu_berita.html").read_bytes()
    assert evidence.body_sha256 == hashlib.sha256(raw).hexdigest()
    assert "kedap air dan aman digunakan" in evidence.text
    assert evidence.text_sha256 == hashlib.sha256(evidence.text.encode()).hexdigest()
    assert evidence.url == url and evidence.saved_by == f"mod:{ADMIN}" and evidence.fetched_at
    _, meta = await to_admin(bot, "/lihat kpu-0001", 2)
    assert f"sha256 {evidence.body_sha256[:16]}" in visible(meta)


async def test_a_url_as_the_first_answer_and_an_unofficial_domain(
    tmp_path: Path, site: SourceServer
) -> None:
    env = {**LOCAL_ENV, "OFFICIAL_DOMAINS": "kpu.go.id,bawaslu.go.id"}
    async for bot in running_bot(tmp_path, **env):
        await to_admin(bot, "/tambah")
        summary, ask = await to_admin(bot, site.url("/bawaslu/politik-uang"), 2)
        assert "bukan domain resmi" in visible(summary)
        assert "Lembaga" in visible(ask)  # not an official domain: the body is asked
        await to_admin(bot, "Bawaslu")
        await press(bot, "v:HOAKS")
        await to_admin(bot, "Bawaslu bagi-bagi uang transport untuk pemilih")
        for kept in ("clarification", "source_url", "published_at"):
            await press(bot, f"kp:{kept}")
        (card,) = await to_admin(bot, "-")
        assert "Sumber bukan domain resmi: 127.0.0.1" in visible(card)
        assert "5 Desember 2023" in visible(card)
        assert "tidak pernah membagikan uang" in visible(card)  # from the paragraphs


async def test_a_failed_fetch_says_why_and_the_guided_add_goes_on(
    bot: Bot, site: SourceServer
) -> None:
    site.redirect("/ke-internal", "http://169.254.169.254/latest/meta-data/")
    note, ask = await to_admin(bot, f"/tambah {site.url('/ke-internal')}", 2)
    assert "tidak bisa diambil" in visible(note) and "jaringan internal" in visible(note)
    assert "Lembaga" in visible(ask)
    note, ask = await to_admin(bot, "/tambah ftp://kpu.go.id/berkas", 2)
    assert "hanya tautan http(s)" in visible(note) and "Lembaga" in visible(ask)
    assert bot.core.db["statement_evidence"].count == 0
    assert claims(bot.core) == []  # moderators' pages are not citizens' claims


# ------------------------------------------------------------------------------ citizens


def add_statement(bot: Bot, external_id: str, claim: str, source_url: str) -> None:
    storage.save_statement(
        bot.core.db,
        storage.StatementInput(
            external_id=external_id,
            org="KPU",
            verdict="HOAKS",
            claim=claim,
            clarification=f"Klarifikasi resmi {external_id}: kotak suara karton kedap air.",
            source_url=source_url,
            published_at="2023-11-20",
        ),
        actor="test",
    )
    bot.core.refresh(force=True)


async def test_a_citizens_link_is_matched_by_its_normalized_url(linking_bot: Bot) -> None:
    bot = linking_bot
    add_statement(bot, "kpu-kotak", "kotak suara gampang jebol", "https://www.kpu.go.id/b/kotak")
    call = await bot.say("http://KPU.go.id/b/kotak/?utm_source=wa&fbclid=x#atas")
    assert visible(call).startswith(visible_text(ID["statement_from_link"]))
    assert "Klarifikasi resmi kpu-kotak" in visible(call)
    (claim,) = claims(bot.core)
    keys = [r["url_key"] for r in bot.core.db.query("SELECT url_key FROM claim_links")]
    assert keys == ["kpu.go.id/b/kotak"] and claim["count"] == 1


async def test_a_citizens_link_is_matched_by_the_pages_title(
    linking_bot: Bot, site: SourceServer
) -> None:
    bot = linking_bot
    add_statement(
        bot, "kpu-karton", "kotak suara karton mudah jebol terkena hujan",
        "https://www.kpu.go.id/lain",
    )  # fmt: skip
    call = await bot.say(f"ini benar gak? {site.url('/berita/kotak-suara')}")
    assert "Klarifikasi resmi kpu-karton" in visible(call)
    assert len(site.seen("/berita/kotak-suara")) == 1
    (claim,) = claims(bot.core)
    assert "Kotak Suara Karton Kedap Air" in claim["text"]  # the page's words were matched
    assert claim["text"].startswith("ini benar gak?")


async def test_a_link_answered_before_gets_that_answer_and_a_failed_fetch_is_a_note(
    linking_bot: Bot, site: SourceServer
) -> None:
    bot = linking_bot
    add_statement(bot, "kpu-kotak", "kotak suara gampang jebol", "https://www.kpu.go.id/b/kotak")
    first = await bot.say(f"{site.url('/post/123')} lihat ini")
    assert "tidak bisa dibuka" in visible(first)  # 404: a short note, then the usual answer
    assert "Belum ada pernyataan resmi" in visible(first)
    (claim,) = claims(bot.core)  # recorded before the reply
    link(bot.core, claim["id"], "kpu-kotak", actor="mod:42")
    again = await bot.say(f"{site.url('/post/123/')}?fbclid=abc", user_id=1002)
    assert "Klarifikasi resmi kpu-kotak" in visible(again)
    assert visible(again).startswith(ID["statement_from_seen_link"])  # not called its source
    assert len(site.seen("/post/123")) == 1  # known link: the page was not fetched again


async def test_links_fall_back_to_the_text_when_fetching_is_off(
    bot: Bot, site: SourceServer
) -> None:
    add_statement(bot, "kpu-karton", "kotak suara karton jebol", "https://www.kpu.go.id/lain")
    call = await bot.say(f"{site.url('/berita/kotak-suara')}")
    assert site.requests == [] and "tidak bisa dibuka" not in visible(call)


# ------------------------------------------------------------------------------ feeds, /draf


def local_feed(site: SourceServer) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{site.url(path)}?utm_source=rss</link></item>"
        for title, path in (
            ("KPU: Kotak Suara Karton Kedap Air", "/berita/kotak-suara"),
            ("Bawaslu Minta Masyarakat Laporkan Politik Uang", "/bawaslu/politik-uang"),
        )
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    return site.add("/rss", body=body.encode(), content_type="application/rss+xml", etag='"1"')


async def test_feed_items_become_drafts_that_moderators_turn_into_statements(
    tmp_path: Path, site: SourceServer
) -> None:
    feed = local_feed(site)
    env = {**LOCAL_ENV, "SOURCE_FEEDS": feed, "MODERATOR_CHAT_ID": "-100777"}
    async for bot in running_bot(tmp_path, **env):
        # the background loop polls on its first tick and announces the new drafts once
        note = await bot.fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == -100777, timeout=15
        )
        assert "2 draf baru" in visible(note)
        assert storage.get_statement(bot.core.db, "kpu-0001") is None  # nothing published
        (listing,) = await to_admin(bot, "/draf")
        assert "Kotak Suara Karton" in visible(listing) and "Politik Uang" in visible(listing)
        first, second = (d.id for d in source_store.pending_drafts(bot.core.db))
        assert button_data(listing) == [f"sd:a:{first}", f"sd:d:{first}",
                                        f"sd:a:{second}", f"sd:d:{second}"]  # fmt: skip
        answer, _ = await bot.press(f"sd:d:{second}", "answerCallbackQuery", user_id=ADMIN)
        assert f"d{second} diabaikan" in answer.params["text"]
        summary, ask = await press(bot, f"sd:a:{first}", 2)  # the page is fetched now
        assert "Domain resmi" in visible(summary) and "Lembaga" in visible(ask)
        await press(bot, "kp:org")
        await press(bot, "v:HOAKS")
        await to_admin(bot, CLAIM)
        for kept in ("clarification", "source_url", "published_at"):
            await press(bot, f"kp:{kept}")
        await to_admin(bot, "-")
        _, saved = await bot.press("t:ok", "editMessageText", user_id=ADMIN, chat_id=ADMIN)
        assert "Tersimpan sebagai" in visible(saved)
        assert source_store.pending_drafts(bot.core.db) == []
        assert source_store.get_source_draft(bot.core.db, first).status == "used"  # type: ignore[union-attr]
        (empty,) = await to_admin(bot, "/draf")
        assert "Tidak ada draf" in visible(empty)
        assert len(site.seen("/rss")) == 1  # one poll per FEED_POLL_MINUTES


async def test_a_claimreview_draft_prefills_claim_and_verdict(bot: Bot, site: SourceServer) -> None:
    from bot.sources.claimreview import queue_reviews, reviews_from_json

    review = json.loads((DATA / "claimreviews.json").read_text(encoding="utf-8"))[0]
    review["url"] = site.url("/bawaslu/politik-uang")
    queue_reviews(bot.core.db, reviews_from_json(json.dumps(review)))
    (draft,) = source_store.pending_drafts(bot.core.db)
    await to_admin(bot, "/draf", 1)
    summary, ask = await press(bot, f"sd:a:{draft.id}", 2)
    assert "bukan domain resmi" not in visible(summary)  # 127.0.0.1 counts as KPU here
    # everything else came from the ClaimReview and the page: each shown and kept in turn
    assert "Lembaga" in visible(ask) and "Sudah terisi" in visible(ask)
    for kept in ("org", "verdict", "claim", "clarification", "source_url"):
        (ask,) = await press(bot, f"kp:{kept}")
    (ask,) = (
        await press(bot, "kp:published_at") if "kp:published_at" in button_data(ask) else (ask,)
    )
    assert "Variasi" in visible(ask)
    (card,) = await to_admin(bot, "-")
    assert "Bawaslu membagikan uang transport" in visible(card)
    assert "tidak pernah membagikan uang kepada pemilih; pesan itu hoaks" in visible(card)


async def test_a_slow_link_holds_up_only_its_own_sender(
    linking_bot: Bot, site: SourceServer
) -> None:
    """Updates are handled concurrently: while one citizen's page is slow to answer, another
    citizen's claim is answered."""
    bot = linking_bot
    site.add_file("/lambat", "kpu_berita.html", "text/html", delay=1.5)
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update(f"cek ini {site.url('/lambat')}", user_id=1001))
    bot.fake.push_update(bot.fake.message_update(CLAIM, user_id=1002))
    first = await bot.fake.wait_for("sendMessage", after=mark, timeout=10)
    assert first.params["chat_id"] == 1002  # answered while 1001's page was still loading
    await bot.fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == 1001, after=mark, timeout=10
    )
    texts = [c["text"] for c in claims(bot.core)]
    assert any(t.startswith("cek ini") and "Kotak Suara" in t for t in texts)  # page was read
    assert len(site.seen("/lambat")) == 1


async def test_a_removed_moderator_gets_no_page_fetched_mid_tambah(
    bot: Bot, site: SourceServer
) -> None:
    """A moderator removed after starting /tambah: a link sent as the next answer is
    refused before anything is fetched (rights are checked at every step)."""
    moderator = 4242
    storage.add_moderator(bot.core.db, moderator, added_by="test")
    mark = bot.fake.mark()
    bot.fake.push_update(bot.fake.message_update("/tambah", user_id=moderator))
    asked = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == moderator,
                                    after=mark)  # fmt: skip
    assert visible(asked) == re.sub(r"<[^>]+>", "", ID["ask_org"])
    storage.remove_moderator(bot.core.db, moderator, removed_by="test")
    reply = await bot.say(site.url("/berita/kotak-suara"), user_id=moderator)
    assert visible(reply) == ID["mod_refused"]
    await bot.app.update_queue.join()
    assert site.seen("/berita/kotak-suara") == []
