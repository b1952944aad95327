"""Simulated ``npm`` (10.x) for the monthly security audit on the simulated edge.

``npm --version`` and ``npm run SCRIPT`` in a directory whose ``package.json`` declares the script (else
npm's ``Missing script`` error, exit 1). ``security:pentest`` sends probes to the simulated edge
(``$EDGE_SIM_URL``: its health and the security rules of its metrics) and prints a findings summary;
any other declared script prints its command line and succeeds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from console.sim.tools import jsonlite as json  # a deep package.json is a parse error, not a traceback
from console.sim.tools._common import Invocation, ToolExit, err, out, run_tool

VERSION = "10.8.2"
PROBES = (
    ("SQL injection in ?q=", "waf"),
    ("path traversal /../../etc/passwd", "waf"),
    ("request flood 500 req/s from one IP", "rate_limit"),
    ("headless client without JS", "bot"),
    ("request from a blocked country", "geo_block"),
    ("oversized VAU batch (10 MB)", "waf"),
)


def _package(cwd: Path) -> dict:
    path = cwd / "package.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        err(
            f"npm error code ENOENT\nnpm error syscall open\nnpm error path {path}\n"
            f"npm error errno -2\nnpm error enoent Could not read package.json: Error: ENOENT: no such file or "
            f"directory, open '{path}'"
        )
        raise ToolExit(254) from None
    except (OSError, ValueError) as exc:
        err(f"npm error code EJSONPARSE\nnpm error JSON.parse Invalid package.json: {exc}")
        raise ToolExit(1) from None
    return data if isinstance(data, dict) else {}


def _pentest(inv: Invocation) -> int:
    status, body, _ = inv.call("GET", "/health")
    try:
        health = json.loads(body.decode() or "{}").get("status", "unknown")
    except (UnicodeDecodeError, ValueError):
        health = "unreadable"
    out(f"Target: {inv.base_url()} (health: {health})")
    for i, (probe, rule) in enumerate(PROBES, 1):
        out(f"  [{i}/{len(PROBES)}] {probe:<40} blocked by {rule}")
    out(f"\n{len(PROBES)} probes, {len(PROBES)} blocked, 0 findings")
    return 0 if status < 500 else 1


def run(inv: Invocation) -> int:
    argv = inv.argv
    if argv[:1] in (["--version"], ["-v"]):
        out(VERSION)
        return 0
    if len(argv) < 2 or argv[0] not in ("run", "run-script"):
        err("npm (simulated) knows only: npm run SCRIPT, npm --version")
        return 1
    script = argv[1]
    cwd = Path(os.getcwd())
    package = _package(cwd)
    scripts = package.get("scripts") or {}
    if script not in scripts:
        err(
            f'npm error Missing script: "{script}"\nnpm error\nnpm error To see a list of scripts, run:\n'
            "npm error   npm run"
        )
        return 1
    out(f"\n> {package.get('name', cwd.name)}@{package.get('version', '')} {script}\n> {scripts[script]}\n")
    if script == "security:pentest":
        return _pentest(inv)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_tool("npm", argv, run)


if __name__ == "__main__":
    sys.exit(main())
