"""Helpers for the option-injection/identifier and files/children security tests: run the real
``edge-console`` in a subprocess and write a config for the ``sim`` fixture's edge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 90.0, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m console ARGS`` with this test's environment (state dir, fake tools, sim tokens)."""
    child = dict(os.environ)
    child.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=ROOT,
        env=child,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
        input=stdin if stdin is not None else "",
        encoding="utf-8",
        errors="replace",
    )


def write_config(
    path: Path, sim, *, production_extra: str = "", runbooks: list[Path] | None = None, top_extra: str = ""
) -> Path:
    """A config on the simulated edge (its own IDs), tools from PATH (the fake tools)."""
    base = sim.base_url
    books = ""
    if runbooks:
        books = "runbooks:\n" + "".join(f"  - {p}\n" for p in runbooks)
    path.write_text(
        f"""\
default_environment: production
environments:
  production:
    base_url: {base}
    worker: vau-processor-production
    account_id: 5100000000000000000000000000a001
    zone_id: 5100000000000000000000000000f001
    kv_namespace_id: 5100000000000000000000000000c001
    api_token_env: EDGE_SIM_API_TOKEN
    admin_token_env: EDGE_SIM_ADMIN_TOKEN
    cloudflare_api_url: {base}/client/v4
    status_url: {base}/status/api/v2/status.json
    simulated: true
{production_extra}{books}{top_extra}""",
        encoding="utf-8",
    )
    return path
