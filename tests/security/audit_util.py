"""Helpers for the audit-trail security tests: a config for the ``sim`` fixture's edge, the real
``edge-console`` in a subprocess, and the live (non-zombie) members of a process group from /proc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "5100000000000000000000000000c001"


def write_config(tmp_path: Path, sim) -> Path:
    base = sim.base_url
    path = tmp_path / "config.yaml"
    path.write_text(f"""\
default_environment: production
environments:
  production:
    base_url: {base}
    worker: vau-processor-production
    account_id: 5100000000000000000000000000a001
    zone_id: 5100000000000000000000000000f001
    kv_namespace_id: {NAMESPACE}
    api_token_env: EDGE_SIM_API_TOKEN
    admin_token_env: EDGE_SIM_ADMIN_TOKEN
    cloudflare_api_url: {base}/client/v4
    status_url: {base}/status/api/v2/status.json
    simulated: true
    paths: {{repo: {tmp_path}, terraform: {tmp_path}, worker_dir: {tmp_path}, export_dir: {tmp_path}}}
""")
    return path


def console_env(config: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["EDGE_CONSOLE_CONFIG"] = str(config)
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None, timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=ROOT,
        text=True,
        check=False,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
        errors="replace",
    )


def live_members(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that are alive. Zombies do not count: they have exited and changed
    nothing more (this container's PID 1 does not reap orphans, so ``killpg(pgid, 0)`` alone would
    still see them)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            alive.append(int(entry))
    return alive


def audit_records(state_dir: Path) -> list[dict]:
    path = state_dir / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_grandchild_wrangler(bin_dir: Path) -> None:
    """``wrangler`` as a shell script that runs the simulated tool as ITS child (like npx -> node
    wrangler): the process that changes the edge is a grandchild of the console."""
    path = bin_dir / "wrangler"
    path.write_text(
        f'#!/bin/sh\n"{sys.executable}" -c \'import sys; from console.sim.tools.wrangler import main; '
        'sys.exit(main())\' "$@"\nstatus=$?\nexit $status\n'
    )
    path.chmod(0o755)
