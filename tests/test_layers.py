"""The layers' rules, read from the source: the Telegram layer talks to services (bot.claims,
bot.citizens, bot.curation, bot.domain for value types), not to storage, and nothing else
knows Telegram; what the bot says (bot/replies/) knows neither Telegram, storage nor the use
cases (it reads their decisions through its own Protocols), and one module turns its
keyboards into Telegram's; no import cycle anywhere in bot/; no module over
400 lines; a Telegram id is hashed in one place; the runtime state is one typed object; the
only per-group limit is group_limit.py's."""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path
from typing import Any

from bot.botapi.faults import BotApiLimiter
from bot.core import Core
from bot.settings import load_settings
from bot.telegram.app import build_application
from bot.telegram.group_limit import GROUP_MESSAGES_PER_MINUTE
from bot.telegram.runtime import RUNTIME_KEY, runtime_of

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
TELEGRAM = BOT / "telegram"
BOTAPI = BOT / "botapi"  # the Bot API plumbing under the adapters: Telegram too
REPLIES = BOT / "replies"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at any depth of the file (lazy imports too): for
    `from a.b import c` both "a.b" and "a.b.c" (c may be a module)."""
    found: set[str] = set()
    package = module_name(path if path.name == "__init__.py" else path.parent, root)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def is_storage(module: str) -> bool:
    return module == "storage" or module.startswith("storage.")


def test_the_telegram_layer_imports_no_storage() -> None:
    """No exception: even the durable inbox's decisions live in bot/inbox.py (bot/botapi/,
    the plumbing under the adapters, is held to the same rule)."""
    offenders = {}
    for path in sorted([*TELEGRAM.rglob("*.py"), *BOTAPI.rglob("*.py")]):
        stored = sorted(m for m in imports(path) if is_storage(m))
        if stored:
            offenders[path.relative_to(ROOT).as_posix()] = stored
    assert offenders == {}
    assert any(is_storage(m) for m in imports(BOT / "inbox.py"))  # the checker reads imports


def test_the_plumbing_knows_no_adapter() -> None:
    """bot/botapi/ sits under the adapters: it imports python-telegram-bot, never bot/telegram
    (the adapters wire it in app.py)."""
    found = {
        path.relative_to(ROOT).as_posix(): sorted(
            m for m in imports(path) if m.startswith("bot.telegram")
        )
        for path in sorted(BOTAPI.rglob("*.py"))
    }
    assert {name: mods for name, mods in found.items() if mods} == {}
    assert any(m.split(".")[0] == "telegram" for m in imports(BOTAPI / "transport.py"))


def is_telegram(module: str) -> bool:
    """python-telegram-bot, or the bot's own Telegram layer (adapters and plumbing)."""
    return module.split(".")[0] == "telegram" or module.startswith(("bot.telegram", "bot.botapi"))


#: Modules outside bot/telegram that may import it, and why.
TELEGRAM_ALLOWED = {
    "bot/cli/run.py",  # `cekklaim run` starts the bot (a lazy import: Telegram only then)
}


