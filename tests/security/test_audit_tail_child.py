"""Finding 3 (children die with the console), the log tail too: the console's ``wrangler tail`` does not
outlive a console killed with SIGKILL (it changes nothing, but it holds a token and a connection). The
fake tail holds before it writes anything (``EDGE_SIM_HOLD``), so it cannot die of a broken pipe: only
the console's guard can end it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from tests.security.audit_util import ROOT, live_members
from tests.util import wait_for_sync

CONSOLE = textwrap.dedent("""
    import asyncio, sys
    from console.config import simulated_config
    from console.tail.source import TailSource

    cfg = simulated_config(sys.argv[1], tools={"wrangler": ["wrangler"]})
    asyncio.run(TailSource(cfg.environment(), backoff_start=5.0).run())
    """)


def test_the_tail_child_dies_with_a_killed_console(sim, fake_tools, tmp_path):
    hold = tmp_path / "hold"
    marker = tmp_path / "hold.started"
    env = dict(os.environ, EDGE_SIM_HOLD=str(hold), EDGE_SIM_HOLD_SECONDS="60")
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, sim.base_url],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def started() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"console exited early: {proc.stderr.read()!r}")
            return marker.exists() and marker.read_text().endswith("\n")

        wait_for_sync(started, timeout=60, message="wrangler tail started")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    held = json.loads(marker.read_text().splitlines()[0])
    assert held["argv"][0] == "tail" and held["pgid"] != os.getpgrp()
    pgid = held["pgid"]
    wait_for_sync(lambda: not live_members(pgid), timeout=15, message=f"process group {pgid} gone")
    hold.touch()
