"""Run a channel's notify command: argv (never a shell), the message on stdin, with a timeout.

A notify command is an action: refused in read-only, confirmed like a runbook action (production needs the
environment's name typed)."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass
from typing import Mapping

from console.childenv import child_environ, secret_env_names
from console.runbook.policy import Confirmation, action_confirmation, action_refusal
from console.secrets import mask

NOTIFY_TIMEOUT_S = 20.0
EXCERPT = 300
#: bytes of each of a hook's streams kept (the rest is read and dropped: child output is outside input)
MAX_OUTPUT_BYTES = 64 * 1024


@dataclass(frozen=True)
class NotifyOutcome:
    channel: str
    ok: bool
    exit_code: int | None
    detail: str  # stderr/stdout excerpt or the failure, secrets masked

    def describe(self) -> str:
        if self.ok:
            return f"Notified {self.channel}: exit 0" + (f" ({self.detail})" if self.detail else "")
        code = "no exit code" if self.exit_code is None else f"exit {self.exit_code}"
        return f"Notify {self.channel} FAILED: {code}" + (f": {self.detail}" if self.detail else "")


def notify_title(channel: str) -> str:
    return f"notify {channel}"


def notify_refusal(channel: str, read_only: bool, env_name: str) -> str | None:
    """A notify command is an action: read-only refuses it."""
    return action_refusal(notify_title(channel), read_only, env_name)


def notify_confirmation(channel: str, env_name: str) -> Confirmation:
    """What the operator types before a notify command runs (production: the environment's name)."""
    return action_confirmation(notify_title(channel), env_name)


async def run_notify(
    channel: str,
    argv: list[str] | tuple[str, ...],
    message: str,
    *,
    read_only: bool,
    env_name: str,
    confirmation: str | None,
    timeout: float = NOTIFY_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
    secrets: list[str | None] | None = None,
    strip_env: frozenset[str] | None = None,
) -> NotifyOutcome:
    """Never raises: every failure becomes an outcome to record. A notify command is an action: refused
    in read-only and run only with ``confirmation`` accepted by :func:`notify_confirmation` (nothing runs
    otherwise)."""
    refusal = notify_refusal(channel, read_only, env_name)
    if refusal:
        return NotifyOutcome(channel, False, None, refusal)
    needed = notify_confirmation(channel, env_name)
    if not needed.accepts(confirmation):
        return NotifyOutcome(channel, False, None, f"not confirmed (type {needed.expected!r}): nothing sent")
    if not argv:
        return NotifyOutcome(channel, False, None, "no notify command configured for this channel")
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_environ(strip_env if strip_env is not None else secret_env_names(), env),
            start_new_session=True,  # its own process group: the timeout kills what it started too
        )
    except (OSError, ValueError) as exc:
        return NotifyOutcome(channel, False, None, f"cannot run {argv[0]!r}: {getattr(exc, 'strerror', None) or exc}")
    try:
        out, err = await asyncio.wait_for(_exchange(proc, message.encode("utf-8")), timeout)
    except asyncio.TimeoutError:
        _kill_group(proc)
        await proc.wait()
        return NotifyOutcome(channel, False, None, f"timed out after {timeout:g}s")
    text = (err or out or b"").decode("utf-8", "replace").strip().replace("\n", " ")
    text = mask(text, list(secrets or []))[:EXCERPT]
    return NotifyOutcome(channel, proc.returncode == 0, proc.returncode, text)


async def _read_capped(stream: asyncio.StreamReader, limit: int = MAX_OUTPUT_BYTES) -> bytes:
    """All of ``stream`` read (so the child never blocks on a full pipe), its first ``limit`` bytes kept."""
    kept = bytearray()
    while chunk := await stream.read(64 * 1024):
        if len(kept) < limit:
            kept += chunk[: limit - len(kept)]
    return bytes(kept)


async def _exchange(proc: asyncio.subprocess.Process, data: bytes) -> tuple[bytes, bytes]:
    """``proc.communicate(data)`` with each output stream capped."""

    async def feed() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(data)
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hook did not read its message: its exit code says how it went
        finally:
            proc.stdin.close()

    assert proc.stdout is not None and proc.stderr is not None
    _, out, err = await asyncio.gather(feed(), _read_capped(proc.stdout), _read_capped(proc.stderr))
    await proc.wait()
    return out, err


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass
