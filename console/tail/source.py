"""Run ``wrangler tail <worker> --format json`` as an asyncio subprocess and parse its stream.

No shell, an argv list; the API token only in the child's environment as ``CLOUDFLARE_API_TOKEN``;
``WRANGLER_SEND_METRICS=false``. The run loop never raises: a missing wrangler, a "not
authenticated" message or an exit becomes a status with the reason, then a reconnect with backoff.
Parsed events wait in a bounded ``pending`` deque; the consumer drains it with :meth:`take` at its own
pace (the TUI every ~100 ms), so a flood coalesces into bigger batches and, past the bound, drops the
oldest undisplayed events and counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from console.config import Environment
from console.secrets import SecretError, mask, read_secret
from console.tail.model import TailEvent
from console.tail.parser import StreamParser
from console.tail.settings import ServerFilters

READ_CHUNK = 256 * 1024
AUTH_HINTS = ("CLOUDFLARE_API_TOKEN", "Authentication error", "not authenticated", "wrangler login",
              "Invalid API Token", "Unable to authenticate")
NOTICE_HINTS = ("sampling", "overload", "dropped", "rate limit", "too many")


@dataclass
class TailStatus:
    state: str = "stopped"            # connecting | streaming | reconnecting | stopped
    detail: str = ""                  # the reason / last message, safe to show (secrets masked)
    rate: float = 0.0                 # events/s over the last few seconds
    retry_at: float | None = None     # monotonic time of the next attempt while reconnecting
    received: int = 0
    broken: int = 0
    noise: int = 0
    dropped: int = 0
    attempts: int = 0
    notice: str = ""                  # last overload / sampling notice from the stream
    command: str = ""                 # argv for display (never contains the token)
    last_error: str = ""              # the last failure reason (kept after a stop or a reconnect)
    changed: float = field(default_factory=time.monotonic)

    def retry_in(self, now: float | None = None) -> float | None:
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - (now if now is not None else time.monotonic()))

    def summary(self, now: float | None = None) -> str:
        if self.state == "streaming":
            text = f"streaming {self.rate:,.0f} ev/s"
        elif self.state == "reconnecting":
            left = self.retry_in(now)
            text = f"reconnecting in {left:.0f} s" if left is not None else "reconnecting"
        else:
            text = self.state
        if self.detail and self.state != "streaming":
            text += f" — {self.detail}"
        return text


def build_command(env: Environment, filters: ServerFilters | None = None) -> list[str]:
    worker = env.worker or "worker"
    return [*env.tool("wrangler"), "tail", worker, "--format", "json", *(filters.args() if filters else [])]


def build_child_env(env: Environment, token: str | None, base: dict[str, str] | None = None) -> dict[str, str]:
    child = dict(os.environ if base is None else base)
    child.update(env.tool_env)
    child.pop("CLOUDFLARE_API_TOKEN", None)
    if token:
        child["CLOUDFLARE_API_TOKEN"] = token
    child["WRANGLER_SEND_METRICS"] = "false"
    if env.account_id and "CLOUDFLARE_ACCOUNT_ID" not in child and not env.simulated:
        child["CLOUDFLARE_ACCOUNT_ID"] = env.account_id
    return child


class RateMeter:
    """Events per second over a sliding window of whole seconds."""

    def __init__(self, window: float = 3.0) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, count: int, now: float) -> None:
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
        self.trim(now)
        if not self.samples:
            return 0.0
        span = max(1.0, now - self.samples[0][0])
        return sum(c for _, c in self.samples) / span


class TailSource:
    def __init__(self, env: Environment, filters: ServerFilters | None = None, *, max_pending: int = 10_000,
                 reconnect_max: float = 30.0, backoff_start: float = 1.0,
                 on_status: Callable[[TailStatus], Any] | None = None,
                 on_events: Callable[[], Any] | None = None) -> None:
        self.env = env
        self.filters = filters or ServerFilters()
        self.pending: deque[TailEvent] = deque()
        self.max_pending = max(1, max_pending)
        self.reconnect_max = reconnect_max
        self.backoff_start = backoff_start
        self.on_status = on_status
        self.on_events = on_events
        self.status = TailStatus()
        self.noise: deque[str] = deque(maxlen=50)
        self.stderr: deque[str] = deque(maxlen=50)
        self._proc: asyncio.subprocess.Process | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._restart = False
        self._meter = RateMeter()
        self._secrets: list[str | None] = []

    # -- consumer API ---------------------------------------------------------------------------
    def take(self, limit: int | None = None) -> list[TailEvent]:
        """Drain up to ``limit`` pending events (all by default), oldest first."""
        pending = self.pending
        if limit is None or limit >= len(pending):
            batch = list(pending)
            pending.clear()
            return batch
        return [pending.popleft() for _ in range(limit)]

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
        return build_command(self.env, self.filters)

    # -- the loop -------------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, stream, reconnect with backoff, until :meth:`stop`. Never raises."""
        self._wake = asyncio.Event()
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
        self._set(state="connecting", detail=f"starting {' '.join(argv[:3])}…", retry_at=None, rate=0.0,
                  command=" ".join(argv))
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=build_child_env(self.env, token), start_new_session=True)
        except FileNotFoundError:
            self._fail(f"wrangler not found: {argv[0]!r} is not on PATH "
                             "(set tools.wrangler in the config, e.g. [npx, wrangler])")
            return False
        except PermissionError:
            self._fail(f"wrangler not executable: {argv[0]!r}")
            return False
        except OSError as exc:
            self._fail(f"cannot start wrangler: {exc.strerror or exc}")
            return False
        self._proc = proc
        parser = StreamParser()
        got = False
        err_task = asyncio.ensure_future(self._read_stderr(proc))
        try:
            assert proc.stdout is not None
            while True:
                chunk = await proc.stdout.read(READ_CHUNK)
                if not chunk:
                    break
                result = parser.feed(chunk)
                if result.noise:
                    self._noise(result.noise)
                if result.events:
                    got = True
                    self._push(result.events)
                self.status.broken = parser.broken
                self.status.noise = parser.noise_lines
            tail = parser.close()
            if tail.events:
                self._push(tail.events)
            if tail.noise:
                self._noise(tail.noise)
            self.status.broken = parser.broken
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), timeout=5)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(err_task, timeout=2)
        finally:
            if not err_task.done():
                err_task.cancel()
            self._kill()
            await self._reap(proc)
            self._proc = None
        if self._stopping or self._restart:
            return got
        self._fail(self._exit_reason(proc.returncode))
        return got

    def _exit_reason(self, code: int | None) -> str:
        lines = list(self.stderr) + list(self.noise)
        text = "\n".join(lines)
        if any(hint.lower() in text.lower() for hint in AUTH_HINTS):
            return (f"not authenticated: wrangler needs CLOUDFLARE_API_TOKEN (set ${self.env.api_token_env}"
                    + (f" or {self.env.api_token_file}" if self.env.api_token_file else "") + ")")
        last = next((line for line in reversed(list(self.stderr)) if line.strip()), "")
        reason = f"wrangler exited with code {code}" if code is not None else "wrangler ended"
        return reason + (f": {last.strip()[:200]}" if last else "")

    async def _read_stderr(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while True:
            line = await proc.stderr.readline()
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

    def _push(self, raws: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        pending = self.pending
        for raw in raws:
            event = TailEvent(raw)
            if event.kind == "notice" and event.notice:
                self.status.notice = event.notice[:200]
            pending.append(event)
        over = len(pending) - self.max_pending
        if over > 0:
            for _ in range(over):
                pending.popleft()
            self.status.dropped += over
        self.status.received += len(raws)
        self._meter.add(len(raws), now)
        if self.status.state != "streaming":
            self._set(state="streaming", detail="", retry_at=None)
        self.status.rate = self._meter.rate(now)
        if self.on_events is not None:
            self.on_events()

    def _fail(self, reason: str) -> None:
        self._set(detail=reason, last_error=reason)

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.status, key, value)
        self.status.changed = time.monotonic()
        if self.on_status is not None:
            self.on_status(self.status)

    async def _reap(self, proc: asyncio.subprocess.Process) -> None:
        """Wait briefly for the child to exit (SIGKILL if it ignores SIGTERM) so no zombie is left."""
        if proc.returncode is not None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=2)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def _kill(self) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # our own child's session: wrangler and its node
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
