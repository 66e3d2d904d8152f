"""Curating the base: every moderator operation, one home for the bot and the CLI alike.

    command -> adapter (bot/telegram/moderation/, bot/cli/) -> Curation.<operation>
            -> one transaction with its audit entry (storage/) -> Outcome
            -> the adapter rebuilds the index if `reindex`, then tells the askers now answered

Plain Python: no Telegram here, so a change to "what a moderator edit does" is made once.
Refusals the moderator can act on are raised as LookupError (unknown statement, cluster) or
ValueError (an invalid change), each with a message that names the problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlite_utils import Database

import storage
from bot import clusters, drafts
from bot.clusters import Cluster
from bot.images.hashing import fingerprint
from storage import AuditEntry, LinkResult, Statement, StatementInput, statement_images
from storage import sources as source_store
from storage.claim_images import ClaimImage, images_of
from storage.claim_queue import ACTION_LINK_CLAIMS
from storage.people import remove_subscription
from storage.sources import Evidence, SourceDraft
from storage.statement_images import StatementImage

__all__ = [
    "Curation", "HistoryLine", "ImageAttached", "Outcome", "Retired", "Role", "Statement",
    "StatementInput", "history_line", "moderator_actor",
]  # fmt: skip

T = TypeVar("T")

CLI_ACTOR = "cli"
ACTION_DISMISS_CLAIMS = "dismiss_claims"
ACTION_DISMISS_SOURCE_DRAFT = "dismiss_source_draft"
HIDDEN_FIELDS = frozenset({"id", "created_at", "updated_at"})  # change on every save


def moderator_actor(user_id: int) -> str:
    """How a moderator is named in the audit log (an official role: the id is not hashed)."""
    return f"mod:{user_id}"


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What an operation did, and what must follow it."""

    value: T
    reindex: bool = False  # the served statements changed: rebuild the matcher's index
    notify: bool = False  # askers may be answered now: deliver the due notifications


@dataclass(frozen=True, slots=True)
class Retired:
    statement: Statement
    already: bool  # it was retired before: nothing changed


@dataclass(frozen=True, slots=True)
class Role:
    """One person who moderates: an admin (MODERATOR_IDS, configured, never stored) or a
    moderator added at run time, by whom and when."""

    user_id: int
    admin: bool
    added_by: str | None = None
    added_at: str | None = None


@dataclass(frozen=True, slots=True)
class ImageAttached:
    image: StatementImage
    new: bool  # False: a picture with the same fingerprint was attached already