def test_only_bot_telegram_knows_telegram() -> None:
    """The use cases (claims, citizens, curation, drafts, the inbox's decisions...) are plain
    Python: nothing outside bot/telegram (and the plumbing under it, bot/botapi) imports
    python-telegram-bot or the adapters."""
    offenders = {}
    for path in sorted(BOT.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if path.is_relative_to(TELEGRAM) or path.is_relative_to(BOTAPI) or name in TELEGRAM_ALLOWED:
            continue
        if found := sorted(m for m in imports(path) if is_telegram(m)):
            offenders[name] = found
    assert offenders == {}
    assert {"bot/claims.py", "bot/citizens.py", "bot/drafts.py", "bot/inbox.py"} <= {
        p.relative_to(ROOT).as_posix() for p in BOT.glob("*.py")
    }  # the use cases this guards exist where this test looks
    for name in TELEGRAM_ALLOWED:  # an exception no longer needed goes from the list
        assert any(is_telegram(m) for m in imports(ROOT / name)), name


def test_the_replies_import_neither_telegram_nor_storage() -> None:
    """Cards, texts, buttons and callback data are plain values, testable without a bot; value
    types come through bot.domain. Nothing they reach, at any depth, imports Telegram."""
    offenders = {}
    for path in sorted(REPLIES.rglob("*.py")):
        found = sorted(m for m in imports(path) if is_telegram(m) or is_storage(m))
        if found:
            offenders[path.relative_to(ROOT).as_posix()] = found
    assert offenders == {}
    graph = import_graph()
    reached, todo = set(), [m for m in graph if m.startswith("bot.replies")]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(graph[module])
    assert "bot.replies.render" in reached and "bot.domain" in reached  # the graph is read right
    modules = {module_name(p): p for p in BOT.rglob("*.py")}
    assert sorted(m for m in reached if any(is_telegram(i) for i in imports(modules[m]))) == []


#: The use cases: what the bot says reads their decisions through its own small Protocols
#: (decisions.Matched, Decided; short_cards.Answered), never by importing them.
USE_CASES = ("bot.claims", "bot.core", "bot.citizens", "bot.curation", "bot.drafts", "bot.inbox")


def test_the_replies_import_no_use_case() -> None:
    offenders = {}
    for path in sorted(REPLIES.rglob("*.py")):
        found = sorted(m for m in imports(path) if m.startswith(USE_CASES))
        if found:
            offenders[path.relative_to(ROOT).as_posix()] = found
    assert offenders == {}
    assert "bot.domain" in imports(REPLIES / "render.py")  # value types come from bot.domain


def test_one_module_builds_telegram_keyboards() -> None:
    """Keyboards are neutral Buttons everywhere else; bot/telegram/keyboards.py turns them into
    InlineKeyboardMarkup when a message is sent."""
    builders = sorted(
        p.relative_to(ROOT).as_posix()
        for p in BOT.rglob("*.py")
        if any(m.endswith(("InlineKeyboardButton", "InlineKeyboardMarkup")) for m in imports(p))
    )
    assert builders == ["bot/telegram/keyboards.py"]


def test_the_import_checker_sees_every_form_of_import(tmp_path: Path) -> None:
    """The checks above are only as good as `imports`: each way of writing an import counts."""
    package = tmp_path / "bot" / "telegram"
    package.mkdir(parents=True)
    sample = package / "sample.py"
    sample.write_text(
        "import storage\n"
        "from storage.people import get_language\n"
        "from bot.telegram import app\n"
        "from . import handlers\n"
        "def later():\n"
        "    from ..core import Core\n",
        encoding="utf-8",
    )
    assert {"storage", "storage.people", "bot.telegram.app", "bot.telegram.handlers",
            "bot.core"} <= imports(sample, tmp_path)  # fmt: skip


def import_graph() -> dict[str, set[str]]:
    """bot's modules and the bot modules each imports."""
    modules = {module_name(p): p for p in BOT.rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules and m != name}
            for name, path in modules.items()}  # fmt: skip


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


#: Cycles that exist only through imports inside functions, and why they are harmless.
LAZY_CYCLES = [
    # the parsing worker process imports the feed parser when it starts, never at import
    ["bot.sources.feeds", "bot.sources.sandbox"],
]


def test_no_import_cycle_in_bot() -> None:
    """Lazy imports count too (app -> handlers -> moderation -> app was one); the one
    exception is a worker process's imports, listed in LAZY_CYCLES."""
    graph = import_graph()
    assert "bot.telegram.handlers" in graph["bot.telegram.app"]  # the graph is read right
    assert [c for c in cycles(graph) if c not in LAZY_CYCLES] == []
    telegram = {m: {n for n in graph[m] if n.startswith("bot.telegram")}
                for m in graph if m.startswith("bot.telegram")}  # fmt: skip
    assert cycles(telegram) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"app": {"handlers"}, "handlers": {"moderation"}, "moderation": {"app"}, "x": set()}
    assert cycles(graph) == [["app", "handlers", "moderation"]]


