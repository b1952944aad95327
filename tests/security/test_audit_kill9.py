"""Finding 3: kill -9 of the console during a mutating step. The audit trail already holds the step's
``started`` record, no process of the step's group survives to change the edge afterwards (the step's
tool is a grandchild, like npx -> node wrangler), and the next start reports the outcome as unknown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.security.audit_util import (
    NAMESPACE,
    ROOT,
    audit_records,
    cli,
    console_env,
    live_members,
    write_config,
    write_grandchild_wrangler,
)
from tests.util import wait_for_sync

IP = "203.0.113.9"


def test_kill9_mid_step_leaves_started_no_orphan_and_the_next_start_reports_unknown(
    sim, fake_tools, state_dir, tmp_path
):
    config = write_config(tmp_path, sim)
    write_grandchild_wrangler(fake_tools.bin_dir)
    hold = tmp_path / "hold"
    marker = tmp_path / "hold.started"
    env = console_env(config, EDGE_SIM_HOLD=str(hold), EDGE_SIM_HOLD_SECONDS="60")
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "run", "block-ip", "--set", f"ip={IP}", "--set", "reason=abuse", "--yes"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def tool_started() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"console exited early: {proc.stdout.read()} {proc.stderr.read()}")
            return marker.exists() and marker.read_text().endswith("\n")

        wait_for_sync(tool_started, timeout=60, message="the fake wrangler holding mid-step")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    held = json.loads(marker.read_text().splitlines()[0])
    assert held["argv"][:3] == ["kv", "key", "put"] and f"blocked:ip:{IP}" in held["argv"]

    # the audit trail: `started` is on disk, nothing finished it
    records = audit_records(state_dir)
    started = [r for r in records if r.get("event") == "step_started"]
    assert len(started) == 1, records
    rec = started[0]
    assert (rec["flow"], rec["step"], rec["status"], rec["environment"]) == ("block-ip", "put", "started", "production")
    assert rec["argv"][:4] == ["wrangler", "kv", "key", "put"] and f"blocked:ip:{IP}" in rec["argv"]
    assert "@" in rec["user"] and rec["pid"] == proc.pid and rec["step_run"]
    assert not [r for r in records if r.get("step_run") == rec["step_run"] and r is not rec]
    assert os.environ["EDGE_SIM_API_TOKEN"] not in json.dumps(records)

    # no survivor in the step's process group (the shell and the python grandchild)
    wait_for_sync(lambda: not live_members(held["pgid"]), timeout=15, message=f"process group {held['pgid']} gone")
    hold.touch()  # a survivor would now go on and make the change
    assert f"blocked:ip:{IP}" not in sim.state.snapshot()["kv"].get(NAMESPACE, {})
    assert [a[:3] for a in fake_tools.argvs("wrangler")] == []  # the tool never got past its hold

    # the next start: `audit` lists it as unknown and says so on stderr
    shown = cli("audit", env=env)
    assert shown.returncode == 0, shown.stderr
    line = next(l for l in shown.stdout.splitlines() if "block-ip/put" in l)
    assert " unknown" in line and f"blocked:ip:{IP}" in line
    assert "outcome unknown: check the edge" in shown.stderr and "block-ip" in shown.stderr
    assert "Traceback" not in shown.stderr

    # a headless run reports it too (and records that it did: it is reported once)
    ran = cli("run", "worker-health", env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "outcome unknown: check the edge" in ran.stderr and f"blocked:ip:{IP}" in ran.stderr
    unknown = [r for r in audit_records(state_dir) if r.get("event") == "step_unknown"]
    assert [(r["step_run"], r["status"]) for r in unknown] == [(rec["step_run"], "unknown")]
    again = cli("run", "worker-health", env=env)
    assert again.returncode == 0 and "outcome unknown" not in again.stderr
    still = cli("audit", env=env)
    assert any("block-ip/put" in l and " unknown" in l for l in still.stdout.splitlines())
