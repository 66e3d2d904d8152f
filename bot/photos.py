"""A photo (or an image sent as a file) as a claim: plain Python, no Telegram.

    image bytes (+ its caption, when too short to check alone)
      -> a known image?            known_statement: the pictures moderators attached
                                   (bot/images/library.py), a confident copy only
      -> the text in it            OcrWorker.read: off the loop, bounded queue, per-user limit
      -> words OCR ran together    bot/matcher/segment.py split_joined (query side only)
      -> the claim path            claims.decide, exactly as for typed text
      -> where it came from        storage/claim_images.py (the moderators' queue shows it)
      -> PhotoDecision: the Decision, the text read (the reply quotes it), or why not

An image that cannot be read (no text, broken, too large) or a queue that is full is a
PhotoDecision with a `failure`: the citizen gets the photo how-to, never an error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot import claims, updatelog
from bot.claims import Claim, Decision, Options
from bot.core import Core
from bot.images.hashing import Fingerprint, QueryHashes, query_hashes
from bot.images.known import KnownImages, Match, same_picture
from bot.images.library import KnownPictures
from bot.images.ocr import ReadText, UnreadableImage
from bot.images.opening import ImageRejected
from bot.images.worker import OcrBusy, OcrWorker
from bot.matcher.match import MIN_CONTENT_WORDS
from bot.matcher.normalize import normalize
from bot.matcher.segment import index_words, split_joined
from storage import Statement
from storage.claim_images import open_image_fingerprints, record_claim_image
from storage.claims import record_submission
from storage.statements import get_statement_by_rowid

log = logging.getLogger(__name__)
T = TypeVar("T")

EXCERPT_CHARS = 160  # what the reply quotes of the text read
SEEN_BEFORE_LIMIT = 300  # unanswered images a photo is compared with (newest first)

#: Fingerprints and their lookups, one picture at a time: a burst of photos queues here
#: instead of decoding side by side (memory), and leaves a core to the OCR worker and the
#: event loop.
_PICTURES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pictures")


async def _off_loop(work: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_PICTURES, work, *args)


async def known_statement(
    core: Core, known: KnownPictures | None, image: bytes | QueryHashes
) -> Statement | None:
    """The served statement whose attached picture `image` is a copy of (a confident match
    only), or None, also for bytes that are no picture. The index is current as of the
    statement change log (a small read on the loop); hashing decodes the image, so the
    lookup runs in a thread."""
    if known is None:
        return None
    index = known.current(core.db)
    if not len(index):
        return None
    try:
        return _served(core, await _off_loop(index.lookup, image))
    except ImageRejected:
        return None


def known_statement_now(core: Core, known: KnownPictures | None, image: bytes) -> Statement | None:
    """`known_statement` on the calling thread (the CLI)."""
    if known is None:
        return None
    index = known.current(core.db)
    try:
        return _served(core, index.lookup(image)) if len(index) else None
    except ImageRejected:
        return None


def record_known_picture(
    core: Core, statement: Statement, photo: Photo, claim: Claim, options: Options
) -> None:
    """Track a copy of a known picture like a claim answered confidently: every copy of
    the pictures of one statement counts on one claim ("foto <id>"), so moderators see how
    much it circulates; the image itself can be shown again (claim_images)."""
    recorded = record_submission(
        core.db,
        text=f"[foto dikenal: {statement.external_id}]",
        normalized=f"foto {statement.external_id}",
        channel=claim.channel.value,
        user_hash=claim.user_hash,
        chat_hash=claim.chat_hash,
        update_id=claim.update_id,
        best_statement_external_id=statement.external_id,
        best_score=1.0,
        tier="confident",
        asked=options.asked,
    )
    if not recorded.duplicate:
        record_claim_image(core.db, recorded.claim.id, photo.file_id, photo.file_unique_id, "")


def _served(core: Core, match: Match | None) -> Statement | None:
    if match is None or not match.confident:
        return None
    row = get_statement_by_rowid(core.db, match.statement_id)
    return None if row is None else core.snapshot.statements.get(row.external_id)


@dataclass(frozen=True, slots=True)
class Photo:
    """An image a citizen sent: its bytes, Telegram's ids for it, and its caption."""

    data: bytes
    file_id: str
    file_unique_id: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class PhotoDecision:
    """What the photo use case decided. `failure`: "unreadable" (no text read, or not an
    image this bot reads) or "busy" (too many images waiting); `known`: the statement a
    known image is about (no OCR run)."""

    decision: Decision | None = None
    read: ReadText | None = None
    failure: str | None = None
    known: Statement | None = None

    @property
    def read_text(self) -> str:
        return self.read.text if self.read is not None else ""


