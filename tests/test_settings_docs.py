"""The settings table in bot/settings.py is the one list: README and .env.example document
every setting it declares (with its default), and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import SETTINGS, Setting, SettingsError, load_settings, parse_env_file

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = ROOT / ".env.example"


def readme_rows() -> dict[str, str]:
    """Setting name -> its row in README's "Settings" table (a row may name several)."""
    section = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", first):
                rows[name] = line
    return rows


def env_example_blocks() -> dict[str, str]:
    """Setting name -> the comment lines just above its `NAME=` line in .env.example."""
    blocks: dict[str, str] = {}
    comments: list[str] = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comments.append(line)
        elif found := re.match(r"([A-Z][A-Z0-9_]+)=", line):
            blocks[found.group(1)] = "\n".join(comments)
            comments = []
        else:
            comments = []
    return blocks


def test_readme_and_env_example_document_exactly_the_declared_settings() -> None:
    declared = [s.name for s in SETTINGS]
    assert len(set(declared)) == len(declared)
    assert sorted(readme_rows()) == sorted(declared)
    assert list(env_example_blocks()) == declared  # and in the table's order


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS if s.default is not None], ids=lambda s: s.name
)
def test_each_default_is_the_documented_one(setting: Setting) -> None:
    assert f"`{setting.default}`" in readme_rows()[setting.name]
    block = env_example_blocks()[setting.name]
    assert re.search(rf"default:? {re.escape(setting.default)}\b", block), block


def test_every_default_parses_and_the_example_file_loads(tmp_path: Path) -> None:
    """A copy of .env.example with its blanks is a valid configuration: blanks are unset."""
    values, problems = parse_env_file(ENV_EXAMPLE)
    assert problems == [] and set(values) == {s.name for s in SETTINGS}
    env = {"CEKKLAIM_SECRET": "x" * 32, "CEKKLAIM_DB": str(tmp_path / "db.sqlite")}
    settings = load_settings(environ=env, env_file=ENV_EXAMPLE)
    for setting in SETTINGS:
        expected = setting.unset if setting.default is None else setting.parse(setting.default)
        if setting.name not in env:
            assert getattr(settings, setting.field) == expected, setting.name


def test_the_inbox_switch_is_a_setting_like_the_others() -> None:
    """CEKKLAIM_INBOX no longer reads the environment on its own."""
    base = {"CEKKLAIM_SECRET": "x" * 32, "CEKKLAIM_DB": ":memory:"}
    assert load_settings(environ=base, env_file=None).inbox is True
    assert load_settings(environ={**base, "CEKKLAIM_INBOX": "0"}, env_file=None).inbox is False
    with pytest.raises(SettingsError, match=r"CEKKLAIM_INBOX: 'maybe' is not a yes/no value"):
        load_settings(environ={**base, "CEKKLAIM_INBOX": "maybe"}, env_file=None)
