"""Files sent without text (a voice note, a video, audio, a document): the bot cannot read
them yet, so each is recorded for the moderators like a claim nobody answered, and the
citizen is told so. The same file forwarded again counts on one claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import updatelog
from bot.claims import Claim
from bot.core import Core
from bot.domain import Media
from storage.claim_media import record_media_submission

#: How a file sent without text is named in the moderators' queue (they work in Indonesian).
MEDIA_LABELS = {
    "voice": "pesan suara",
    "audio": "audio",
    "video": "video",
    "video_note": "video bulat",
    "document": "dokumen",
    "photo": "foto",
}


@dataclass(frozen=True, slots=True)
class MediaRecorded:
    claim_id: int
    duplicate: bool  # the same update was recorded before (a redelivery)


def media_label(media: Media) -> str:
    """The claim's text in the queue: "[pesan suara 0:42]", "[dokumen application/pdf]"."""
    parts = [MEDIA_LABELS[media.kind]]
    if media.duration:
        parts.append(f"{media.duration // 60}:{media.duration % 60:02d}")
    if media.kind == "document" and media.mime_type:
        parts.append(media.mime_type[:60])
    return "[" + " ".join(parts) + "]"


def record_media(core: Core, media: Media, claim: Claim) -> MediaRecorded:
    """A voice note, video, audio or document sent without text: nothing to match yet, so
    it is recorded for the moderators (the same file sent again counts on one claim)."""
    result = record_media_submission(
        core.db,
        media,
        label=media_label(media),
        channel=claim.channel.value,
        user_hash=claim.user_hash,
        chat_hash=claim.chat_hash,
        update_id=claim.update_id,
    )
    updatelog.note(claim=result.claim.id, media=media.kind)
    return MediaRecorded(result.claim.id, result.duplicate)
