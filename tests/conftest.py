"""Shared fixtures: the simulated edge on loopback, a tmp state dir, fake tools on PATH."""

from __future__ import annotations

import itertools
import json
import os
import stat
import sys
from pathlib import Path
from typing import Iterator

import pytest

#: what collecting the suite costs each process (each xdist worker collects every test): tests/collect_cost.py;
#: the longest tests start first under xdist worksteal: tests/long_tests_first.py
pytest_plugins = ("tests.collect_cost", "tests.long_tests_first")


@pytest.fixture(scope="session")
def _xdg_roots(tmp_path_factory) -> tuple[Path, Iterator[int]]:
    """One folder per process for the tests' XDG dirs, numbered by a counter: ``tmp_path_factory.mktemp`` per
    test listed the whole base folder each time to find the next number (CPU growing with every test run)."""
    return tmp_path_factory.mktemp("xdg"), itertools.count()


@pytest.fixture(autouse=True)
def _isolated_dirs(_xdg_roots, monkeypatch):
    """Every test gets its own XDG config/state dirs so nothing leaks between tests or from the user."""
    base, numbers = _xdg_roots
    root = base / str(next(numbers))
    root.mkdir(mode=0o700)
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


@pytest.fixture(autouse=True)
def _few_unseen_frames(request):
    """A headless app (Pilot) composes at most two frames a second for the terminal nobody reads
    (``screens.textual_compat.skip_unseen_frames``): every widget still draws while the test drives it,
    and what a test reads (a snapshot, the screen's text) is composed afresh when read.
    ``EDGE_TEST_EVERY_FRAME=1`` composes every frame, as an app on a terminal does."""
    if (
        "textual.screen" not in sys.modules
        or "unseen_frames_skipped" in request.fixturenames
        or request.node.get_closest_marker("every_frame") is not None
        or os.environ.get("EDGE_TEST_EVERY_FRAME")
    ):
        yield
        return
    from screens.textual_compat import skip_unseen_frames

    undo = skip_unseen_frames(every_s=0.5)
    yield
    undo()


@pytest.fixture
def unseen_frames_skipped():
    """A headless app composes no frame that nobody reads (``screens.textual_compat.skip_unseen_frames``: a
    third of a look test's CPU); for tests that end by reading the screen, which is composed afresh when read
    (the snapshot files are byte-identical with and without)."""
    from screens.textual_compat import skip_unseen_frames

    undo = skip_unseen_frames()
    yield
    undo()


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
    """An executable ``bin_dir/name`` running ``module``'s ``main`` as the console runs the simulated tools
    (``console.sim.names.tool_argv``): ``python -S`` (no ``site``: its start-up cost on every call) with the
    directory holding the ``console`` package put after the standard library on ``sys.path``."""
    import console

    root = str(Path(console.__file__).resolve().parent.parent)
    path = bin_dir / name
    path.write_text(
        f"#!{sys.executable} -S\nimport sys\nsys.path.append({root!r})\nfrom {module} import main\nsys.exit(main())\n"
    )
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


# -- tiers --------------------------------------------------------------------------------
# Every test is put in one tier by what it uses, so nobody has to remember to mark it:
#   tui          drives the Textual app (Pilot, snapshots) or a real pseudo-terminal
#   integration  starts something: the simulated edge, fake tools, a subprocess, Prometheus, a browser
#   unit         everything else (pure functions and objects; `make test-fast` runs these)
_TIER_FIXTURES = {
    "tui": {"snap_compare"},
    "integration": {"sim", "fake_tools", "prometheus", "alertmanager", "serve", "browser", "page"},
}
_TIER_SOURCE_MARKS = {
    "tui": ("run_test(", "snap_compare", "import pty", "pty.fork", "pexpect"),
    "integration": (
        "subprocess",
        "SimServer",
        "audit_util",
        "bounds_util",
        "inject_util",
        "inputs_files_util",
        "serve_helpers",
        "HTTPServer",
        "integration_fakes",
        "httpx.MockTransport",
        "start_server",
        "asyncio.create_subprocess",
        "sim_server",
        "start_sim",
        "required_program",
        "http.server",
        "socket.socket",
        "uvicorn",
        "aiohttp",
    ),
}
_source_tier_cache: dict[str, str] = {}


def _tier_of_module(path: Path) -> str:
    key = str(path)
    if key not in _source_tier_cache:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        tier = "unit"
        for name in ("tui", "integration"):
            if any(mark in text for mark in _TIER_SOURCE_MARKS[name]):
                tier = name
                break
        _source_tier_cache[key] = tier
    return _source_tier_cache[key]


def _tier_of(item: pytest.Item) -> str:
    fixtures = set(getattr(item, "fixturenames", ()))
    for name in ("tui", "integration"):
        if fixtures & _TIER_FIXTURES[name]:
            return name
    return _tier_of_module(item.path)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """``-m unit`` (`make test-fast`): a test module whose source puts it in another tier holds no unit test
    (fixtures only ever move a test out of the unit tier), so it is not imported: collecting the TUI and
    integration modules (Textual, the simulator, ...) was a fifth of the unit tier's time."""
    if (config.getoption("markexpr", "") or "").strip() != "unit":
        return None
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    if _tier_of_module(collection_path) == "unit":
        return None
    try:
        if "mark.unit" in collection_path.read_text(encoding="utf-8"):
            return None  # a test marked unit by hand
    except OSError:
        return None
    return True


def pytest_configure(config: pytest.Config) -> None:
    for name in ("unit", "integration", "tui"):
        config.addinivalue_line("markers", f"{name}: test tier (set automatically by tests/conftest.py)")
    config.addinivalue_line("markers", "every_frame: a headless app composes every frame (tests that count frames)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tiers = {"unit", "integration", "tui"}
    for item in items:
        if tiers.isdisjoint(mark.name for mark in item.iter_markers()):  # one walk of the item's marks
            item.add_marker(getattr(pytest.mark, _tier_of(item)))


class _NotInUnitTier(AssertionError):
    pass


@pytest.fixture(autouse=True)
def _unit_tier_stays_in_process(request, monkeypatch):
    """A unit test starts no process and opens no socket: if one does, it is in the wrong tier
    (add it to the integration patterns above), which keeps `make test-fast` fast and honest."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return
    import socket
    import subprocess

    def refuse(what):
        def _refuse(*args, **kwargs):
            raise _NotInUnitTier(f"{what} in a unit-tier test: it belongs to the integration tier")

        return _refuse

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("a subprocess"))
    monkeypatch.setattr(socket.socket, "connect", refuse("a socket connect"))
    monkeypatch.setattr(socket.socket, "bind", refuse("a socket bind"))
    monkeypatch.setattr(os, "fork", refuse("fork"))
    yield
