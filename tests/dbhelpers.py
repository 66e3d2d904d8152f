"""Small helpers several test modules share: row counts and JSONL files to import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database


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
