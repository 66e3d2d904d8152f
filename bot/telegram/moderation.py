"""Moderators in a private chat: curate statements, work the claim queue, notify askers.

    command -> access check -> validate (bot.drafts) -> storage (one transaction + audit)
            -> core.refresh_async (built off the loop, swapped in) -> notify citizens now answered

Every moderator command from anyone else is refused politely, says nothing about the base,
and is logged (with a hashed user id).
"""

from __future__ import annotations

import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from functools import wraps

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

import storage
from bot import clusters, drafts, reports
from bot.sources.fetch import FetchError, policy_from
from bot.sources.prefill import prefill_from_url
from bot.sources.urls import host_of, official_body
from bot.telegram import render
from bot.telegram.runtime import Runtime, runtime
from bot.telegram.texts import CATALOGUES, text
from storage import Statement, StatementInput
from storage import sources as source_store
from storage.people import remove_subscription
from storage.statements import is_http_url

log = logging.getLogger(__name__)

MOD_COMMANDS = (
    "tambah", "batal", "lihat", "cari", "ubah", "arsip", "ganti", "riwayat", "antrean",
    "tautkan", "statistik", "draf",
)  # fmt: skip
ADMIN_COMMANDS = ("tambahmod", "hapusmod")
VERDICT_BUTTONS = ("HOAKS", "SALAH", "MENYESATKAN", "KLARIFIKASI", "BENAR")
QUEUE_BUTTONS = 5  # clusters that get ➕/🗑 buttons under /antrean
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")  # positive, and well inside SQLite's 64-bit integers
ECHO_LIMIT = 300  # characters of a moderator's input quoted back in a reply
PRE_LIMIT = 3600  # a <pre> report is cut to stay under Telegram's 4096 with a hint below

# Conversation states of /tambah: one per field, then the preview.
STEPS = {name: n for n, name in enumerate(drafts.FIELDS)}
CONFIRM = len(drafts.FIELDS)
DRAFT = "draft"
EDIT = "edit"

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[object]]


def _echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A moderator's own input (an id, a value, an error naming it) quoted back: escaped
    and bounded, so the reply stays within Telegram's limit whatever was typed."""
    return html.escape(render.shorten(str(value), limit))


def _echo_lines(lines: list[str]) -> str:
    return "\n".join(_echo(line) for line in lines[:10])


def _actor(user_id: int) -> str:
    return f"mod:{user_id}"  # moderators act in an official role; their ids are not hashed


def _is_moderator(rt: Runtime, user_id: int) -> bool:
    return storage.is_moderator(rt.core.db, user_id, rt.settings.moderator_ids)


def _guard(*, admin: bool) -> Callable[[Handler], Handler]:
    def decorate(func: Handler) -> Handler:
        @wraps(func)
        async def wrapper(update: Update, context: Context) -> object:
            rt = runtime(context)
            user = update.effective_user
            allowed = user is not None and (
                user.id in rt.settings.moderator_ids if admin else _is_moderator(rt, user.id)
            )
            if not allowed:
                who = rt.user_hash(user.id)[:12] if user else "?"
                log.warning("refused %s for user %s", func.__name__, who)
                if user is not None:  # rights removed mid-conversation: the draft goes too
                    context.user_data.pop(DRAFT, None)
                    context.user_data.pop(EDIT, None)
                if update.callback_query is not None:
                    await update.callback_query.answer(text("id", "mod_refused"))
                elif update.effective_message is not None:
                    key = "admin_refused" if admin else "mod_refused"
                    await update.effective_message.reply_text(text(rt.language(user), key))
                return ConversationHandler.END
            query = update.callback_query
            if query is not None and not _own_private_button(query):
                await query.answer(text("id", "ack_stale"))
                return None  # a conversation stays where it was
            return await func(update, context)

        wrapper.guarded = True  # type: ignore[attr-defined]  # tests check every handler
        return wrapper

    return decorate


