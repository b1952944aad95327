"""Shared plumbing of the simulated ``wrangler``, ``gh`` and ``terraform`` commands.

They find the simulated edge at ``$EDGE_SIM_URL`` and, when ``$EDGE_SIM_ARGV_LOG`` is set, append
one JSON line per invocation: ``{"tool", "argv", "stdin", "cwd", "env_keys"}``. Stdin is recorded
only as ``"<masked: N bytes>"`` and the environment only by its variable names, never values.
"""

from __future__ import annotations

from console.sim.tools import jsonlite as json  # json.loads/dumps without importing json (start-up time)
import os
import sys
import time

try:  # the C module under ``socket``: ``socket.py`` builds its enums on import (a sixth of a tool's start-up)
    import _socket as socket
except ImportError:  # pragma: no cover - another Python
    import socket  # type: ignore[no-redef]

from console.sim.tools._urls import split_http_url

# A tool runs one short command per process: ``typing`` costs more start-up time than the command needs
# (the annotations are never evaluated: ``from __future__ import annotations``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

URL_ENV = "EDGE_SIM_URL"
LOG_ENV = "EDGE_SIM_ARGV_LOG"
HOLD_ENV = "EDGE_SIM_HOLD"


class ToolExit(Exception):
    """Stop the command with this exit code (its message is already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Invocation:
    """One run of a fake tool: its argv, the stdin it consumed, and helpers to talk to the sim."""

    def __init__(self, tool: str, argv: list[str]) -> None:
        self.tool = tool
        self.argv = list(argv)
        self.stdin_bytes: int | None = None

    # -- stdin -------------------------------------------------------------------------
    def read_stdin(self) -> str:
        data = sys.stdin.buffer.read() if sys.stdin is not None else b""
        self.stdin_bytes = (self.stdin_bytes or 0) + len(data)
        return data.decode("utf-8", errors="replace")

    def read_stdin_line(self) -> str:
        line = sys.stdin.buffer.readline() if sys.stdin is not None else b""
        self.stdin_bytes = (self.stdin_bytes or 0) + len(line)
        return line.decode("utf-8", errors="replace")

    # -- argv log ----------------------------------------------------------------------
    def log(self) -> None:
        path = os.environ.get(LOG_ENV)
        if not path:
            return
        record = {
            "tool": self.tool,
            "argv": self.argv,
            "stdin": None if self.stdin_bytes is None else f"<masked: {self.stdin_bytes} bytes>",
            "cwd": os.getcwd(),
            "env_keys": sorted(os.environ),
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()

    # -- simulator ---------------------------------------------------------------------
    def base_url(self) -> str:
        url = os.environ.get(URL_ENV, "").rstrip("/")
        if not url:
            err(
                f"{self.tool} (simulated): ${URL_ENV} is not set; run me from the console on the simulated edge "
                "or set it to the URL `edge-console simulate` printed"
            )
            raise ToolExit(1)
        return url

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, bytes, str]:
        """(status, body, content type); exits 1 with a message when the sim is unreachable."""
        data = raw
        all_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        try:
            return http_request(self.base_url(), method, path, data, all_headers, timeout)
        except OSError as exc:
            err(self.unreachable_message(str(exc)))
            raise ToolExit(1) from None

    def unreachable_message(self, reason: str) -> str:
        return f"{self.tool}: cannot reach {self.base_url()}: {reason}"

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        status, data, _ = self.call(method, path, body=body)
        try:
            parsed = json.loads(data.decode() or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if status >= 400:
            message = parsed.get("error") if isinstance(parsed, dict) else data.decode(errors="replace")
            raise AdminError(status, str(message))
        return parsed


def http_request(
    base_url: str, method: str, path: str, data: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes, str]:
    """One HTTP/1.1 request over a plain socket (the simulator is plain HTTP on loopback).

    A tool runs one short command per process; ``urllib.request`` alone costs more to import than
    the whole exchange, so the fake tools speak the few lines of HTTP they need themselves."""
    host, port, base_path = split_http_url(base_url)
    body = data or b""
    lines = [
        f"{method} {base_path.rstrip('/')}{path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Connection: close",
        f"Content-Length: {len(body)}",
        "User-Agent: edge-sim-tool",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock = _connect(host, port, timeout)
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    raw = b"".join(chunks)
    head, sep, payload = raw.partition(b"\r\n\r\n")
    if not sep:
        raise OSError("incomplete HTTP answer from the simulator")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError):
        raise OSError(f"bad HTTP status line {status_line!r}") from None
    found = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        found[key.strip().lower()] = value.strip()
    length = found.get("content-length")
    if length is not None and length.isdigit():
        payload = payload[: int(length)]
    return status, payload, found.get("content-type", "")


def _connect(host: str, port: int, timeout: float) -> Any:
    """``socket.create_connection((host, port), timeout)``: each address in turn, the last error raised."""
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"getaddrinfo returns an empty list for {host}")


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def out(text: str = "", end: str = "\n") -> None:
    sys.stdout.write(text + end)
    sys.stdout.flush()


def err(text: str = "", end: str = "\n") -> None:
    sys.stderr.write(text + end)
    sys.stderr.flush()


def hold_if_asked(tool: str, argv: list[str]) -> None:
    """Test knob: with ``$EDGE_SIM_HOLD=PATH`` the tool announces itself (a JSON line with its pid,
    process group, parent and argv appended to ``PATH.started``) and then waits, before doing anything,
    until the file ``PATH`` exists (at most ``$EDGE_SIM_HOLD_SECONDS``, default 60). A test can then
    act while the tool is mid-step (kill the console) without sleeping for a guessed time."""
    path = os.environ.get(HOLD_ENV)
    if not path:
        return
    record = {"tool": tool, "argv": argv, "pid": os.getpid(), "pgid": os.getpgrp(), "ppid": os.getppid()}
    with open(path + ".started", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    try:
        limit = float(os.environ.get("EDGE_SIM_HOLD_SECONDS", "60"))
    except ValueError:
        limit = 60.0
    deadline = time.monotonic() + (limit if limit == limit else 60.0)
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


def run_tool(tool: str, argv: list[str] | None, body: Any) -> int:
    """Run ``body(invocation)`` and log the invocation, whatever happens."""
    inv = Invocation(tool, list(sys.argv[1:] if argv is None else argv))
    hold_if_asked(tool, inv.argv)
    code = 1
    try:
        code = int(body(inv) or 0)
    except ToolExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 141
    finally:
        try:
            inv.log()
        except OSError as exc:
            err(f"{tool} (simulated): cannot write ${LOG_ENV}: {exc}")
    return code
