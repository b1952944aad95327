"""Where the idle dashboard's CPU goes, per 2 s poll: the console at 80x24 against the simulated edge
(log tail streaming, refresh 2 s, as ``bench_dashboard.py --idle-only``), with ``_idle_probe.py`` timing
the UI thread's frame (compositor, each widget's render, the write), the poll's handling, the two HTTP
requests and the tail's glance, and ``/proc/<pid>/task`` giving every thread's CPU by name. The probe
adds a little to what it measures; the whole-process figure is ``bench_dashboard.py``'s job.

    .venv/bin/python bench/bench_idle_profile.py [--seconds 30] [--no-tail]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pty import spawn  # noqa: E402
from bench_dashboard import PY, free_port, start_sim, write_config  # noqa: E402
from bench_idle_floor import thread_cpu  # noqa: E402

PROBE = Path(__file__).resolve().parent / "_idle_probe.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-tail", action="store_true")
    opts = parser.parse_args()
    port = free_port()
    sim = start_sim(port)
    tmp = Path(tempfile.mkdtemp(prefix="edge-idle-profile-"))
    os.environ["EDGE_CONSOLE_STATE_DIR"] = str(tmp / "state")
    out = tmp / "probe.json"
    config = write_config(tmp, port, 2.0, tail=not opts.no_tail)
    run = spawn([PY, str(PROBE), "--config", str(config)], env={"IDLE_PROBE_OUT": str(out)})
    try:
        run.wait_for(b"Key metrics")
        if not opts.no_tail:
            run.wait_for(b"streaming")
        run.read_for(5.0)
        pid = run.proc.pid
        before, c0 = thread_cpu(pid), run.cpu_seconds()
        os.kill(pid, signal.SIGUSR1)
        t0 = time.monotonic()
        written = run.read_for(opts.seconds)
        os.kill(pid, signal.SIGUSR2)
        elapsed = time.monotonic() - t0
        after, c1 = thread_cpu(pid), run.cpu_seconds()
        deadline = time.monotonic() + 5
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        probe = json.loads(out.read_text())
    finally:
        run.stop()
        sim.terminate()
        sim.wait(5)
    polls = elapsed / 2.0
    print(
        f"idle dashboard 80x24{'' if opts.no_tail else ', tail streaming'}, over {elapsed:.0f} s: process CPU "
        f"{(c1 - c0) / elapsed * 100:.2f}% of one core, {written / elapsed / 1024:.2f} KB/s; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    names = probe["threads"]
    for tid in sorted(after, key=lambda t: before.get(t, 0.0) - after[t]):
        share = (after[tid] - before.get(tid, 0.0)) / elapsed * 100
        print(f"  thread {names.get(str(tid), '?'):<22} {share:.2f}%")
    print(f"UI thread: {probe['ui_thread_s'] * 1000 / polls:.1f} ms per 2 s poll; of which (ms per poll, calls):")
    for key, (calls, seconds) in sorted(probe["functions"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {key:<62} {seconds * 1000 / polls:6.2f}  {calls}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
