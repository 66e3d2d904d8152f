"""What a statement may say: the editable input, how it is cleaned and every rule it must pass.

Kept apart from storing statements because three callers check an input before anything is
stored (the import file parser, the moderators' /tambah drafts, ClaimReview imports), and all
of them must refuse exactly what `save_statement` would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

VERDICTS = frozenset(
    {"HOAKS", "SALAH", "MENYESATKAN", "KLARIFIKASI", "BENAR", "DISINFORMASI", "MISINFORMASI"}
)
DEFAULT_VERDICT = "KLARIFIKASI"

MAX_ID_LEN = 100
MAX_ORG_LEN = 100
MAX_CLAIM_LEN = 1000
MAX_VARIANT_LEN = 1000
MAX_CLARIFICATION_LEN = 3000
MAX_SOURCE_TITLE_LEN = 500
MAX_URL_LEN = 2000

_EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# C0 controls except tab/newline/carriage return: never legitimate in a statement and
# NUL in particular truncates text in some SQLite functions and Telegram clients.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone UTF-16 surrogate (from a JSON "\\ud800" escape or undecodable command-line bytes) is
# not text: SQLite, hashing and Telegram all refuse to encode it.
LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class InvalidStatement(ValueError):
    """Statement data failed validation; `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class StatementInput:
    """Editable content of a statement, as it comes from an import file or a moderator."""

    external_id: str
    org: str
    verdict: str
    claim: str
    clarification: str
    source_url: str | None = None
    source_title: str | None = None
    published_at: str | None = None
    valid_until: str | None = None
    variants: tuple[str, ...] = ()


def _strip_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def clean_variants(texts: Iterable[str]) -> tuple[str, ...]:
    """Strip, drop empty and de-duplicate variants, keeping their first-seen order."""
    seen: dict[str, None] = {}
    for text in texts:
        text = text.strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def clean_statement_input(data: StatementInput) -> StatementInput:
    """Normalise whitespace, empty optionals and verdict case.

    Import and save both go through this, so a value that round-trips through an
    export compares equal to what is stored and re-imports as 'unchanged'.
    """
    return StatementInput(
        external_id=data.external_id.strip(),
        org=data.org.strip(),
        verdict=(data.verdict or "").strip().upper() or DEFAULT_VERDICT,
        claim=data.claim.strip(),
        clarification=data.clarification.strip(),
        source_url=_strip_or_none(data.source_url),
        source_title=_strip_or_none(data.source_title),
        published_at=_strip_or_none(data.published_at),
        valid_until=_strip_or_none(data.valid_until),
        variants=clean_variants(data.variants),
    )


def text_errors(name: str, value: str | None, max_len: int) -> list[str]:
    """Problems with one text field (too long, unstorable characters); none for None."""
    if value is None:
        return []
    errors = []
    if len(value) > max_len:
        errors.append(f"field '{name}' is too long ({len(value)} characters, maximum {max_len})")
    if (problem := text_problem(value)) is not None:
        errors.append(f"field '{name}' contains {problem}")
    return errors


def text_problem(value: str) -> str | None:
    """What makes `value` unstorable as statement text (control characters, lone surrogates)."""
    if _CONTROL_RE.search(value):
        return "control characters (such as NUL)"
    if LONE_SURROGATE_RE.search(value):
        return "an invalid character (a lone surrogate)"
    return None


def _date_errors(name: str, value: str | None) -> list[str]:
    if value is None:
        return []
    if _ISO_DATE_RE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return []
        except ValueError:
            pass
    return [f"field '{name}' is not a valid date (expected YYYY-MM-DD): {value[:40]!r}"]


def is_http_url(value: str) -> bool:
    """True for absolute http(s) URLs with a host; anything else is not a usable source link."""
    if any(ch.isspace() for ch in value):
        return False
    try:  # urllib raises for a malformed IPv6 host ("https://[::1") or port
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def validate_external_id(external_id: str) -> list[str]:
    """Problems with an external id (shown in commands and URLs, so kept to a safe alphabet)."""
    if not external_id:
        return ["missing required field 'id'"]
    if len(external_id) > MAX_ID_LEN:
        return [f"field 'id' is too long ({len(external_id)} characters, maximum {MAX_ID_LEN})"]
    if not _EXTERNAL_ID_RE.fullmatch(external_id):
        return [
            f"field 'id' may only contain letters, digits, '.', '_', ':' and '-': "
            f"{external_id[:40]!r}"
        ]
    return []


def statement_input_errors(data: StatementInput) -> list[str]:
    """Every problem with an already-cleaned input, as messages without a location prefix."""
    errors = validate_external_id(data.external_id)
    for name, max_len in (
        ("org", MAX_ORG_LEN),
        ("claim", MAX_CLAIM_LEN),
        ("clarification", MAX_CLARIFICATION_LEN),
    ):
        value = getattr(data, name)
        if not value:
            errors.append(f"missing required field '{name}'")
        errors += text_errors(name, value, max_len)
    if data.verdict not in VERDICTS:
        errors.append(
            f"field 'verdict' must be one of {', '.join(sorted(VERDICTS))}: {data.verdict[:40]!r}"
        )
    errors += text_errors("source_title", data.source_title, MAX_SOURCE_TITLE_LEN)
    errors += text_errors("source_url", data.source_url, MAX_URL_LEN)
    if data.source_url is not None and not is_http_url(data.source_url):
        errors.append(f"field 'source_url' must be an http(s) URL: {data.source_url[:80]!r}")
    date_errors = _date_errors("published_at", data.published_at)
    date_errors += _date_errors("valid_until", data.valid_until)
    errors += date_errors
    if (
        not date_errors
        and data.published_at is not None
        and data.valid_until is not None
        and data.valid_until < data.published_at
    ):
        errors.append("field 'valid_until' is earlier than 'published_at'")
    for index, variant in enumerate(data.variants, start=1):
        errors += text_errors(f"variants[{index}]", variant, MAX_VARIANT_LEN)
    return errors
