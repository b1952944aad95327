"""Review 4: a console killed with SIGKILL leaves its published simulated edge behind
(``simulator/console-<pid>.json``). Once the kernel gives that pid to another process, the entry looked
live and a headless command joined it: it sent the simulated edge's tokens to whatever now listens on the
dead console's loopback port (any local user can bind it) and took that listener's answers for the
edge's. An entry must be joined only while its pid still names the process that wrote it."""

from __future__ import annotations

import json
import subprocess
import sys

from console.sim import published


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_an_entry_whose_pid_now_names_another_process_is_stale(state_dir):
    console = _sleeper()  # stands in for the console that published and was then killed
    try:
        path = published.publish("http://127.0.0.1:9", "ddos", "sim-api-x", "sim-admin-x", pid=console.pid)
        assert published.find_running() is not None  # while it runs, it is joined
    finally:
        console.kill()
        console.wait()
    data = json.loads(path.read_text())
    other = _sleeper()  # the pid number, reused: same entry content, another process
    for _ in range(20):  # a reused pid starts later; within one clock tick (10 ms) the kernel cannot tell
        if published.process_start(other.pid) != data["started"]:
            break
        other.kill()
        other.wait()
        other = _sleeper()
    try:
        data["pid"] = other.pid
        reused = path.with_name(f"console-{other.pid}.json")
        path.with_suffix("").rename(reused.with_suffix(""))
        published._write(reused, data)
        path.unlink()
        assert published.find_running() is None
        assert not reused.exists() and not reused.with_suffix("").exists()
    finally:
        other.kill()
        other.wait()
