"""The /tambah conversation without Telegram: a new statement field by field (or in one
message, or pre-filled from a page, a queue cluster or a source draft), and at the end the
preview as citizens will see it.

Each step takes what the moderator typed or pressed and the draft kept between steps (a
plain dict, changed in place), and returns a `Step`: what to tell the moderator, in order,
and the conversation state that follows (a field's question, the preview, or the end).
bot/telegram/moderation/adding.py sends it and keeps the draft in the moderator's
`user_data`; saving on ✅ is bot/curation.py.

    start("")                    -> the first missing field asked
    start("a | b | ...")         -> the one-message form parsed -> preview
    start(URL) / typed(URL)      -> the page fetched, the draft pre-filled -> next field
    typed(answer)                -> the field checked (re-asked with the reason) -> next
    typed("kolom nilai", preview) -> one field changed -> preview again
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot import drafts
from bot.curation import Cluster, SourceDraft
from bot.replies import moderators
from bot.replies.moderators import (
    SAVE_NEW,
    echo,
    echo_lines,
    keep_keyboard,
    prefilled_value,
    preview,
    verdict_keyboard,
)
from bot.replies.render import Reply
from bot.replies.texts import text
from bot.sources.fetch_error import FetchError
from bot.sources.prefill import Prefill

log = logging.getLogger(__name__)

# Conversation states: one per field, then the preview; END is python-telegram-bot's
# ConversationHandler.END (bot/telegram/moderation/adding.py checks they agree).
STEPS = {name: n for n, name in enumerate(drafts.FIELDS)}
CONFIRM = len(drafts.FIELDS)
END = -1

#: A page fetched and read into a pre-filled draft (bot/sources/prefill.py prefill_from_url
#: with the bot's fetch policy and official domains); raises FetchError.
Fetch = Callable[[str], Awaitable[Prefill]]

Draft = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Step:
    """What the moderator is told next, in order, and the conversation's state after it."""

    say: tuple[Reply, ...]
    state: int


def said(key: str, state: int = END, **values: object) -> Step:
    """One message (a string of the catalogue), then `state`."""
    return Step((Reply(text("id", key, **values)),), state)


