"""Moderators' statement drafts: parse and check each field, with Indonesian messages.

Plain Python, shared by the guided /tambah conversation, its one-message form and /ubah.
Storage validates again on save; this layer exists to tell a moderator, in their language,
what to fix at the step where they typed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from bot.clusters import Cluster
from bot.replies.texts import shorten
from bot.sources.urls import host_of, official_body
from storage import VERDICTS, Statement, StatementInput
from storage.sources import SourceDraft
from storage.statement_input import (
    LONE_SURROGATE_RE,
    MAX_CLAIM_LEN,
    MAX_CLARIFICATION_LEN,
    MAX_ORG_LEN,
    MAX_URL_LEN,
    clean_statement_input,
    statement_input_errors,
)
from storage.statement_input import is_http_url as is_http_url  # re-exported: /tambah pre-fill

#: The guided conversation asks for these, in this order.
FIELDS = ("org", "verdict", "claim", "clarification", "source_url", "published_at", "variants")
#: What /ubah may change.
EDITABLE = (*FIELDS, "source_title", "valid_until")
#: What moderators type and read for each field (they work in Indonesian): one word each, so
#: `/ubah ID kolom nilai` and `kolom nilai` at the preview take it.
FIELD_KEYS = {
    "org": "lembaga", "verdict": "label", "claim": "klaim", "clarification": "penjelasan",
    "source_url": "sumber", "published_at": "tanggal", "variants": "variasi",
    "source_title": "judul", "valid_until": "berlaku",
}  # fmt: skip
#: How a field is named in a sentence ("tanggal terbit: Tanggal tidak dikenali").
FIELD_LABELS = {
    **FIELD_KEYS, "source_url": "tautan sumber", "published_at": "tanggal terbit",
    "source_title": "judul sumber", "valid_until": "berlaku sampai",
}  # fmt: skip
#: Other names accepted for a field: the English ones (kept for compatibility), synonyms.
_ALIASES = {
    "klarifikasi": "clarification", "tautan": "source_url", "tautan_sumber": "source_url",
    "url": "source_url", "tanggal_terbit": "published_at", "varian": "variants",
    "judul_sumber": "source_title", "berlaku_sampai": "valid_until",
}  # fmt: skip
MAX_VARIANT = 500
MAX_TITLE = 300
# C0 controls but tab and line breaks (a clarification keeps its paragraphs): storage refuses
# them, so they are refused here, at the step where they were typed
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("januari", "jan", "january"),
            ("februari", "feb", "pebruari", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nopember"),
            ("desember", "des", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class DraftError(ValueError):
    """A field a moderator must fix; the message is Indonesian and safe to show."""


def parse_field(name: str, raw: str, *, today: date | None = None) -> object:
    """The stored value for one field typed by a moderator, or DraftError."""
    if LONE_SURROGATE_RE.search(raw):
        raise DraftError(
            "Teks berisi karakter rusak (bukan Unicode yang sah); ketik ulang tanpa karakter "
            "itu. (The text contains a broken character; type it again without it.)"
        )
    if _CONTROL.search(raw):
        raise DraftError(
            "Teks berisi karakter kontrol (misalnya NUL) yang tidak bisa disimpan; hapus lalu "
            "kirim lagi. (The text contains control characters such as NUL; remove them.)"
        )
    value = " ".join(raw.split()) if name != "clarification" else raw.strip()
    if name == "org":
        if not value:
            raise DraftError("Nama lembaga tidak boleh kosong (contoh: KPU, Bawaslu).")
        if len(value) > MAX_ORG_LEN:
            raise DraftError(f"Nama lembaga terlalu panjang (maks. {MAX_ORG_LEN} karakter).")
        return value
    if name == "verdict":
        verdict = value.upper()
        if verdict not in VERDICTS:
            choices = ", ".join(sorted(VERDICTS))
            raise DraftError(f"Label tidak dikenal. Pilih salah satu: {choices}")
        return verdict
    if name == "claim":
        if not value:
            raise DraftError("Klaim tidak boleh kosong: tulis klaim seperti yang beredar.")
        if len(value) > MAX_CLAIM_LEN:
            raise DraftError(f"Klaim terlalu panjang (maks. {MAX_CLAIM_LEN} karakter).")
        return value
    if name == "clarification":
        if not value:
            raise DraftError("Klarifikasi tidak boleh kosong: tulis posisi resmi lembaga.")
        if len(value) > MAX_CLARIFICATION_LEN:
            raise DraftError(
                f"Klarifikasi terlalu panjang untuk satu kartu ({len(value)} karakter, "
                f"maks. {MAX_CLARIFICATION_LEN}). Ringkas, dan biarkan detailnya di sumber."
            )
        return value
    if name == "source_url":
        if not is_https_url(value):
            raise DraftError(
                "Sumber harus tautan https yang lengkap, misalnya https://www.kpu.go.id/... "
                "(The source must be a complete https link.)"
            )
        if len(value) > MAX_URL_LEN:
            raise DraftError(f"Tautan sumber terlalu panjang (maks. {MAX_URL_LEN} karakter).")
        return value
    if name == "source_title":
        if len(value) > MAX_TITLE:
            raise DraftError(f"Judul sumber terlalu panjang (maks. {MAX_TITLE} karakter).")
        return value or None
    if name in ("published_at", "valid_until"):
        if name == "valid_until" and value in ("", "-"):
            return None
        parsed = parse_date(value)
        if parsed is None:
            raise DraftError(
                "Tanggal tidak dikenali. Tulis misalnya 2024-02-14, 14/02/2024, "
                "atau 14 Februari 2024."
            )
        if name == "published_at" and parsed > (today or date.today()):
            raise DraftError("Tanggal terbit tidak boleh di masa depan.")
        return parsed.isoformat()
    if name == "variants":
        if value in ("", "-"):
            return ()
        variants = tuple(v.strip() for v in re.split(r"[;\n]", raw) if v.strip())
        if any(len(v) > MAX_VARIANT for v in variants):
            raise DraftError(f"Setiap variasi maks. {MAX_VARIANT} karakter.")
        return variants
    raise DraftError(f"Kolom tidak dikenal: {name}. Pilihan: {field_choices()}")


def field_named(typed: str) -> str:
    """The field a moderator named (Indonesian, an alias or the English name), or
    DraftError listing the names to use."""
    key = typed.strip().lower().rstrip(":")
    for name, indonesian in FIELD_KEYS.items():
        if key in (name, indonesian):
            return name
    if key in _ALIASES:
        return _ALIASES[key]
    raise DraftError(f"Kolom tidak dikenal: {typed}. Pilihan: {field_choices()}")


def field_choices() -> str:
    """The names moderators type, in the order of the guided questions."""
    return ", ".join(FIELD_KEYS[name] for name in EDITABLE)


def field_label(name: str) -> str:
    """A field's Indonesian name in a sentence."""
    return FIELD_LABELS.get(name, name)


