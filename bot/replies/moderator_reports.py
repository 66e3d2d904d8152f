"""/antrean and /statistik as moderators read them on a phone: short lines, one small block
per cluster or figure, no wide monospace table (the CLI keeps bot/reports.py's tables).

    1. c12 · 12× · terakhir 2 jam lalu
    <i>kotak suara dari kardus gampang jebol…</i>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.clusters import Cluster
from bot.domain import ClaimImage, ClaimStats, parse_utc
from bot.replies.render import esc
from bot.replies.texts import shorten, text

EXAMPLE_CHARS = 140  # a claim's text under its cluster line: two or three lines on a phone
TOP_CHARS = 90


def ago(iso: str | None, now: datetime) -> str:
    """How long ago a stored UTC timestamp was, in words ("2 jam lalu")."""
    if not iso:
        return "-"
    if (moment := parse_utc(iso)) is None:
        return iso
    minutes = max(0, int((now - moment).total_seconds() // 60))
    if minutes < 1:
        return text("id", "ago_now")
    if minutes < 60:
        return text("id", "ago_minutes", n=minutes)
    if minutes < 48 * 60:
        return text("id", "ago_hours", n=minutes // 60)
    return text("id", "ago_days", n=minutes // (24 * 60))


def queue_list(
    found: Sequence[Cluster], now: datetime, images: Mapping[int, ClaimImage] | None = None
) -> str:
    """/antrean: one short block per cluster, most asked first; its key for /tautkan. A
    cluster with claims read from an image (`images`, by claim id) says so, with the text
    read from one of them."""
    images = images or {}
    if not found:
        return text("id", "queue_empty")
    blocks = [text("id", "queue_header", count=len(found))]
    for rank, c in enumerate(found, 1):
        line = text("id", "queue_line", rank=rank, cluster=esc(c.key), count=c.count,
                    last=ago(c.last_seen, now))  # fmt: skip
        if c.size > 1:
            line += " · " + text("id", "queue_size", size=c.size)
        block = f"{line}\n<i>{esc(shorten(c.example, EXAMPLE_CHARS))}</i>"
        image = next((images[i] for i in c.claim_ids if i in images), None)
        if image is not None:
            read = esc(shorten(image.read_text, EXAMPLE_CHARS))
            block += "\n" + text("id", "queue_image", read=read, claim=image.claim_id)
        blocks.append(block)
    return "\n\n".join(blocks)


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else str(part)


def statistics(st: ClaimStats, when: str) -> str:
    """/statistik: today and 7 days, a few short lines each, then the most asked claims and
    the statements served most."""
    out = [text("id", "stats_header", when=esc(when))]
    for key, period in (("stats_today", st.today), ("stats_week", st.week)):
        whole = period.submissions
        out.append("")
        out.append(text("id", key, asked=whole, distinct=period.distinct_claims))
        out.append(
            text("id", "stats_tiers", confident=_share(period.confident, whole),
                 possible=_share(period.possible, whole), none=_share(period.none, whole))
        )  # fmt: skip
        out.append(text("id", "stats_feedback", helpful=period.helpful, wrong=period.wrong,
                        set_aside=period.set_aside))  # fmt: skip
    out.append("")
    if st.week.helpful_ratio is not None:
        out.append(text("id", "stats_helpful", percent=f"{100 * st.week.helpful_ratio:.0f}"))
    out.append(text("id", "stats_open", count=st.open_claims))
    out.append("")
    out.append(text("id", "stats_top_claims"))
    for rank, tc in enumerate(st.top_claims, 1):
        status = text("id", f"claim_status_{tc.status}") if tc.status in _STATUSES else tc.status
        out.append(
            f"{rank}. {tc.asked}× · {esc(status)}\n<i>{esc(shorten(tc.text, TOP_CHARS))}</i>"
        )
    if not st.top_claims:
        out.append("-")
    out.append("")
    out.append(text("id", "stats_top_statements"))
    for rank, ss in enumerate(st.top_statements, 1):
        out.append(f"{rank}. {ss.served}× <code>{esc(ss.external_id)}</code>")
    if not st.top_statements:
        out.append("-")
    return "\n".join(out)


_STATUSES = ("open", "answered", "dismissed")
