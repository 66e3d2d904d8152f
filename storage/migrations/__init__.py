"""Schema migrations, applied in registration order by `storage.db.open_db`.

RULE: a migration that has been released is never edited. Databases in the field
have already recorded it as applied and would never see the change; add a new
`migration(...)` below instead (next number, e.g. "0009_..."). Each is its name, why it
exists, and the SQL it runs in order; sqlite-utils records it by name once it has run.

They live in numbered modules, imported below in order (registration order is the order they
run in): m0001_0005.py, m0006_0010.py, m0011_0015.py; the next ones go in a new module
when these are full.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("cekklaim")


def migration(name: str, why: str, *statements: str) -> None:
    """Register migration `name`: `statements` run in this order, inside the migration's
    transaction; `why` (what the change is for) becomes its docstring."""

    def migrate(db: Database) -> None:
        for sql in statements:
            db.execute(sql)

    migrate.__name__ = migrate.__qualname__ = f"m{name}"
    migrate.__doc__ = why
    MIGRATIONS(name=name)(migrate)


# Registered in order: imported after `migration` exists (they call it).
from storage.migrations import m0001_0005, m0006_0010, m0011_0015  # noqa: E402

__all__ = ["MIGRATIONS", "m0001_0005", "m0006_0010", "m0011_0015", "migration"]
