"""Small helpers several test modules share: row counts, JSONL files to import, where a
claim came from, and a moderator's link done the way the adapters do it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.clusters import claim_key
from bot.core import Core, Who
from bot.curation import Curation
from storage import LinkResult


def count(db: Database, table: str) -> int:
    """The number of rows in `table`."""
    return int(db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    """Write `rows` one a line (strings as they are, so a test can write a broken line)."""
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    return path


def link(core: Core, cluster: str | int, external_id: str, actor: str = "mod:1") -> LinkResult:
    """A moderator answers a queue cluster (its key, or the id of the claim that leads it)
    through the curation service, then the index is rebuilt, as the bot and the CLI do."""
    key = claim_key(cluster) if isinstance(cluster, int) else cluster
    outcome = Curation(core.db).link_cluster(key, external_id, actor=actor)
    if outcome.reindex:
        core.refresh(force=True)
    return outcome.value


def who(
    core: Core,
    channel: str,
    *,
    user_id: int | None = None,
    chat_id: int | None = None,
    update_id: int | None = None,
    asked: bool = True,
) -> Who:
    """Where a test's claim came from, its raw ids hashed as the adapters hash them."""
    return Who(channel, core.pseudonym(user_id), core.pseudonym(chat_id), update_id, asked)
