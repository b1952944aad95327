"""The layering promises of docs/ARCHITECTURE.md, checked: import-linter's contracts hold, and
start-up deferral is real (importing the app loads no HTTP client, runbook engine or incident store:
they load when first needed, after the first frame)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

DEFERRED = [
    "httpx",
    "console.runbook.engine",
    "console.runbook.loader",
    "console.incident.store",
    "console.incident.manager",
    "console.sim.server",
    "prometheus_client",
]


#: One fresh interpreter answers both start-up probes (each started its own: ~0.5 CPU-s, mostly importing
#: Textual): first what importing ``screens.app`` alone loaded, then, with the rest of a start without a
#: config file imported too (the CLI, the launcher, the simulated config), whether PyYAML was loaded, and
#: what the first parse reports. One line each.
START_UP_PROBE = (
    "import sys, screens.app\n"
    f"print(','.join(m for m in {DEFERRED!r} if m in sys.modules) or '-')\n"
    "import console.cli, screens.launch\n"
    "from console.config import parse_config, simulated_config, ConfigError\n"
    "simulated_config('http://127.0.0.1:9')\n"
    "print('yaml' in sys.modules)\n"
    "from console import yamlpaths\n"
    "try:\n"
    "    parse_config('refresh_seconds: 2\\nrefresh_seconds: [\\n')\n"
    "except ConfigError as exc:\n"
    "    print(exc.errors[0].line)\n"
    "print(yamlpaths.SAFE_LOADER.__name__)\n"
)


@pytest.fixture(scope="module")
def start_up_probe() -> list[str]:
    out = subprocess.run([sys.executable, "-c", START_UP_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")


def test_importing_the_app_defers_http_runbooks_and_incidents(start_up_probe):
    loaded = start_up_probe[0]
    assert loaded == "-", f"loaded at import time: {loaded}"


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_every_core_module_is_forbidden_the_application_layer():
    """The ``console.app`` contract lists the core's modules by name: a new module of ``console`` must be
    added to it (or be an entry point that assembles the app: ``console.cli``, ``console.frontends``)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    contract = next(c for c in contracts if c.get("forbidden_modules") == ["console.app"])
    listed = {m.removeprefix("console.") for m in contract["source_modules"]}
    modules = {p.stem for p in (ROOT / "console").glob("*.py") if p.stem != "__init__" and p.stem != "__main__"}
    modules |= {p.parent.name for p in (ROOT / "console").glob("*/__init__.py")}
    assert modules - {"app", "cli", "frontends"} - listed == set(), "missing from the console.app contract"
    assert listed - modules == set(), "listed in the console.app contract but not a console module"


def test_without_a_config_file_pyyaml_loads_only_at_the_first_parse(start_up_probe):
    """Importing PyYAML (every module of the package; two compile large regexes) cost ~30-50 ms of a
    start-up without a config file, which parses no YAML before its first frame: it loads on the first
    parse (console/yamlpaths.py), and that parse still reads ``file:line`` with libyaml's loader."""
    before, line, loader = start_up_probe[1:4]
    assert before == "False", "PyYAML was imported before any YAML was parsed"
    assert line.isdigit() and int(line) >= 2  # the bad YAML's line, as before
    assert loader == "CSafeLoader"
