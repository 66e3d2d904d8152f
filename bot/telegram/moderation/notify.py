"""After a curation step: rebuild the index if asked, tell the citizens now answered, and
post fast-growing unanswered clusters in the moderators' chat. A command that is one curation
step is @curated; a preview's ✅ saves through `save_previewed`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial, wraps
from typing import Any, TypeVar

from telegram import Bot, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import moderating
from bot.curation import Curation, Outcome
from bot.replies import render
from bot.replies.moderators import echo
from bot.replies.texts import text
from bot.telegram.buttons import edit_unless_shown
from bot.telegram.keyboards import markup
from bot.telegram.moderation.common import (
    Context,
    Handler,
    actor,
    command,
    take_confirmed,
)
from bot.telegram.runtime import Runtime, runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


async def follow(context: Context, outcome: Outcome[Any]) -> int:
    """Do what a curation step says must follow: the change in the index first (taken in
    off the loop, so the moderator's next action sees it), then the notifications; returns
    how many citizens were told."""
    rt = runtime(context)
    if outcome.reindex:
        await rt.core.refresh_async()  # the change log says what changed: no rebuild
    return await notify_due(context.bot, rt) if outcome.notify else 0


async def curate(rt: Runtime, step: Callable[[Curation], T]) -> T:
    """`step` (one curation use case: one transaction and its audit) on the connection the
    bot writes with (`Core.write_async`): a wait for another writer's lock, such as a
    claim's commit or an import's batch, happens off the event loop, and so does the work
    of the step itself (a picture's fingerprint: 30-60 ms for a photo)."""
    admins = rt.curation.admin_ids
    return await rt.core.write_async(lambda db: step(Curation(db, admins)))


Act = Callable[[Curation, list[str], str], Outcome[Any]]
Done = Callable[[list[str], Outcome[Any], int], str]


def curated(
    count: int, usage: str, done: Done, unknown: str = "failed"
) -> Callable[[Act], Handler]:
    """A moderator command of `count` arguments whose body is its curation step
    `act(curation, args, actor)`: what must follow it, then the reply `done(args, outcome,
    citizens told)`. An unknown id or a refused change gets the `unknown` text with the
    reason, and nothing changes."""

    def decorate(act: Act) -> Handler:
        @command(count, usage)
        @wraps(act)
        async def handler(message: Message, context: Context, args: list[str]) -> None:
            who = actor(message.from_user)
            try:
                outcome = await curate(runtime(context), lambda c: act(c, args, who))
            except (LookupError, ValueError) as exc:
                await message.reply_text(text("id", unknown, error=echo(exc), id=echo(args[0])))
                return
            notified = await follow(context, outcome)
            await message.reply_text(done(args, outcome, notified))

        return handler

    return decorate


Save = Callable[..., Outcome[Any]]  # a Curation method: save(curation, value, actor=...)
Saved = Callable[[Any, Outcome[Any], int], str]


async def save_previewed(
    update: Update, context: Context, key: str, save: Save, saved: Saved
) -> None:
    """✅ under a preview: the value kept under `key` saved by `save(curation, value, actor=)`
    (one transaction, audited), what must follow done, and the preview replaced by
    `saved(value, outcome, citizens told)`; ✖️, or a value refused (with the reason), saves
    nothing."""
    query, pending = await take_confirmed(update, context, key)
    if pending is None:
        return
    who = actor(update.effective_user)
    try:
        outcome = await curate(runtime(context), lambda c: save(c, pending, actor=who))
    except (ValueError, LookupError) as exc:
        await edit_unless_shown(query, text("id", "failed", error=echo(exc)))
        return
    await edit_unless_shown(query, saved(pending, outcome, await follow(context, outcome)))


async def notify_due(bot: Bot, rt: Runtime) -> int:
    """Tell everyone whose "Kabari saya" claim is now answered, once; returns how many. Each
    request is dropped where the bot writes (`curate`), off the loop."""
    sent = 0
    for subscription, statement in await rt.core.due_notifications_async():
        language = subscription.language
        card = render.statement_card(
            statement,
            language,
            headers=[text(language, "notify_header")],
            base_url=rt.settings.public_base_url,
        )
        try:
            await bot.send_message(
                subscription.chat_id, card.text, reply_markup=markup(card.keyboard)
            )
            sent += 1
        except (Forbidden, BadRequest):
            log.info("notification undeliverable (blocked or chat gone): dropped")
        except TelegramError:
            log.warning("notification failed; will retry", exc_info=True)
            continue
        await curate(rt, partial(Curation.notified, subscription_id=subscription.id))
    return sent


async def announce_fast_growing(bot: Bot, rt: Runtime) -> int:
    """Post each fast-growing unanswered cluster once in the moderators' chat; the clusters
    are read, and each marked posted, where the bot writes (`curate`), off the loop."""
    chat_id = rt.settings.moderator_chat_id
    if chat_id is None:
        return 0
    window = rt.settings.alert_window_minutes
    threshold = rt.settings.alert_threshold
    found = await curate(rt, lambda c: c.fast_growing(threshold=threshold, window_minutes=window))
    for cluster in found:
        await bot.send_message(chat_id, moderating.alert(cluster, window))
        await curate(rt, partial(Curation.announced, key=cluster.key))
    return len(found)
