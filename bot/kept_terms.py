"""`cekklaim import` reads the statements it imports for the matcher's index and keeps what
it read in the database (storage/index_entries.py, bot/matcher/packed.py), so the running bot
that notices the import, and every bot that starts on the base, unpacks them instead of
normalizing each statement again: the slow part of indexing, done once per text, in the
importing process rather than the bot's.

The entries are written before the statements (a bot polling meanwhile finds them when it
notices the statements), in the same short transactions as the import itself. After the
import, a statement whose stored text has no entry (its variants linked from claims, say)
gets one, and entries no statement's text gives any more are forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlite_utils import Database

import storage
from bot.matcher import packed
from bot.matcher.normalize import forget
from bot.matcher.postings import IndexDoc, read
from bot.snapshot import index_docs
from storage import ImportSummary, StatementInput
from storage.statement_input import clean_statement_input


def _packed(docs: Iterable[IndexDoc], known: set[str]) -> Iterator[tuple[str, bytes]]:
    for doc in docs:
        key = packed.key(doc)
        if key in known:
            continue
        known.add(key)
        blob = packed.pack(read(doc))
        if blob is not None:
            yield key, blob


def keep_terms(db: Database, docs: Sequence[IndexDoc], lock_seconds: float | None) -> int:
    """Read and keep the texts of `docs` not kept yet; returns how many were given."""
    known = storage.index_terms_keys(db, [packed.key(d) for d in docs])
    try:
        return storage.save_index_terms(db, _packed(docs, known), lock_seconds=lock_seconds)
    finally:
        forget()  # what reading them memoized


#: An import of at least this share of the base also forgets the entries no statement's
#: text gives any more (it reads every statement to know): a smaller one leaves them, as
#: they are never used, for the next large one.
PRUNE_SHARE = 0.1


def import_statements(
    db: Database,
    rows: Sequence[StatementInput],
    *,
    actor: str,
    lock_seconds: float | None = None,
    images: Mapping[str, Iterable[str]] | None = None,
) -> ImportSummary:
    """`storage.import_statements`, with every imported text read for the index and kept:
    first the texts as given, then whatever the stored statements hold that is not kept
    (variants linked from claims, say)."""
    cleaned = [clean_statement_input(r) for r in rows]
    given = [IndexDoc(r.external_id, r.claim, tuple(r.variants), r.clarification) for r in cleaned]
    keep_terms(db, given, lock_seconds)
    summary = storage.import_statements(
        db, rows, actor=actor, lock_seconds=lock_seconds, images=images
    )
    stored = storage.statements_by_external_id(db, [r.external_id for r in cleaned])
    keep_terms(db, index_docs(stored), lock_seconds)
    total = db.execute("SELECT count(*) FROM statements").fetchone()[0]
    if len(rows) >= PRUNE_SHARE * total:
        docs = index_docs(storage.list_statements(db, include_retired=True))
        storage.prune_index_terms(db, {packed.key(d) for d in docs})
    return summary
