"""Moderators in a private chat: curate statements, work the claim queue, notify askers.

    command -> common.moderator_only (rights) -> adding | statements | pictures | queue | roles
            -> bot.curation (validate, one transaction + audit) -> Outcome
            -> notify.follow (index rebuilt off the loop, citizens now answered told)

Every moderator command from anyone else is refused politely, says nothing about the base,
and is logged (with a hashed user id). The handlers are wired in bot/telegram/app.py.
"""

from bot.telegram.keys import MODERATOR_DRAFT as DRAFT
from bot.telegram.moderation.notify import announce_fast_growing, notify_due

__all__ = ["DRAFT", "announce_fast_growing", "notify_due"]
