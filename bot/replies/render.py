"""The card composer: everything the citizen sees, as HTML text plus keyboard (a Reply);
nothing here sends and nothing here knows Telegram's classes.

Rules enforced in one place: every value from the base or a user is HTML-escaped; a
message never exceeds Telegram's 4,096 UTF-16 units, headers included (long clarifications
are cut on a word boundary before escaping, so no entity is split); callback data stays
within 64 bytes (through the codec, callbacks.py).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from bot.domain import SourceDraft, Statement
from bot.matcher.match import Match
from bot.plaintext import shorten
from bot.replies import callbacks
from bot.replies.callbacks import Arg
from bot.replies.links import share_button, source_button
from bot.replies.reply import Button, Keyboard, Reply
from bot.replies.texts import MONTHS, text
from bot.sources.prefill import Prefill
from bot.sources.urls import host_of

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = callbacks.MAX_BYTES
MAX_BUTTON_LABEL = 60
MAX_CLAIM_IN_CARD = 600


# Callback data, through the one codec (bot/replies/callbacks.py): short prefixes and
# integer ids only, in the formats already sent in chats.
PICK = callbacks.declare("p", Arg.ID, Arg.ID)  # p:<claim_id>:<statement rowid>  show its card
NONE_OF_THESE = callbacks.declare("x", Arg.ID)  # x:<claim_id>               none of the candidates
HELPFUL = callbacks.declare("h", Arg.ID, Arg.ID)  # h:<claim_id>:<statement rowid>
WRONG = callbacks.declare("w", Arg.ID, Arg.ID)  # w:<claim_id>:<statement rowid>
NOTIFY = callbacks.declare("n", Arg.ID)  # n:<claim_id>                  "Kabari saya"
LANGUAGE = callbacks.declare("l", Arg.WORD)  # l:id | l:en
LANGUAGES = ("id", "en")


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def units(value: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is usually 2).

    Measured on the HTML source, this bounds the visible text from above (tags and
    escapes only add), so a message that fits by this measure fits in Telegram.
    """
    return len(value.encode("utf-16-le")) // 2


def fit(value: str, limit: int) -> str:
    """The longest word-boundary cut of `value` whose escaped form fits in `limit` units."""
    low, high = 0, len(value)
    while low < high:  # binary search: escaping makes the length non-linear
        mid = (low + high + 1) // 2
        if units(esc(shorten(value, mid))) <= limit:
            low = mid
        else:
            high = mid - 1
    return shorten(value, low) if low else ""


def format_date(iso: str | None, language: str) -> str:
    if not iso:
        return text(language, "no_date")
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return esc(iso)
    return f"{d.day} {MONTHS.get(language, MONTHS['id'])[d.month - 1]} {d.year}"


def verdict_label(verdict: str, language: str) -> str:
    key = f"verdict_{verdict}"
    try:
        return text(language, key)
    except KeyError:
        return esc(verdict)


def statement_card(
    statement: Statement,
    language: str,
    *,
    match: Match | None = None,
    claim_id: int | None = None,
    headers: Sequence[str] = (),
) -> Reply:
    """The full card for one statement: verdict, claim, official position, body, date, source.

    The one card composer: `headers` (short HTML lines from the catalogue above the card:
    "this link is the source of...", a page that could not be read, "Kabari saya" answered)
    are inside its budget, so the card with every header stays within Telegram's 4,096
    units; the clarification is what gets cut, on a word boundary, never a tag or an entity.
    """
    before, after = _card_frame(statement, language, match, headers)
    budget = MAX_MESSAGE - units(before + after) - 16
    body = statement.clarification
    if units(esc(body)) > budget:
        suffix = " " + text(language, "card_truncated")
        body = fit(body, budget - units(esc(suffix))) + suffix
    return Reply(before + esc(body) + after, card_keyboard(statement, language, claim_id))


