"""Fixtures shared by the test modules, each defined once.

A module says how its fixtures should be set up with markers, at the top of the module:

    pytestmark = pytest.mark.bot_env(MODERATOR_IDS="1001")     # settings of `bot`
    pytestmark = pytest.mark.bot_env(shared=True, ...)         # one threaded bot per module
    pytestmark = pytest.mark.statements(DELAY, QC)             # what `db` starts with
    pytestmark = pytest.mark.cli_env(secret=SECRET)            # how `db_path` sets the CLI up
    pytestmark = pytest.mark.site_files(("/path", "file.html", "text/html"))  # `site` pages
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cliharness import clean_cli_env
from sourceserver import SourceServer
from sqlite_utils import Database

import storage

if TYPE_CHECKING:  # imported where used: a module that needs no bot does not load Telegram
    from botharness import Bot
    from threadbot import ThreadedBot

MARKERS = {
    "bot_env": "bot_env(shared=False, **env): settings of the `bot` and `linking_bot` "
    "fixtures; shared=True makes `bot` one ThreadedBot for the whole module",
    "statements": "statements(*inputs): StatementInputs the `db` fixture saves first",
    "cli_env": "cli_env(secret=None, db_name='cekklaim.db', **settings): the `db_path` CLI setup",
    "site_files": "site_files(*(path, file, content_type)): files the `site` fixture serves",
}


def pytest_configure(config: pytest.Config) -> None:
    for text in MARKERS.values():
        config.addinivalue_line("markers", text)


def _marker(request: pytest.FixtureRequest, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The args and kwargs of the closest `name` marker (module or test), or empty ones."""
    marker = request.node.get_closest_marker(name)
    return (marker.args, dict(marker.kwargs)) if marker else ((), {})


def _bot_env(request: pytest.FixtureRequest) -> tuple[bool, dict[str, str]]:
    _, env = _marker(request, "bot_env")
    shared = bool(env.pop("shared", False))
    return shared, env


@pytest.fixture
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bot | ThreadedBot]:
    """The real bot over real HTTP against the fake Bot API, one per test.

    With `bot_env(shared=True)` it is instead the module's one ThreadedBot (`shared_bot`):
    modules of many small synchronous checks keep one bot running for all of them.
    """
    from botharness import running_bot

    shared, env = _bot_env(request)
    if shared:
        yield request.getfixturevalue("shared_bot")
        return
    async for running in running_bot(tmp_path, **env):
        yield running


@pytest.fixture
async def linking_bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bot]:
    """`bot` with FETCH_LINKS on: it opens the links citizens send (loopback test sites)."""
    from botharness import running_bot

    _, env = _bot_env(request)
    async for running in running_bot(tmp_path, **env, FETCH_LINKS="1"):
        yield running


@pytest.fixture(scope="module")
def shared_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadedBot]:
    """One ThreadedBot for the whole module, with the module's `bot_env` settings."""
    from threadbot import ThreadedBot

    _, env = _bot_env(request)
    with ThreadedBot(tmp_path_factory.mktemp("shared_bot"), **env) as running:
        yield running


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database on a temporary file, holding the `statements` marker's."""
    database = storage.open_db(tmp_path / "cekklaim.db")
    inputs, _ = _marker(request, "statements")
    for data in inputs:
        storage.save_statement(database, data, actor="t")
    yield database
    database.close()


@pytest.fixture
def db_path(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The database path of a CLI run in a clean environment (cliharness.clean_cli_env):
    no stray settings or .env, cwd in tmp_path, settings from the `cli_env` marker."""
    _, kwargs = _marker(request, "cli_env")
    kwargs.setdefault("secret", None)
    return clean_cli_env(tmp_path, monkeypatch, **kwargs)


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Iterator[SourceServer]:
    """A web server on 127.0.0.1 for source pages and feeds (tests/sourceserver.py)."""
    files, _ = _marker(request, "site_files")
    with SourceServer() as server:
        for path, name, content_type in files:
            server.add_file(path, name, content_type)
        yield server
