"""Dashboard figures: start-up to first full frame and to every key metric numeric (next to a bare
Textual app's first frame), idle CPU and bytes/s to an 80x24 pseudo-terminal with the log tail
streaming. The console runs against a simulated edge served by a separate process, so the figures are
the console's own.

"Every key metric numeric": the console's screen is read as a terminal shows it (a VT emulator fed
with everything the console writes) and every key-metric row shows a number (not "waiting for data"
or "warming up"). Measured at 120x40, where every row is shown in full.

    .venv/bin/python bench/bench_dashboard.py [--runs 5] [--idle-seconds 30] [--idle-runs 3] [--idle-only]
        [--start-only]

Each idle figure is followed by the load average over its run (the 2 cores are shared: say it).
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pty import spawn  # noqa: E402

import pyte  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: the separate simulated edge and the console share these (``edge-console simulate`` reuses them), so
#: the console's log pane streams the simulated wrangler tail as it does under ``make run``
SIM_TOKENS = {"EDGE_SIM_API_TOKEN": "bench-api-token", "EDGE_SIM_ADMIN_TOKEN": "bench-admin-token"}


def start_sim(port: int) -> subprocess.Popen:
    os.environ.update(SIM_TOKENS)
    proc = subprocess.Popen(
        [PY, "-m", "console", "simulate", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("simulated edge did not start")


def write_config(directory: Path, port: int, refresh: float, tail: bool = True) -> Path:
    """The bench environment; ``tail=False`` leaves out the simulated wrangler (the log pane then says
    there is nothing to tail)."""
    path = directory / ("bench.yaml" if tail else "bench-no-tail.yaml")
    tools = f"    tools: {{wrangler: [{PY}, -m, console.sim.tools.wrangler]}}\n" if tail else ""
    path.write_text(
        f"refresh_seconds: {refresh}\n"
        "environments:\n  bench:\n"
        f"    base_url: http://127.0.0.1:{port}\n"
        "    worker: vau-processor-production\n"
        "    simulated: true\n"
        "    api_token_env: EDGE_SIM_API_TOKEN\n"
        "    admin_token_env: EDGE_SIM_ADMIN_TOKEN\n"
        f"{tools}"
        f"    tool_env: {{EDGE_SIM_URL: 'http://127.0.0.1:{port}'}}\n"
    )
    return path


def first_frame(argv: list[str], marker: bytes, then: bytes | None = None) -> tuple[float, float | None]:
    """Seconds until ``marker`` is on the terminal, and (optionally) until ``then`` follows it."""
    run = spawn(argv)
    try:
        first = run.wait_for(marker)
        return first, (run.wait_for(then) if then is not None else None)
    finally:
        run.stop()


#: the key-metric rows' labels as the dashboard shows them (console/metrics/model.py KEY_METRICS)
KEY_LABELS = ("Request rate", "Error rate", "P95 latency", "Cache hit rate", "CPU time P95", "Memory", "Queue backlog")
NUMBER = re.compile(r"\d")


def all_numeric(screen: pyte.Screen) -> bool:
    """Every key-metric label is on screen, followed on its line by a number and no placeholder."""
    lines = screen.display
    for label in KEY_LABELS:
        row = next((line for line in lines if label in line), None)
        if row is None:
            return False
        rest = row.split(label, 1)[1]
        if "waiting" in rest or "warming" in rest or not NUMBER.search(rest):
            return False
    return True


def time_to_numeric(argv: list[str], timeout: float = 30.0) -> tuple[float, float]:
    """Seconds from launch until the first frame (``Key metrics`` drawn) and until every key metric
    shows a number, read from the emulated screen."""
    cols, rows = 120, 40
    run = spawn(argv, cols=cols, rows=rows)
    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    first = None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = run.read_chunk(0.05)
            if not chunk:
                continue
            stream.feed(chunk)
            if first is None and any("Key metrics" in line for line in screen.display):
                first = time.monotonic() - run.started
            if first is not None and all_numeric(screen):
                return first, time.monotonic() - run.started
        raise TimeoutError(
            f"the key metrics were not all numeric within {timeout}s; last screen:\n" + "\n".join(screen.display)
        )
    finally:
        run.stop()


def byte_compile() -> None:
    """The console's modules byte-compiled, as the bare app's Textual is (pip compiles what it installs)
    and as any run leaves them; with ``PYTHONDONTWRITEBYTECODE`` set (some shells and CI agents) an
    editable install would otherwise compile every module from source at each launch, which the bare
    app never does (measured on the loaded 2-core machine: importing screens.app took 1.2-1.6 s from
    source, 0.7-1.1 s compiled)."""
    for package in ("console", "screens", "widgets", "themes"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--idle-runs", type=int, default=3)
    parser.add_argument("--idle-only", action="store_true", help="only the idle figures, no start-up runs")
    parser.add_argument(
        "--start-only",
        action="store_true",
        help="only the first frames (bare app and console, with and without a config): no numeric or idle runs",
    )
    opts = parser.parse_args()
    byte_compile()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min); modules byte-compiled first (see byte_compile)")

    port = free_port()
    sim = start_sim(port)
    tmp = Path(tempfile.mkdtemp(prefix="edge-bench-"))
    config = write_config(tmp, port, 2.0)
    env_state = {"EDGE_CONSOLE_STATE_DIR": str(tmp / "state")}
    os.environ.update(env_state)
    try:
        console_argv = [PY, "-m", "console", "--config", str(config)]
        if not opts.idle_only:
            start_up_figures(opts, tmp, console_argv)

        if opts.start_only or opts.idle_runs < 1:
            return 0
        no_tail_argv = [PY, "-m", "console", "--config", str(write_config(tmp, port, 2.0, tail=False))]
        for label, argv, streaming in (
            ("log pane streaming the simulated tail (~20 ev/s)", console_argv, True),
            ("no log tail", no_tail_argv, False),
        ):
            cpu, rate, loads = [], [], []
            for _ in range(opts.idle_runs):
                run = spawn(argv)
                try:
                    run.wait_for(b"Key metrics")
                    if streaming:
                        run.wait_for(b"streaming")  # the log pane tails the simulated wrangler
                    run.read_for(5.0)  # warm-up: first scrapes and tail events
                    c0, t0 = run.cpu_seconds(), time.monotonic()
                    written = run.read_for(opts.idle_seconds)
                    elapsed = time.monotonic() - t0
                    cpu.append((run.cpu_seconds() - c0) / elapsed * 100)  # all the console's threads
                    rate.append(written / elapsed)
                    loads.append(os.getloadavg()[0])  # the machine's load over the window (shared cores)
                finally:
                    run.stop()
            print(
                f"idle dashboard, {label}, over {opts.idle_seconds:.0f} s: CPU median "
                f"{statistics.median(cpu):.2f}% of one core (runs: {', '.join(f'{c:.2f}' for c in cpu)}; "
                f"goal < 1%); output to an 80x24 pty median {statistics.median(rate) / 1024:.2f} KB/s "
                f"(runs: {', '.join(f'{r / 1024:.2f}' for r in rate)}; goal < 3 KB/s); load average "
                f"{', '.join(f'{x:.2f}' for x in loads)} on {os.cpu_count()} cores"
            )
    finally:
        sim.terminate()
        sim.wait(5)
    return 0


def start_up_figures(opts: argparse.Namespace, tmp: Path, console_argv: list[str]) -> None:
    """Start-up to first frame, first scrape and every key metric numeric (with and without a config)."""
    bare_argv = [PY, str(ROOT / "bench" / "bare_app.py")]
    bare, ours, live, numeric = [], [], [], []
    for _ in range(opts.runs):  # interleaved so machine noise hits both alike
        bare.append(first_frame(bare_argv, b"bare pane 3")[0])
        # the first frame is the whole dashboard layout (header, every pane, each metric's name,
        # "waiting for data"); the header's "metrics LIVE" follows with the first scrape
        frame, data = first_frame(console_argv, b"Key metrics", b"LIVE")
        ours.append(frame)
        live.append(data)
        if not opts.start_only:
            numeric.append(time_to_numeric(console_argv)[1])
    b, o = statistics.median(bare), statistics.median(ours)
    print(
        f"startup to first frame: bare Textual app median {b * 1000:.0f} ms, edge-console median "
        f"{o * 1000:.0f} ms, ratio {o / b:.2f}x (target <= 1.2x; {opts.runs} runs each; "
        f"edge-console runs: {', '.join(f'{x * 1000:.0f}' for x in ours)})"
    )
    print(
        f"startup to the first scrape on screen (header 'metrics LIVE'): median "
        f"{statistics.median(live) * 1000:.0f} ms (no baseline: a bare app has no data)"
    )
    if numeric:
        n = statistics.median(numeric)
        print(
            f"startup to every key metric numeric (screen read at 120x40): median {n * 1000:.0f} ms next to "
            f"the bare app's first frame {b * 1000:.0f} ms, ratio {n / b:.2f}x (goal <= 1000 ms; runs: "
            f"{', '.join(f'{x * 1000:.0f}' for x in numeric)})"
        )

    # `make run`: no configuration, the built-in simulated edge in the console's own process
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "no-config")
    os.environ.pop("EDGE_CONSOLE_CONFIG", None)
    bare2, sim_first, sim_live, sim_numeric = [], [], [], []
    for _ in range(opts.runs):
        bare2.append(first_frame(bare_argv, b"bare pane 3")[0])
        frame, data = first_frame([PY, "-m", "console"], b"Key metrics", b"LIVE")
        sim_first.append(frame)
        sim_live.append(data)
        if not opts.start_only:
            sim_numeric.append(time_to_numeric([PY, "-m", "console"])[1])
    b2, s2 = statistics.median(bare2), statistics.median(sim_first)
    if not sim_numeric:
        print(
            f"startup without configuration (built-in simulated edge): bare {b2 * 1000:.0f} ms, edge-console "
            f"{s2 * 1000:.0f} ms, ratio {s2 / b2:.2f}x (runs: {', '.join(f'{x * 1000:.0f}' for x in sim_first)})"
        )
        return
    print(
        f"startup without configuration (built-in simulated edge): bare {b2 * 1000:.0f} ms, edge-console "
        f"{s2 * 1000:.0f} ms, ratio {s2 / b2:.2f}x; first scrape on screen {statistics.median(sim_live) * 1000:.0f} ms; "
        f"every key metric numeric {statistics.median(sim_numeric) * 1000:.0f} ms (goal <= 1000 ms; runs: "
        f"{', '.join(f'{x * 1000:.0f}' for x in sim_numeric)})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
