"""What the bot reads of a group chat, without Telegram: whether a member status is in the
chat (so whether a change of the bot's own membership added or removed it), and the text a
mention of the bot asks about. bot/telegram/groups.py reads these from Telegram's updates
and does what follows (the introduction, the settings kept or marked removed, the check)."""

from __future__ import annotations

import re

#: Member statuses (Telegram's ChatMember.status) that are in the chat; "restricted" is
#: in it only while its `is_member` flag says so.
IN_CHAT = frozenset({"creator", "administrator", "member"})
RESTRICTED = "restricted"


def in_chat(status: str, is_member: bool) -> bool:
    """A member with this status (and `is_member` flag, read for restricted ones) is in."""
    return is_member if status == RESTRICTED else status in IN_CHAT


def without_mention(text: str, username: str) -> str:
    """`text` without the bot's @username (any case), spaces collapsed: what a mention asks."""
    rest = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(rest.split())
