"""What the replies read of the use cases' decisions, named here as Protocols so what the bot
says needs neither the use cases nor storage (bot/claims.py Decision, bot/core.py Answer
satisfy them)."""

from __future__ import annotations

from typing import Protocol

from bot.domain import Statement
from bot.matcher.match import Match, Tier


class Matched(Protocol):
    """What every answer to a claim reads of its outcome (bot/claims.py Decision, bot/core.py
    Answer), named here so what the bot says needs neither the use case nor storage."""

    @property
    def claim_id(self) -> int | None: ...
    @property
    def tier(self) -> Tier: ...
    @property
    def statements(self) -> tuple[Statement, ...]: ...


class Decided(Matched, Protocol):
    """A private chat's reply reads the whole decision: links, page, how sure."""

    @property
    def best_match(self) -> Match | None: ...
    @property
    def too_short(self) -> bool: ...
    @property
    def linked(self) -> Statement | None: ...
    @property
    def seen(self) -> bool: ...
    @property
    def fetch_failure(self) -> str | None: ...
    @property
    def small_talk(self) -> str | None: ...