#: A module a newcomer can read in one sitting, split by responsibility when it grows past this.
MAX_MODULE_LINES = 400

#: Modules still over the limit, and why (none: keep it that way).
LONG_MODULES: set[str] = set()


def module_sizes() -> dict[str, int]:
    """Lines of every module of the code: bot/, storage/ and bench/."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for folder in (BOT, ROOT / "storage", ROOT / "bench")
        for path in sorted(folder.rglob("*.py"))
    }


def test_no_module_over_400_lines() -> None:
    sizes = module_sizes()
    assert "storage/statements.py" in sizes and "bench/throughput.py" in sizes  # all are read
    over = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert {name: n for name, n in over.items() if name not in LONG_MODULES} == {}
    assert sorted(LONG_MODULES - over.keys()) == []  # an exception no longer needed goes


# ------------------------------------------------------------------------------ one of each


def test_a_telegram_id_is_hashed_in_core_only() -> None:
    """`Core.pseudonym` is the one place: no other module of bot/ calls the hash itself."""
    callers = sorted(
        p.relative_to(ROOT).as_posix()
        for p in BOT.rglob("*.py")
        if "hash_user_id" in p.read_text(encoding="utf-8")
    )
    assert callers == ["bot/core.py"]


def _app(tmp_path: Path) -> Any:
    settings = load_settings(
        environ={
            "TELEGRAM_BOT_TOKEN": "123456:" + "T" * 35,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # never called: not started
            "CEKKLAIM_DB": str(tmp_path / "bot.db"),
            "CEKKLAIM_SECRET": "layers-test-secret",
        },
        env_file=None,
    )
    core = Core.open(settings.db_path, settings.secret)
    return build_application(settings, core), core


def test_the_runtime_is_the_one_thing_in_bot_data(tmp_path: Path) -> None:
    app, core = _app(tmp_path)
    try:
        assert set(app.bot_data) == {RUNTIME_KEY}
        rt = runtime_of(app)
        assert rt.group_limiter.limit == GROUP_MESSAGES_PER_MINUTE
        assert rt.user_hash(4242) == core.pseudonym(4242)
        assert rt.user_hash(4242) != rt.user_hash(4243)
    finally:
        core.close()


async def _send_all(limiter: BotApiLimiter, chat_ids: list[int]) -> float:
    """Seconds `limiter` takes to let a sendMessage to each chat through (nothing sent)."""

    async def send(**_: Any) -> bool:
        return True

    await limiter.initialize()
    start = time.monotonic()
    try:
        await asyncio.gather(
            *(limiter.process_request(send, (), {}, "sendMessage", {"chat_id": c}, None)
              for c in chat_ids)
        )  # fmt: skip
    finally:
        await limiter.shutdown()
    return time.monotonic() - start


async def test_the_bot_api_limiter_keeps_no_per_group_limit() -> None:
    """25 messages to one group pass at once: group_limit.py decides what a group gets. With
    python-telegram-bot's 20-a-minute group limit the 21st would wait 3 s, the 25th 15 s."""
    assert await _send_all(BotApiLimiter(1000), [-1001234] * 25) < 2.0


async def test_the_bot_api_limiter_keeps_the_overall_rate() -> None:
    """At 10 a second, 25 messages to 25 chats take at least the 1.5 s the rate allows
    (10 at once, then 10 a second): the flood protection the Bot API needs stays."""
    assert await _send_all(BotApiLimiter(10), list(range(1, 26))) >= 1.0


def test_the_readme_layout_names_files_that_exist() -> None:
    """ "How the code is laid out" names a file for each step: each one it names exists."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"[\w/]+\.py", section))
    assert {"bot/claims.py", "bot/curation.py", "bot/telegram/moderation/notify.py"} <= named
    homes = [ROOT, BOT, TELEGRAM, TELEGRAM / "moderation", BOTAPI, BOT / "sources", REPLIES]
    homes.append(ROOT / "tests")
    missing = sorted(n for n in named if not any((home / n).is_file() for home in homes))
    assert missing == []
