"""Simulated ``node`` for the security log export on the simulated edge.

``node --version`` and ``node scripts/export-security-logs.js --start=ISO --end=ISO`` in a checkout that
has the script (else node's ``Cannot find module`` error, exit 1). The export reads the simulated edge's
security block counters and blocked IPs and writes ``exports/security-logs-<start>-<end>.json`` under the
working directory; it prints the path and the counts. Other scripts are not simulated (exit 1).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

from console.sim.tools._common import AdminError, Invocation, ToolExit, err, out, run_tool

VERSION = "v20.17.0"
EXPORT_SCRIPT = "scripts/export-security-logs.js"
_BLOCKS = re.compile(r'^edge_security_blocks_total\{[^}]*rule="([^"]+)"[^}]*\}\s+([0-9.eE+-]+)', re.M)


def _time(name: str, text: str | None) -> dt.datetime:
    if not text:
        err(f"export-security-logs: --{name}=ISO-TIME is required")
        raise ToolExit(2)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        err(f"export-security-logs: --{name}: not an ISO 8601 time: {text!r}")
        raise ToolExit(2) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _export(inv: Invocation, args: list[str]) -> int:
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    start, end = _time("start", opts.get("start")), _time("end", opts.get("end"))
    if end <= start:
        err("export-security-logs: --end must be after --start")
        return 2
    status, body, _ = inv.call("GET", "/metrics")
    if status != 200:
        err(f"export-security-logs: GET /metrics answered HTTP {status}")
        return 1
    blocks: dict[str, float] = {}
    for rule, value in _BLOCKS.findall(body.decode("utf-8", "replace")):
        blocks[rule] = blocks.get(rule, 0.0) + float(value)
    try:
        state = inv.admin("GET", "/admin/state")
    except AdminError as exc:
        err(f"export-security-logs: {exc.message}")
        return 1
    stamp = lambda t: t.strftime("%Y%m%dT%H%M%SZ")  # noqa: E731
    path = Path(os.getcwd()) / "exports" / f"security-logs-{stamp(start)}-{stamp(end)}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "blocks_by_rule": {k: int(v) for k, v in sorted(blocks.items())},
        "blocked_ips": state.get("blocked_ips", []),
        "security_level": state.get("security_level"),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    out(f"Exported security events {start.isoformat()} .. {end.isoformat()}")
    for rule, value in sorted(blocks.items()):
        out(f"  {rule:<12} {int(value)} blocks")
    out(f"  blocked IPs: {len(record['blocked_ips'])}")
    out(f"Wrote {path}")
    return 0


def run(inv: Invocation) -> int:
    argv = inv.argv
    if argv[:1] in (["--version"], ["-v"]):
        out(VERSION)
        return 0
    if not argv:
        err("node (simulated) has no REPL; run node scripts/export-security-logs.js --start=T --end=T")
        return 1
    script = Path(os.getcwd()) / argv[0]
    if not script.is_file():
        err(
            f"node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '{script}'\n"
            "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15) {\n"
            "  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n\nNode.js " + VERSION
        )
        return 1
    if Path(argv[0]).as_posix().endswith(EXPORT_SCRIPT):
        return _export(inv, argv[1:])
    err(f"node (simulated): only {EXPORT_SCRIPT} is simulated")
    return 1


def main(argv: list[str] | None = None) -> int:
    return run_tool("node", argv, run)


if __name__ == "__main__":
    sys.exit(main())
