"""Run ``wrangler tail <worker> --format json`` as an asyncio subprocess and parse its stream.

No shell, an argv list; the API token only in the child's environment as ``CLOUDFLARE_API_TOKEN``;
``WRANGLER_SEND_METRICS=false``. The run loop never raises: a missing wrangler, a "not
authenticated" message or an exit becomes a status with the reason, then a reconnect with backoff.
A reader thread only moves bytes from the pipe into a bounded queue (it never parses, so it hardly
holds the GIL and the UI keeps its turns); the consumer calls :meth:`take` at its own pace and the
bytes are parsed there within a time budget (the TUI calls it from one parse thread, the headless CLI
from its loop; one consumer at a time). A flood therefore coalesces into
bigger batches, and past the byte bound the oldest unparsed data is dropped, counted and the parser
resynchronises on the next object.

The parts: :mod:`console.tail.process` (spawn, kill the process group, exit status),
:mod:`console.tail.bytequeue` (the bounded byte queue), :mod:`console.tail.parse_budget` (parsing within a
time budget); this module runs them (reconnects, the reader thread, the status).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from console.childenv import child_environ, secret_env_names
from console.config import Environment
from console.runbook.childguard import launch_problem
from console.secrets import SecretError, mask, read_secret
from console.tail.bytequeue import ByteQueue
from console.tail.lazy_event import LazyTailEvent
from console.tail.model import TailEvent
from console.tail.parse_budget import PARSE_PIECE, BudgetedParser
from console.tail.process import AUTH_HINTS, TailChild, exit_reason, kill_group
from console.tail.settings import ServerFilters

__all__ = ["AUTH_HINTS", "PARSE_PIECE", "RateMeter", "TailSource", "TailStatus", "build_child_env", "build_command"]

READ_CHUNK = 1 << 20
NOTICE_HINTS = ("sampling", "overload", "dropped", "rate limit", "too many")


@dataclass
class TailStatus:
    state: str = "stopped"  # connecting | streaming | reconnecting | stopped
    detail: str = ""  # the reason / last message, safe to show (secrets masked)
    rate: float = 0.0  # events/s over the last few seconds
    retry_at: float | None = None  # monotonic time of the next attempt while reconnecting
    received: int = 0
    broken: int = 0
    noise: int = 0
    dropped: int = 0
    attempts: int = 0
    notice: str = ""  # last overload / sampling notice from the stream
    command: str = ""  # argv for display (never contains the token)
    last_error: str = ""  # the last failure reason (kept after a stop or a reconnect)
    changed: float = field(default_factory=time.monotonic)

    def retry_in(self, now: float | None = None) -> float | None:
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - (now if now is not None else time.monotonic()))

    def summary(self, now: float | None = None) -> str:
        if self.state == "streaming":
            text = f"streaming {self.rate:,.0f} ev/s" if self.rate else "streaming"
        elif self.state == "reconnecting":
            left = self.retry_in(now)
            text = f"reconnecting in {left:.0f} s" if left is not None else "reconnecting"
        else:
            text = self.state
        if self.detail and self.state != "streaming":
            text += f" — {self.detail}"
        return text


def build_command(env: Environment, filters: ServerFilters | None = None, worker: str | None = None) -> list[str]:
    """``wrangler tail <script> --format json [filters]``; ``worker`` a script name (default: the environment's
    default worker). The script is a positional before the options, so a name cannot be read as one."""
    script = worker or env.worker or "worker"
    return [*env.tool("wrangler"), "tail", script, "--format", "json", *(filters.args() if filters else [])]


def build_child_env(
    env: Environment, token: str | None, base: dict[str, str] | None = None, config: Any = None
) -> dict[str, str]:
    # no secret of the console's (those of every environment in ``config``) but the API token, given as
    # CLOUDFLARE_API_TOKEN (childenv)
    child = child_environ(secret_env_names(config, env), env.tool_env, base)
    child.pop("CLOUDFLARE_API_TOKEN", None)
    if token:
        child["CLOUDFLARE_API_TOKEN"] = token
    child["WRANGLER_SEND_METRICS"] = "false"
    if env.account_id and "CLOUDFLARE_ACCOUNT_ID" not in child and not env.simulated:
        child["CLOUDFLARE_ACCOUNT_ID"] = env.account_id
    return child


#: a read shorter than this is a trickle: the reader waits TRICKLE_WAIT_S before the next read, so
#: events arrive in batches of up to that age (the full view draws 4 frames/s at most); under a flood
#: reads are full and never wait
TRICKLE_BYTES = 16 * 1024
TRICKLE_WAIT_S = 0.25


class RateMeter:
    """Events per second over a sliding window of whole seconds."""

    def __init__(self, window: float = 3.0) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def add(self, count: int, now: float) -> None:
        with self._lock:
            self._add(count, now)

    def _add(self, count: int, now: float) -> None:
        if self.samples and now - self.samples[-1][0] < 0.25:
            t, c = self.samples[-1]
            self.samples[-1] = (t, c + count)
        else:
            self.samples.append((now, count))
        self.trim(now)

    def trim(self, now: float) -> None:
        while self.samples and now - self.samples[0][0] > self.window:
            self.samples.popleft()

    def rate(self, now: float) -> float:
        with self._lock:
            return self._rate(now)

    def _rate(self, now: float) -> float:
        self.trim(now)
        if not self.samples:
            return 0.0
        span = max(1.0, now - self.samples[0][0])
        return sum(c for _, c in self.samples) / span


class TailSource:
    def __init__(
        self,
        env: Environment,
        filters: ServerFilters | None = None,
        *,
        max_pending: int = 10_000,
        reconnect_max: float = 30.0,
        backoff_start: float = 1.0,
        on_status: Callable[[TailStatus], Any] | None = None,
        on_events: Callable[[], Any] | None = None,
        max_buffered_bytes: int = 16 << 20,
        config: Any = None,
        worker: str | None = None,
        label: str = "",
        json_lines: bool = False,
        lazy_events: bool = False,
    ) -> None:
        self.env = env
        #: events whose fields but the kind, notice and timestamp are pulled out on first use (LazyTailEvent)
        self.event_type = LazyTailEvent if lazy_events else TailEvent
        #: the script to tail (default: the environment's worker) and the role shown on each event ("" none)
        self.worker = worker
        self.label = label
        #: the session's config: the child inherits no token variable of any of its environments
        self.config = config
        self.filters = filters or ServerFilters()
        self.max_pending = max(1, max_pending)  # events returned by one take() at most
        self.max_buffered_bytes = max(1 << 16, max_buffered_bytes)
        self.reconnect_max = reconnect_max
        self.backoff_start = backoff_start
        self.on_status = on_status
        self.on_events = on_events
        #: called on the reader thread whenever bytes arrive (must be thread-safe, e.g. Event.set)
        self.on_bytes: Callable[[], Any] | None = None
        self.status = TailStatus()
        self.noise: deque[str] = deque(maxlen=50)
        self.stderr: deque[str] = deque(maxlen=50)
        self._child: TailChild | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._restart = False
        self._meter = RateMeter()
        self._secrets: list[str | None] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        # bytes from the reader thread: chunks, or None marking the end of one wrangler run
        self._queue = ByteQueue(self.max_buffered_bytes)
        # json_lines: each event also carries its compact JSON line (the headless tail's --json output)
        self._parse = BudgetedParser(self._queue, self._wrap, self._noise, json_lines=json_lines)
        self.bytes_read = 0

    # -- consumer API ---------------------------------------------------------------------------
    def take(self, limit: int | None = None, budget_s: float = 0.05) -> list[TailEvent]:
        """Parse what has arrived and return the events, oldest first: at most ``limit`` (default
        ``max_pending``) and about ``budget_s`` of parsing per call, so one call never holds up the UI
        for long; the rest waits for the next call. Runs on the consumer's thread."""
        limit = self.max_pending if limit is None else limit
        out = self._parse.take(limit, budget_s)
        self.status.broken = self._parse.broken
        self.status.noise = self._parse.noise
        return out

    @property
    def backlog_bytes(self) -> int:
        return self._queue.buffered

    @property
    def has_backlog(self) -> bool:
        """Bytes (or the end of a run) are waiting to be parsed, or parsed events to be taken."""
        return bool(self._queue) or self._parse.has_carry

    def rate(self) -> float:
        return self._meter.rate(time.monotonic())

    def stop(self) -> None:
        self._stopping = True
        self._kill()
        if self._wake is not None:
            self._wake.set()

    def restart(self, filters: ServerFilters | None = None) -> None:
        """Apply new server-side filters: end the current wrangler and start again at once."""
        if filters is not None:
            self.filters = filters
        self._restart = True
        self._kill()
        if self._wake is not None:
            self._wake.set()

    @property
    def command(self) -> list[str]:
        return build_command(self.env, self.filters, self.worker)

    # -- the loop -------------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, stream, reconnect with backoff, until :meth:`stop`. Never raises."""
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        delay = self.backoff_start
        try:
            while not self._stopping:
                self._restart = False
                got_events = await self._run_once()
                if self._stopping:
                    break
                if self._restart:
                    delay = self.backoff_start
                    continue
                if got_events:
                    delay = self.backoff_start
                self._set(state="reconnecting", retry_at=time.monotonic() + delay, rate=0.0)
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                delay = min(self.reconnect_max, delay * 2)
        except asyncio.CancelledError:
            self._kill()
            self._set(state="stopped", detail="cancelled", retry_at=None, rate=0.0)
            raise
        finally:
            self._kill()
        self._set(state="stopped", detail="stopped by the operator", retry_at=None, rate=0.0)

    async def _run_once(self) -> bool:
        argv = self.command
        try:
            token = read_secret(self.env.api_token_env, self.env.api_token_file)
        except SecretError as exc:
            token = None
            self._set(detail=str(exc))
        self._secrets = [token]
        self.status.attempts += 1
        self._set(
            state="connecting",
            detail=f"starting {' '.join(argv[:3])}…",
            retry_at=None,
            rate=0.0,
            command=" ".join(argv),
        )
        child_env = build_child_env(self.env, token, config=self.config)
        problem = launch_problem(argv[0], child_env)
        if problem == "not found":
            self._fail(
                f"wrangler not found: {argv[0]!r} is not on PATH "
                "(set tools.wrangler in the config, e.g. [npx, wrangler])"
            )
            return False
        if problem:
            self._fail(f"wrangler not executable: {argv[0]!r}")
            return False
        try:
            child = await TailChild.spawn(argv, child_env)
        except OSError as exc:
            self._fail(f"cannot start wrangler: {exc.strerror or exc}")
            return False
        self._child = child
        proc = child.proc
        err_task = asyncio.ensure_future(self._read_stderr(proc))
        reader = asyncio.ensure_future(asyncio.to_thread(self._read_stream, child.read_fd))
        got = False
        try:
            got = await asyncio.shield(reader)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), timeout=5)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(err_task, timeout=2)
        finally:
            if not err_task.done():
                err_task.cancel()
            self._kill()
            await child.reap()
            self._child = None
            child.close()
        if self._stopping or self._restart:
            return got
        self._fail(self._exit_reason(proc.returncode))
        return got

    def _read_stream(self, fd: int) -> bool:
        """Reader thread: move the child's stdout into the byte queue until EOF. Never parses."""
        got = False
        try:
            while True:
                try:
                    chunk = os.read(fd, READ_CHUNK)
                except InterruptedError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                if not got:
                    got = True
                    self._call(self._first_data)
                self.bytes_read += len(chunk)
                self._enqueue(memoryview(chunk))
                if len(chunk) < TRICKLE_BYTES and not self._stopping:
                    # a trickle (a few events a second): let the next events gather in the pipe
                    # instead of waking this thread and the parser for each one (idle CPU)
                    time.sleep(TRICKLE_WAIT_S)
        finally:
            os.close(fd)
            self._enqueue(None)
        return got

    def _enqueue(self, chunk: memoryview | None) -> None:
        put = self._queue.put(chunk)
        if put.dropped:
            self._call(self._dropped_bytes, put.dropped)
        if self.on_bytes is not None:
            self.on_bytes()
        if put.wake and self.on_events is not None:
            self._call(self.on_events)

    def _first_data(self) -> None:
        if self.status.state != "streaming":
            self._set(state="streaming", detail="", retry_at=None)

    def _dropped_bytes(self, count: int) -> None:
        """On the loop: the consumer fell too far behind; estimate the events lost. (The parser
        resynchronises in :meth:`take`, flagged under the lock where the bytes were dropped.)"""
        self.status.dropped += max(1, int(count / max(1.0, self._parse.avg_event_bytes)))

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn`` on the event loop (from the reader thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closing
            pass

    def _exit_reason(self, code: int | None) -> str:
        return exit_reason(code, self.stderr, self.noise, self.env.api_token_env, self.env.api_token_file)

    async def _read_stderr(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        from console.runbook.linereader import read_line

        while True:
            line = await read_line(proc.stderr, 4096)  # readline() raised past 64 KiB: stderr undrained
            if not line:
                return
            text = mask(line.decode("utf-8", "replace").rstrip(), self._secrets)
            if text.strip():
                self.stderr.append(text[:500])
                if any(h in text.lower() for h in NOTICE_HINTS):
                    self._set(notice=text.strip()[:200])

    def _noise(self, lines: list[str]) -> None:
        for line in lines:
            line = mask(line, self._secrets)
            self.noise.append(line)
            if any(h in line.lower() for h in NOTICE_HINTS):
                self._set(notice=line.strip()[:200])

    def _wrap(self, raws: list[dict[str, Any]], texts: list[str]) -> list[TailEvent]:
        make = self.event_type
        events = [make(raw, text) for raw, text in zip(raws, texts)]
        if self.label:
            for event in events:
                event.worker = self.label
        for event in events:
            if event.kind == "notice" and event.notice:
                self.status.notice = event.notice[:200]
        self.status.received += len(events)
        self._meter.add(len(events), time.monotonic())
        return events

    def _fail(self, reason: str) -> None:
        self._set(detail=reason, last_error=reason)

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.status, key, value)
        self.status.changed = time.monotonic()
        if self.on_status is not None:
            self.on_status(self.status)

    def _kill(self) -> None:
        child = self._child
        kill_group(child.proc if child is not None else None)
