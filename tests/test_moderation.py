"""Moderation without Telegram: moderators, the claim queue, clusters, links, statistics."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import sqlite_utils
from dbhelpers import link, who

import storage
from bot import clusters
from bot.core import Core
from bot.matcher.normalize import normalize
from storage import StatementInput
from storage.db import WIB
from storage.migrations import MIGRATIONS
from storage.people import record_feedback, subscribe

SECRET = "moderation-test-secret-0123"
# 12:00 in Jakarta on voting day; 05:00 UTC.
NOW = datetime(2024, 2, 14, 12, 0, tzinfo=WIB)

DELAY = StatementInput(
    "kpu-tunda",
    "KPU",
    "HOAKS",
    "Pemilu 2024 diundur ke bulan Juni",
    "Pemungutan suara tetap 14 Februari 2024.",
)
BOX = StatementInput(
    "kpu-kotak",
    "KPU",
    "KLARIFIKASI",
    "Kotak suara dari kardus gampang rusak",
    "Kotak suara berbahan karton kedap air dan sudah diuji.",
)
QC = StatementInput(
    "kpu-qc", "KPU", "SALAH", "Hasil quick count itu hasil resmi", "Hasil resmi dari KPU."
)


pytestmark = pytest.mark.statements(DELAY, QC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def ask(
    db: sqlite_utils.Database,
    text: str,
    at: datetime = NOW,
    *,
    tier: str = "none",
    best: str | None = None,
    channel: str = "private",
) -> int:
    """Record one question at a given time; returns the claim id."""
    result = storage.record_submission(
        db,
        text=text,
        normalized=normalize(text).text or text.lower(),
        channel=channel,
        user_hash=None,
        best_statement_external_id=best,
        best_score=90.0 if best else None,
        tier=tier,
    )
    claim_id = result.claim.id
    db.execute(
        "UPDATE submissions SET created_at = ? WHERE id = ?", [iso(at), result.submission_id]
    )
    db.execute(
        """
        UPDATE claims SET
            first_seen = (SELECT min(created_at) FROM submissions WHERE claim_id = claims.id),
            last_seen = (SELECT max(created_at) FROM submissions WHERE claim_id = claims.id)
        WHERE id = ?
        """,
        [claim_id],
    )
    db.conn.commit()
    return claim_id


def status(db: sqlite_utils.Database, claim_id: int) -> str:
    claim = storage.get_claim(db, claim_id)
    assert claim is not None
    return claim.status


# --------------------------------------------------------------------------- migration


def test_migration_0003_adds_moderators_and_cluster_alerts(db: sqlite_utils.Database) -> None:
    names = [row["name"] for row in db.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[:3] == ["0001_initial", "0002_citizen_bot", "0003_moderators"]
    assert names == [m.name for m in MIGRATIONS._migrations]
    assert db["moderators"].columns_dict == {"user_id": int, "added_by": str, "added_at": str}
    assert db["moderators"].pks == ["user_id"]
    assert db["cluster_alerts"].pks == ["cluster_key"]
    assert "in clear" in MIGRATIONS._migrations[2].fn.__doc__


# --------------------------------------------------------------------------- moderators


def test_moderators_add_list_remove_and_audit(db: sqlite_utils.Database) -> None:
    assert storage.list_moderators(db) == []
    assert storage.add_moderator(db, 1001, added_by="admin:7")
    assert not storage.add_moderator(db, 1001, added_by="admin:8")  # already one
    assert storage.add_moderator(db, 1002, added_by="cli")
    mods = storage.list_moderators(db)
    assert [(m.user_id, m.added_by) for m in mods] == [(1001, "admin:7"), (1002, "cli")]
    assert storage.is_moderator(db, 1001, frozenset())
    assert not storage.is_moderator(db, 5, frozenset())
    assert storage.is_moderator(db, 5, frozenset({5}))  # admins from settings, no row needed

    assert storage.remove_moderator(db, 1001, removed_by="cli")
    assert not storage.remove_moderator(db, 1001)
    assert not storage.remove_moderator(db, 5)  # admins are configured, not stored
    assert not storage.is_moderator(db, 1001, frozenset())
    assert [m.user_id for m in storage.list_moderators(db)] == [1002]

    rows = list(
        db.query(
            "SELECT action, actor, before FROM audit_log WHERE action LIKE 'moderator%' ORDER BY id"
        )
    )
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("moderator_add", "admin:7"),
        ("moderator_add", "cli"),
        ("moderator_remove", "cli"),
    ]
    assert '"user_id": 1001' in rows[2]["before"]


@pytest.mark.parametrize("bad", [0, -5, True])
def test_moderator_ids_must_be_positive_user_ids(db: sqlite_utils.Database, bad: int) -> None:
    with pytest.raises(ValueError, match="positive Telegram user id"):
        storage.add_moderator(db, bad, added_by="cli")
    assert db["moderators"].count == 0


# --------------------------------------------------------------------------- queue


def test_queue_holds_open_claims_and_claims_reopened_by_wrong_feedback(
    db: sqlite_utils.Database,
) -> None:
    open_id = ask(db, "kotak suara kardus gampang rusak")
    answered = ask(db, "hasil quick count itu hasil resmi", tier="confident", best="kpu-qc")
    dismissed = ask(db, "promo pulsa murah")
    storage.dismiss_claims(db, [dismissed])
    assert [c.id for c in storage.queue_claims(db, now=NOW)] == [open_id]

    statement = storage.get_statement(db, "kpu-qc")
    assert statement is not None
    record_feedback(db, claim_id=answered, statement_id=statement.id, user_hash="u", kind="wrong")
    assert {c.id for c in storage.queue_claims(db, now=NOW)} == {open_id, answered}


def test_queue_limit_keeps_the_most_asked_discounted_by_age(db: sqlite_utils.Database) -> None:
    old_popular = ask(db, "pemilu diundur ke juni", NOW - timedelta(days=2))
    for _ in range(9):
        ask(db, "pemilu diundur ke juni", NOW - timedelta(days=2))  # 10 askers, 2 days ago
    recent_single = ask(db, "kotak suara kardus gampang rusak", NOW - timedelta(minutes=5))
    stale = ask(db, "tinta pemilu mengandung babi", NOW - timedelta(days=60))
    ask(db, "tinta pemilu mengandung babi", NOW - timedelta(days=60))
    queue = storage.queue_claims(db, limit=2, now=NOW)
    assert [c.id for c in queue] == [old_popular, recent_single]  # 10/2 = 5 > 1 > 2/31
    assert stale in [c.id for c in storage.queue_claims(db, limit=3, now=NOW)]


def test_dismiss_claims_counts_changes_and_sticks(db: sqlite_utils.Database) -> None:
    a = ask(db, "promo pulsa murah")
    b = ask(db, "halo admin")
    assert storage.dismiss_claims(db, [a, b, a, 999]) == 2
    assert storage.dismiss_claims(db, [a]) == 0
    ask(db, "promo pulsa murah")  # asking again does not bring it back
    assert status(db, a) == "dismissed"
    assert storage.queue_claims(db, now=NOW) == []


def test_submissions_since_counts_real_submissions(db: sqlite_utils.Database) -> None:
    a = ask(db, "pemilu diundur ke juni", NOW - timedelta(hours=3))
    ask(db, "pemilu diundur ke juni", NOW - timedelta(minutes=20))
    ask(db, "pemilu diundur ke juni", NOW - timedelta(minutes=1))
    b = ask(db, "kotak suara kardus gampang rusak", NOW - timedelta(hours=2))
    since = NOW - timedelta(minutes=30)
    assert storage.submissions_since(db, [a, b, 404], since) == {a: 2, b: 0, 404: 0}
    assert storage.submissions_since(db, [a], iso(since)) == {a: 2}  # text works too


# --------------------------------------------------------------------------- link


def test_link_claims_answers_them_adds_variants_and_audits(db: sqlite_utils.Database) -> None:
    a = ask(db, "pemilu diundur ke juni", tier="possible", best="kpu-qc")
    b = ask(db, "katanya pemilu ditunda sampai juni")
    version = storage.data_version(db)

    result = storage.link_claims_to_statement(db, [a, b, a], "kpu-tunda", actor="mod:42")

    assert result == storage.LinkResult("kpu-tunda", (a, b), 2, 0)
    statement = storage.get_statement(db, "kpu-tunda")
    assert statement is not None
    for claim_id in (a, b):
        claim = storage.get_claim(db, claim_id)
        assert claim is not None
        assert (claim.status, claim.best_statement_external_id) == ("answered", "kpu-tunda")
        assert claim.best_score is None  # the old score was for another statement
    assert statement.variants == ("pemilu diundur ke juni", "katanya pemilu ditunda sampai juni")
    sources = {r["source"] for r in db.query("SELECT source FROM variants")}
    assert sources == {"linked-claim"}
    assert storage.data_version(db) > version  # a running bot rebuilds its index
    entries = storage.history(db, "kpu-tunda")
    assert [e.action for e in entries] == ["create", "add_variant", "add_variant", "link_claims"]
    assert entries[-1].actor == "mod:42"
    assert entries[-1].after == {"claim_ids": [a, b], "variants_added": 2, "variants_skipped": 0}
    assert storage.queue_claims(db, now=NOW) == []

    again = storage.link_claims_to_statement(db, [a], "kpu-tunda", actor="mod:42")
    assert again.variants_added == 0  # the phrasing is already there


def test_link_is_all_or_nothing_and_validated(db: sqlite_utils.Database) -> None:
    a = ask(db, "pemilu diundur ke juni")
    long_claim = ask(db, "pemilu diundur " + "sebarkan " * 200)
    audit_rows = db["audit_log"].count

    with pytest.raises(LookupError, match="no claim with id 999"):
        storage.link_claims_to_statement(db, [a, 999], "kpu-tunda", actor="m")
    with pytest.raises(storage.StatementNotFound):
        storage.link_claims_to_statement(db, [a], "kpu-nope", actor="m")
    with pytest.raises(ValueError, match="no claim ids"):
        storage.link_claims_to_statement(db, [], "kpu-tunda", actor="m")
    storage.retire_statement(db, "kpu-qc", actor="m")
    with pytest.raises(ValueError, match="retired, superseded or expired"):
        storage.link_claims_to_statement(db, [a], "kpu-qc", actor="m")
    assert status(db, a) == "open"
    assert db["audit_log"].count == audit_rows + 1  # only the retirement
    assert storage.history(db, "kpu-tunda")[-1].action == "create"
    assert db["variants"].count == 0

    result = storage.link_claims_to_statement(db, [a, long_claim], "kpu-tunda", actor="m")
    assert (result.variants_added, result.variants_skipped) == (1, 1)
    assert status(db, long_claim) == "answered"


# --------------------------------------------------------------------------- statistics


def test_stats_count_jakarta_days_tiers_feedback_and_top_lists(
    db: sqlite_utils.Database,
) -> None:
    # NOW is 12:00 WIB; the Jakarta day began at 2024-02-13 17:00 UTC.
    ten_past_midnight = NOW - timedelta(hours=11, minutes=50)  # today in WIB, not in UTC
    yesterday_late = NOW - timedelta(hours=12, minutes=30)  # 23:30 WIB the day before
    six_days_ago = ten_past_midnight - timedelta(days=6)  # first minutes of the 7-day window
    qc = ask(
        db, "quick count hasil resmi", NOW - timedelta(hours=1), tier="confident", best="kpu-qc"
    )
    ask(db, "quick count hasil resmi", ten_past_midnight, tier="confident", best="kpu-qc")
    delay = ask(db, "pemilu diundur ke juni", yesterday_late)
    ask(db, "pemilu diundur ke juni", NOW - timedelta(days=2))
    ask(db, "pemilu diundur ke juni", NOW - timedelta(days=3))
    ask(db, "kotak suara kardus", six_days_ago, tier="possible")
    ask(db, "surat suara dicoblos", NOW - timedelta(days=8))  # before the window
    ask(db, "surat suara dicoblos", NOW + timedelta(minutes=5))  # after `now`
    statement = storage.get_statement(db, "kpu-qc")
    assert statement is not None
    for user, kind in (("u1", "helpful"), ("u2", "helpful"), ("u3", "helpful"), ("u4", "wrong")):
        record_feedback(db, claim_id=qc, statement_id=statement.id, user_hash=user, kind=kind)
    record_feedback(db, claim_id=delay, statement_id=None, user_hash="u5", kind="wrong")
    db.execute("UPDATE feedback SET created_at = ?", [iso(NOW - timedelta(hours=2))])
    db.execute(
        "UPDATE feedback SET created_at = ? WHERE user_hash = 'u5'", [iso(NOW - timedelta(days=9))]
    )
    db.conn.commit()

    st = storage.claim_stats(db, now=NOW)

    assert st.today.since == "2024-02-13T17:00:00.000+00:00"
    assert st.today.until == st.generated_at == "2024-02-14T05:00:00.000+00:00"
    assert (st.today.submissions, st.today.distinct_claims) == (2, 1)
    assert (st.today.confident, st.today.possible, st.today.none) == (2, 0, 0)
    assert st.today.share("confident") == 1.0
    assert st.week.since == "2024-02-07T17:00:00.000+00:00"
    assert (st.week.submissions, st.week.distinct_claims) == (6, 3)
    assert (st.week.confident, st.week.possible, st.week.none) == (2, 1, 3)
    assert st.week.share("none") == 0.5
    assert (st.week.helpful, st.week.wrong, st.week.helpful_ratio) == (3, 1, 0.75)
    assert [(t.text, t.asked, t.count) for t in st.top_claims] == [
        ("pemilu diundur ke juni", 3, 3),
        ("quick count hasil resmi", 2, 2),
        ("kotak suara kardus", 1, 1),
    ]
    assert [(s.external_id, s.served) for s in st.top_statements] == [("kpu-qc", 2)]
    # the "wrong" vote reopened the quick-count claim: 4 open with delay, kotak, surat suara
    assert st.open_claims == 4
    with pytest.raises(ValueError):
        st.week.share("answered")


def test_stats_on_an_empty_database(db: sqlite_utils.Database) -> None:
    st = storage.claim_stats(db, now=NOW)
    assert st.week.submissions == 0 and st.week.share("confident") == 0.0
    assert st.week.helpful_ratio is None
    assert st.top_claims == () and st.top_statements == ()


# --------------------------------------------------------------------------- clusters

PARAPHRASES = (
    "pemilu diundur ke juni",
    "PEMILU 2024 DIUNDUR JUNI!!",
    "katanya pemilu ditunda sampai juni",
)


def test_paraphrases_cluster_together_and_other_claims_apart(db: sqlite_utils.Database) -> None:
    ids = [ask(db, text, NOW - timedelta(hours=3 - i)) for i, text in enumerate(PARAPHRASES)]
    ask(db, "PEMILU 2024 DIUNDUR JUNI!!", NOW - timedelta(minutes=30))  # asked twice
    box = ask(db, "kotak suara kardus gampang rusak", NOW - timedelta(hours=5))
    box2 = ask(db, "kotak suara dari kardus, gampang rusak kena hujan", NOW - timedelta(hours=1))
    lone = ask(db, "pemilu", NOW - timedelta(hours=4))  # one shared word is not a paraphrase

    found = clusters.unanswered_clusters(db, now=NOW)

    by_key = {c.key: c for c in found}
    assert set(by_key) == {f"c{ids[0]}", f"c{box}", f"c{lone}"}
    delay = by_key[f"c{ids[0]}"]
    assert delay.claim_ids == tuple(ids)
    assert delay.count == 4 and delay.size == 3
    assert delay.example == "PEMILU 2024 DIUNDUR JUNI!!"  # the most asked claim
    assert delay.first_seen == iso(NOW - timedelta(hours=3))
    assert delay.last_seen == iso(NOW - timedelta(minutes=30))
    assert by_key[f"c{box}"].claim_ids == (box, box2)
    assert [c.key for c in found] == [f"c{ids[0]}", f"c{box}", f"c{lone}"]  # by score
    assert clusters.unanswered_clusters(db, now=NOW, limit=1) == found[:1]
    assert clusters.find_cluster(db, f"C{box}", now=NOW) == by_key[f"c{box}"]
    assert clusters.find_cluster(db, "c999", now=NOW) is None


def test_score_prefers_recent_over_old_at_equal_count(db: sqlite_utils.Database) -> None:
    old = ask(db, "tinta pemilu mengandung babi", NOW - timedelta(days=4))
    new = ask(db, "kotak suara kardus gampang rusak", NOW - timedelta(hours=1))
    ranked = clusters.unanswered_clusters(db, now=NOW)
    assert [c.key for c in ranked] == [f"c{new}", f"c{old}"]
    assert ranked[1].score == pytest.approx(math.exp(-96 / 48))


def test_cluster_keys_stay_when_new_paraphrases_arrive(db: sqlite_utils.Database) -> None:
    first = ask(db, PARAPHRASES[0], NOW - timedelta(hours=2))
    (before,) = clusters.unanswered_clusters(db, now=NOW)
    for text in PARAPHRASES[1:]:
        ask(db, text, NOW - timedelta(minutes=5))
    (after,) = clusters.unanswered_clusters(db, now=NOW)
    assert before.key == after.key == f"c{first}"
    assert after.size == 3


def test_fast_growing_uses_window_submissions_and_alerts_once(
    db: sqlite_utils.Database,
) -> None:
    # A claim asked 20 times last week is not growing; 3 paraphrases asked 5 times in 30 min are.
    for _ in range(20):
        old = ask(db, "kotak suara kardus gampang rusak", NOW - timedelta(days=5))
    for minutes, text in zip((50, 25, 20, 10, 5, 1), (*PARAPHRASES, *PARAPHRASES), strict=True):
        growing = ask(db, text, NOW - timedelta(minutes=minutes))
    found = clusters.unanswered_clusters(db, now=NOW)
    delay_key = next(c.key for c in found if growing in c.claim_ids)

    hits = clusters.fast_growing(db, found, threshold=5, window_minutes=30, now=NOW)
    assert [c.key for c in hits] == [delay_key]
    assert f"c{old}" not in [c.key for c in hits]
    cluster = hits[0]
    since = NOW - timedelta(minutes=30)
    assert sum(storage.submissions_since(db, cluster.claim_ids, since).values()) == 5
    assert clusters.fast_growing(db, found, threshold=6, window_minutes=30, now=NOW) == []

    assert clusters.mark_alerted(db, delay_key)
    assert not clusters.mark_alerted(db, delay_key)  # a second announcer backs off
    assert clusters.fast_growing(db, found, threshold=5, window_minutes=30, now=NOW) == []
    assert clusters.fast_growing(db, [], threshold=5, window_minutes=30, now=NOW) == []
    with pytest.raises(ValueError):
        clusters.fast_growing(db, found, threshold=0, window_minutes=30, now=NOW)


# --------------------------------------------------------------------------- core


def test_link_cluster_refreshes_and_finds_subscribers(db: sqlite_utils.Database) -> None:
    storage.save_statement(db, BOX, actor="t")
    storage.retire_statement(db, "kpu-tunda", actor="t")  # nothing answers the delay rumour
    core = Core(db, SECRET)
    asked = [
        core.check(text, who(core, "private", user_id=100 + i))
        for i, text in enumerate(PARAPHRASES)
    ]
    assert {a.tier.value for a in asked} <= {"none", "possible"}
    box = core.check("kotak suara kardus gampang rusak kena hujan", who(core, "private", user_id=9))
    for i, answer in enumerate((*asked, box)):
        assert answer.claim_id is not None
        subscribe(db, claim_id=answer.claim_id, user_hash=f"h{i}", chat_id=500 + i, language="id")

    storage.save_statement(
        db,
        StatementInput(
            "kpu-tunda-2", "KPU", "HOAKS", "Pemilu diundur ke Juni", "Tetap 14 Februari 2024."
        ),
        actor="t",
    )
    (cluster,) = [c for c in clusters.unanswered_clusters(db) if asked[0].claim_id in c.claim_ids]
    assert set(cluster.claim_ids) == {a.claim_id for a in asked}

    result = link(core, cluster.key, "kpu-tunda-2", actor="mod:1")

    assert set(result.claim_ids) == set(cluster.claim_ids)
    assert "kpu-tunda-2" in core.snapshot.statements  # index rebuilt with the new phrasings
    assert core.match(PARAPHRASES[2])[0].tier.value == "confident"
    due: dict[str, list[int]] = {}
    for sub, statement in core.due_notifications():
        due.setdefault(statement.external_id, []).append(sub.chat_id)
    assert sorted(due["kpu-tunda-2"]) == [500, 501, 502]  # linked
    assert due["kpu-kotak"] == [503]  # re-matched confidently
    assert "kpu-tunda" not in due  # retired: never announced

    with pytest.raises(LookupError, match="no unanswered cluster"):
        link(core, cluster.key, "kpu-tunda-2", actor="mod:1")  # already answered
    box_claim = box.claim_id
    assert box_claim is not None
    # answered confidently, so in no queue cluster: linked by id, as storage allows
    linked = storage.link_claims_to_statement(db, [box_claim], "kpu-kotak", actor="mod:1")
    assert linked.claim_ids == (box_claim,)


def test_linked_claim_stays_answered_when_asked_again(db: sqlite_utils.Database) -> None:
    core = Core(db, SECRET)
    first = core.check("pemilu diundur?", who(core, "private", user_id=1))  # too short to be sure
    assert first.claim_id is not None and first.tier.value != "confident"
    storage.save_statement(
        db, StatementInput("kpu-undur", "KPU", "HOAKS", "Pemilu diundur", "Tetap 14 Februari."),
        actor="t",
    )  # fmt: skip
    link(core, first.claim_id, "kpu-undur", actor="mod:1")
    again = core.check("pemilu diundur?", who(core, "private", user_id=2))
    claim = storage.get_claim(db, again.claim_id)  # type: ignore[arg-type]
    assert claim is not None and claim.status == "answered" and claim.count == 2
    assert claim.best_statement_external_id == "kpu-undur"
    assert first.claim_id not in [c.id for c in storage.queue_claims(db)]
    storage.retire_statement(db, "kpu-undur", actor="t")
    core.refresh()
    core.check("pemilu diundur?", who(core, "private", user_id=3))
    assert storage.get_claim(db, first.claim_id).status == "open"  # type: ignore[union-attr]


async def test_due_notifications_on_the_loop_give_it_a_turn_after_each_claim(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's `due_notifications_async` finds what `due_notifications` finds, and the loop
    runs its other tasks between one subscribed claim and the next (each may be matched:
    2-5 ms at 100,000 statements, and one statement may answer many requests)."""
    storage.save_statement(db, BOX, actor="t")
    core = Core(db, SECRET)
    texts = (
        "kotak suara kardus gampang rusak kena hujan",
        "kotak suara dari kardus, rusak kalau kena hujan",
        "pemilu diundur ke bulan juni",
    )
    for i, text in enumerate(texts):
        answer = core.check(text, who(core, "private", user_id=300 + i))
        assert answer.claim_id is not None
        subscribe(db, claim_id=answer.claim_id, user_hash=f"h{i}", chat_id=700 + i, language="id")
    order: list[str] = []
    real = core._due_for

    def due_for(*args: object) -> object:
        order.append("claim")
        return real(*args)  # type: ignore[arg-type]

    async def ticker() -> None:
        while True:
            order.append("tick")
            await asyncio.sleep(0)

    monkeypatch.setattr(core, "_due_for", due_for)
    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    found = await core.due_notifications_async()
    ticking.cancel()
    claims = [i for i, step in enumerate(order) if step == "claim"]
    assert len(claims) == len(texts)
    assert all("tick" in order[a:b] for a, b in pairwise(claims))
    expected = core.due_notifications()
    assert [(s.id, st.external_id) for s, st in found] == [
        (s.id, st.external_id) for s, st in expected
    ]
    assert [s.chat_id for s, _ in found][:1] == [700]  # the box claim, matched confidently
