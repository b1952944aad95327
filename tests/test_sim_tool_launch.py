"""The simulated tools start fast: ``python -S`` through console/sim/tools/launch.py (the console's argv,
``tool_argv``), importing only what the command needs (issue #8 section 4)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import console
from console.sim.names import SIM_TOOLS, TOOL_LAUNCHER, tool_argv

#: modules no simulated tool imports at start-up (each costs milliseconds on every call)
NEVER = {"site", "typing", "dataclasses", "inspect", "subprocess", "urllib.request", "tomllib", "secrets"}
#: and these only where a command needs them (terraform reads its root module with pathlib, which imports
#: urllib.parse, on every command)
ONLY_WHEN_NEEDED = {
    # the tools read and write JSON with console.sim.tools.jsonlite and import re where a rare check needs it:
    # no json, re or enum (a third of a call's start-up)
    "wrangler": {"pathlib", "urllib.parse", "json", "re", "enum"},
    "gh": {"pathlib", "urllib.parse", "json", "re", "enum"},
    "terraform": {"json", "re", "enum"},
}


def _run(argv: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, **kw)


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("tool", SIM_TOOLS)
def test_the_console_starts_each_tool_without_site(tool, tmp_path):
    argv = tool_argv(tool)
    assert argv[:3] == [sys.executable, "-S", TOOL_LAUNCHER] and argv[3] == f"console.sim.tools.{tool}"
    done = _run(argv + ["--version"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


@pytest.mark.parametrize("tool", ["wrangler", "gh", "terraform"])
def test_a_tool_imports_only_what_its_commands_need(tool, tmp_path):
    argv = tool_argv(tool)
    done = _run([argv[0], "-X", "importtime", *argv[1:], "--version"], tmp_path)
    assert done.returncode == 0, done.stderr
    imported = _imported(done.stderr)
    assert f"console.sim.tools.{tool}" in imported and "console.sim.tools._common" in imported
    assert not imported & (NEVER | ONLY_WHEN_NEEDED[tool])


def test_the_launcher_runs_an_installed_copy_of_the_package(tmp_path):
    """A normal (not editable) install: the package in some site-packages, found from the launcher's path."""
    site = tmp_path / "site-packages"
    shutil.copytree(Path(console.__file__).parent, site / "console", ignore=shutil.ignore_patterns("__pycache__"))
    tool = site / "console" / "sim" / "tools" / "wrangler.py"
    tool.write_text(tool.read_text().replace('VERSION = "4.42.0"', 'VERSION = "4.42.0-installed-copy"'))
    done = _run(
        [sys.executable, "-S", str(site / "console/sim/tools/launch.py"), "console.sim.tools.wrangler", "-v"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4.42.0-installed-copy"


@pytest.mark.parametrize("module", ["os", "console.sim.server", "console.sim.tools.flags", ""])
def test_the_launcher_runs_only_the_simulated_tools(module, tmp_path):
    done = _run([sys.executable, "-S", TOOL_LAUNCHER, *([module] if module else [])], tmp_path)
    assert done.returncode == 2
    assert "usage: python -S" in done.stderr and done.stdout == ""