class Adding:
    """The /tambah steps for a bot that fetches pages with `fetch` and warns about sources
    off `official_domains`."""

    def __init__(self, fetch: Fetch, official_domains: Mapping[str, str]) -> None:
        self.fetch = fetch
        self.official_domains = official_domains

    async def start(self, argument: str) -> tuple[Draft | None, Step]:
        """/tambah [argument]: the new draft (None: keep the one there is) and the first step.

        `a | b | ...` is the whole statement in one message, a URL pre-fills the draft from
        that page, nothing starts the guided questions."""
        if "|" in argument:
            draft, errors = drafts.parse_one_message(argument)
            if errors:
                return None, said("draft_error", error=echo_lines(errors))
            data = drafts.to_input(draft, "baru")
            replies = preview(drafts.as_statement(data), self.preview_header(draft), SAVE_NEW)
            return draft, Step(replies, CONFIRM)
        if drafts.looks_like_url(argument):
            draft, told = await self.prefilled(argument.strip())
            return draft, self.ask_next(draft, told)
        return {}, self.ask_next({})

    async def prefilled(self, url: str) -> tuple[Draft, tuple[Reply, ...]]:
        """The page at `url` read into a draft, and what was found said; {} when it fails."""
        try:
            found = await self.fetch(url)
        except FetchError as exc:
            log.info("pre-fill fetch failed: %s", exc.reason)
            reason = text("id", f"fetch_{exc.reason}")
            return {}, said("prefill_failed", reason=html.escape(reason)).say
        told = (Reply(moderators.prefill_summary(found)),)
        draft = drafts.prefilled(drafts.sanitized(found.draft))  # each shown, then confirmed
        return {**draft, "evidence": found.evidence}, told

    def from_cluster(self, cluster: Cluster | None) -> tuple[Draft | None, Step]:
        """➕ under /antrean: the cluster's example as the claim (gone: the end)."""
        if cluster is None:
            return None, said("queue_gone")
        draft = drafts.from_cluster(cluster)
        return draft, self.ask_next(draft)

    async def from_source_draft(self, found: SourceDraft | None) -> tuple[Draft | None, Step]:
        """➕ under /draf: a feed item or an imported ClaimReview, its page read if it has one."""
        if found is None:
            return None, said("draft_gone")
        page, told = await self.prefilled(found.url) if found.url else ({}, ())
        draft = drafts.from_source_draft(found, page)
        return draft, self.ask_next(draft, told)

    def ask_next(self, draft: Draft, told: tuple[Reply, ...] = ()) -> Step:
        """The next missing field's question, or the preview when none is missing (after
        what was already `told`)."""
        name = drafts.next_field(draft)
        if name is not None:
            keyboard = verdict_keyboard() if name == "verdict" else ()
            question = text("id", f"ask_{name}")
            if name in draft:  # pre-filled: shown, kept with a button or replaced by typing
                value = prefilled_value(name, draft[name])
                question = text("id", "ask_prefilled", question=question, value=value)
                keyboard = keep_keyboard(name, keyboard)
            return Step((*told, Reply(question, keyboard)), STEPS[name])
        data = drafts.to_input(draft, "baru")
        if problems := drafts.problems(data):  # e.g. valid_until before published_at
            return Step((*told, *said("draft_error", error=echo_lines(problems)).say), CONFIRM)
        replies = preview(drafts.as_statement(data), self.preview_header(draft), SAVE_NEW)
        return Step((*told, *replies), CONFIRM)

    def preview_header(self, draft: Draft) -> str:
        """The preview's title, a warning for a source off the official domains, an edit hint."""
        header = text("id", "preview")
        host = drafts.unofficial_host(draft, self.official_domains)
        if host is not None:
            header += "\n" + text("id", "preview_unofficial", host=html.escape(host))
        fields = drafts.field_choices()
        return header + "\n" + text("id", "preview_edit_hint", fields=html.escape(fields))

    async def typed(self, draft: Draft, typed: str, *, at_preview: bool) -> Step:
        """A typed answer: for the field being asked (a URL as the first answer pre-fills the
        draft from that page), or at the preview `kolom nilai` for any field."""
        if at_preview:
            typed_name, _, raw = typed.strip().partition(" ")
            try:
                name = drafts.field_named(typed_name)  # Indonesian, or the English name
            except drafts.DraftError as exc:
                return said("draft_error", CONFIRM, error=echo(exc))
            return self.fill(draft, name, raw, stay=CONFIRM)
        asked = drafts.next_field(draft)
        assert asked is not None  # this state asks for a field that is missing
        if asked == "org" and "org" not in draft and drafts.looks_like_url(typed):
            page, told = await self.prefilled(typed.strip())
            new = [key for key in page if key not in draft and key != drafts.PENDING]
            draft.update({key: page[key] for key in new})
            drafts.prefilled(draft, new)  # what the page filled is shown and confirmed
            return self.ask_next(draft, told)
        return self.fill(draft, asked, typed)

    def keep(self, draft: Draft, name: str) -> Step:
        """✔️ under a pre-filled field's question: the value kept, the next step. A press
        for another field than the one asked (an older message) changes nothing."""
        if name == drafts.next_field(draft) and name in draft:
            drafts.confirmed(draft, name)
        return self.ask_next(draft)

    def fill(self, draft: Draft, name: str, raw: str, stay: int | None = None) -> Step:
        """Field `name` of the draft from `raw`, checked like every value, then the next step;
        a wrong value is answered with the reason and the conversation stays at `stay` (by
        default the field's own question)."""
        try:
            draft[name] = drafts.parse_field(name, raw)
        except drafts.DraftError as exc:
            return said("draft_error", STEPS[name] if stay is None else stay, error=echo(exc))
        drafts.confirmed(draft, name)
        return self.ask_next(draft)


#: Pictures a /tambah draft may carry (each a fingerprint, saved with the statement).
MAX_DRAFT_PICTURES = 5


def picture(draft: Draft, fingerprint: str, file_id: str | None) -> str:
    """A photo sent at any step of /tambah: the circulating picture the statement answers.
    Its fingerprint goes with the draft and is attached when ✅ saves it (Curation.create);
    the step asked stays as it was. Returns what to tell the moderator."""
    pictures = draft.setdefault("pictures", [])
    if any(kept["fingerprint"] == fingerprint for kept in pictures):
        return text("id", "picture_noted_already")
    if len(pictures) >= MAX_DRAFT_PICTURES:
        return text("id", "picture_noted_full", count=MAX_DRAFT_PICTURES)
    pictures.append({"fingerprint": fingerprint, "file_id": file_id})
    return text("id", "picture_noted", count=len(pictures))
