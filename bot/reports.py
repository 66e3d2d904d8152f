"""Plain-text reports for moderators and operators: the CLI prints them, the bot sends them
in a <pre> block. One wording, two places."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import storage
from bot.clusters import Cluster
from bot.curation import HistoryLine
from bot.replies.texts import shorten
from storage.db import WIB, parse_utc


def wib(iso: str | None) -> str:
    """A stored UTC timestamp as Jakarta time for people ("2024-02-10 14:05 WIB")."""
    if not iso:
        return "-"
    if (moment := parse_utc(iso)) is None:
        return iso
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def one_line(text: str, width: int = 90) -> str:
    """One line of at most `width` characters, cut on a word boundary (`shorten`)."""
    return shorten(text, width)


def queue_report(found: Sequence[Cluster]) -> str:
    if not found:
        return "Antrian kosong / the queue is empty: every claim has an answer or was dismissed."
    out = ["Klaim tanpa jawaban, dikelompokkan / unanswered claims, grouped (most asked first)"]
    for rank, c in enumerate(found, 1):
        claims_word = "klaim/claim" if c.size == 1 else "klaim/claims"
        out.append(
            f"{rank:>3}. [{c.key}] {c.count}x ditanya/asked · {c.size} {claims_word} · "
            f"pertama/first {wib(c.first_seen)} · terakhir/last {wib(c.last_seen)}"
        )
        out.append(f"     {one_line(c.example)}")
    return "\n".join(out)


def history_report(lines: list[HistoryLine], names: Mapping[str, str] | None = None) -> str:
    """/riwayat's report: one line per change, then before → after for each changed field
    (named as in `names`, e.g. Indonesian for moderators)."""
    out = []
    for line in lines:
        out.append(f"{wib(line.at)} · {line.action} · {line.actor or '-'}")
        if line.summary:
            out.append(f"  {line.summary}")
        for change in line.changes:
            name = (names or {}).get(change.field, change.field)
            before, after = one_line(str(change.before), 60), one_line(str(change.after), 60)
            out.append(f"  {name}: {before} → {after}")
    return "\n".join(out)


def _percent(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else str(part)


def stats_report(st: storage.ClaimStats) -> str:
    rows = [
        ("pertanyaan / questions", str(st.today.submissions), str(st.week.submissions)),
        ("klaim berbeda / distinct claims", str(st.today.distinct_claims),
         str(st.week.distinct_claims)),
    ]  # fmt: skip
    for tier, label in (
        ("confident", "yakin / confident"),
        ("possible", "mungkin / possible"),
        ("none", "tidak ada / none"),
    ):
        rows.append(
            (
                label,
                _percent(getattr(st.today, tier), st.today.submissions),
                _percent(getattr(st.week, tier), st.week.submissions),
            )
        )
    rows.append(
        (
            "umpan balik membantu/salah",
            f"{st.today.helpful}/{st.today.wrong}",
            f"{st.week.helpful}/{st.week.wrong}",
        )
    )
    rows.append(
        ("pembaruan disisihkan / set aside", str(st.today.set_aside), str(st.week.set_aside))
    )  # updates that could not be stored, parsed or handled: see the log for each id
    out = [f"Statistik CekKlaim per {wib(st.generated_at)} (hari = hari kalender WIB)"]
    out.append(f"{'':34}{'hari ini/today':>16}{'7 hari/days':>16}")
    out.extend(f"{label:34}{today:>16}{week:>16}" for label, today, week in rows)
    ratio = st.week.helpful_ratio
    if ratio is not None:
        out.append(f"jawaban dinilai membantu / answers rated helpful (7 days): {100 * ratio:.0f}%")
    out.append(f"klaim terbuka di antrian / open claims in the queue: {st.open_claims}")
    out.append("")
    out.append("Klaim paling sering ditanya / most asked claims (7 days):")
    if not st.top_claims:
        out.append("  -")
    for rank, tc in enumerate(st.top_claims, 1):
        out.append(f"  {rank}. {tc.asked}x  {one_line(tc.text, 70)}  [{tc.status}]")
    out.append("Pernyataan paling sering disajikan / statements served most (7 days):")
    if not st.top_statements:
        out.append("  -")
    for rank, ss in enumerate(st.top_statements, 1):
        out.append(f"  {rank}. {ss.served}x  [{ss.external_id}] {one_line(ss.claim, 70)}")
    return "\n".join(out)
