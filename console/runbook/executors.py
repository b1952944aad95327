"""Executors: an HTTP request (async httpx) or a command (asyncio subprocess, argv list, never a shell).

Both stream output lines to a callback, bound what they keep, honour a timeout, and can be cancelled
(cancelling the awaiting task kills the child's whole process group). A command runs under
:mod:`console.runbook.childguard`, which kills its process group if this process dies, even by SIGKILL.
Nothing here knows about secrets
except the ``mask`` callable it is handed, applied to every line before it leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import signal
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from console.runbook.childguard import guarded_argv, launch_problem
from console.runbook.linereader import read_line
from console.runbook.pipe_order import PipeOrder
from console import safejson
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.runbook.summaries import parse_json_stream
from console.safefile import ensure_private_dir, write_replace
from console.sources.bounded import BadAnswer, request_capped
from console.sources.tls import shared_ssl_context
from console.sanitize import clean_line

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
    #: the largest answer read (the config's ``limits.max_body_bytes``); past it the step fails
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: 4xx statuses that are an answer (the step passes; its data is the error envelope)
    accept_status: tuple[int, ...] = ()

    @property
    def sent_url(self) -> str:
        """The URL as the client sends it (dot segments removed), which is what a preview shows."""
        try:
            return str(httpx.URL(self.url))
        except (httpx.InvalidURL, TypeError, ValueError):
            return self.url

    def display(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "url": self.sent_url}
        if self.params:
            out["params"] = dict(self.params)
        if self.headers_display:
            out["headers"] = dict(self.headers_display)
        if self.json is not None:
            out["json"] = self.json
        return out

    def display_text(self) -> str:
        lines = [
            f"{self.method} {self.sent_url}"
            + (("?" + "&".join(f"{k}={v}" for k, v in self.params.items())) if self.params else "")
        ]
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
    #: variables not inherited from the console's environment (its secrets); ``env`` adds back what
    #: the step names
    strip_env: frozenset[str] = frozenset()

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
    """Shell-safe (POSIX single quotes): a preview pasted into a shell runs these words and nothing else."""
    return shlex.quote(arg)


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
        return {
            "success": bool(data.get("success")),
            "errors": data.get("errors") or [],
            "messages": data.get("messages") or [],
        }
    return None


def envelope_text(env: dict[str, Any]) -> str:
    if env["success"]:
        return "Cloudflare API: success"
    errors = (
        "; ".join(
            f"{e.get('code', '?')}: {e.get('message', '')}" if isinstance(e, dict) else str(e) for e in env["errors"]
        )
        or "no error detail"
    )
    return f"Cloudflare API: FAILED ({clean_line(errors)})"  # the API's words: outside text


def _decode(raw: bytes, response: httpx.Response) -> str:
    try:
        return raw.decode(response.encoding or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", "replace")


async def run_http(
    req: PreparedHttp, *, on_line: LineSink, mask: Masker, transport: httpx.AsyncBaseTransport | None = None
) -> ExecResult:
    try:
        # one deadline for the whole request, body included (httpx's timeout is per read), and a cap
        # the process's TLS context, not a new one per step (console/sources/tls.py)
        verify = shared_ssl_context() if transport is None else True
        async with httpx.AsyncClient(
            timeout=req.timeout, transport=transport, follow_redirects=False, verify=verify
        ) as client:
            kwargs: dict[str, Any] = {"headers": req.headers, "params": req.params or None}
            if req.json is not None:
                kwargs["json"] = req.json
            response, raw = await request_capped(
                client, req.method, req.url, limit=req.max_body_bytes, deadline=req.timeout, **kwargs
            )
    except (httpx.TimeoutException, TimeoutError):
        return ExecResult(False, error=f"timed out after {req.timeout:g}s: {req.method} {req.url}", timed_out=True)
    except BadAnswer as exc:  # too large, or a stacked/unknown compression
        return ExecResult(False, error=clean_line(mask(f"{exc}: {req.method} {req.url}")))
    except httpx.HTTPError as exc:
        return ExecResult(False, error=clean_line(mask(f"{type(exc).__name__}: {exc} ({req.method} {req.url})")))
    body = mask(_decode(raw, response))
    data: Any = None
    with contextlib.suppress(ValueError):
        data = safejson.loads(body) if body.strip() else None  # bounded depth: never a RecursionError
    if req.save_to:
        try:
            path = os.path.abspath(os.path.expanduser(req.save_to))
            ensure_private_dir(os.path.dirname(path), "export directory", check=False)
            write_replace(path, body)  # 0600, atomic, never through a symlink
            on_line(f"saved {len(body)} bytes to {path}")
        except OSError as exc:
            return ExecResult(
                False,
                text=excerpt(body),
                data=data,
                http_status=response.status_code,
                error=f"cannot write {req.save_to}: {exc.strerror or exc}",
            )
    shown = json.dumps(data, indent=2) if isinstance(data, (dict, list)) else body
    lines = shown.splitlines()
    if req.filter:
        pattern = re.compile(req.filter)
        lines = [line for line in lines if pattern.search(line)]
        if not lines:
            lines = [f"(no lines match {req.filter!r})"]
    for line in lines[:400]:
        on_line(clean_line(line))
    if len(lines) > 400:
        on_line(f"... {len(lines) - 400} more lines")
    env = envelope_of(data)
    ok = 200 <= response.status_code < 300 and (env is None or env["success"])
    if response.status_code in req.accept_status:  # "there is none yet" is an answer, not a failure
        ok = True
        on_line(f"HTTP {response.status_code}: accepted as an answer")
    if env is not None:
        on_line(envelope_text(env))
    error = None if ok else (envelope_text(env) if env and not env["success"] else f"HTTP {response.status_code}")
    joined = "\n".join(lines)
    return ExecResult(
        ok,
        text=excerpt(joined),
        data=data,
        http_status=response.status_code,
        envelope=env,
        error=error,
        raw=joined[:MAX_KEEP_BYTES],
    )


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
    env = {k: v for k, v in os.environ.items() if k not in cmd.strip_env}  # no secret it does not name
    env.update(cmd.env)
    if cmd.cwd:
        cmd.cwd = os.path.expanduser(cmd.cwd)
    if cmd.cwd and not os.path.isdir(cmd.cwd):
        return ExecResult(False, error=f"working directory {cmd.cwd} does not exist")
    problem = launch_problem(cmd.argv[0], env, cmd.cwd)
    if problem == "not found":
        return ExecResult(
            False,
            error=f"{cmd.argv[0]}: command not found (set tools.<name> in the config "
            "to its argv prefix, e.g. [npx, wrangler])",
        )
    if problem:
        return ExecResult(False, error=f"{cmd.argv[0]}: {problem}")
    # The command runs under console.runbook.childguard in its own process group; the guard holds the
    # read end of this pipe and kills the whole group when it closes (this process died, even by SIGKILL).
    lifeline, lifeline_keep = os.pipe()
    try:
        proc = await asyncio.create_subprocess_exec(
            *guarded_argv(cmd.argv, lifeline),
            stdin=asyncio.subprocess.PIPE if cmd.stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=cmd.cwd or None,
            start_new_session=True,
            pass_fds=(lifeline,),
        )
    except OSError as exc:
        os.close(lifeline_keep)
        return ExecResult(False, error=f"{cmd.argv[0]}: cannot start: {exc.strerror or exc}")
    finally:
        os.close(lifeline)
    stdout_parts: list[str] = []
    kept = 0
    tail: deque[str] = deque(maxlen=400)

    def shown_line(line: str) -> None:
        tail.append(line)
        on_line(line)

    order = PipeOrder(shown_line)  # lines read in the same wake-up: stderr's first, as the child wrote them

    async def pump(stream: asyncio.StreamReader | None, is_stdout: bool) -> None:
        nonlocal kept
        if stream is None:
            return
        while True:
            raw = await read_line(stream, MAX_KEEP_BYTES)  # readline() raised past 64 KiB on one line
            if not raw:
                return
            line = mask(raw.decode("utf-8", "replace").rstrip("\n"))
            if is_stdout and kept < MAX_KEEP_BYTES:
                stdout_parts.append(line)  # as written: parsed as data, never shown as is
                kept += len(line)
            order.add(clean_line(line), is_stdout)  # the child's bytes reach a terminal: controls shown escaped

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
    finally:
        os.close(lifeline_keep)  # the guard has ended (or is told to end its group now)
        order.flush()
    text = "\n".join(stdout_parts)
    data: Any = None
    stripped = text.strip()
    if cmd.collect_seconds is not None:
        data = parse_json_stream(text)
    else:
        try:
            data = safejson.loads(stripped) if stripped.startswith(("{", "[")) else None
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
        return ExecResult(
            False,
            text=shown,
            data=data,
            exit_code=code,
            timed_out=True,
            error=f"timed out after {limit:g}s and was stopped",
            raw=text,
        )
    ok = code == 0
    return ExecResult(ok, text=shown, data=data, exit_code=code, error=None if ok else f"exit status {code}", raw=text)