@dataclass(frozen=True, slots=True)
class Usage:
    """How a statement is used: its phrasings (text, source) and the claims it answered."""

    variants: list[tuple[str, str]]
    answered: int  # distinct claims
    asked: int  # times they were asked


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One audit entry as moderators read it (bot and CLI alike)."""

    at: str
    action: str
    actor: str | None
    changes: tuple[Change, ...]  # fields that changed; none on create
    summary: str  # what a link did ("claims 3, 4; 2 new phrasing(s)"), else ""


def history_line(entry: AuditEntry) -> HistoryLine:
    """The one rule for which fields a history view shows: those that changed, without the
    row id and timestamps; a create shows none, a cluster link its claims instead."""
    before, after = entry.before or {}, entry.after or {}
    summary = ""
    changes: tuple[Change, ...] = ()
    if entry.action == ACTION_LINK_CLAIMS:
        ids = ", ".join(str(i) for i in after.get("claim_ids", []))
        summary = f"claims {ids}; {after.get('variants_added', 0)} new phrasing(s)"
    elif entry.before is not None and entry.after is not None:
        changes = tuple(
            Change(key, before.get(key), after.get(key))
            for key in sorted(before.keys() | after.keys())
            if key not in HIDDEN_FIELDS and before.get(key) != after.get(key)
        )
    return HistoryLine(entry.at, entry.action, entry.actor, changes, summary)


class Curation:
    """The moderators' operations over one database; `admin_ids` come from MODERATOR_IDS."""

    def __init__(self, db: Database, admin_ids: frozenset[int] = frozenset()) -> None:
        self.db = db
        self.admin_ids = admin_ids

    # ---------------------------------------------------------------------------- roles

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    def is_moderator(self, user_id: int) -> bool:
        return storage.is_moderator(self.db, user_id, self.admin_ids)

    def moderators(self) -> list[storage.Moderator]:
        """Moderators added at run time (admins are configured, not stored)."""
        return storage.list_moderators(self.db)

    def roster(self) -> list[Role]:
        """Everyone who moderates, each once: the admins by id, then the moderators added (in
        the order they were added) who are not admins as well."""
        admins = [Role(user_id, admin=True) for user_id in sorted(self.admin_ids)]
        return admins + [
            Role(m.user_id, admin=False, added_by=m.added_by, added_at=m.added_at)
            for m in self.moderators()
            if m.user_id not in self.admin_ids
        ]

    def everyone_moderating(self) -> list[int]:
        """Admins and added moderators: whose chats show the moderator commands."""
        return sorted(role.user_id for role in self.roster())

    def add_moderator(self, user_id: int, *, actor: str) -> bool:
        """False if they already were one. ValueError for an id that is not a user's."""
        return storage.add_moderator(self.db, user_id, added_by=actor)

    def remove_moderator(self, user_id: int, *, actor: str) -> bool:
        """False if no moderator was added with this id (admins are never stored)."""
        return storage.remove_moderator(self.db, user_id, removed_by=actor)

    # ---------------------------------------------------------------------------- statements

    def statement(self, external_id: str) -> Statement | None:
        return storage.get_statement(self.db, external_id)

    def evidence(self, statement: Statement) -> list[Evidence]:
        return source_store.evidence_for(self.db, statement.id)

    def usage(self, statement: Statement) -> Usage:
        variants = [
            (row["text"], row["source"])
            for row in self.db.query(
                "SELECT text, source FROM variants WHERE statement_id = ? ORDER BY id",
                [statement.id],
            )
        ]
        answered, asked = self.db.execute(
            "SELECT count(*), coalesce(sum(count), 0) FROM claims "
            "WHERE best_statement_id = ? AND status = 'answered'",
            [statement.id],
        ).fetchone()
        return Usage(variants, answered, asked)

    def create(self, draft: Mapping[str, Any], *, actor: str) -> Outcome[Statement]:
        """Save a finished draft (see bot.drafts) as a new statement, in one transaction: its
        new id, the statement, the source text it was made from, the pictures sent with it,
        the source draft marked used, and the queue cluster it answers linked to it."""
        db = self.db
        with storage.transaction(db):
            external_id = storage.new_external_id(db, draft["org"])
            saved, _ = storage.save_statement(db, drafts.to_input(draft, external_id), actor=actor)
            if draft.get("evidence"):
                source_store.save_evidence(db, saved.id, draft["evidence"], actor=actor)
            if draft.get("source_draft"):
                source_store.set_draft_status(db, draft["source_draft"], "used")
            for kept in draft.get("pictures", ()):  # photos sent during /tambah
                statement_images.add_image(
                    db, external_id, kept["fingerprint"], actor=actor, file_id=kept["file_id"]
                )
            if draft.get("cluster"):
                cluster = clusters.find_cluster(db, draft["cluster"])
                if cluster is not None:
                    storage.link_claims_to_statement(
                        db, cluster.claim_ids, external_id, actor=actor
                    )
        return Outcome(saved, reindex=True, notify=True)

    def edit(self, changed: StatementInput, *, actor: str) -> Outcome[bool]:
        """Save an edited statement (see drafts.edited); False when nothing changed."""
        _, action = storage.save_statement(self.db, changed, actor=actor)
        done = action != "unchanged"
        return Outcome(done, reindex=done, notify=done)

    def retire(self, external_id: str, *, actor: str) -> Outcome[Retired]:
        """Stop serving a statement. LookupError if there is none with this id."""
        before = self.statement(external_id)
        after = storage.retire_statement(self.db, external_id, actor=actor)
        already = before is not None and before.status == after.status
        return Outcome(Retired(after, already), reindex=not already)

    def supersede(self, old: str, new: str, *, actor: str) -> Outcome[Statement]:
        """Serve `new` instead of `old`; returns the old one. LookupError, ValueError."""
        replaced = storage.supersede_statement(self.db, old, new, actor=actor)
        return Outcome(replaced, reindex=True, notify=True)

    def history(self, external_id: str) -> list[HistoryLine]:
        return [history_line(e) for e in storage.history(self.db, external_id)]

    # ---------------------------------------------------------------------------- pictures

    def images(self, external_id: str) -> list[StatementImage]:
        """The pictures attached to a statement. LookupError for an unknown statement."""
        return statement_images.images_of(self.db, external_id)

    def attach_image(
        self, external_id: str, picture: bytes, *, actor: str, file_id: str | None = None
    ) -> Outcome[ImageAttached]:
        """Attach a circulating picture to a statement: its fingerprint is kept (never the
        picture), so copies of it get this statement. LookupError for an unknown statement;
        ValueError (bot.images.opening.ImageRejected) for bytes that are not a picture."""
        text = fingerprint(picture).text
        image, new = statement_images.add_image(
            self.db, external_id, text, actor=actor, file_id=file_id
        )
        return Outcome(ImageAttached(image, new), reindex=new)

    def detach_image(self, external_id: str, image_id: int, *, actor: str) -> Outcome[bool]:
        """Detach picture `image_id` (as `images` lists); False when the statement has no
        such picture. LookupError for an unknown statement."""
        done = statement_images.remove_image(self.db, external_id, image_id, actor=actor)
        return Outcome(done, reindex=done)

    # ---------------------------------------------------------------------------- queue

    def queue(self, limit: int = 20) -> list[Cluster]:
        return clusters.unanswered_clusters(self.db, limit=limit)

    def images_of(self, claim_ids: Sequence[int]) -> dict[int, ClaimImage]:
        """The image each of these claims was read from, if any (claim id -> image)."""
        return images_of(self.db, claim_ids)

    def cluster(self, key: str) -> Cluster | None:
        return clusters.find_cluster(self.db, key)

    def link_cluster(self, key: str, external_id: str, *, actor: str) -> Outcome[LinkResult]:
        """A cluster's claims become answered by a statement and its phrasings. LookupError
        for a key not in the current queue or an unknown statement; ValueError for a
        statement no longer served."""
        cluster = self.cluster(key)
        if cluster is None:
            raise LookupError(
                f"no unanswered cluster with key {key!r} "
                "(already answered or dismissed? see the current queue)"
            )
        result = storage.link_claims_to_statement(
            self.db, cluster.claim_ids, external_id, actor=actor
        )
        return Outcome(result, reindex=True, notify=True)

    def dismiss_cluster(self, key: str, *, actor: str) -> int | None:
        """Take a cluster's claims out of the queue; None when it is no longer there."""
        cluster = self.cluster(key)
        if cluster is None:
            return None
        with storage.transaction(self.db):
            count = storage.dismiss_claims(self.db, cluster.claim_ids)
            storage.record_change(
                self.db, action=ACTION_DISMISS_CLAIMS, actor=actor,
                after={"cluster": cluster.key, "claim_ids": list(cluster.claim_ids)},
            )  # fmt: skip
        return count

    def stats(self) -> storage.ClaimStats:
        return storage.claim_stats(self.db)

    def fast_growing(self, *, threshold: int, window_minutes: float) -> list[Cluster]:
        """Unanswered clusters asked `threshold` times within the window and not announced
        yet; call `announced` for each one posted, so each is posted once."""
        return clusters.fast_growing(
            self.db, self.queue(limit=50), threshold=threshold, window_minutes=window_minutes
        )

    def announced(self, key: str) -> bool:
        return clusters.mark_alerted(self.db, key)

    # ---------------------------------------------------------------------------- source drafts

    def source_drafts(self, limit: int = 10) -> tuple[list[SourceDraft], int]:
        """Pending drafts from feeds and ClaimReview imports, oldest first, and how many wait."""
        return (
            source_store.pending_drafts(self.db, limit=limit),
            source_store.pending_drafts_count(self.db),
        )

    def pending_source_draft(self, draft_id: int) -> SourceDraft | None:
        """A draft to accept (start /tambah from); None when used, dismissed or unknown."""
        found = source_store.get_source_draft(self.db, draft_id)
        return found if found is not None and found.status == "pending" else None

    def dismiss_source_draft(self, draft_id: int, *, actor: str) -> bool:
        """False when it was no longer pending."""
        with storage.transaction(self.db):
            done = source_store.set_draft_status(self.db, draft_id, "dismissed")
            if done:
                storage.record_change(
                    self.db, action=ACTION_DISMISS_SOURCE_DRAFT, actor=actor,
                    after={"source_draft": draft_id},
                )  # fmt: skip
        return done

    # ---------------------------------------------------------------------------- askers

    def notified(self, subscription_id: int) -> None:
        """A "Kabari saya" request was delivered (or cannot be): it is dropped."""
        remove_subscription(self.db, subscription_id)