def is_https_url(value: str) -> bool:
    """A complete https link: a host, a valid port, no spaces. urllib raises ValueError for
    some malformed ones ("https://[::1", a port past 65535): those are simply not links."""
    if not value or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return False
    return parts.scheme == "https" and bool(host)


def parse_date(value: str) -> date | None:
    value = value.strip().lower()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s+([a-z]+)\s+(\d{4})", value)
        if not m or m.group(2) not in _MONTHS:
            return None
        day, month, year = int(m.group(1)), _MONTHS[m.group(2)], int(m.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_one_message(text: str, *, today: date | None = None) -> tuple[dict, list[str]]:
    """`lembaga | label | klaim | klarifikasi | https://sumber | tanggal [| varian; varian]`."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 6 or len(parts) > 7:
        return {}, [
            "Format satu pesan: /tambah lembaga | label | klaim | klarifikasi | "
            "https://sumber | tanggal | varian1; varian2 (varian boleh dikosongkan)"
        ]
    draft: dict = {}
    errors: list[str] = []
    for name, raw in zip(FIELDS, parts, strict=False):
        try:
            draft[name] = parse_field(name, raw, today=today)
        except DraftError as exc:
            errors.append(f"{field_label(name)}: {exc}")
    draft.setdefault("variants", ())
    return draft, errors


def problems(data: StatementInput) -> list[str]:
    """What storage would refuse on save (fields checked together, e.g. valid_until before
    published_at), said before the preview rather than after ✅."""
    return [_in_indonesian(e) for e in statement_input_errors(clean_statement_input(data))]


def _in_indonesian(error: str) -> str:
    """Storage's reason, as a moderator reads it: the field names in Indonesian."""
    if "'valid_until' is earlier than" in error:
        return "Tanggal berlaku sampai lebih awal dari tanggal terbit."
    return re.sub(r"'(\w+)'", lambda m: f"'{field_label(m.group(1))}'", error)


def to_input(draft: Mapping[str, Any], external_id: str) -> StatementInput:
    return StatementInput(
        external_id=external_id,
        org=draft["org"],
        verdict=draft["verdict"],
        claim=draft["claim"],
        clarification=draft["clarification"],
        source_url=draft.get("source_url"),
        source_title=draft.get("source_title"),
        published_at=draft.get("published_at"),
        valid_until=draft.get("valid_until"),
        variants=tuple(draft.get("variants", ())),
    )


def as_input(statement: Statement) -> StatementInput:
    return StatementInput(
        external_id=statement.external_id,
        org=statement.org,
        verdict=statement.verdict,
        claim=statement.claim,
        clarification=statement.clarification,
        source_url=statement.source_url,
        source_title=statement.source_title,
        published_at=statement.published_at,
        valid_until=statement.valid_until,
        variants=statement.variants,
    )


def as_statement(data: StatementInput) -> Statement:
    """An unsaved statement, to render exactly as citizens will see it."""
    return Statement(
        id=0, external_id=data.external_id, org=data.org, verdict=data.verdict, claim=data.claim,
        clarification=data.clarification, source_url=data.source_url,
        source_title=data.source_title, published_at=data.published_at,
        valid_until=data.valid_until, superseded_by=None, status="active", created_by=None,
        created_at="", updated_at="", variants=data.variants,
    )  # fmt: skip


def edited(statement: Statement, field: str, value: object) -> StatementInput:
    """The statement with one field changed, ready to save."""
    changes: dict[str, Any] = {field: value}
    return replace(as_input(statement), **changes)


# ------------------------------------------------------------------------------ /tambah drafts


#: The draft's list of pre-filled fields (from a page, a queue cluster, a source draft) the
#: moderator has not yet kept or replaced: each is shown and asked in its turn.
PENDING = "pending"


def next_field(draft: Mapping[str, Any]) -> str | None:
    """The field the guided /tambah asks for next (missing, or pre-filled and not yet
    confirmed); None when every field is in."""
    pending = draft.get(PENDING, ())
    return next((name for name in FIELDS if name not in draft or name in pending), None)


def prefilled(draft: dict[str, Any], fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The draft with its pre-filled `fields` (by default all it has) to be confirmed one by
    one in the guided order."""
    names = set(FIELDS if fields is None else fields) & draft.keys()
    pending = [*draft.get(PENDING, ()), *(n for n in FIELDS if n in names)]
    draft[PENDING] = list(dict.fromkeys(pending))
    return draft


def confirmed(draft: dict[str, Any], name: str) -> None:
    """Field `name` kept or typed by the moderator: no longer pending."""
    draft[PENDING] = [n for n in draft.get(PENDING, ()) if n != name]


def looks_like_url(value: str) -> bool:
    """A typed value that is one URL (`/tambah URL`, or a URL as the first answer): the draft
    is then pre-filled from that page."""
    value = value.strip()
    return bool(value) and not any(ch.isspace() for ch in value) and "://" in value


def sanitized(draft: Mapping[str, Any]) -> dict[str, Any]:
    """Pre-filled values pass the same checks as typed ones; a value that fails is dropped
    (and so asked for). A fetched http source is kept: it is the page that was read."""
    clean: dict[str, Any] = {}
    for name, value in draft.items():
        if name == "source_url" and (not isinstance(value, str) or not is_http_url(value)):
            continue  # e.g. "https://[::1" from a ClaimReview queued before it was checked
        if name not in EDITABLE or name == "source_url":
            clean[name] = value
            continue
        try:
            clean[name] = parse_field(name, str(value))
        except DraftError:
            continue
        if clean[name] is None:
            del clean[name]
    return clean


def from_cluster(cluster: Cluster) -> dict[str, Any]:
    """A draft for an unanswered cluster (➕ under /antrean): its example as the claim, shown
    and confirmed when the claim is asked."""
    return prefilled({"claim": shorten(cluster.example, 1000), "cluster": cluster.key})


def from_source_draft(found: SourceDraft, page: Mapping[str, Any]) -> dict[str, Any]:
    """A draft from a feed item or an imported ClaimReview (➕ under /draf), over what its
    `page` pre-filled: a ClaimReview states the claim, verdict and clarification, the page
    the rest; the item's own title, summary, date and body fill what is still missing."""
    draft = dict(page)
    draft.update(sanitized({k: v for k, v in found.fields.items() if k != "org"}))
    known = {
        "source_title": found.title, "clarification": found.summary,
        "published_at": found.published_at, "org": found.fields.get("org"),
    }  # fmt: skip
    for name, value in sanitized({k: v for k, v in known.items() if v}).items():
        draft.setdefault(name, value)
    draft["source_draft"] = found.id
    return prefilled(draft)


def unofficial_host(draft: Mapping[str, Any], official_domains: Mapping[str, str]) -> str | None:
    """The source's host when the draft cites a page off the official domains (the preview
    warns about it), else None."""
    source = draft.get("source_url")
    if not source or official_body(source, official_domains) is not None:
        return None
    return host_of(source) or source