def _own_private_button(query: CallbackQuery) -> bool:
    """Moderators' buttons are only ever sent in their own private chat, and the data must
    be a button of the message it was pressed on: anything else is forged."""
    message = query.message
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.chat.id == query.from_user.id
        and render.pressed_on_its_message(query)
    )


moderator_only = _guard(admin=False)
admin_only = _guard(admin=True)


# ------------------------------------------------------------------------------ /tambah


@moderator_only
async def add_start(update: Update, context: Context) -> int:
    """Start the guided /tambah, or take the one-message form in one go."""
    message = update.effective_message
    assert message is not None
    args = (message.text or "").split(maxsplit=1)
    user_data = context.user_data
    if len(args) > 1 and "|" in args[1]:
        draft, errors = drafts.parse_one_message(args[1])
        if errors:
            await message.reply_text(
                text("id", "draft_error", error=_echo_lines(errors))
            )
            return ConversationHandler.END
        user_data[DRAFT] = draft
        await _preview(update, drafts.to_input(draft, "baru"), text("id", "preview"), "t")
        return CONFIRM
    if len(args) > 1 and _looks_like_url(args[1]):  # /tambah URL: pre-filled from the page
        user_data[DRAFT] = await _prefilled(update, context, args[1].strip())
        return await _ask_next(update, context, user_data[DRAFT])
    user_data[DRAFT] = {}
    return await _ask_next(update, context, user_data[DRAFT])


def _looks_like_url(value: str) -> bool:
    value = value.strip()
    return bool(value) and not any(ch.isspace() for ch in value) and "://" in value


def _sanitized(draft: dict) -> dict:
    """Pre-filled values pass the same checks as typed ones; a value that fails is dropped
    (and so asked for). A fetched http source is kept: it is the page that was read."""
    clean: dict = {}
    for name, value in draft.items():
        if name == "source_url" and (not isinstance(value, str) or not is_http_url(value)):
            continue  # e.g. "https://[::1" from a ClaimReview queued before it was checked
        if name not in drafts.EDITABLE or name == "source_url":
            clean[name] = value
            continue
        try:
            clean[name] = drafts.parse_field(name, str(value))
        except drafts.DraftError:
            continue
        if clean[name] is None:
            del clean[name]
    return clean


async def _prefilled(update: Update, context: Context, url: str) -> dict:
    """Fetch the page and pre-fill a draft, saying what was found; {} when it fails."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    try:
        found = await prefill_from_url(url, policy_from(rt.settings), rt.settings.official_domains)
    except FetchError as exc:
        log.info("pre-fill fetch failed: %s", exc.reason)
        reason = text("id", f"fetch_{exc.reason}")
        await message.reply_text(text("id", "prefill_failed", reason=html.escape(reason)))
        return {}
    await message.reply_text(render.prefill_summary(found))
    return {**_sanitized(found.draft), "evidence": found.evidence}


@moderator_only
async def add_from_queue(update: Update, context: Context) -> int:
    """➕ under /antrean: /tambah with the cluster's example as the claim."""
    query = update.callback_query
    assert query is not None
    cluster = clusters.find_cluster(runtime(context).core.db, (query.data or "")[4:])
    await query.answer()
    if cluster is None:
        await query.message.reply_text(text("id", "queue_gone"))  # type: ignore[union-attr]
        return ConversationHandler.END
    draft = {"claim": reports.one_line(cluster.example, 1000), "cluster": cluster.key}
    context.user_data[DRAFT] = draft
    return await _ask_next(update, context, draft)


@moderator_only
async def add_from_source_draft(update: Update, context: Context) -> int:
    """➕ under /draf: /tambah pre-filled from a feed item or an imported ClaimReview."""
    query = update.callback_query
    assert query is not None
    db = runtime(context).core.db
    await query.answer()
    found = source_store.get_source_draft(db, int((query.data or "0:0:0").split(":")[2]))
    if found is None or found.status != "pending":
        await query.message.reply_text(text("id", "draft_gone"))  # type: ignore[union-attr]
        return ConversationHandler.END
    draft = await _prefilled(update, context, found.url) if found.url else {}
    # a ClaimReview states the claim, verdict and clarification; the page the rest
    draft.update(_sanitized({k: v for k, v in found.fields.items() if k not in ("org",)}))
    known = {
        "source_title": found.title, "clarification": found.summary,
        "published_at": found.published_at, "org": found.fields.get("org"),
    }  # fmt: skip
    for name, value in _sanitized({k: v for k, v in known.items() if v}).items():
        draft.setdefault(name, value)
    draft["source_draft"] = found.id
    context.user_data[DRAFT] = draft
    return await _ask_next(update, context, draft)


