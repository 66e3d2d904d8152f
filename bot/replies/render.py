"""The card composer: everything the citizen sees, as a value (a Reply: HTML text and a
keyboard of neutral Buttons), with the bot's deep links and "Bagikan"; nothing here sends
and nothing here knows Telegram's classes (bot/telegram/keyboards.py is the one place that
turns a keyboard into Telegram's, at send time).

Rules enforced in one place: every value from the base or a user is HTML-escaped; a
message never exceeds Telegram's 4,096 UTF-16 units, headers included (long clarifications
are cut on a word boundary before escaping, so no entity is split); callback data stays
within 64 bytes (through the codec, callbacks.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from bot.domain import Statement
from bot.matcher.match import Match, Tier
from bot.replies import callbacks
from bot.replies.callbacks import Arg
from bot.replies.decisions import Decided
from bot.replies.texts import MONTHS, first_sentence, shorten, text
from bot.site.paths import page_url

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = callbacks.MAX_BYTES
MAX_BUTTON_LABEL = 60
MAX_CLAIM_IN_CARD = 600
WHATSAPP = "https://wa.me/?text="
MAX_BUTTON_URL = 2048  # kept within what browsers and Telegram's clients take as a link
MAX_SHARED_LINK = 300  # a longer source link is left out of the WhatsApp text


# ------------------------------------------------------------------------------ a reply as a value


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: its label and exactly one action. `callback` is data from the
    codec (bot/replies/callbacks.py), `url` opens a link, `switch_inline` lets the user pick a
    chat and starts an inline query there with that text."""

    label: str
    callback: str | None = None
    url: str | None = None
    switch_inline: str | None = None

    def __post_init__(self) -> None:
        actions = (self.callback, self.url, self.switch_inline)
        if sum(action is not None for action in actions) != 1:
            raise ValueError(f"button {self.label!r} needs exactly one action")


#: Rows of buttons, top to bottom; () is no keyboard at all.
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    keyboard: Keyboard = ()


# ------------------------------------------------------------------------------ links into the bot

STATEMENT_PAYLOAD = "s"  # /start s<external id> (handlers.start)
SHARE_PREFIX = "s:"  # inline query "s:<external id>" returns exactly that statement's card
# Telegram accepts start parameters of up to 64 characters from A-Z a-z 0-9 _ -
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def deep_link(bot_username: str, external_id: str | None = None) -> str:
    """t.me link opening the bot, on a statement when its id fits in a start parameter
    (ids with "." or ":" or longer than 63 characters open the bot's welcome instead)."""
    base = f"https://t.me/{bot_username}"
    if external_id is None:
        return base
    payload = STATEMENT_PAYLOAD + external_id
    return f"{base}?start={payload}" if _START_PARAMETER.fullmatch(payload) else base


def full_statement_button(bot_username: str, statement: Statement, language: str) -> Button:
    """Opens the statement's full card in a private chat with the bot."""
    return Button(text(language, "btn_full"), url=deep_link(bot_username, statement.external_id))


def source_button(statement: Statement, language: str) -> Button | None:
    if not statement.source_url:
        return None
    return Button(text(language, "btn_source"), url=statement.source_url)


def page_button(statement: Statement, language: str, base_url: str | None) -> Button | None:
    """The statement's public page (bot/site), when PUBLIC_BASE_URL says where pages are."""
    if not base_url:
        return None
    return Button(text(language, "btn_page"), url=page_url(base_url, statement))


def share_query(statement: Statement) -> str:
    return SHARE_PREFIX + statement.external_id


def share_button(statement: Statement, language: str) -> Button:
    """ "Bagikan": pick a chat, and the statement's short card is posted there via inline mode."""
    return Button(text(language, "btn_share"), switch_inline=share_query(statement))


def share_text(
    statement: Statement,
    language: str,
    claim_chars: int = 150,
    sentence_chars: int = 280,
    page: str | None = None,
) -> str:
    """What "Kirim ke WhatsApp" fills in (plain text, a few lines): the verdict and the claim,
    one sentence of the official answer, who said it when, and the link: the statement's
    public `page` when there is one (its preview shows the verdict; it cites the source),
    else the official source."""
    lines = [
        f"{verdict_label(statement.verdict, language)}: {shorten(statement.claim, claim_chars)}",
        text(language, "share_official", org=statement.org)
        + " "
        + first_sentence(statement.clarification, sentence_chars),
        f"({shorten(statement.org, 60)}, {format_date(statement.published_at, language)})",
    ]
    if page is not None:
        lines.append(page)
    elif statement.source_url and len(statement.source_url) <= MAX_SHARED_LINK:
        lines.append(statement.source_url)
    return "\n".join(lines)


