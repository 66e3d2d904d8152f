"""Crash safety: the real `cekklaim run` process, SIGKILLed at random points and restarted.

    python bench/crash.py [--updates 300] [--kills 5] [--seed 7] [--no-baseline]

A fake Telegram Bot API (tests/fakebotapi.py) runs in this process and feeds N private
claims in bursts, one chat per update, while the bot (`python -m bot run`, pointed at the
fake with TELEGRAM_API_BASE_URL) answers them. The bot is killed with SIGKILL several times
(seeded random points: after a random number of replies since its start) and restarted;
finally it is stopped with SIGTERM. Then the database is checked:

- every update whose reply was sent has its claim stored;
- no update is counted twice (claims.count adds up to one submission per update);
- every update was eventually handled (its claim stored);
- PRAGMA integrity_check is "ok", and the last, graceful stop exited with 0.

Replies are at least once: an update killed after its reply went out but before its done
mark (the instant between Telegram's answer and the next statement) is answered again at
start. That count is printed ("answered twice"); it is not a failure. Kills that follow a
reply (most of them here) land near that instant far more often than a real crash would.

The same run is repeated with the inbox disabled (CEKKLAIM_INBOX=0): python-telegram-bot
alone confirms fetched updates before handling them, so that baseline shows lost updates.
Exit status 1 when the inbox run loses or duplicates anything or the database is damaged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakebotapi import FakeBotAPI  # noqa: E402

FIRST_CHAT = 100_000  # update i comes from private chat FIRST_CHAT + i
SETTLE_SECONDS = 1.5  # the final run is done when nothing new happened for this long
KILL_WAIT = 3.0  # a kill comes at the latest this long after a start
RUN_TIMEOUT = 45.0  # per mode, a stuck bot fails the bench instead of hanging CI


@dataclass
class Outcome:
    mode: str
    updates: int
    kills: int
    replies: int  # updates that got at least one reply
    handled: int  # updates whose claim is stored
    lost: int  # updates never handled
    replied_not_stored: int  # a reply went out but the claim is missing (must be 0)
    stored_not_replied: int  # stored, but killed between the commit and the reply
    duplicate_counts: int  # updates counted more than once
    duplicate_replies: int  # answered, killed before the done mark: answered again at start
    integrity: str
    last_exit: int | None
    seconds: float

    @property
    def clean(self) -> bool:
        return (
            self.lost == 0
            and self.replied_not_stored == 0
            and self.stored_not_replied == 0  # every citizen gets an answer in the end
            and self.duplicate_counts == 0
            and self.integrity == "ok"
            and self.last_exit == 0
        )


def claim_texts() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "bot/data/starter_base.jsonl").open()]
    texts = [r["claim"] for r in rows] + [v for r in rows for v in r.get("variants", [])]
    return [*texts, "katanya ada kabar baru soal pemilu yang belum jelas sumbernya"]


def start_bot(fake: FakeBotAPI, workdir: Path, inbox: bool) -> subprocess.Popen[bytes]:
    env = fake.process_env(
        workdir / "crash.db",
        "crash-bench-secret-0123456789",
        LOG_LEVEL="WARNING",
        CEKKLAIM_INBOX="1" if inbox else "0",
    )
    log = (workdir / "bot.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def replies_by_chat(fake: FakeBotAPI) -> dict[int, int]:
    counts: dict[int, int] = {}
    for call in fake.sent("sendMessage"):
        if call.status == 200:
            chat = int(call.params["chat_id"])
            counts[chat] = counts.get(chat, 0) + 1
    return counts


def feed(fake: FakeBotAPI, texts: list[str], n: int, rng: random.Random, stop: threading.Event):
    """Push the updates in bursts, like a spike of forwards."""
    i = 0
    while i < n and not stop.is_set():
        for _ in range(min(rng.randint(5, 40), n - i)):
            chat = FIRST_CHAT + i
            update = fake.message_update(rng.choice(texts), user_id=chat)
            update["update_id"] = 1_000_000 + i
            fake.push_update(update)
            i += 1
        time.sleep(rng.uniform(0.05, 0.25))


def wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def run_mode(n: int, kills: int, seed: int, inbox: bool) -> Outcome:
    rng = random.Random(seed)  # the updates and their timing
    killer = random.Random(seed + 1)  # the kill points (a thread of their own)
    texts = claim_texts()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cekklaim-crash-") as tmp, FakeBotAPI() as fake:
        workdir = Path(tmp)
        stop = threading.Event()
        feeder = threading.Thread(target=feed, args=(fake, texts, n, rng, stop), daemon=True)
        done_kills = 0
        proc = start_bot(fake, workdir, inbox)
        restarted = 0  # calls the fake had seen when the bot last (re)started
        feeder.start()
        try:
            for _ in range(kills):
                started = time.monotonic()
                if killer.random() < 0.3:  # at a random moment: starting up, redoing the inbox
                    time.sleep(killer.uniform(0.2, 3.0))
                    where = f"{time.monotonic() - started:.2f}s after start"
                else:  # in the middle of a burst: after a random number of replies
                    base = sum(replies_by_chat(fake).values())
                    target = base + killer.randint(1, max(2, n // (kills + 1)))
                    wait_until(lambda t=target: sum(replies_by_chat(fake).values()) >= t, KILL_WAIT)
                    time.sleep(killer.uniform(0, 0.1))
                    where = f"after {sum(replies_by_chat(fake).values()) - base} replies"
                if os.environ.get("CRASH_DEBUG"):
                    print(f"  SIGKILL {where} (call #{len(fake.calls)})")
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                done_kills += 1
                proc = start_bot(fake, workdir, inbox)
                restarted = fake.mark()
            feeder.join(timeout=RUN_TIMEOUT)
            last = [time.monotonic(), -1]

            def settled() -> bool:
                """Nothing left to fetch, the last bot polling (so past its start, which
                on a busy machine takes longer than SETTLE_SECONDS), and quiet since."""
                seen = (len(fake.sent()), len(fake.pending_updates()))
                if seen != last[1]:
                    last[:] = [time.monotonic(), seen]
                polling = any(c.method.lower() == "getupdates" for c in fake.calls[restarted:])
                quiet = time.monotonic() - last[0] > SETTLE_SECONDS
                return not fake.pending_updates() and polling and quiet

            wait_until(settled, RUN_TIMEOUT)
            proc.send_signal(signal.SIGTERM)
            try:
                last_exit: int | None = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                last_exit = None
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return check(fake, workdir / "crash.db", n, done_kills, inbox, last_exit, began)


def check(
    fake: FakeBotAPI, db_path: Path, n: int, kills: int, inbox: bool, last_exit: int | None,
    began: float,
) -> Outcome:  # fmt: skip
    replied = replies_by_chat(fake)
    if os.environ.get("CRASH_DEBUG"):
        for i, call in enumerate(fake.calls):
            if call.method != "getUpdates" and replied.get(call.params.get("chat_id"), 0) > 1:
                print(f"  call #{i} {call.method} {call.params['chat_id']} -> {call.status}")
    db = sqlite3.connect(db_path)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        per_update = dict(
            db.execute(
                "SELECT update_id, COUNT(*) FROM submissions WHERE update_id IS NOT NULL "
                "GROUP BY update_id"
            ).fetchall()
        )
        counted = db.execute("SELECT COALESCE(SUM(count), 0) FROM claims").fetchone()[0]
    finally:
        db.close()
    ids = [1_000_000 + i for i in range(n)]
    stored = {uid for uid in ids if per_update.get(uid)}
    answered = {1_000_000 + chat - FIRST_CHAT for chat in replied}
    duplicate_counts = sum(1 for uid in ids if per_update.get(uid, 0) > 1) + max(
        0, counted - sum(per_update.values())
    )
    return Outcome(
        mode="inbox" if inbox else "baseline",
        updates=n,
        kills=kills,
        replies=len(answered),
        handled=len(stored),
        lost=n - len(stored),
        replied_not_stored=len(answered - stored),
        stored_not_replied=len(stored - answered),
        duplicate_counts=duplicate_counts,
        duplicate_replies=sum(1 for count in replied.values() if count > 1),
        integrity=integrity,
        last_exit=last_exit,
        seconds=time.monotonic() - began,
    )


def report(outcomes: list[Outcome]) -> None:
    names = {"inbox": "inbox", "baseline": "no inbox (CEKKLAIM_INBOX=0)"}
    rows = [
        ("updates sent", "updates"),
        ("SIGKILLs", "kills"),
        ("answered", "replies"),
        ("claims stored", "handled"),
        ("lost (never handled)", "lost"),
        ("answered, not stored", "replied_not_stored"),
        ("stored, not answered", "stored_not_replied"),
        ("counted twice", "duplicate_counts"),
        ("answered twice", "duplicate_replies"),
        ("integrity_check", "integrity"),
        ("SIGTERM exit code", "last_exit"),
        ("seconds", "seconds"),
    ]
    width = max(len(names[o.mode]) for o in outcomes) + 2
    print(f"{'':24}" + "".join(f"{names[o.mode]:>{width}}" for o in outcomes))
    for label, attr in rows:
        cells = []
        for o in outcomes:
            value = getattr(o, attr)
            cells.append(
                f"{value:>{width}.1f}" if isinstance(value, float) else f"{value!s:>{width}}"
            )
        print(f"{label:24}" + "".join(cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=300, help="updates to send (300)")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs per run (5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true", help="skip the CEKKLAIM_INBOX=0 run")
    args = parser.parse_args()
    print(f"crash bench: {args.updates} updates, {args.kills} SIGKILLs, seed {args.seed}")
    outcomes = [run_mode(args.updates, args.kills, args.seed, inbox=True)]
    if not args.no_baseline:
        outcomes.append(run_mode(args.updates, args.kills, args.seed, inbox=False))
    report(outcomes)
    inbox = outcomes[0]
    if not inbox.clean:
        print(
            "FAIL: with the inbox, an update was lost, left unanswered or duplicated, or the "
            "database is damaged"
        )
        return 1
    print("ok: with the inbox nothing was lost, left unanswered or counted twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
