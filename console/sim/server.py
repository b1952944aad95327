"""The simulated edge's HTTP server (stdlib ``ThreadingHTTPServer`` in a daemon thread).

It never touches the console's asyncio loop: the console starts it in-process next to the
Textual app, tests start it as the ``sim`` fixture, ``edge-console simulate`` serves it alone.

Routes: ``/health``, ``/metrics``, ``/admin/cache/purge`` (admin token), the simulator's
control plane (``/admin/scenario``, ``/admin/state``, ``/admin/faults`` and the endpoints the
fake tools use, loopback only, no token), the Cloudflare API under ``/client/v4`` and the
Cloudflare status page under ``/status/api/v2/status.json``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from console.sim import cfapi
from console.sim.exposition import Exposition
from console.sim.scenarios import SCENARIO_NAMES
from console.sim.state import SimError, SimState

from console.sim.names import ADMIN_TOKEN_ENV, API_TOKEN_ENV, SIM_TOOLS, URL_ENV, new_token, sim_url, tool_argv

__all__ = ["ADMIN_TOKEN_ENV", "API_TOKEN_ENV", "SIM_TOOLS", "URL_ENV", "SimServer"]

MAX_BODY = 1 << 20

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>\n"
)
GARBAGE = (
    b'\x00\x1f\x8b{"oops": tru\n edge_requests_total{worker="vau" 12 13 14\n'
    b"# TYPE edge_requests_total counter counter\n\xff\xfe not metrics at all\n"
)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: "SimServer"

    def server_bind(self) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().server_bind()

    def adopt(self, sock: socket.socket) -> None:
        """Serve on ``sock``, already bound and listening (built with ``bind_and_activate=False``)."""
        self.socket.close()
        self.socket = sock
        self.server_address = sock.getsockname()[:2]
        self._connections = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop kept-alive client connections, so a stopped edge refuses like a dead one."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "edge-sim/1"
    timeout = 30
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence request logs
        return

    # -- plumbing -----------------------------------------------------------------------
    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ValueError("bad Content-Length header") from None
        if length < 0 or length > MAX_BODY:
            raise ValueError(f"request body must be 0 to {MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def _send(
        self, status: int, body: bytes, content_type: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, indent=None).encode())

    def _dispatch(self) -> None:
        sim = self.server.sim
        try:
            body = self._body()
        except ValueError as exc:
            self.close_connection = True
            self._json(413, {"error": str(exc)})
            return
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            if path.startswith(cfapi.PREFIX + "/") or path == cfapi.PREFIX:
                reply = cfapi.handle(
                    sim.state, sim.api_token, self.command, parts.path, query, dict(self.headers.items()), body
                )
                self._send(reply.status, reply.body, reply.content_type, reply.headers)
                return
            if path.startswith("/admin/") and path != "/admin/cache/purge" and not _is_loopback(self.client_address):
                self._json(403, {"error": "the simulator's control plane (/admin/...) answers loopback clients only"})
                return
            handler = _ROUTES.get((self.command, path))
            if handler is None and self.command == "HEAD":
                handler = _ROUTES.get(("GET", path))
            if handler is None:
                if path.startswith("/admin/gh/runs/"):
                    self._gh_run(sim, path, body)
                    return
                known = any(p == path for (_, p) in _ROUTES)
                self._json(
                    405 if known else 404, {"error": ("method not allowed" if known else "not found"), "path": path}
                )
                return
            handler(self, sim, query, body)
        except SimError as exc:
            self._json(400, {"error": str(exc)})
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # a bug in the simulator must not kill the server thread
            print(f"edge-sim: internal error on {self.command} {self.path}: {exc!r}", file=sys.stderr)
            try:
                self._json(500, {"error": "internal simulator error", "detail": repr(exc)})
            except OSError:
                pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    # -- gh run sub-resources ------------------------------------------------------------
    def _gh_run(self, sim: "SimServer", path: str, body: bytes) -> None:
        rest = path[len("/admin/gh/runs/") :].split("/")
        try:
            run_id = int(rest[0])
        except ValueError:
            self._json(400, {"error": f"run id must be a number, got {rest[0]!r}"})
            return
        try:
            if len(rest) == 1 and self.command == "GET":
                self._json(200, sim.state.gh_run(run_id))
            elif len(rest) == 2 and rest[1] == "complete" and self.command == "POST":
                self._json(200, sim.state.gh_complete(run_id))
            else:
                self._json(404, {"error": "not found", "path": path})
        except KeyError:
            self._json(404, {"error": f"could not find any workflow run with ID {run_id}"})


def _is_loopback(address: Any) -> bool:
    try:
        return ipaddress.ip_address(str(address[0]).split("%", 1)[0]).is_loopback
    except (ValueError, IndexError, TypeError):
        return False


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SimError(f"request body is not valid JSON: {exc}") from None


def _wait(sim: "SimServer", seconds: float) -> None:
    """Sleep for a slow fault, waking early when the server stops."""
    sim._stopping.wait(max(0.0, seconds))


def _health(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    fault = sim.state.faults.get("health", "none")
    if fault == "slow":
        _wait(sim, sim.state.faults.get("slow_seconds", 5.0))
    if fault == "down":
        _, body = sim.state.health()
        h._json(
            503,
            {
                "status": "down",
                "version": body["version"],
                "timestamp": body["timestamp"],
                "error": "service unavailable",
                "components": {c: "down" for c in body["components"]},
            },
        )
        return
    status, data = sim.state.health()
    h._json(status, data)


def _metrics(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    fault = sim.state.faults.get("metrics", "none")
    if fault == "slow":
        _wait(sim, sim.state.faults.get("slow_seconds", 5.0))
    if fault == "500":
        h._send(500, b"internal server error\n", "text/plain; charset=utf-8")
        return
    if fault == "html":
        h._send(200, HTML_PAGE, "text/html; charset=utf-8")
        return
    if fault == "garbage":
        h._send(200, GARBAGE, "text/plain; version=0.0.4; charset=utf-8")
        return
    missing = fault[len("missing:") :] if fault.startswith("missing:") else None
    page = sim.exposition.render(missing=missing)
    if fault == "truncated":
        page = page[: len(page) // 2]
    h._send(200, page, "text/plain; version=0.0.4; charset=utf-8")


def _admin_purge(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    token = cfapi._bearer(dict(h.headers.items()))
    if not token or not secrets.compare_digest(token, sim.admin_token):
        h._json(
            401,
            {
                "success": False,
                "error": "unauthorized: a valid admin token is required (Authorization: Bearer <token>)",
            },
        )
        return
    data = _json_body(body)
    if not isinstance(data, dict) or "older_than" not in data:
        raise SimError('expected a JSON body such as {"older_than": "7d"}')
    h._json(200, sim.state.admin_purge(data["older_than"]))


def _admin_scenario(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    name = data.get("name") if isinstance(data, dict) else None
    if name not in SCENARIO_NAMES:
        h._json(400, {"error": f"unknown scenario {name!r}", "scenarios": list(SCENARIO_NAMES)})
        return
    sim.state.set_scenario(name)
    h._json(200, {"scenario": name, "scenarios": list(SCENARIO_NAMES)})


def _admin_state(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    h._json(200, sim.state.snapshot())


def _admin_faults(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    if h.command == "GET":
        h._json(200, sim.state.snapshot()["faults"])
        return
    h._json(200, sim.state.set_faults(_json_body(body)))


def _admin_terraform(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    if not isinstance(data, dict) or not isinstance(data.get("vars"), dict):
        raise SimError('expected {"vars": {"name": value, ...}}')
    h._json(200, {"vars": sim.state.terraform_apply(data["vars"])})


def _admin_gh_dispatch(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    if not isinstance(data, dict) or not isinstance(data.get("inputs", {}), dict):
        raise SimError('expected {"workflow": "rollback-edge.yml", "inputs": {...}}')
    inputs = {str(k): str(v) for k, v in data.get("inputs", {}).items()}
    h._json(200, sim.state.gh_dispatch(str(data.get("workflow", "")), inputs))


def _admin_gh_runs(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    workflow = (query.get("workflow") or [None])[-1]
    h._json(200, sim.state.gh_run_list(workflow))


def _admin_local_kv(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    if not isinstance(data, dict):
        raise SimError('expected {"op": "list|get|put|delete", "namespace": ..., "key": ..., "value": ...}')
    result = sim.state.local_kv_op(
        str(data.get("op")), str(data.get("namespace", "")), data.get("key"), data.get("value")
    )
    h._json(200, {"result": result})


def _admin_gh_pulls(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    if h.command == "GET":
        h._json(200, sim.state.snapshot()["pulls"])
        return
    data = _json_body(body)
    if not isinstance(data, dict):
        raise SimError('expected {"repo", "head", "base", "title", "body"}')
    h._json(200, sim.state.gh_pr_create(*(str(data.get(k) or "") for k in ("repo", "head", "base", "title", "body"))))


def _admin_gh_foreign_run(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body) or {}
    if not isinstance(data, dict):
        raise SimError('expected {"actor": ..., "event": ...}')
    h._json(
        200, sim.state.gh_foreign_run(str(data.get("actor") or "alice"), str(data.get("event") or "workflow_dispatch"))
    )


def _admin_rollout(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    if not isinstance(data, dict) or not isinstance(data.get("script"), str):
        raise SimError('expected {"script": ..., "percentage": N}')
    try:
        h._json(200, sim.state.start_rollout(data["script"], int(data.get("percentage", 10))))
    except KeyError:
        raise SimError(f"unknown script {data['script']!r}") from None


def _admin_versions_secret(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    data = _json_body(body)
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("script", "name", "value")):
        raise SimError('expected {"script": ..., "name": ..., "value": ...}')
    try:
        h._json(200, sim.state.versions_secret_put(data["script"], data["name"], data["value"]))
    except KeyError:
        raise SimError(f"This Worker does not exist on your account. [code: 10007] ({data['script']})") from None


def _status_page(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    h._json(200, cfapi.status_page(sim.state))


def _index(h: _Handler, sim: "SimServer", query: Any, body: bytes) -> None:
    h._json(
        200,
        {
            "service": "TWIST edge (simulated)",
            "scenario": sim.state.scenario,
            "endpoints": sorted({p for (_, p) in _ROUTES}) + [cfapi.PREFIX + "/..."],
        },
    )


_ROUTES = {
    ("GET", "/"): _index,
    ("GET", "/health"): _health,
    ("GET", "/metrics"): _metrics,
    ("POST", "/admin/cache/purge"): _admin_purge,
    ("POST", "/admin/scenario"): _admin_scenario,
    ("GET", "/admin/state"): _admin_state,
    ("GET", "/admin/faults"): _admin_faults,
    ("POST", "/admin/faults"): _admin_faults,
    ("POST", "/admin/terraform"): _admin_terraform,
    ("POST", "/admin/gh/dispatch"): _admin_gh_dispatch,
    ("GET", "/admin/gh/runs"): _admin_gh_runs,
    ("POST", "/admin/wrangler-local/kv"): _admin_local_kv,
    ("GET", "/admin/gh/pulls"): _admin_gh_pulls,
    ("POST", "/admin/gh/pulls"): _admin_gh_pulls,
    ("POST", "/admin/gh/foreign-run"): _admin_gh_foreign_run,
    ("POST", "/admin/rollout"): _admin_rollout,
    ("POST", "/admin/wrangler/versions-secret"): _admin_versions_secret,
    ("GET", "/status/api/v2/status.json"): _status_page,
}


class SimServer:
    """A simulated TWIST edge on loopback. ``start()`` returns the base URL."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str = "normal",
        seed: int | None = None,
        *,
        state: SimState | None = None,
        api_token: str | None = None,
        admin_token: str | None = None,
        listen_socket: socket.socket | None = None,
    ) -> None:
        """``listen_socket``: serve on this socket, already bound and listening (its port wins)."""
        self._listen_socket = listen_socket
        if listen_socket is not None:
            host, port = listen_socket.getsockname()[:2]
        self.host = host
        self.port = port
        self.state = state or SimState(scenario=scenario, seed=seed)
        self.exposition = Exposition(self.state)
        self.api_token = api_token or new_token("api")
        self.admin_token = admin_token or new_token("admin")
        self.base_url = sim_url(host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._saved_env: dict[str, str | None] = {}
        self._workspace: tuple[Path, dict[str, str]] | None = None
        self._export_tokens()

    def _export_tokens(self) -> None:
        for name, value in ((API_TOKEN_ENV, self.api_token), (ADMIN_TOKEN_ENV, self.admin_token)):
            self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value

    def _restore_env(self) -> None:
        for name, ours in ((API_TOKEN_ENV, self.api_token), (ADMIN_TOKEN_ENV, self.admin_token)):
            if os.environ.get(name) != ours:
                continue  # someone (another server) set it since; leave theirs
            previous = self._saved_env.get(name)
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous

    def start(self) -> str:
        if self._httpd is not None:
            return self.base_url
        self._stopping.clear()
        server_class = _HTTPServer6 if ":" in self.host else _HTTPServer
        if self._listen_socket is not None:
            httpd = server_class((self.host, self.port), _Handler, bind_and_activate=False)
            httpd.adopt(self._listen_socket)
            self._listen_socket = None  # the server closes it from now on
        else:
            httpd = server_class((self.host, self.port), _Handler)
        httpd.sim = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.base_url = sim_url(self.host, self.port)
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"edge-sim:{self.port}", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._restore_env()
        if self._workspace is not None:
            shutil.rmtree(self._workspace[0], ignore_errors=True)
            self._workspace = None

    def tools(self) -> dict[str, list[str]]:
        return {tool: tool_argv(tool) for tool in SIM_TOOLS}

    def workspace(self, root: Path | None = None) -> dict[str, str]:
        """The environment's ``paths`` on the simulated edge: a throw-away git checkout of the edge module
        (``console.sim.workspace``), made on first call under the state dir (or ``root``) and removed by
        ``stop()``. On failure (no writable state dir) the paths are empty: those flows then stop at
        preflight, as on a configured edge without them."""
        if self._workspace is None:
            from console.paths import state_dir
            from console.sim.workspace import create_workspace

            try:
                base = root or Path(tempfile.mkdtemp(prefix="sim-workspace-", dir=state_dir()))
                self._workspace = (base, create_workspace(base))
            except (OSError, subprocess.SubprocessError) as exc:
                print(f"edge-sim: no workspace for the repository flows: {exc}", file=sys.stderr)
                return {}
        return dict(self._workspace[1])

    def tool_env(self) -> dict[str, str]:
        return {URL_ENV: self.base_url}

    def __enter__(self) -> "SimServer":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def serve_until_interrupted(self) -> None:  # pragma: no cover - interactive
        try:
            while self._thread is not None and self._thread.is_alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