def _preview_header(context: Context, draft: dict) -> str:
    """The preview's title, a warning for a source off the official domains, an edit hint."""
    header = text("id", "preview")
    source = draft.get("source_url")
    domains = runtime(context).settings.official_domains
    if source and official_body(source, domains) is None:
        host = host_of(source) or source
        header += "\n" + text("id", "preview_unofficial", host=html.escape(host))
    fields = ", ".join(drafts.EDITABLE)
    return header + "\n" + text("id", "preview_edit_hint", fields=html.escape(fields))


async def _ask_next(update: Update, context: Context, draft: dict) -> int:
    message = update.effective_message
    assert message is not None
    for name in drafts.FIELDS:
        if name not in draft:
            markup = None
            if name == "verdict":
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(v, callback_data=f"v:{v}") for v in VERDICT_BUTTONS]]
                )
            await message.reply_text(text("id", f"ask_{name}"), reply_markup=markup)
            return STEPS[name]
    data = drafts.to_input(draft, "baru")
    if problems := drafts.problems(data):  # e.g. valid_until before published_at
        await message.reply_text(text("id", "draft_error", error=_echo_lines(problems)))
        return CONFIRM
    await _preview(update, data, _preview_header(context, draft), "t")
    return CONFIRM


@moderator_only
async def add_step(update: Update, context: Context) -> int:
    """Take the answer for the field being asked; re-ask with the reason when it is wrong."""
    message = update.effective_message
    user_data = context.user_data
    draft = user_data.get(DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    name = next(n for n in drafts.FIELDS if n not in draft)
    if name == "org" and _looks_like_url(message.text or ""):  # a URL as the first answer
        for key, value in (await _prefilled(update, context, (message.text or "").strip())).items():
            draft.setdefault(key, value)
        return await _ask_next(update, context, draft)
    try:
        draft[name] = drafts.parse_field(name, message.text or "")
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=_echo(exc)))
        return STEPS[name]
    return await _ask_next(update, context, draft)


@moderator_only
async def add_verdict_button(update: Update, context: Context) -> int:
    query = update.callback_query
    draft = context.user_data.get(DRAFT)
    assert query is not None
    await query.answer()
    if draft is None:
        return ConversationHandler.END
    try:
        draft["verdict"] = drafts.parse_field("verdict", (query.data or "")[2:])
    except drafts.DraftError as exc:  # forged data, e.g. v:A: ask again
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                text("id", "draft_error", error=_echo(exc))
            )
        return STEPS["verdict"]
    return await _ask_next(update, context, draft)


@moderator_only
async def add_edit_field(update: Update, context: Context) -> int:
    """At the preview, `kolom nilai` changes one field (pre-filled or typed), then re-previews."""
    message = update.effective_message
    draft = context.user_data.get(DRAFT)
    if message is None or draft is None:
        return ConversationHandler.END
    name, _, raw = (message.text or "").strip().partition(" ")
    try:
        draft[name.lower().rstrip(":")] = drafts.parse_field(name.lower().rstrip(":"), raw)
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=_echo(exc)))
        return CONFIRM
    return await _ask_next(update, context, draft)


def _as_statement(data: StatementInput) -> Statement:
    """An unsaved statement, to render exactly as citizens will see it."""
    return Statement(
        id=0, external_id=data.external_id, org=data.org, verdict=data.verdict, claim=data.claim,
        clarification=data.clarification, source_url=data.source_url,
        source_title=data.source_title, published_at=data.published_at,
        valid_until=data.valid_until, superseded_by=None, status="active", created_by=None,
        created_at="", updated_at="", variants=data.variants,
    )  # fmt: skip


