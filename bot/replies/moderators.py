"""What moderators are shown, without Telegram: their buttons' data, their own input quoted
back (escaped, bounded), plain-text reports as <pre> within Telegram's limit, /cari's
scores, what /tambah URL read from a page, the /draf list, and the keyboards of /tambah
(verdicts, ✅/✖️) and of /antrean and /draf (➕/🗑)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.domain import SourceDraft, Statement
from bot.matcher.match import MatchResult
from bot.replies import callbacks
from bot.replies.callbacks import Arg
from bot.replies.render import (
    Button,
    Keyboard,
    Reply,
    esc,
    fit,
    format_date,
    statement_card,
    units,
    verdict_label,
)
from bot.replies.texts import shorten, text
from bot.sources.prefill import Prefill
from bot.sources.urls import host_of

ECHO_LIMIT = 300  # characters of a moderator's input quoted back in a reply
PRE_LIMIT = 3600  # a <pre> report is cut to stay under Telegram's 4096 with a hint below

# Moderators' buttons. The data already sent in chats ("q:a:c12", "sd:d:5", "v:HOAKS",
# "t:ok", "e:no") keeps its shape: these declarations decode it.
QUEUE_ADD = callbacks.declare("q:a", Arg.WORD)  # ➕ under /antrean: /tambah for a cluster
QUEUE_DISMISS = callbacks.declare("q:d", Arg.WORD)  # 🗑 under /antrean
DRAFT_ADD = callbacks.declare("sd:a", Arg.ID)  # ➕ under /draf: /tambah from a source draft
DRAFT_DISMISS = callbacks.declare("sd:d", Arg.ID)  # 🗑 under /draf
VERDICT = callbacks.declare("v", Arg.WORD)  # a verdict while /tambah asks for it
SAVE_NEW = callbacks.declare("t", Arg.WORD)  # t:ok / t:no under a /tambah preview
SAVE_EDIT = callbacks.declare("e", Arg.WORD)  # e:ok / e:no under an /ubah preview
KEEP = callbacks.declare("kp", Arg.WORD)  # kp:<field>: keep the pre-filled value asked now
OK, NO = "ok", "no"
VERDICT_BUTTONS = ("HOAKS", "SALAH", "MENYESATKAN", "KLARIFIKASI", "BENAR")


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A moderator's own input (an id, a value, an error naming it) quoted back: escaped
    and bounded, so the reply stays within Telegram's limit whatever was typed."""
    return html.escape(shorten(str(value), limit))


def echo_lines(lines: list[str]) -> str:
    return "\n".join(echo(line) for line in lines[:10])


