"""Shared fixtures: the simulated edge on loopback, a tmp state dir, fake tools on PATH."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own XDG config/state dirs so nothing leaks between tests or from the user."""
    root = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(root / "state"))
    monkeypatch.setenv("EDGE_CONSOLE_STATE_DIR", str(root / "state" / "edge-console"))
    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
    monkeypatch.setenv("WRANGLER_SEND_METRICS", "false")
    # the console picks its theme and glyphs from the terminal (console/termcaps.py): tests see the
    # default ones whatever terminal runs them; tests of the other themes set these themselves
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield


@pytest.fixture
def state_dir() -> Path:
    path = Path(os.environ["EDGE_CONSOLE_STATE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def sim():
    """A running simulated edge on 127.0.0.1 (scenario ``normal``)."""
    from console.sim.server import SimServer

    server = SimServer(host="127.0.0.1", port=0, scenario="normal")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class FakeTools:
    """``wrangler``, ``gh`` and ``terraform`` executables on PATH that run the simulated tools
    and record every argv (and environment keys) as JSON lines."""

    def __init__(self, bin_dir: Path, log: Path) -> None:
        self.bin_dir = bin_dir
        self.log = log

    def calls(self, tool: str | None = None) -> list[dict]:
        if not self.log.exists():
            return []
        rows = [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]
        return [r for r in rows if tool is None or r.get("tool") == tool]

    def argvs(self, tool: str | None = None) -> list[list[str]]:
        return [r["argv"] for r in self.calls(tool)]


def write_tool(bin_dir: Path, name: str, module: str) -> Path:
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import main\nsys.exit(main())\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def fake_tools(tmp_path, monkeypatch, sim) -> FakeTools:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for tool in ("wrangler", "gh", "terraform"):
        write_tool(bin_dir, tool, f"console.sim.tools.{tool}")
    log = tmp_path / "argv.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("EDGE_SIM_ARGV_LOG", str(log))
    for key, value in sim.tool_env().items():
        monkeypatch.setenv(key, value)
    return FakeTools(bin_dir, log)
