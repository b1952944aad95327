"""Run a channel's notify command: argv (never a shell), the message on stdin, with a timeout."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Mapping

from console.secrets import mask

NOTIFY_TIMEOUT_S = 20.0
EXCERPT = 300


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


async def run_notify(channel: str, argv: list[str] | tuple[str, ...], message: str, *,
                     timeout: float = NOTIFY_TIMEOUT_S, env: Mapping[str, str] | None = None,
                     secrets: list[str | None] | None = None) -> NotifyOutcome:
    """Never raises: every failure becomes an outcome to record."""
    if not argv:
        return NotifyOutcome(channel, False, None, "no notify command configured for this channel")
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **dict(env or {})})
    except (OSError, ValueError) as exc:
        return NotifyOutcome(channel, False, None, f"cannot run {argv[0]!r}: {getattr(exc, 'strerror', None) or exc}")
    try:
        out, err = await asyncio.wait_for(proc.communicate(message.encode("utf-8")), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return NotifyOutcome(channel, False, None, f"timed out after {timeout:g}s")
    text = (err or out or b"").decode("utf-8", "replace").strip().replace("\n", " ")
    text = mask(text, list(secrets or []))[:EXCERPT]
    return NotifyOutcome(channel, proc.returncode == 0, proc.returncode, text)
