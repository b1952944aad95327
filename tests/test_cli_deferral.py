"""The command line imports only what the command it runs needs: its options and help are declared in
``console/commands/`` and the handler module is imported when the command runs (``console.cli``). A
headless command started from a script or a test paid ~0.5 CPU-s for every subcommand's module
(the HTTP client, the runbook engine, the simulator) before it did anything. A command that does talk HTTP
imports httpx without httpx's own command-line client (rich, click)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (argv, modules it must not load); one fresh interpreter runs them in this order, so what a command
#: loads stays loaded for the next: each later command forbids a subset of what the earlier ones did
CASES = [
    (
        ["--help"],
        [
            "httpx",
            "textual",
            "rich",
            "yaml",
            "console.config",
            "console.check",
            "console.runbook.cli",
            "console.runbook.engine",
            "console.runbook.loader",
            "console.sim.server",
            "console.sim.cli",
            "console.incident.cli",
            "console.serve.cli",
            "console.keys_cli",
        ],
    ),
    (["schema", "--help"], ["httpx", "textual", "console.config", "console.schema.cli", "console.sim.server"]),
    (
        ["runbook", "validate", str(ROOT / "console" / "runbooks" / "01-daily.yaml")],
        [
            "httpx",
            "textual",
            "console.runbook.engine",
            "console.sim.server",
            "console.check",
            # what only ``run`` and ``audit`` use (console/runbook/cli.py)
            "asyncio",
            "console.runbook.audit",
            "console.runbook.inputs",
        ],
    ),
    # a listing builds the simulated edge's config, not the simulator (console.session, start_sim=False)
    (["flows"], ["httpx", "textual", "console.runbook.engine", "console.sim.server", "asyncio"]),
    (["keys"], ["httpx", "textual", "console.runbook.engine", "console.check", "console.sim.server"]),
]

PROBE = """
import contextlib, io, json, sys
from console.cli import main
result = []
for argv, forbidden in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:  # --help
            code = exc.code
    result.append([argv, code, len(out.getvalue()), [m for m in forbidden if m in sys.modules]])
import httpx  # what a command that talks HTTP imports after main started: httpx without its own CLI
cli = [m for m in ("httpx._main", "click") if sys.modules.get(m)]
result.append([["import httpx"], 0 if httpx.Client else 1, 1, cli])
print(json.dumps(result))
"""


def test_a_command_imports_only_what_it_runs(tmp_path):
    import json
    import os

    env = {**os.environ, "EDGE_CONSOLE_STATE_DIR": str(tmp_path / "state"), "HOME": str(tmp_path)}
    env.pop("EDGE_CONSOLE_CONFIG", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(CASES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for argv, code, printed, loaded in json.loads(out.stdout):
        assert code == 0 and printed > 0, (argv, code, out.stderr[-2000:])  # the command ran and printed
        assert loaded == [], f"edge-console {' '.join(argv)} loaded {loaded}"