async def _edit_text(query: CallbackQuery, body: str) -> None:
    """Replace the ✅/✖️ message with the outcome, unless it already shows it (a second
    press on an answered preview would be refused by Telegram as "not modified")."""
    shown = query.message
    if isinstance(shown, Message) and shown.reply_markup is None and shown.text_html == body:
        return
    await query.edit_message_text(body)


def _confirm_keyboard(prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text("id", "btn_save"), callback_data=f"{prefix}:ok"),
                InlineKeyboardButton(text("id", "btn_cancel"), callback_data=f"{prefix}:no"),
            ]
        ]
    )


async def _preview(update: Update, data: StatementInput, header: str, confirm: str) -> None:
    """Header, the card as citizens will see it, then ✅/✖️ (callback prefix `confirm`)."""
    message = update.effective_message
    assert message is not None
    card = render.statement_card(_as_statement(data), "id")
    await message.reply_text(header)
    await message.reply_text(card.text, reply_markup=card.markup)
    await message.reply_text("⬇️", reply_markup=_confirm_keyboard(confirm))


@moderator_only
async def add_confirm(update: Update, context: Context) -> int:
    """✅ saves the draft (one transaction, audited), swaps the index and notifies."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    draft = context.user_data.pop(DRAFT, None)
    await query.answer()
    if query.data != "t:ok" or draft is None:
        await _edit_text(query, text("id", "cancelled"))
        return ConversationHandler.END
    db = rt.core.db
    try:
        with storage.transaction(db):
            external_id = storage.new_external_id(db, draft["org"])
            saved, _ = storage.save_statement(
                db, drafts.to_input(draft, external_id), actor=_actor(query.from_user.id)
            )
            if draft.get("evidence"):  # what the source page said, kept with the statement
                source_store.save_evidence(
                    db, saved.id, draft["evidence"], actor=_actor(query.from_user.id)
                )
            if draft.get("source_draft"):
                source_store.set_draft_status(db, draft["source_draft"], "used")
            if draft.get("cluster"):
                cluster = clusters.find_cluster(db, draft["cluster"])
                if cluster is not None:
                    storage.link_claims_to_statement(
                        db, cluster.claim_ids, external_id, actor=_actor(query.from_user.id)
                    )
    except (ValueError, LookupError) as exc:
        await _edit_text(query, text("id", "failed", error=_echo(exc)))
        return ConversationHandler.END
    await rt.core.refresh_async(force=True)
    notified = await deliver_notifications(context)
    await _edit_text(query, text("id", "saved", id=html.escape(external_id), notified=notified))
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/batal at any step: nothing is saved."""
    user_data = context.user_data
    had = user_data.pop(DRAFT, None) is not None or user_data.pop(EDIT, None) is not None
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text("id", "cancelled" if had else "nothing_to_cancel")
        )
    return ConversationHandler.END


# ------------------------------------------------------------------------------ statements


async def _statement_or_say(update: Update, rt: Runtime, external_id: str) -> Statement | None:
    statement = storage.get_statement(rt.core.db, external_id)
    if statement is None and update.effective_message is not None:
        await update.effective_message.reply_text(
            text("id", "unknown_statement", id=_echo(external_id))
        )
    return statement


def _args(context: Context) -> list[str]:
    return list(getattr(context, "args", None) or [])


async def _arguments(
    update: Update, context: Context, count: int, usage: str, *, numeric: bool = False
) -> list[str] | None:
    """The command's arguments when there are exactly `count` (Telegram user ids if
    `numeric`: ASCII digits, 1 up to SQLite's integer range); otherwise the usage line is
    sent and None returned."""
    args = _args(context)
    if len(args) == count and (not numeric or all(_USER_ID.fullmatch(a) for a in args)):
        return args
    if update.effective_message is not None:
        await update.effective_message.reply_text(text("id", usage))
    return None