def _card_frame(
    statement: Statement, language: str, match: Match | None, headers: Sequence[str]
) -> tuple[str, str]:
    """The card before and after the place of the (escaped, fitted) clarification."""
    head = list(headers)
    head.append(f"<b>{verdict_label(statement.verdict, language)}</b>")
    head.append(
        f"<b>{esc(text(language, 'card_claim'))}:</b> "
        f"<i>{esc(shorten(statement.claim, MAX_CLAIM_IN_CARD))}</i>"
    )
    if (validity := validity_note(statement, language)) is not None:
        head.append(validity)
    if match is not None and match.polarity_differs:
        head.append(text(language, "card_polarity"))
    official = f"<b>{esc(text(language, 'card_official', org=statement.org))}:</b>"
    source_bits = [esc(statement.org), format_date(statement.published_at, language)]
    if statement.source_title:
        source_bits.append(esc(shorten(statement.source_title, 300)))
    source = f"<b>{esc(text(language, 'card_source'))}:</b> " + " · ".join(source_bits)
    if statement.source_url:
        source += (
            f'\n<a href="{html.escape(statement.source_url, quote=True)}">'
            f"{esc(shorten(statement.source_url, 80))}</a>"
        )
    return "\n\n".join([*head, official]) + "\n", "\n\n" + source


def with_headers(reply: Reply, headers: Sequence[str]) -> Reply:
    """Short replies (candidates, "none", hints) with HTML header lines above them, within
    the message limit (a header that would not fit is left out). Cards: `statement_card`."""
    body = reply.text
    for header in reversed(headers):
        if units(header) + 2 + units(body) <= MAX_MESSAGE:
            body = header + "\n\n" + body
    return Reply(body, reply.keyboard)


def validity_note(statement: Statement, language: str) -> str | None:
    """A warning for a statement that is no longer current, so it is never shown as one."""
    if statement.is_current():
        return None
    if statement.superseded_by:
        return text(language, "card_superseded", new=esc(statement.superseded_by))
    return text(language, "card_retired")


def card_keyboard(statement: Statement, language: str, claim_id: int | None) -> Keyboard:
    rows: list[tuple[Button, ...]] = []
    if (source := source_button(statement, language)) is not None:
        rows.append((source,))
    if statement.is_current():  # drop the official answer into the group where the hoax is
        rows.append((share_button(statement, language),))
    if claim_id is not None:
        rows.append(
            (
                Button(
                    text(language, "btn_helpful"),
                    callback=callbacks.encode(HELPFUL, claim_id, statement.id),
                ),
                Button(
                    text(language, "btn_wrong"),
                    callback=callbacks.encode(WRONG, claim_id, statement.id),
                ),
            )
        )
    return tuple(rows)


def possible_reply(statements: list[Statement], language: str, claim_id: int) -> Reply:
    """Up to three candidates as buttons, plus "Bukan ini"."""
    options = "\n".join(
        f"{n}. {esc(shorten(s.claim, 200))} "
        f"<i>({esc(s.org)}, {format_date(s.published_at, language)})</i>"
        for n, s in enumerate(statements[:3], 1)
    )
    picks = tuple(
        (
            Button(
                f"{n}. {shorten(s.claim, MAX_BUTTON_LABEL)}",
                callback=callbacks.encode(PICK, claim_id, s.id),
            ),
        )
        for n, s in enumerate(statements[:3], 1)
    )
    none = Button(
        text(language, "btn_none_of_these"), callback=callbacks.encode(NONE_OF_THESE, claim_id)
    )
    return Reply(text(language, "possible", options=options), (*picks, (none,)))


def none_reply(language: str, claim_id: int) -> Reply:
    notify = Button(text(language, "btn_notify"), callback=callbacks.encode(NOTIFY, claim_id))
    return Reply(text(language, "none"), ((notify,),))


def language_keyboard() -> Keyboard:
    return (
        (
            Button("🇮🇩 Bahasa Indonesia", callback=callbacks.encode(LANGUAGE, "id")),
            Button("🇬🇧 English", callback=callbacks.encode(LANGUAGE, "en")),
        ),
    )


def plain(language: str, key: str, **values: object) -> Reply:
    return Reply(text(language, key, **values))


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
