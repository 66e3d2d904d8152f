"""LOG_FORMAT=json: one JSON object per line (time, level, logger, message), token redacted."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.logformat import JsonFormatter
from bot.redact import REPLACEMENT, redact_in_logs
from bot.settings import SETTING_NAMES

TOKEN = "987654321:AAJsonLogTokenForTests_0123456789-abcdef"
ROOT = Path(__file__).resolve().parent.parent


def _lines(emit: object) -> list[dict[str, str]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("cekklaim.test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        assert callable(emit)
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_the_four_fields() -> None:
    lines = _lines(lambda log: log.warning("dua\nbaris: %s, %d", "klaim 'pemilu' ✓", 3))
    assert len(lines) == 1
    (line,) = lines
    assert set(line) == {"time", "level", "logger", "message"}
    assert line["level"] == "WARNING" and line["logger"] == "cekklaim.test.json"
    assert line["message"] == "dua\nbaris: klaim 'pemilu' ✓, 3"
    assert line["time"].endswith("+00:00") and "T" in line["time"]


def test_the_token_is_redacted_in_messages_and_tracebacks() -> None:
    redact_in_logs(TOKEN)

    def emit(log: logging.Logger) -> None:
        log.debug("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed at https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("send failed")

    lines = _lines(emit)
    assert len(lines) == 2
    assert REPLACEMENT in lines[0]["message"]
    assert "RuntimeError" in lines[1]["exc"] and REPLACEMENT in lines[1]["exc"]
    assert TOKEN not in json.dumps(lines)


def test_the_cli_logs_json_lines_when_asked(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(
        CEKKLAIM_SECRET="json-log-secret-0123456789",
        CEKKLAIM_DB=str(tmp_path / "bot.db"),
        LOG_LEVEL="DEBUG",
        LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", "pemilu diundur"],  # seeds, matches: logs
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    assert {"INFO", "DEBUG"} <= {line["level"] for line in lines}
    for line in lines:
        assert set(line) == {"time", "level", "logger", "message"}