def caption_readable(caption: str) -> bool:
    """A caption long enough to check by itself (a link, or MIN_CONTENT_WORDS content
    words, as a "none" answer counts them): the photo is then not read."""
    if claims.received(caption)[1]:
        return True
    if claims.small_talk(caption) is not None or not claims.readable(caption):
        return False
    return len(set(normalize(caption).content)) >= MIN_CONTENT_WORDS


def matchable(core: Core, read: str, caption: str) -> str:
    """What is matched for an image: the text read, words OCR ran together split again
    against the index's words, then the (short) caption."""
    split = split_joined(read, index_words(core.snapshot.index))
    return f"{split} {caption}".strip()


async def check_photo(
    core: Core,
    worker: OcrWorker,
    photo: Photo,
    claim: Claim,
    options: Options,
    *,
    known: KnownPictures | None = None,
) -> PhotoDecision:
    """The photo path: a known image answers at once; a copy of an image somebody sent
    that nobody answered yet joins that claim; else the text read from it is the claim
    (`claim`'s text is replaced by it), decided and recorded like typed text."""
    # 1. its fingerprint, off the loop (None: the hashing cannot read it; OCR may)
    hashes = await _off_loop(_hashes, photo.data)
    # 2. a known image: its statement, no OCR
    statement = await known_statement(core, known, hashes) if hashes else None
    if statement is not None:
        updatelog.note(image="known")
        if options.record:
            record_known_picture(core, statement, photo, claim, options)
        return PhotoDecision(known=statement)
    # 3. a copy of an unanswered image: the text read then, so it counts on that claim
    read = await _seen_before(core, hashes) if hashes else None
    if read is not None:
        updatelog.note(image="seen")
    else:  # 4. OCR, off the event loop
        try:
            read = await worker.read(photo.data, claim.user_hash)
        except OcrBusy as busy:
            log.info("photo not read: %s", busy)
            updatelog.note(image="busy")
            return PhotoDecision(failure="busy")
        except UnreadableImage as err:
            log.info("photo not read: %s", err)
            updatelog.note(image="unreadable")
            return PhotoDecision(failure="unreadable")
        except Exception:  # the engine failed on this image: the how-to, never an error
            log.exception("OCR failed")
            updatelog.note(image="failed")
            return PhotoDecision(failure="unreadable")
        updatelog.note(image="ocr", ocr_lines=len(read.lines))
    if not read.lines:
        return PhotoDecision(read=read, failure="unreadable")
    text, _ = claims.received(matchable(core, read.text, photo.caption))
    decision = await claims.decide(core, dataclasses.replace(claim, text=text), options)
    if not decision.readable:
        return PhotoDecision(decision, read, failure="unreadable")
    if decision.claim_id is not None and options.record:
        fingerprint = hashes.fingerprint().text if hashes else None
        record_claim_image(
            core.db, decision.claim_id, photo.file_id, photo.file_unique_id, read.text, fingerprint
        )
    return PhotoDecision(decision, read)


def _hashes(image: bytes) -> QueryHashes | None:
    try:
        return query_hashes(image)
    except ImageRejected:
        return None


async def _seen_before(core: Core, hashes: QueryHashes) -> ReadText | None:
    """The text read from an unanswered claim's image that this photo is a copy of (cropped,
    framed, screenshotted: `same_picture`), or None. Copies of one picture then count on one
    claim for the moderators even where OCR would read them differently."""
    earlier = open_image_fingerprints(core.db, SEEN_BEFORE_LIMIT)
    if not earlier:
        return None
    texts = {claim_id: read for claim_id, _, read in earlier}

    def find() -> int | None:
        pictures = []
        for claim_id, fingerprint, _ in earlier:
            try:
                pictures.append((claim_id, Fingerprint.parse(fingerprint)))
            except ValueError:
                continue  # from another version of the hashing: not compared
        return same_picture(KnownImages(pictures), hashes)

    claim_id = await _off_loop(find)
    return None if claim_id is None else ReadText((texts[claim_id],), 1.0)


def check_photo_now(
    core: Core,
    worker: OcrWorker,
    image: bytes,
    claim: Claim,
    options: Options,
    *,
    known: KnownPictures | None = None,
) -> PhotoDecision:
    """The CLI's `cekklaim check --image`: `check_photo` on the calling thread (no image
    ids are recorded: a file on disk has none)."""
    statement = known_statement_now(core, known, image)
    if statement is not None:
        return PhotoDecision(known=statement)
    try:
        read = worker.read_now(image)
    except UnreadableImage:
        return PhotoDecision(failure="unreadable")
    if not read.lines:
        return PhotoDecision(read=read, failure="unreadable")
    text, _ = claims.received(matchable(core, read.text, ""))
    decision = claims.decide_now(core, dataclasses.replace(claim, text=text), options)
    failure = None if decision.readable else "unreadable"
    return PhotoDecision(decision, read, failure=failure)