@moderator_only
async def show(update: Update, context: Context) -> None:
    """/lihat ID: the card as citizens see it, plus status and history in brief."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 1, "usage_lihat")
    if args is None:
        return
    statement = await _statement_or_say(update, rt, args[0])
    if statement is None:
        return
    card = render.statement_card(statement, "id")
    superseded = f" → {statement.superseded_by}" if statement.superseded_by else ""
    await message.reply_text(card.text, reply_markup=card.markup)
    await message.reply_text(
        text(
            "id",
            "statement_meta",
            id=html.escape(statement.external_id),
            status=statement.status,
            superseded=html.escape(superseded),
            variants=len(statement.variants),
            created=reports.wib(statement.created_at),
            by=html.escape(statement.created_by or "-"),
        )
        + _evidence_line(rt, statement)
    )


def _evidence_line(rt: Runtime, statement: Statement) -> str:
    kept = source_store.evidence_for(rt.core.db, statement.id)
    if not kept:
        return ""
    last = kept[-1]
    return "\n" + text(
        "id", "statement_evidence", at=reports.wib(last.fetched_at), sha=last.body_sha256[:16]
    )


@moderator_only
async def search(update: Update, context: Context) -> None:
    """/cari teks: what a citizen would get for this text, with scores (nothing recorded)."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    query_text = " ".join(_args(context))
    if not query_text:
        await message.reply_text(text("id", "usage_cari"))
        return
    result, statements = rt.core.match(query_text)
    lines = [text("id", "search_header", tier=result.tier.value)]
    for m, s in zip(result.matches, statements, strict=True):
        lines.append(
            f"<code>{html.escape(s.external_id)}</code> {m.score:.0f} "
            f"(cov {m.coverage:.2f}, fuzzy {m.fuzzy:.2f}) "
            f"{html.escape(render.shorten(s.claim, 80))}"
        )
    await message.reply_text("\n".join(lines))


@moderator_only
async def edit(update: Update, context: Context) -> None:
    """/ubah ID kolom nilai: preview the changed card, then ✅ to save."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=3)
    if len(parts) < 4:
        await message.reply_text(text("id", "usage_ubah", fields=", ".join(drafts.EDITABLE)))
        return
    _, external_id, field, raw = parts
    statement = await _statement_or_say(update, rt, external_id)
    if statement is None:
        return
    try:
        value = drafts.parse_field(field, raw)
    except drafts.DraftError as exc:
        await message.reply_text(text("id", "draft_error", error=_echo(exc)))
        return
    changed = drafts.edited(statement, field, value)
    if problems := drafts.problems(changed):  # e.g. valid_until before published_at
        await message.reply_text(text("id", "draft_error", error=_echo_lines(problems)))
        return
    context.user_data[EDIT] = changed
    header = text("id", "edit_preview", field=html.escape(field))
    await _preview(update, changed, header, "e")


@moderator_only
async def edit_confirm(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    changed = context.user_data.pop(EDIT, None)
    await query.answer()
    if query.data != "e:ok" or changed is None:
        await _edit_text(query, text("id", "cancelled"))
        return
    try:
        _, action = storage.save_statement(rt.core.db, changed, actor=_actor(query.from_user.id))
    except ValueError as exc:
        await _edit_text(query, text("id", "failed", error=_echo(exc)))
        return
    if action == "unchanged":
        await _edit_text(query, text("id", "edit_unchanged"))
        return
    await rt.core.refresh_async(force=True)
    notified = await deliver_notifications(context)
    saved = text("id", "edit_saved", id=html.escape(changed.external_id), notified=notified)
    await _edit_text(query, saved)


@moderator_only
async def retire(update: Update, context: Context) -> None:
    """/arsip ID: stop serving a statement."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 1, "usage_arsip")
    if args is None:
        return
    try:
        storage.retire_statement(rt.core.db, args[0], actor=_actor(update.effective_user.id))  # type: ignore[union-attr]
    except LookupError:
        await message.reply_text(text("id", "unknown_statement", id=_echo(args[0])))
        return
    await rt.core.refresh_async(force=True)
    await message.reply_text(text("id", "retired", id=html.escape(args[0])))


