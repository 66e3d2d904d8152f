"""Claims that are a file without text (a voice note, a video, a document): recorded for the
moderators like any claim, keyed by Telegram's `file_unique_id`, so the same forwarded video
is one claim counted as often as it is sent. Only what shows the file again is kept (its
`file_id`), never its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.claims import SubmissionResult, record_submission
from storage.db import transaction

MEDIA_KINDS = frozenset({"voice", "audio", "video", "video_note", "document", "photo"})
MEDIA_PREFIX = "media:"  # the claim's normalized key; normalized text never has a colon
MAX_FILE_ID = 256  # Telegram's ids are far shorter; a longer one is not Telegram's


@dataclass(frozen=True, slots=True)
class Media:
    kind: str  # one of MEDIA_KINDS
    file_id: str  # to send the file again (valid for this bot only)
    file_unique_id: str  # the same file, whoever sends or forwards it
    duration: int | None = None  # seconds (voice, audio, video)
    mime_type: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {self.kind!r}")
        for value in (self.file_id, self.file_unique_id):
            if not value or len(value) > MAX_FILE_ID or not value.isprintable():
                raise ValueError("not a Telegram file id")


def record_media_submission(
    db: Database,
    media: Media,
    *,
    label: str,
    channel: str,
    user_hash: str | None,
    chat_hash: str | None = None,
    update_id: int | None = None,
) -> SubmissionResult:
    """One file sent without text, as a claim with no match (it waits in the moderators'
    queue) shown there as `label`; a redelivered update changes nothing."""
    with transaction(db):
        result = record_submission(
            db,
            text=label,
            normalized=MEDIA_PREFIX + media.file_unique_id,
            channel=channel,
            user_hash=user_hash,
            chat_hash=chat_hash,
            update_id=update_id,
            tier="none",
        )
        db.execute(
            """
            INSERT INTO claim_media (claim_id, kind, file_id, file_unique_id, duration, mime_type)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (claim_id) DO UPDATE SET file_id = excluded.file_id
            """,
            [
                result.claim.id,
                media.kind,
                media.file_id,
                media.file_unique_id,
                media.duration,
                media.mime_type,
            ],
        )
    return result


def media_of(db: Database, claim_ids: Sequence[int]) -> dict[int, Media]:
    """The file behind each of these claims that is one."""
    if not claim_ids:
        return {}
    marks = ",".join("?" * len(claim_ids))
    rows = db.execute(
        "SELECT claim_id, kind, file_id, file_unique_id, duration, mime_type "
        f"FROM claim_media WHERE claim_id IN ({marks})",
        list(claim_ids),
    ).fetchall()
    return {row[0]: Media(*row[1:]) for row in rows}
