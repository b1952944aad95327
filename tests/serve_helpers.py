"""Helpers for the ``edge-console serve`` tests: start the real command, find its processes."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.util import REPO_ROOT, wait_for_sync

URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+/\S*)")


def descendants(pid: int) -> set[int]:
    """Every live process whose ancestry leads to ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def console_processes(pid: int) -> set[int]:
    """The console processes (``python -m console --read-only``) under ``pid``."""
    found = set()
    for child in descendants(pid):
        line = cmdline(child)
        if "-m console --read-only" in line and "childguard" not in line:
            found.add(child)
    return found


class Served:
    """``python -m console serve ...`` as a subprocess; its stdout lines are read by a thread."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.argv = [sys.executable, "-m", "console", "serve", *args]
        self.proc = subprocess.Popen(
            self.argv,
            cwd=REPO_ROOT,
            env=env or dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.out, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err, False), daemon=True).start()

    def _read(self, stream, into: list[str], to_queue: bool) -> None:
        for line in stream:
            into.append(line)
            if to_queue:
                self.lines.put(line)

    def wait_url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            match = URL_RE.search(line)
            if match:
                return match.group(1)
        raise AssertionError(f"serve printed no URL (rc={self.proc.poll()}): out={self.out!r} err={self.err!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)

    def wait_consoles(self, count: int, timeout: float = 30.0) -> set[int]:
        def enough() -> set[int] | None:
            found = console_processes(self.proc.pid)
            return found if len(found) >= count else None

        return wait_for_sync(enough, timeout=timeout, message=f"{count} console process(es)")
