"""deploy/: the systemd unit and the container file, checked as far as this machine allows
(systemd-analyze verify when present; a container build only where a Docker daemon answers),
and `cekklaim health`, the container's health check."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.runlock import RunLock
from bot.settings import SETTING_NAMES

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "cekklaim.service"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / "deploy" / "Dockerfile.dockerignore"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def unit_entries(path: Path = UNIT) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> every value (systemd keys may repeat), comments skipped."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if found := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(found.group(1), {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"not KEY=VALUE in a section: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_unit_runs_the_bot_as_its_own_user_restarting_on_failure() -> None:
    unit = unit_entries()
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    (exec_start,) = service["ExecStart"]
    assert exec_start.startswith("/") and exec_start.endswith("/cekklaim run")
    assert service["User"] not in (["root"], ["0"]) and service["User"] == service["Group"]
    assert service["Restart"] == ["on-failure"]
    assert service["KillSignal"] == ["SIGTERM"]  # the bot's graceful stop
    assert service["EnvironmentFile"] == ["/etc/cekklaim/cekklaim.env"]
    (workdir,) = service["WorkingDirectory"]
    db = next(v.split("=", 1)[1] for v in service["Environment"] if v.startswith("CEKKLAIM_DB="))
    # the database, and so its .secret and .lock beside it, in the one writable directory
    assert Path(db).parent == Path(workdir) and service["ReadWritePaths"] == [workdir]
    assert service["StateDirectory"] == [Path(workdir).name]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    for name in (v.split("=", 1)[0] for v in service["Environment"]):
        assert name in SETTING_NAMES


def test_the_unit_is_hardened() -> None:
    service = unit_entries()["Service"]
    expected = {
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
        "PrivateTmp": "yes", "PrivateDevices": "yes", "RestrictNamespaces": "yes",
        "CapabilityBoundingSet": "", "UMask": "0077",
    }  # fmt: skip
    assert {key: service.get(key, ["<missing>"])[-1] for key in expected} == expected
    assert service["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    """The unit as shipped, with ExecStart pointed at this checkout's cekklaim (verify
    checks the program exists); systemd warns about an unknown key without failing, so the
    output is read too."""
    installed = Path(sys.executable).parent / "cekklaim"
    text = UNIT.read_text(encoding="utf-8")
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={installed}", text, flags=re.M)
    copy = tmp_path / "cekklaim.service"
    copy.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for word in ("Unknown", "Failed", "Invalid", "ignoring", "not executable"):
        assert word not in output, output


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments skipped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_dockerfile_is_pinned_unprivileged_and_health_checked() -> None:
    steps = dockerfile_instructions()
    words = [word for word, _ in steps]
    (base,) = [rest for word, rest in steps if word == "FROM"]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    last_run = max(i for i, word in enumerate(words) if word == "RUN")
    assert words.index("USER") > last_run  # installed as root, run as the user
    (health,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert health.endswith('CMD ["cekklaim", "health"]')
    assert [rest for word, rest in steps if word == "CMD"][-1] == '["cekklaim", "run"]'
    assert words[-1] == "CMD"
    copied = " ".join(rest for word, rest in steps if word in ("COPY", "ADD"))
    assert ".env" not in copied and ".secret" not in copied and not re.search(r"(^| )\. ", copied)
    env = " ".join(rest for word, rest in steps if word == "ENV")
    for name in re.findall(r"\b([A-Z][A-Z0-9_]+)=", env):
        assert name in SETTING_NAMES or name.startswith(("PYTHON", "PIP_")), name
    assert "CEKKLAIM_DB=/data/" in env and '["/data"]' in dict(steps)["VOLUME"]


def test_the_build_context_keeps_secrets_out() -> None:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").split()
    assert lines[lines.index("**") + 1 :]  # everything excluded, then the sources allowed
    for pattern in ("**/*.secret", "**/.env", "**/*.db"):
        assert pattern in lines


def test_readme_deploying_shows_unit_container_proxy_backups_upgrades_logs() -> None:
    section = README.split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
    for needed in (
        "deploy/cekklaim.service", "systemctl", "deploy/Dockerfile", "docker build",
        "reverse_proxy", "proxy_pass", "cekklaim restore", "Upgrad", "journalctl",
        "LOG_FORMAT=json", "cekklaim health",
    ):  # fmt: skip
        assert needed in section, needed


def _docker_daemon() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.skipif(not _docker_daemon(), reason="no Docker daemon on this machine")
def test_the_container_builds_and_its_health_check_runs() -> None:
    tag = "cekklaim-test:latest"
    build = subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    who = subprocess.run(["docker", "run", "--rm", tag, "id", "-u"], capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert who.stdout.strip() == "10001"
    # no bot running in this container: the health check must say so
    health = subprocess.run(["docker", "run", "--rm", tag, "cekklaim", "health"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert health.returncode == 1 and "no cekklaim run holds /data/cekklaim.db" in health.stderr


# ------------------------------------------------------------------------ cekklaim health


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "bot.db"


def test_health_in_polling_mode_is_the_run_lock(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health", "--db", str(clean)]) == 1
    assert "no cekklaim run holds" in capsys.readouterr().err
    assert not clean.exists() and not clean.with_name("bot.db.secret").exists()  # only looks
    with RunLock(clean):
        assert main(["health", "--db", str(clean)]) == 0
    assert main(["health", "--db", str(clean)]) == 1


@pytest.fixture
def healthz() -> Iterator[tuple[int, list[int]]]:
    """A stand-in /healthz on 127.0.0.1 whose status the test sets."""
    status = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code = status[0] if self.path == "/healthz" else 404
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}' if code == 200 else b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], status
    server.shutdown()
    server.server_close()


def test_health_in_webhook_mode_asks_healthz(
    clean: Path,
    healthz: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port, status = healthz
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/tg")
    monkeypatch.setenv("WEBHOOK_SECRET", "hook-secret-for-tests")
    monkeypatch.setenv("WEBHOOK_LISTEN", "0.0.0.0")  # asked on loopback
    monkeypatch.setenv("WEBHOOK_PORT", str(port))
    assert main(["health", "--db", str(clean)]) == 0
    assert '{"status": "ok"}' in capsys.readouterr().out
    status[0] = 503
    assert main(["health", "--db", str(clean)]) == 1
    assert "503" in capsys.readouterr().err
