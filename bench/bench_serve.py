"""``edge-console serve`` figures (printed, not a timed test): time from page load to the first dashboard
frame in Chromium (Debian's, through Playwright), and the memory of each served console with N sessions
open (the console process plus its childguard; the serve process itself for comparison).

    .venv/bin/python bench/bench_serve.py [--loads 5] [--sessions 5]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_FRAME_JS = (
    "() => { const t = document.querySelector('.xterm-accessibility-tree');"
    " return !!t && t.innerText.includes('Key metrics'); }"
)


def start_serve(max_sessions: int, state: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, EDGE_CONSOLE_STATE_DIR=state)
    env.pop("EDGE_CONSOLE_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "serve", "--port", "0", "--max-sessions", str(max_sessions)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"Open: (http://\S+)", line)
        if match:
            return proc, match.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("serve printed no URL")


def children(pid: int) -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return parents


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def sessions_memory(serve_pid: int) -> list[tuple[int, int]]:
    """Per session (a childguard directly under serve): RSS and PSS of its whole process tree."""
    parents = children(serve_pid)
    result = []
    for guard in [p for p, parent in parents.items() if parent == serve_pid]:
        tree, frontier = [guard], [guard]
        while frontier:
            current = frontier.pop()
            kids = [p for p, parent in parents.items() if parent == current]
            tree += kids
            frontier += kids
        figures = [memory_kib(p) for p in tree]
        result.append((sum(f[0] for f in figures), sum(f[1] for f in figures)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(
            f"bench_serve: {CHROMIUM} is missing (Debian package chromium: tests/system-deps installs it)",
            file=sys.stderr,
        )
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as state:
        proc, url = start_serve(max(args.sessions, 1) + 1, state)
        try:
            with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
                context = playwright.chromium.launch_persistent_context(
                    profile,
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_ARGS,
                    viewport={"width": 1280, "height": 760},
                )
                times = []
                for _ in range(args.loads):
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function(FIRST_FRAME_JS, polling="raf", timeout=60_000)
                    times.append(time.perf_counter() - started)
                    page.close()
                print(
                    f"page load -> first dashboard frame in Chromium: median {statistics.median(times) * 1000:.0f} ms "
                    f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {args.loads} loads)"
                )
                pages = []
                for _ in range(args.sessions):
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_function(FIRST_FRAME_JS, polling="raf", timeout=60_000)
                    pages.append(page)
                time.sleep(3)  # let every console settle (polls, log pane) before measuring
                figures = sessions_memory(proc.pid)
                rss = [f[0] / 1024 for f in figures]
                pss = [f[1] / 1024 for f in figures]
                serve_rss, serve_pss = memory_kib(proc.pid)
                print(
                    f"{len(figures)} sessions open: per session RSS mean {statistics.mean(rss):.1f} MiB "
                    f"(min {min(rss):.1f}, max {max(rss):.1f}), PSS mean {statistics.mean(pss):.1f} MiB; "
                    f"serve itself (with the simulated edge): RSS {serve_rss / 1024:.1f} MiB, "
                    f"PSS {serve_pss / 1024:.1f} MiB"
                )
                context.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
