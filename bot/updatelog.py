"""One INFO line per handled update: what kind it was, how long it took, what it answered.

    update 10042 message/private 3.1 ms wait=0.0 match_ms=1.2 store_ms=0.4 tier=possible
        statements=tbh-1a2b,tbh-3c4d claim=311

The update processor (bot/botapi/concurrency.py) opens a trace before the handlers run and
writes the line after, naming the update's kind; handlers add what only they know with
`note()` / `note_answer()`. Nothing here knows Telegram. The line holds ids, tiers and
timings, never the claim text (that is logged only at DEBUG, by the handlers) and never the
token (bot/redact.py scrubs every record anyway).
Cheap at hundreds of updates a second: one perf_counter pair, a small dict, and one
lazily formatted record, skipped entirely when INFO is off.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Answer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Trace:
    started: float
    token: Token[Trace | None] | None = None
    wait_ms: float = 0.0  # behind an earlier update of the same chat or user
    fields: dict[str, object] = field(default_factory=dict)

    def waited(self) -> None:
        self.wait_ms = (perf_counter() - self.started) * 1000


_CURRENT: ContextVar[Trace | None] = ContextVar("cekklaim_update_trace", default=None)


def begin() -> Trace:
    """Start timing the update about to be handled in this task."""
    trace = Trace(perf_counter())
    trace.token = _CURRENT.set(trace)
    return trace


def note(**fields: object) -> None:
    """Add fields to the current update's line (ids, tiers, timings: never user text)."""
    trace = _CURRENT.get()
    if trace is not None:
        trace.fields.update(fields)


def note_answer(answer: Answer) -> None:
    """What a claim was answered with, and where its time went."""
    note(
        match_ms=round(answer.match_ms, 1),
        store_ms=round(answer.store_ms, 1),
        tier=answer.tier.value,
        statements=",".join(s.external_id for s in answer.statements[:3]) or "-",
        claim=answer.claim_id,
    )


def end(update_id: object, kind: str, chat: str, trace: Trace) -> None:
    """Write the update's line (its id, its kind, the kind of chat) and close its trace."""
    if trace.token is not None:
        _CURRENT.reset(trace.token)
    if not log.isEnabledFor(logging.INFO):
        return
    total_ms = (perf_counter() - trace.started) * 1000
    extra = " ".join(f"{k}={v}" for k, v in trace.fields.items())
    log.info(
        "update %s %s/%s %.1f ms wait=%.1f %s",
        update_id, kind, chat, total_ms, trace.wait_ms, extra,
    )  # fmt: skip