def pre(body: str) -> str:
    """A plain-text report as a <pre> block, cut by lines to stay under Telegram's limit."""
    if units(body) > PRE_LIMIT:  # as Telegram counts: an emoji is 2 units
        while units(body) > PRE_LIMIT:
            body = body[: len(body) * PRE_LIMIT // units(body)]
        body = body.rsplit("\n", 1)[0] + "\n…"
    return f"<pre>{html.escape(body)}</pre>"


def search_report(result: MatchResult, statements: Sequence[Statement]) -> str:
    """/cari: the tier a citizen would get for the text, then each candidate with its scores."""
    lines = [text("id", "search_header", tier=text("id", f"tier_{result.tier.value}"))]
    if result.matches:
        lines.append(f"<i>{text('id', 'search_scores')}</i>")
    for m, s in zip(result.matches, statements, strict=True):
        lines.append(
            f"<code>{html.escape(s.external_id)}</code> {m.score:.0f} · {m.coverage:.2f} · "
            f"{m.fuzzy:.2f}\n{html.escape(shorten(s.claim, 80))}"
        )
    return "\n".join(lines)


def confirm_keyboard(kind: callbacks.Kind) -> Keyboard:
    """✅/✖️ under a preview, as buttons of kind `kind` (SAVE_NEW or SAVE_EDIT)."""
    save = Button(text("id", "btn_save"), callback=callbacks.encode(kind, OK))
    cancel = Button(text("id", "btn_cancel"), callback=callbacks.encode(kind, NO))
    return ((save, cancel),)


def preview(statement: Statement, header: str, confirm: callbacks.Kind) -> tuple[Reply, ...]:
    """A change before it is saved, as one message: the header, the card as citizens will
    see it (its buttons too), then ✅/✖️ (buttons of kind `confirm`) under it. The header is
    inside the card's budget, so the message stays within Telegram's 4,096 units."""
    card = statement_card(statement, "id", headers=[header])
    return (Reply(card.text, (*card.keyboard, *confirm_keyboard(confirm))),)


def confirmed(found: callbacks.Pressed | None) -> bool:
    """✅ was pressed (anything else under a preview cancels it)."""
    return found is not None and found.word(0) == OK


def verdict_keyboard() -> Keyboard:
    """The verdicts, one button each, while /tambah asks for one."""
    return (tuple(Button(v, callback=callbacks.encode(VERDICT, v)) for v in VERDICT_BUTTONS),)


def keep_keyboard(name: str, above: Keyboard = ()) -> Keyboard:
    """Under a pre-filled field's question: the buttons `above` (the verdicts), then "keep
    this value" for field `name` (a press for another field is refused)."""
    return (*above, (Button(text("id", "btn_keep"), callback=callbacks.encode(KEEP, name)),))


def prefilled_value(name: str, value: object) -> str:
    """A pre-filled value as the moderator is shown it before keeping or replacing it."""
    if name == "verdict":
        return verdict_label(str(value), "id")
    if name == "published_at":
        return format_date(str(value), "id")
    if name == "variants" and isinstance(value, (tuple, list)):
        return esc(fit("; ".join(value), 1000)) if value else "-"
    return esc(fit(str(value), 1500))


def add_dismiss_row(
    add: callbacks.Kind, dismiss: callbacks.Kind, value: int | str, label: str
) -> tuple[Button, ...]:
    """➕ (start /tambah from it) and 🗑 (set it aside) for one queue cluster or draft."""
    return (
        Button(f"➕ {label}", callback=callbacks.encode(add, value)),
        Button(f"🗑 {label}", callback=callbacks.encode(dismiss, value)),
    )


# ------------------------------------------------------------------------------ sources

EXCERPT_CHARS = 2000  # escaped characters of main text shown


def prefill_summary(found: Prefill) -> str:
    """What /tambah URL read from the page: title, date, body, and a main-text excerpt."""
    page, unknown = found.page, text("id", "unknown_value")
    host = html.escape(found.host or "?")
    official = (
        text("id", "prefill_official")
        if found.official
        else text("id", "prefill_unofficial", host=host)
    )
    return text(
        "id",
        "prefill_summary",
        host=host,
        title=esc(fit(page.title, 400)) if page.title else unknown,
        date=format_date(page.published_at, "id") if page.published_at else unknown,
        org=esc(fit(found.draft["org"], 200)) if found.draft.get("org") else unknown,
        official=official,
        excerpt=esc(fit(page.main_text, EXCERPT_CHARS)) if page.main_text else unknown,
    )


def drafts_list(found: list[SourceDraft], total: int) -> str:
    """/draf: one line per waiting draft (id, date, title, site), then the button hint."""
    lines = [text("id", "drafts_header", count=total)]
    for draft in found:
        title = draft.title or draft.fields.get("claim") or draft.url or "-"
        site = host_of(draft.url) if draft.url else None
        lines.append(  # at most ~260 characters a line, so ten lines stay far below 4,096
            f"<b>d{draft.id}</b> · {esc(fit(draft.published_at or '-', 10))} · "
            f"{esc(fit(title, 150))}"
            + (f" ({esc(fit(site, 60))})" if site else "")
            + f" · {draft.origin}"
        )
    lines.append(text("id", "drafts_hint"))
    return "\n".join(lines)
