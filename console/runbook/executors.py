"""Executors: an HTTP request (async httpx) or a command (asyncio subprocess, argv list, never a shell).

Both stream output lines to a callback, bound what they keep, honour a timeout, and can be cancelled
(cancelling the awaiting task kills the child's whole process group). Nothing here knows about secrets
except the ``mask`` callable it is handed, applied to every line before it leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from console.runbook.summaries import parse_json_stream

MAX_KEEP_BYTES = 2_000_000
EXCERPT_CHARS = 2000
KILL_GRACE_S = 2.0

LineSink = Callable[[str], None]
Masker = Callable[[str], str]


@dataclass
class PreparedHttp:
    method: str
    url: str
    headers: dict[str, str]
    headers_display: dict[str, str]
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    timeout: float = 15.0
    filter: str | None = None
    save_to: str | None = None

    def display(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.params:
            out["params"] = dict(self.params)
        if self.headers_display:
            out["headers"] = dict(self.headers_display)
        if self.json is not None:
            out["json"] = self.json
        return out

    def display_text(self) -> str:
        lines = [f"{self.method} {self.url}" + (("?" + "&".join(f"{k}={v}" for k, v in self.params.items()))
                                                 if self.params else "")]
        lines += [f"{k}: {v}" for k, v in self.headers_display.items()]
        if self.json is not None:
            lines.append(json.dumps(self.json))
        return "\n".join(lines)


@dataclass
class PreparedCommand:
    argv: list[str]
    stdin: str | None = None
    stdin_display: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    env_display: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    timeout: float = 120.0
    collect_seconds: float | None = None

    def display(self) -> dict[str, Any]:
        out: dict[str, Any] = {"argv": list(self.argv)}
        if self.stdin_display is not None:
            out["stdin"] = self.stdin_display
        if self.env_display:
            out["env"] = dict(self.env_display)
        if self.cwd:
            out["cwd"] = self.cwd
        return out

    def display_text(self) -> str:
        text = " ".join(_quote(a) for a in self.argv)
        if self.stdin_display is not None:
            text += f"   (stdin: {self.stdin_display})"
        if self.cwd:
            text += f"   (in {self.cwd})"
        return text


def _quote(arg: str) -> str:
    return arg if arg and re.fullmatch(r"[A-Za-z0-9_@%+=:,./\-]+", arg) else json.dumps(arg)


@dataclass
class ExecResult:
    ok: bool
    text: str = ""
    data: Any = None
    exit_code: int | None = None
    http_status: int | None = None
    #: the Cloudflare v4 envelope's ``success``/``errors``/``messages`` when the body is one
    envelope: dict[str, Any] | None = None
    error: str | None = None
    timed_out: bool = False
    collected: bool = False
    #: the whole (filtered) output, bounded, for summaries; ``text`` is the excerpt that is recorded
    raw: str = ""


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-limit:]


def envelope_of(data: Any) -> dict[str, Any] | None:
    if isinstance(data, dict) and "success" in data and ("errors" in data or "result" in data):
        return {"success": bool(data.get("success")), "errors": data.get("errors") or [],
                "messages": data.get("messages") or []}
    return None


def envelope_text(env: dict[str, Any]) -> str:
    if env["success"]:
        return "Cloudflare API: success"
    errors = "; ".join(f"{e.get('code', '?')}: {e.get('message', '')}" if isinstance(e, dict) else str(e)
                       for e in env["errors"]) or "no error detail"
    return f"Cloudflare API: FAILED ({errors})"


async def run_http(req: PreparedHttp, *, on_line: LineSink, mask: Masker,
                   transport: httpx.AsyncBaseTransport | None = None) -> ExecResult:
    try:
        async with httpx.AsyncClient(timeout=req.timeout, transport=transport, follow_redirects=False) as client:
            kwargs: dict[str, Any] = {"headers": req.headers, "params": req.params or None}
            if req.json is not None:
                kwargs["json"] = req.json
            response = await client.request(req.method, req.url, **kwargs)
    except httpx.TimeoutException:
        return ExecResult(False, error=f"timed out after {req.timeout:g}s: {req.method} {req.url}", timed_out=True)
    except httpx.HTTPError as exc:
        return ExecResult(False, error=mask(f"{type(exc).__name__}: {exc} ({req.method} {req.url})"))
    body = mask(response.text)
    data: Any = None
    with contextlib.suppress(ValueError):
        data = json.loads(body) if body.strip() else None
    if req.save_to:
        try:
            path = os.path.expanduser(req.save_to)
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(body)
            on_line(f"saved {len(body)} bytes to {path}")
        except OSError as exc:
            return ExecResult(False, text=excerpt(body), data=data, http_status=response.status_code,
                              error=f"cannot write {req.save_to}: {exc.strerror}")
    shown = json.dumps(data, indent=2) if isinstance(data, (dict, list)) else body
    lines = shown.splitlines()
    if req.filter:
        pattern = re.compile(req.filter)
        lines = [line for line in lines if pattern.search(line)]
        if not lines:
            lines = [f"(no lines match {req.filter!r})"]
    for line in lines[:400]:
        on_line(line)
    if len(lines) > 400:
        on_line(f"... {len(lines) - 400} more lines")
    env = envelope_of(data)
    ok = 200 <= response.status_code < 300 and (env is None or env["success"])
    if env is not None:
        on_line(envelope_text(env))
    error = None if ok else (envelope_text(env) if env and not env["success"] else f"HTTP {response.status_code}")
    joined = "\n".join(lines)
    return ExecResult(ok, text=excerpt(joined), data=data, http_status=response.status_code,
                      envelope=env, error=error, raw=joined[:MAX_KEEP_BYTES])


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
            return
        except asyncio.TimeoutError:
            continue


async def run_command(cmd: PreparedCommand, *, on_line: LineSink, mask: Masker) -> ExecResult:
    env = dict(os.environ)
    env.update(cmd.env)
    if cmd.cwd:
        cmd.cwd = os.path.expanduser(cmd.cwd)
    if cmd.cwd and not os.path.isdir(cmd.cwd):
        return ExecResult(False, error=f"working directory {cmd.cwd} does not exist")
    try:
        proc = await asyncio.create_subprocess_exec(
            *cmd.argv,
            stdin=asyncio.subprocess.PIPE if cmd.stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=env, cwd=cmd.cwd or None, start_new_session=True,
        )
    except FileNotFoundError:
        return ExecResult(False, error=f"{cmd.argv[0]}: command not found (set tools.<name> in the config "
                                       "to its argv prefix, e.g. [npx, wrangler])")
    except PermissionError:
        return ExecResult(False, error=f"{cmd.argv[0]}: permission denied")
    stdout_parts: list[str] = []
    kept = 0
    tail: deque[str] = deque(maxlen=400)

    async def pump(stream: asyncio.StreamReader | None, is_stdout: bool) -> None:
        nonlocal kept
        if stream is None:
            return
        while True:
            raw = await stream.readline()
            if not raw:
                return
            line = mask(raw.decode("utf-8", "replace").rstrip("\n"))
            if is_stdout and kept < MAX_KEEP_BYTES:
                stdout_parts.append(line)
                kept += len(line)
            tail.append(line)
            on_line(line)

    async def feed() -> None:
        if cmd.stdin is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(cmd.stdin.encode("utf-8"))
                await proc.stdin.drain()
            proc.stdin.close()

    async def body() -> int:
        await asyncio.gather(feed(), pump(proc.stdout, True), pump(proc.stderr, False))
        return await proc.wait()

    limit = cmd.collect_seconds if cmd.collect_seconds is not None else cmd.timeout
    task = asyncio.ensure_future(body())
    timed_out = False
    try:
        code = await asyncio.wait_for(asyncio.shield(task), limit)
    except asyncio.TimeoutError:
        timed_out = True
        await _kill_group(proc)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, KILL_GRACE_S)
        code = proc.returncode
    except asyncio.CancelledError:
        await _kill_group(proc)
        task.cancel()
        raise
    text = "\n".join(stdout_parts)
    data: Any = None
    stripped = text.strip()
    if cmd.collect_seconds is not None:
        data = parse_json_stream(text)
    else:
        try:
            data = json.loads(stripped) if stripped.startswith(("{", "[")) else None
        except ValueError:
            data = None
        if data is None and ("{" in stripped or "[" in stripped):
            # JSON after a banner, or followed by a status line: one value is the data
            values = parse_json_stream(text)
            data = values[0] if len(values) == 1 else (values or None)
    shown = excerpt("\n".join(tail))
    if timed_out and cmd.collect_seconds is not None:
        return ExecResult(True, text=shown, data=data, exit_code=code, collected=True, raw=text)
    if timed_out:
        return ExecResult(False, text=shown, data=data, exit_code=code, timed_out=True,
                          error=f"timed out after {limit:g}s and was stopped", raw=text)
    ok = code == 0
    return ExecResult(ok, text=shown, data=data, exit_code=code, error=None if ok else f"exit status {code}",
                      raw=text)
