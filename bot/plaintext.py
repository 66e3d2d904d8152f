"""Plain-text helpers shared by the bot's cards and the CLI's reports (no Telegram here)."""

from __future__ import annotations


def shorten(value: str, limit: int) -> str:
    """Whitespace collapsed, then cut at a word boundary with an ellipsis to `limit`
    characters; for plain text, before it is escaped (so no HTML entity is split)."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"
