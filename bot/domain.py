"""The value types the layers above storage name: a statement, a source draft, a group's
settings (and its sensitivities), a file sent without text (Media), and the lone-surrogate
rule every stored text obeys.

Storage returns its rows as these dataclasses; the Telegram adapters and renderers take
them from here (or from bot.citizens / bot.curation), so bot/telegram imports no storage
module (tests/test_layers.py checks it). Re-exports only: nothing here has behaviour.
"""

from __future__ import annotations

from storage import GroupSettings, Statement
from storage.claim_images import ClaimImage
from storage.claim_media import Media
from storage.claim_stats import ClaimStats
from storage.db import parse_utc
from storage.groups import SENSITIVITIES, SENSITIVITY_NORMAL, SENSITIVITY_STRICT
from storage.sources import SourceDraft
from storage.statement_input import LONE_SURROGATE_RE

__all__ = [
    "LONE_SURROGATE_RE",
    "SENSITIVITIES",
    "SENSITIVITY_NORMAL",
    "SENSITIVITY_STRICT",
    "ClaimImage",
    "ClaimStats",
    "GroupSettings",
    "Media",
    "SourceDraft",
    "Statement",
    "parse_utc",
]
