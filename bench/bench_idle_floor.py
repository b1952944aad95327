"""The idle floor next to the console: what a bare Textual app costs at 80x24 when every 2 s it changes
as much of the screen as the dashboard's poll frame (``bench/idle_floor_app.py``: a header line, seven
metric rows, three queue rows, six security rows, a log status line and four log lines, in one frame,
no layout pass), measured as ``bench_dashboard.py --idle-only`` measures the console: CPU of the whole
process (user+system, all threads) over the window, bytes written to the pseudo-terminal, the load
average beside each run. Per thread too (``/proc/<pid>/task``), so the UI thread can be set against the
console's.

    .venv/bin/python bench/bench_idle_floor.py [--idle-seconds 20] [--idle-runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pty import spawn  # noqa: E402

APP = Path(__file__).resolve().parent / "idle_floor_app.py"


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user+system) of each thread of ``pid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--idle-runs", type=int, default=3)
    opts = parser.parse_args()
    cpu, main_thread, rate, loads = [], [], [], []
    for _ in range(opts.idle_runs):
        run = spawn([sys.executable, str(APP)])
        try:
            run.wait_for(b"Flows")
            run.read_for(4.0)  # warm-up
            threads0, c0, t0 = thread_cpu(run.proc.pid), run.cpu_seconds(), time.monotonic()
            written = run.read_for(opts.idle_seconds)
            elapsed = time.monotonic() - t0
            threads1 = thread_cpu(run.proc.pid)
            cpu.append((run.cpu_seconds() - c0) / elapsed * 100)
            pid = run.proc.pid  # the main (UI) thread's id is the process id
            main_thread.append((threads1.get(pid, 0.0) - threads0.get(pid, 0.0)) / elapsed * 100)
            rate.append(written / elapsed)
            loads.append(os.getloadavg()[0])
        finally:
            run.stop()
    print(
        f"idle floor (bare Textual app, the dashboard's poll frame every 2 s), over {opts.idle_seconds:.0f} s: "
        f"CPU median {statistics.median(cpu):.2f}% of one core (runs: {', '.join(f'{c:.2f}' for c in cpu)}); "
        f"UI thread median {statistics.median(main_thread):.2f}%; output median "
        f"{statistics.median(rate) / 1024:.2f} KB/s; load average {', '.join(f'{x:.2f}' for x in loads)} "
        f"on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