@moderator_only
async def supersede(update: Update, context: Context) -> None:
    """/ganti ID_LAMA ID_BARU: the newer statement answers from now on."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 2, "usage_ganti")
    if args is None:
        return
    try:
        storage.supersede_statement(
            rt.core.db,
            args[0],
            args[1],
            actor=_actor(update.effective_user.id),  # type: ignore[union-attr]
        )
    except (LookupError, ValueError) as exc:
        await message.reply_text(text("id", "failed", error=_echo(exc)))
        return
    await rt.core.refresh_async(force=True)
    notified = await deliver_notifications(context)
    await message.reply_text(
        text("id", "superseded", old=html.escape(args[0]), new=html.escape(args[1]))
        + (f" {notified} warga diberi tahu." if notified else "")
    )


@moderator_only
async def history(update: Update, context: Context) -> None:
    """/riwayat ID: who changed what, when (before → after per field)."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 1, "usage_riwayat")
    if args is None:
        return
    entries = storage.history(rt.core.db, args[0])
    if not entries:
        await message.reply_text(text("id", "history_empty", id=_echo(args[0])))
        return
    lines = []
    for entry in entries:
        lines.append(f"{reports.wib(entry.at)} · {entry.action} · {entry.actor or '-'}")
        before, after = entry.before or {}, entry.after or {}
        for key in sorted(set(before) | set(after)):
            if key in ("updated_at", "created_at", "id") or before.get(key) == after.get(key):
                continue
            if entry.action == "create":
                continue
            lines.append(
                f"  {key}: {reports.one_line(str(before.get(key)), 60)} → "
                f"{reports.one_line(str(after.get(key)), 60)}"
            )
    await message.reply_text(_pre("\n".join(lines)))


# ------------------------------------------------------------------------------ queue


