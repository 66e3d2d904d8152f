"""A reader that closes the pipe early (`cekklaim export | head`) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_PIPE_CLOSED
from bot.core import Core
from bot.settings import SETTING_NAMES

SECRET = "pipe-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipes") / "bot.db"
    Core.open(path, SECRET).close()
    return path


@pytest.mark.parametrize(
    ("command", "status"),
    [(["export"], EXIT_PIPE_CLOSED), (["export", "--format", "claimreview"], EXIT_PIPE_CLOSED),
     (["check", "--no-record", "pemilu"], EXIT_PIPE_CLOSED), (["stats"], EXIT_PIPE_CLOSED),
     (["--help"], 0)],  # argparse itself ignores a failed write of its help
)  # fmt: skip
def test_a_closed_pipe_ends_quietly(
    command: list[str], status: int, db: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(CEKKLAIM_SECRET=SECRET, CEKKLAIM_DB=str(db), PYTHONPATH=str(ROOT))
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line is written: EPIPE for sure
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            stdout=writer, stderr=subprocess.PIPE, env=env, cwd=tmp_path, timeout=120,
        )  # fmt: skip
    finally:
        os.close(writer)
    err = done.stderr.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err, err
    assert done.returncode == status


def test_the_status_is_the_shells_for_sigpipe() -> None:
    assert EXIT_PIPE_CLOSED == 141
