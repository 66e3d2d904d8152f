"""Whether this bot can serve, as `GET /healthz` tells a proxy or orchestrator: the database
answers (else 503 "unavailable"), with a few figures to read at a glance."""

from __future__ import annotations

import logging

from bot.core import Core

log = logging.getLogger(__name__)


def health(core: Core, *, queued: int, running: bool) -> tuple[int, dict[str, object]]:
    """The HTTP status and JSON body of a health check."""
    try:
        core.db.execute("SELECT 1").fetchone()
    except Exception:
        log.exception("health check: database unavailable")
        return 503, {"status": "unavailable"}
    body = {
        "status": "ok",
        "statements": len(core.snapshot.statements),
        "queued_updates": queued,
        "running": running,
    }
    return 200, body
