"""What `GET /healthz` reports (bot/health.py), without a server: ok with figures while the
database answers, 503 "unavailable" once it does not."""

from __future__ import annotations

from pathlib import Path

from bot.core import Core
from bot.health import health


def test_healthy_while_the_database_answers_then_unavailable(tmp_path: Path) -> None:
    core = Core.open(tmp_path / "bot.db", "health-secret-0123456789")
    status, body = health(core, queued=3, running=True)
    served = len(core.snapshot.statements)  # a new database starts with the starter base
    assert status == 200 and served > 0
    assert body == {"status": "ok", "statements": served, "queued_updates": 3, "running": True}
    core.close()  # the database is gone: the check must say so, not raise
    assert health(core, queued=0, running=True) == (503, {"status": "unavailable"})
