"""Run a command in an 80x24 pseudo-terminal and watch what it writes (shared by the bench scripts)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field


@dataclass
class PtyRun:
    proc: subprocess.Popen
    master: int
    started: float
    output: bytearray = field(default_factory=bytearray)

    def read_for(self, seconds: float) -> int:
        """Read everything written for ``seconds``; returns the byte count."""
        deadline = time.monotonic() + seconds
        count = 0
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                count += len(chunk)
        return count

    def read_chunk(self, timeout: float) -> bytes:
        """What the process wrote within ``timeout`` (b"" when nothing), also kept in ``output``."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from start until ``marker`` appears in the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                self.output += chunk
                if marker in self.output:
                    return time.monotonic() - self.started
        raise TimeoutError(f"{marker!r} not seen within {timeout}s")

    def cpu_seconds(self) -> float:
        """User+system CPU of the process so far (all threads), from /proc."""
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.master)


def spawn(argv: list[str], cols: int = 80, rows: int = 24, env: dict[str, str] | None = None) -> PtyRun:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
    full_env.update(env or {})
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=full_env, close_fds=True, start_new_session=True
    )
    os.close(slave)
    return PtyRun(proc=proc, master=master, started=started)