def whatsapp_button(statement: Statement, language: str, base_url: str | None = None) -> Button:
    """Opens WhatsApp (or its web page) with `share_text` ready to send to a chat there; the
    texts are cut shorter while the link is too long for a button (emoji take 12 characters
    each in a link); at worst it carries the verdict and the link alone. With `base_url`
    (PUBLIC_BASE_URL) the link is the statement's public page, else its source."""
    page = page_url(base_url, statement) if base_url else None
    for claim_chars, sentence_chars in ((150, 280), (80, 100), (40, 40)):
        body = share_text(statement, language, claim_chars, sentence_chars, page)
        if len(url := WHATSAPP + quote(body, safe="")) <= MAX_BUTTON_URL:
            return Button(text(language, "btn_whatsapp"), url=url)
    source = statement.source_url if len(statement.source_url or "") <= MAX_SHARED_LINK else ""
    body = f"{verdict_label(statement.verdict, language)}\n{page or source or ''}"
    return Button(text(language, "btn_whatsapp"), url=WHATSAPP + quote(body, safe=""))


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
    base_url: str | None = None,
) -> Reply:
    """The full card for one statement: verdict, claim, official position, body, date, source;
    with `base_url` (PUBLIC_BASE_URL) a button to its public page, which WhatsApp shares.

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
    keyboard = card_keyboard(statement, language, claim_id, base_url)
    return Reply(before + esc(body) + after, keyboard)


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


def card_keyboard(
    statement: Statement, language: str, claim_id: int | None, base_url: str | None = None
) -> Keyboard:
    rows: list[tuple[Button, ...]] = []
    links = (source_button(statement, language), page_button(statement, language, base_url))
    if any(links):
        rows.append(tuple(link for link in links if link is not None))
    if statement.is_current():  # drop the official answer into the group where the hoax is
        whatsapp = whatsapp_button(statement, language, base_url)
        rows.append((share_button(statement, language), whatsapp))
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
    """Up to three candidates, each with its verdict in front (a line screenshotted out of
    context still says the claim is a hoax), as buttons; then "Tidak ada yang cocok" and
    "Kabari saya" (no sure answer was given)."""
    options = "\n".join(
        f"{n}. <b>{verdict_label(s.verdict, language)}</b> · {esc(shorten(s.claim, 200))} "
        f"<i>({esc(s.org)}, {format_date(s.published_at, language)})</i>"
        for n, s in enumerate(statements[:3], 1)
    )
    picks = tuple(
        (
            Button(
                shorten(f"{n}. {verdict_label(s.verdict, language)}: {s.claim}", MAX_BUTTON_LABEL),
                callback=callbacks.encode(PICK, claim_id, s.id),
            ),
        )
        for n, s in enumerate(statements[:3], 1)
    )
    none = Button(
        text(language, "btn_none_of_these"), callback=callbacks.encode(NONE_OF_THESE, claim_id)
    )
    notify = Button(text(language, "btn_notify"), callback=callbacks.encode(NOTIFY, claim_id))
    return Reply(text(language, "possible", options=options), (*picks, (none, notify)))


def none_reply(language: str, claim_id: int) -> Reply:
    notify = Button(text(language, "btn_notify"), callback=callbacks.encode(NOTIFY, claim_id))
    return Reply(text(language, "none"), ((notify,),))


def media_reply(language: str, claim_id: int) -> Reply:
    """A file sent without text: recorded for the moderators, "Kabari saya" offered."""
    notify = Button(text(language, "btn_notify"), callback=callbacks.encode(NOTIFY, claim_id))
    return Reply(text(language, "media_recorded"), ((notify,),))


def language_keyboard() -> Keyboard:
    return (
        (
            Button("🇮🇩 Bahasa Indonesia", callback=callbacks.encode(LANGUAGE, "id")),
            Button("🇬🇧 English", callback=callbacks.encode(LANGUAGE, "en")),
        ),
    )


def plain(language: str, key: str, **values: object) -> Reply:
    return Reply(text(language, key, **values))


# ------------------------------------------------------------------------------ a claim's reply


def reply_for(decision: Decided, lang: str, base_url: str | None = None) -> Reply:
    """Choose the reply for a decision: card, candidates, or an honest "none".

    Nothing recorded (unreadable): the how-to. A statement the claim's links point to
    answers first, under a header saying how it was found (its source, or earlier claims
    with the same link); a page that could not be read is said above any answer.
    """
    if decision.claim_id is None:
        return plain(lang, f"talk_{decision.small_talk}" if decision.small_talk else "howto")
    headers = []
    if decision.fetch_failure is not None:
        reason = text(lang, f"fetch_{decision.fetch_failure}")
        headers.append(html.escape(text(lang, "link_fetch_failed", reason=reason)))
    claim_id = decision.claim_id
    if decision.linked is not None:
        how = "statement_from_seen_link" if decision.seen else "statement_from_link"
        return statement_card(
            decision.linked,
            lang,
            claim_id=claim_id,
            headers=[*headers, text(lang, how)],
            base_url=base_url,
        )
    if decision.tier is Tier.CONFIDENT:
        return statement_card(
            decision.statements[0],
            lang,
            match=decision.best_match,
            claim_id=claim_id,
            headers=headers,
            base_url=base_url,
        )
    if decision.tier is Tier.POSSIBLE:
        return with_headers(possible_reply(list(decision.statements[:3]), lang, claim_id), headers)
    if decision.too_short:
        headers.append(text(lang, "too_short"))
    return with_headers(none_reply(lang, claim_id), headers)
