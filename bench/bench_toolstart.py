"""Start-up cost of the simulated tools: wall and CPU time per call of a typical command of each.

Starts the simulated edge on 127.0.0.1, writes the launchers the tests use (``tests/conftest.py``
``write_tool``) and the console's own argv (``console.sim.names.tool_argv``) into a temporary directory, and
runs each command ``--runs`` times (a ``wrangler tail`` until it is connected) (alternating the launchers, so load changes hit both alike). Prints the
median wall time and the median CPU time (user+system of the child, from ``wait4``) per call, with the load
average, next to a bare ``python -c pass`` and ``python -S -c pass``. ``python bench/bench_toolstart.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.sim.names import SIM_GITHUB_REPO, tool_argv  # noqa: E402
from console.sim.server import SimServer  # noqa: E402
from tests.conftest import write_tool  # noqa: E402

TF = 'variable "api_rate_limit" {}\n'


def commands(work: Path) -> dict[str, tuple[str, list[str], Path]]:
    """name -> (tool, argv after the tool, working directory)."""
    return {
        "wrangler deployments status": (
            "wrangler",
            ["deployments", "status", "--name", "vau-processor-production", "--json"],
            work,
        ),
        "gh run list": ("gh", ["run", "list", "-R", SIM_GITHUB_REPO, "--limit", "5", "--json", "databaseId"], work),
        "terraform plan": ("terraform", ["plan", "-var=api_rate_limit=300", "-no-color"], work / "tf"),
    }


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit status) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def tail_started(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, 0) of a ``wrangler tail`` until it says "Connected to" (the CPU time from
    /proc, in clock ticks); then it is stopped."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        for line in proc.stdout:
            if line.startswith(b"Connected to"):
                break
        wall = time.perf_counter() - start
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    return wall, cpu, 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SimServer(host="127.0.0.1", port=0, scenario="normal") as sim:
        work = Path(tmp)
        (work / "tf").mkdir()
        (work / "tf" / "main.tf").write_text(TF)
        bin_dir = work / "bin"
        bin_dir.mkdir()
        env = {"PATH": os.environ.get("PATH", ""), "CLOUDFLARE_API_TOKEN": sim.api_token, **sim.tool_env()}
        rows: dict[str, list[tuple[float, float, int]]] = {}
        plans: list[tuple[str, list[str], Path]] = [
            ("bare python -c pass", [sys.executable, "-c", "pass"], work),
            ("bare python -S -c pass", [sys.executable, "-S", "-c", "pass"], work),
        ]
        for name, (tool, args, cwd) in commands(work).items():
            script = write_tool(bin_dir, tool, f"console.sim.tools.{tool}")
            plans.append((f"{name} (tests' launcher)", [str(script), *args], cwd))
            plans.append((f"{name} (console's argv)", [*tool_argv(tool), *args], cwd))
        tail = ["tail", "vau-processor-production", "--format", "json"]
        plans.append(("wrangler tail, until connected (tests' launcher)", [str(bin_dir / "wrangler"), *tail], work))
        plans.append(("wrangler tail, until connected (console's argv)", [*tool_argv("wrangler"), *tail], work))
        for _ in range(opts.runs):
            for label, argv, cwd in plans:
                measure = tail_started if argv[-3:] == tail[-3:] else timed
                rows.setdefault(label, []).append(measure(argv, cwd, env))
        print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs, {opts.runs} runs each (medians)")
        print(f"{'command':<52} {'wall ms':>8} {'CPU ms':>8}  exit")
        for label, results in rows.items():
            wall = statistics.median(r[0] for r in results) * 1000
            cpu = statistics.median(r[1] for r in results) * 1000
            codes = sorted({r[2] for r in results})
            print(f"{label:<52} {wall:8.0f} {cpu:8.0f}  {codes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
