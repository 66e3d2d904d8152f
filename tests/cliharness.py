"""Run the `cekklaim` CLI in-process in a clean environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SETTING_NAMES


def clean_cli_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    secret: str | None,
    db_name: str = "cekklaim.db",
    **settings: str,
) -> Path:
    """No stray settings or .env, the working directory and the database in tmp_path, and
    `settings` set; returns the database path. `secret=None` leaves CEKKLAIM_SECRET unset,
    so the CLI generates `<db>.secret`."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / db_name
    monkeypatch.setenv("CEKKLAIM_DB", str(path))
    if secret is not None:
        monkeypatch.setenv("CEKKLAIM_SECRET", secret)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return path
