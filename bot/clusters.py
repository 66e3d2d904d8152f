"""Group the moderators' queue into clusters of paraphrases of one claim.

"pemilu diundur ke juni", "PEMILU 2024 DIUNDUR JUNI!!" and "katanya pemilu ditunda sampai
juni" are three claims (three normalized texts) but one question for a moderator. Clusters
are what the queue shows, what a moderator links to a statement in one go, and what the
fast-growth alert counts.

Leader clustering: claims are taken oldest first; each joins the cluster whose leader (its
oldest claim) it is most similar to, or starts a new one. Every member is therefore similar
to the leader itself, not merely linked to it through a chain of neighbours, which matters
because linking a cluster adds every member's text to a statement as a phrasing. The oldest
claim also gives the cluster a key ("c<claim id>") that new claims do not change.

Similarity reads both claims through the matcher's `normalize` (slang, "diundur"/"ditunda"
-> "tunda", stopwords dropped) and needs both of:
  - rapidfuzz `token_set_ratio` of the content words >= `threshold` (typo tolerant);
  - at least half of the larger claim's distinct content words in the other one, since
    `token_set_ratio` alone scores 100 whenever one word set contains the other ("pemilu"
    against every claim about the election).
Work is O(claims x leaders), bounded by the queue limit (500 claims).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process
from sqlite_utils import Database

import storage
from bot.matcher.normalize import normalize
from storage import ClaimRecord
from storage.db import as_utc

DEFAULT_THRESHOLD = 80  # token_set_ratio, 0-100
MIN_SHARED = 0.5  # shared distinct content words / the larger claim's distinct content words
DECAY_HOURS = 48.0  # score = askers * exp(-hours since last asked / DECAY_HOURS)
QUEUE_LIMIT = 500  # claims read from the queue per clustering


@dataclass(frozen=True)
class Cluster:
    """Similar open claims; `count` is the number of times any of them was asked."""

    key: str  # "c<id of the oldest claim>"
    claim_ids: tuple[int, ...]  # oldest first
    count: int
    first_seen: str
    last_seen: str
    example: str  # the text of the most asked claim
    score: float  # count discounted by the time since last asked, for ranking

    @property
    def size(self) -> int:
        return len(self.claim_ids)


def claim_key(claim_id: int) -> str:
    return f"c{claim_id}"


def _words(text: str) -> tuple[str, ...]:
    """Distinct content words in first-seen order (the text is re-read, not `normalized`, so
    the current lexicon applies to old claims too)."""
    return tuple(dict.fromkeys(normalize(text).content))


def _shared(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return len(set(a) & set(b)) / max(len(a), len(b))


def cluster_claims(
    claims: Sequence[ClaimRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    now: datetime | None = None,
) -> list[Cluster]:
    """Cluster claims (see the module docstring); clusters in order of their oldest claim."""
    moment = as_utc(now)
    ordered = sorted(claims, key=lambda c: (c.first_seen, c.id))
    groups: list[list[ClaimRecord]] = []
    leader_words: list[tuple[str, ...]] = []
    leader_texts: list[str] = []  # joined content words of each leader ("" never matches)
    for claim in ordered:
        words = _words(claim.text) or _words(claim.normalized)
        best: tuple[float, float, int] | None = None
        if words:
            hits = process.extract(
                " ".join(words),
                leader_texts,
                scorer=fuzz.token_set_ratio,
                score_cutoff=threshold,
                limit=None,
            )
            for _, ratio, index in hits:
                shared = _shared(words, leader_words[index])
                if shared < MIN_SHARED:
                    continue
                # most similar leader; on a tie the oldest (lowest index)
                candidate = (ratio, shared, -index)
                if best is None or candidate > best:
                    best = candidate
        if best is None:
            groups.append([claim])
            leader_words.append(words)
            leader_texts.append(" ".join(words))
        else:
            groups[-best[2]].append(claim)
    return [_cluster(group, moment) for group in groups]


def _cluster(group: list[ClaimRecord], now: datetime) -> Cluster:
    count = sum(c.count for c in group)
    last_seen = max(c.last_seen for c in group)
    age_hours = max((now - datetime.fromisoformat(last_seen)).total_seconds() / 3600, 0.0)
    most_asked = max(group, key=lambda c: (c.count, c.last_seen, -c.id))
    return Cluster(
        key=claim_key(group[0].id),
        claim_ids=tuple(c.id for c in group),
        count=count,
        first_seen=min(c.first_seen for c in group),
        last_seen=last_seen,
        example=most_asked.text,
        score=count * math.exp(-age_hours / DECAY_HOURS),
    )


def all_clusters(
    db: Database,
    *,
    now: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    claim_limit: int = QUEUE_LIMIT,
) -> list[Cluster]:
    """Every cluster of the current queue, ranked (highest score first)."""
    moment = as_utc(now)
    clusters = cluster_claims(
        storage.queue_claims(db, limit=claim_limit, now=moment), threshold=threshold, now=moment
    )
    clusters.sort(key=lambda c: (-c.score, -c.count, c.first_seen, c.key))
    return clusters


def unanswered_clusters(
    db: Database,
    now: datetime | None = None,
    limit: int = 20,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Cluster]:
    """The moderators' queue as clusters, most asked and most recent first."""
    return all_clusters(db, now=now, threshold=threshold)[:limit]


def find_cluster(
    db: Database, key: str, *, now: datetime | None = None, threshold: float = DEFAULT_THRESHOLD
) -> Cluster | None:
    """The current cluster with this key, or None (answered, dismissed, or never existed)."""
    key = key.strip().lower()
    return next((c for c in all_clusters(db, now=now, threshold=threshold) if c.key == key), None)


def fast_growing(
    db: Database,
    clusters: Sequence[Cluster],
    *,
    threshold: int,
    window_minutes: float,
    now: datetime | None = None,
) -> list[Cluster]:
    """Clusters asked at least `threshold` times in the last `window_minutes`, not yet announced.

    Counts are real submissions in the window (not the all-time claim counters). Announcing is
    the caller's job; call `mark_alerted` for each one announced, so it is announced once.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if not clusters:
        return []
    since = as_utc(now) - timedelta(minutes=window_minutes)
    counts = storage.submissions_since(db, [i for c in clusters for i in c.claim_ids], since)
    announced = storage.alerted_clusters(db, [c.key for c in clusters])
    return [
        c
        for c in clusters
        if c.key not in announced and sum(counts[i] for i in c.claim_ids) >= threshold
    ]


def mark_alerted(db: Database, key: str) -> bool:
    """Record that a cluster was announced; False if it already was (then announce nothing)."""
    return storage.mark_cluster_alerted(db, key)