def _pre(body: str) -> str:
    """A plain-text report as a <pre> block, cut by lines to stay under Telegram's limit."""
    if render.units(body) > PRE_LIMIT:  # as Telegram counts: an emoji is 2 units
        while render.units(body) > PRE_LIMIT:
            body = body[: len(body) * PRE_LIMIT // render.units(body)]
        body = body.rsplit("\n", 1)[0] + "\n…"
    return f"<pre>{html.escape(body)}</pre>"


@moderator_only
async def queue(update: Update, context: Context) -> None:
    """/antrean: unanswered claims grouped, most asked and most recent first."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    found = clusters.unanswered_clusters(rt.core.db, limit=20)
    rows = [
        [
            InlineKeyboardButton(f"➕ {c.key}", callback_data=f"q:a:{c.key}"),
            InlineKeyboardButton(f"🗑 {c.key}", callback_data=f"q:d:{c.key}"),
        ]
        for c in found[:QUEUE_BUTTONS]
    ]
    body = _pre(reports.queue_report(found))
    if found:
        body += "\n" + text("id", "queue_hint")
    await message.reply_text(body, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


@moderator_only
async def queue_dismiss(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    db = runtime(context).core.db
    key = (query.data or "")[4:]
    cluster = clusters.find_cluster(db, key)
    if cluster is None:
        await query.answer(text("id", "queue_gone"))
        return
    count = storage.dismiss_claims(db, cluster.claim_ids)
    await query.answer(text("id", "queue_dismissed", cluster=key, count=count))


@moderator_only
async def source_drafts(update: Update, context: Context) -> None:
    """/draf: drafts from feeds and ClaimReview imports, waiting for a moderator."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    found = source_store.pending_drafts(rt.core.db, limit=10)
    if not found:
        await message.reply_text(text("id", "drafts_empty"))
        return
    rows = [
        [
            InlineKeyboardButton(f"➕ d{d.id}", callback_data=f"sd:a:{d.id}"),
            InlineKeyboardButton(f"🗑 d{d.id}", callback_data=f"sd:d:{d.id}"),
        ]
        for d in found[:QUEUE_BUTTONS]
    ]
    total = source_store.pending_drafts_count(rt.core.db)
    await message.reply_text(
        render.drafts_list(found, total), reply_markup=InlineKeyboardMarkup(rows)
    )


@moderator_only
async def source_draft_dismiss(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    draft_id = int((query.data or "0:0:0").split(":")[2])
    done = source_store.set_draft_status(runtime(context).core.db, draft_id, "dismissed")
    await query.answer(text("id", "draft_dismissed" if done else "draft_gone", id=f"d{draft_id}"))


@moderator_only
async def link(update: Update, context: Context) -> None:
    """/tautkan KUNCI ID: a cluster's claims become phrasings of a statement; askers told."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 2, "usage_tautkan")
    if args is None:
        return
    try:
        actor = _actor(update.effective_user.id)  # type: ignore[union-attr]
        result = await rt.core.link_cluster_async(args[0], args[1], actor=actor)
    except (LookupError, ValueError) as exc:
        await message.reply_text(text("id", "failed", error=_echo(exc)))
        return
    notified = await deliver_notifications(context)
    await message.reply_text(
        text(
            "id",
            "linked",
            count=len(result.claim_ids),
            cluster=html.escape(args[0]),
            id=html.escape(result.external_id),
            variants=result.variants_added,
            notified=notified,
        )
    )


@moderator_only
async def statistics(update: Update, context: Context) -> None:
    """/statistik: today and 7 days, tiers, top claims, feedback, statements served."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    await message.reply_text(_pre(reports.stats_report(storage.claim_stats(rt.core.db))))


# ------------------------------------------------------------------------------ roles


@admin_only
async def add_moderator(update: Update, context: Context) -> None:
    """/tambahmod ID (admins only)."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 1, "usage_mod", numeric=True)
    if args is None:
        return
    user_id = int(args[0])
    added = storage.add_moderator(rt.core.db, user_id, added_by=_actor(update.effective_user.id))  # type: ignore[union-attr]
    if added:
        await _set_moderator_commands(context.bot, user_id)
    await message.reply_text(text("id", "mod_added" if added else "mod_exists", id=user_id))


@admin_only
async def remove_moderator(update: Update, context: Context) -> None:
    """/hapusmod ID (admins only)."""
    rt, message = runtime(context), update.effective_message
    assert message is not None
    args = await _arguments(update, context, 1, "usage_mod", numeric=True)
    if args is None:
        return
    user_id = int(args[0])
    removed = storage.remove_moderator(
        rt.core.db, user_id, removed_by=_actor(update.effective_user.id)
    )  # type: ignore[union-attr]
    if removed:
        try:
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError:
            log.info("could not reset commands for a removed moderator")
    await message.reply_text(text("id", "mod_removed" if removed else "mod_not_found", id=user_id))


def moderator_commands() -> list[BotCommand]:
    catalogue = CATALOGUES["id"]
    return [BotCommand(name, catalogue[f"cmd_{name}"]) for name in (*MOD_COMMANDS, *ADMIN_COMMANDS)]


async def _set_moderator_commands(bot: Bot, user_id: int) -> None:
    """Moderator commands appear only in moderators' own chats (a chat-scoped command list)."""
    from bot.telegram.app import bot_commands  # the citizen list, shown first

    try:
        await bot.set_my_commands(
            [*bot_commands("id"), *moderator_commands()], scope=BotCommandScopeChat(user_id)
        )
    except (BadRequest, Forbidden):  # a moderator who never opened the bot: no chat yet
        log.info("moderator commands not set for a chat the bot cannot reach yet")


async def set_all_moderator_commands(app: Application) -> None:  # type: ignore[type-arg]
    rt: Runtime = app.bot_data["cekklaim"]
    ids = set(rt.settings.moderator_ids) | {m.user_id for m in storage.list_moderators(rt.core.db)}
    for user_id in sorted(ids):
        await _set_moderator_commands(app.bot, user_id)


# ------------------------------------------------------------------------------ notify


async def deliver_notifications(context: Context) -> int:
    """Tell everyone whose "Kabari saya" claim is now answered, once; returns how many."""
    rt = runtime(context)
    bot = context.bot
    return await notify_due(bot, rt)


async def notify_due(bot: Bot, rt: Runtime) -> int:
    sent = 0
    for subscription, statement in rt.core.due_notifications():
        card = render.statement_card(statement, subscription.language)
        try:
            await bot.send_message(
                subscription.chat_id,
                text(subscription.language, "notify_header") + "\n\n" + card.text,
                reply_markup=card.markup,
            )
            sent += 1
        except (Forbidden, BadRequest):
            log.info("notification undeliverable (blocked or chat gone): dropped")
        except TelegramError:
            log.warning("notification failed; will retry", exc_info=True)
            continue
        remove_subscription(rt.core.db, subscription.id)
    return sent


async def announce_fast_growing(bot: Bot, rt: Runtime) -> int:
    """Post each fast-growing unanswered cluster once in the moderators' chat."""
    chat_id = rt.settings.moderator_chat_id
    if chat_id is None:
        return 0
    db = rt.core.db
    found = clusters.fast_growing(
        db,
        clusters.unanswered_clusters(db, limit=50),
        threshold=rt.settings.alert_threshold,
        window_minutes=rt.settings.alert_window_minutes,
    )
    for cluster in found:
        await bot.send_message(
            chat_id,
            text(
                "id",
                "alert",
                count=cluster.count,
                minutes=rt.settings.alert_window_minutes,
                cluster=cluster.key,
                example=html.escape(reports.one_line(cluster.example, 300)),
            ),
        )
        clusters.mark_alerted(db, cluster.key)
    return len(found)


# ------------------------------------------------------------------------------ wiring


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Moderator handlers; registered before the citizen ones (their buttons are specific)."""
    private = filters.ChatType.PRIVATE
    # new messages only: an edited earlier answer must not fill in the field asked now
    text_input = private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that button presses are tracked per chat and user, not per message:
        # exactly what a one-draft-at-a-time conversation wants.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("tambah", add_start, filters=private),
                CallbackQueryHandler(add_from_queue, pattern=r"^q:a:c\d+$"),
                CallbackQueryHandler(add_from_source_draft, pattern=r"^sd:a:\d{1,18}$"),
            ],
            states={
                **{STEPS[name]: [MessageHandler(text_input, add_step)] for name in drafts.FIELDS},
                STEPS["verdict"]: [
                    CallbackQueryHandler(add_verdict_button, pattern=r"^v:[A-Z]+$"),
                    MessageHandler(text_input, add_step),
                ],
                CONFIRM: [
                    CallbackQueryHandler(add_confirm, pattern=r"^t:(ok|no)$"),
                    MessageHandler(text_input, add_edit_field),
                ],
            },
            fallbacks=[CommandHandler("batal", cancel)],
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("batal", cancel, filters=private))
    app.add_handler(CommandHandler("lihat", show, filters=private))
    app.add_handler(CommandHandler("cari", search, filters=private))
    app.add_handler(CommandHandler("ubah", edit, filters=private))
    app.add_handler(CallbackQueryHandler(edit_confirm, pattern=r"^e:(ok|no)$"))
    app.add_handler(CommandHandler("arsip", retire, filters=private))
    app.add_handler(CommandHandler("ganti", supersede, filters=private))
    app.add_handler(CommandHandler("riwayat", history, filters=private))
    app.add_handler(CommandHandler("antrean", queue, filters=private))
    app.add_handler(CallbackQueryHandler(queue_dismiss, pattern=r"^q:d:c\d+$"))
    app.add_handler(CommandHandler("tautkan", link, filters=private))
    app.add_handler(CommandHandler("statistik", statistics, filters=private))
    app.add_handler(CommandHandler("draf", source_drafts, filters=private))
    app.add_handler(CallbackQueryHandler(source_draft_dismiss, pattern=r"^sd:d:\d{1,18}$"))
    app.add_handler(CommandHandler("tambahmod", add_moderator, filters=private))
    app.add_handler(CommandHandler("hapusmod", remove_moderator, filters=private))
