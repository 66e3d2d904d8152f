"""After a curation step: rebuild the index if asked, tell the citizens now answered, and
post fast-growing unanswered clusters in the moderators' chat."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import reports
from bot.curation import Outcome
from bot.replies import render
from bot.replies.texts import text
from bot.telegram.keyboards import markup
from bot.telegram.moderation.common import Context, actor, arguments, echo
from bot.telegram.runtime import Runtime, runtime

log = logging.getLogger(__name__)


async def follow(context: Context, outcome: Outcome[Any]) -> int:
    """Do what a curation step says must follow: the new index first (built off the loop,
    so the moderator's next action sees the change), then the notifications; returns how
    many citizens were told."""
    rt = runtime(context)
    if outcome.reindex:
        await rt.core.refresh_async(force=True)
    return await notify_due(context.bot, rt) if outcome.notify else 0


async def curate(
    update: Update,
    context: Context,
    usage: str,
    count: int,
    act: Callable[[list[str], str], Outcome[Any]],
    done: Callable[[list[str], Outcome[Any], int], str],
    unknown: str = "failed",
) -> None:
    """A moderator command of `count` arguments: the curation step `act(args, actor)`, what
    must follow it, then the reply `done(args, outcome, citizens told)`. An unknown id or a
    refused change gets the `unknown` text with the reason, and nothing changes."""
    message = update.effective_message
    assert message is not None
    args = await arguments(update, context, count, usage)
    if args is None:
        return
    try:
        outcome = act(args, actor(update.effective_user))
    except (LookupError, ValueError) as exc:
        await message.reply_text(text("id", unknown, error=echo(exc), id=echo(args[0])))
        return
    notified = await follow(context, outcome)
    await message.reply_text(done(args, outcome, notified))


async def notify_due(bot: Bot, rt: Runtime) -> int:
    """Tell everyone whose "Kabari saya" claim is now answered, once; returns how many."""
    sent = 0
    for subscription, statement in rt.core.due_notifications():
        language = subscription.language
        card = render.statement_card(statement, language, headers=[text(language, "notify_header")])
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
        rt.curation.notified(subscription.id)
    return sent


async def announce_fast_growing(bot: Bot, rt: Runtime) -> int:
    """Post each fast-growing unanswered cluster once in the moderators' chat."""
    chat_id = rt.settings.moderator_chat_id
    if chat_id is None:
        return 0
    found = rt.curation.fast_growing(
        threshold=rt.settings.alert_threshold, window_minutes=rt.settings.alert_window_minutes
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
        rt.curation.announced(cluster.key)
    return len(found)
