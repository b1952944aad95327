"""Helpers for the bounded-parsing tests: a hostile HTTP server on 127.0.0.1 (endless bodies, a
1-byte-per-second drip, fixed pages) and the real ``edge-console`` in a subprocess with its own
peak RSS (``os.wait4``) and an address-space ceiling so a regression cannot eat the machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]

#: what an "endless" body sends at most, so that a console without a cap fails the test
#: without exhausting the machine's memory
ENDLESS_SAFETY_BYTES = 64 * 1024 * 1024
#: how long a drip goes on at most (a console without a total deadline waits for all of it)
DRIP_SAFETY_S = 20.0


class HostileServer:
    """``routes``: path -> (kind, payload). Kinds: ``page`` (bytes, with its content type),
    ``endless`` (an unbounded body of ``payload`` repeated), ``drip`` (headers, then one byte of
    ``payload`` per second), ``encoded`` (bytes sent with a Content-Encoding). ``sent[path]`` counts the body bytes written per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, object, str]] = {}
        self.encodings: dict[str, str] = {}
        #: the Accept-Encoding header of each request, per path
        self.accepted: dict[str, list[str]] = {}
        self.sent: dict[str, int] = {}
        self.stopped = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                path = self.path.split("?", 1)[0]
                with owner._lock:
                    owner.accepted.setdefault(path, []).append(self.headers.get("Accept-Encoding", ""))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                kind, payload, ctype = owner.routes.get(path, ("page", b"not found", "text/plain"))
                try:
                    if kind in ("page", "encoded"):
                        body = payload() if callable(payload) else payload
                        assert isinstance(body, bytes)
                        self.send_response(200)
                        self.send_header("Content-Type", ctype)
                        if kind == "encoded":  # whatever the client asked for (Accept-Encoding)
                            self.send_header("Content-Encoding", owner.encodings[path])
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        owner._count(path, len(body))
                    elif kind == "endless":
                        self.send_response(200)
                        self.send_header("Content-Type", ctype)
                        self.send_header("Connection", "close")
                        self.end_headers()
                        chunk = bytes(payload) * (65536 // max(1, len(bytes(payload))))
                        total = 0
                        while total < ENDLESS_SAFETY_BYTES and not owner.stopped.is_set():
                            self.wfile.write(chunk)
                            total += len(chunk)
                            owner._count(path, len(chunk))
                        self.close_connection = True
                    elif kind == "drip":
                        self.send_response(200)
                        self.send_header("Content-Type", ctype)
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.wfile.flush()
                        data = bytes(payload)
                        deadline = time.monotonic() + DRIP_SAFETY_S
                        i = 0
                        while time.monotonic() < deadline:
                            self.wfile.write(data[i % len(data) : i % len(data) + 1])
                            self.wfile.flush()
                            owner._count(path, 1)
                            i += 1
                            if owner.stopped.wait(1.0):
                                break
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    owner._count(path, 0)
                    self.close_connection = True

            do_GET = _serve
            do_POST = _serve
            do_PUT = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _count(self, path: str, n: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + n

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path: str, body: bytes | Callable[[], bytes], ctype: str = "text/plain; version=0.0.4") -> None:
        self.routes[path] = ("page", body, ctype)

    def encoded(self, path: str, body: bytes, encoding: str, ctype: str = "application/json") -> None:
        """``body`` as is, sent with ``Content-Encoding: encoding`` (a gzip bomb, a stacked encoding)."""
        self.routes[path] = ("encoded", body, ctype)
        self.encodings[path] = encoding

    def endless(self, path: str, unit: bytes = b'{"x": "aaaaaaaaaaaaaaaa"}\n', ctype: str = "application/json") -> None:
        self.routes[path] = ("endless", unit, ctype)

    def drip(
        self, path: str, text: bytes = b'{"success": true, "result": {}}', ctype: str = "application/json"
    ) -> None:
        self.routes[path] = ("drip", text, ctype)

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


def write_config(tmp_path: Path, base_url: str, extra: str = "", name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        "default_environment: staging\n"
        "environments:\n"
        "  staging:\n"
        f"    base_url: {base_url}\n"
        "    worker: vau-processor-staging\n" + extra
    )
    return path


@dataclass
class Measured:
    returncode: int | None  # None when it was killed at the deadline
    out: str
    err: str
    elapsed_s: float
    maxrss_mb: float


def run_console(
    args: list[str],
    *,
    timeout: float,
    address_space_mb: int = 3072,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Measured:
    """``python -m console ARGS`` with a deadline, an address-space ceiling and its own peak RSS.

    The peak is the child's own ``VmHWM`` (written by the child as it exits): the rusage of a child
    counts the forked copy of this test process before ``exec``, hundreds of MB late in a suite run. A
    child killed at the deadline has no such figure; its ``os.wait4`` rusage stands in."""
    limit = address_space_mb * 1024 * 1024
    # the ceiling is set by the child itself before it imports the console (no preexec_fn: this
    # process has server threads)
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bounds-{os.getpid()}-{time.monotonic_ns()}"
    hwm_path = f"{out_path}.hwm"
    boot = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
        "sys.argv = ['edge-console', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('console', run_name='__main__')\n"
        "finally:\n"
        "    hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
        f"    open({hwm_path!r}, 'w').write(hwm[0] if hwm else '')\n"
    )
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", boot, *args],
            cwd=cwd or ROOT,
            env=env if env is not None else dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        deadline = started + timeout
        code: int | None = None
        rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, rusage = os.wait4(proc.pid, 0)
                code = None
                break
            time.sleep(0.05)
        proc.returncode = code if code is not None else -9  # reaped here: keep Popen from waiting again
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        text_out = out.read().decode("utf-8", "replace")
        text_err = err.read().decode("utf-8", "replace")
    try:
        peak_kib = float(Path(hwm_path).read_text() or rusage.ru_maxrss)
    except (OSError, ValueError):
        peak_kib = float(rusage.ru_maxrss)
    for suffix in (".out", ".err", ".hwm"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return Measured(code, text_out, text_err, elapsed, peak_kib / 1024.0)
