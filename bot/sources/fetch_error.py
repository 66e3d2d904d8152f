"""Why a fetch gave no usable document: `FetchError` and its reason codes.

Its own module because both the fetcher and the body decoder raise it (and the sandboxed
parsers pass it on), and each reason has a polite message in texts.py (`fetch_<reason>`).
"""

from __future__ import annotations

#: Reason codes of FetchError, each with a message in texts.py (`fetch_<reason>`).
REASONS = (
    "bad_url", "scheme", "dns", "blocked_address", "too_many_redirects", "timeout",
    "too_large", "content_type", "http_status", "network", "encoding", "unreadable",
)  # fmt: skip


class FetchError(Exception):
    """A fetch that did not give a usable document; `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
