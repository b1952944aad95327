"""The tail's process lifecycle: spawn one ``wrangler tail`` run, kill its process group, read its exit status.

The child runs in its own session (so one ``killpg`` ends wrangler and its node), under
:mod:`console.runbook.childguard` (its process group dies with the console, even by SIGKILL), with stdout on
a pipe whose read end the caller's reader thread drains, and stderr on an asyncio pipe. No shell: an argv
list and an explicit environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterable

from console.runbook.childguard import guarded_argv

#: words in wrangler's output that mean it could not authenticate
AUTH_HINTS = (
    "CLOUDFLARE_API_TOKEN",
    "Authentication error",
    "not authenticated",
    "wrangler login",
    "Invalid API Token",
    "Unable to authenticate",
)


def grow_pipe(fd: int, size: int = 1 << 20) -> None:
    """Ask Linux for a 1 MiB pipe buffer (default 64 KiB) so a fast producer blocks less."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (OSError, ImportError, ValueError):
        pass


class TailChild:
    """One running wrangler: ``proc`` (stderr readable), ``read_fd`` (its stdout; the reader closes it)."""

    def __init__(self, proc: asyncio.subprocess.Process, read_fd: int, lifeline_keep: int) -> None:
        self.proc = proc
        self.read_fd = read_fd
        self._lifeline_keep = lifeline_keep

    @classmethod
    async def spawn(cls, argv: list[str], env: dict[str, str]) -> TailChild:
        """Start ``argv`` in a new session; raises OSError when it cannot be started (no fd is left open)."""
        read_fd, write_fd = os.pipe()
        grow_pipe(read_fd)
        lifeline, lifeline_keep = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                *guarded_argv(argv, lifeline),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,
                pass_fds=(lifeline,),
            )
        except OSError:
            os.close(read_fd)
            os.close(lifeline_keep)
            raise
        finally:
            os.close(write_fd)
            os.close(lifeline)
        return cls(proc, read_fd, lifeline_keep)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def kill(self) -> None:
        """SIGTERM to the child's process group (wrangler and its node); nothing if it has ended."""
        kill_group(self.proc)

    async def reap(self) -> None:
        """Wait briefly for the child to exit (SIGKILL if it ignores SIGTERM) so no zombie is left."""
        proc = self.proc
        if proc.returncode is not None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=2)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def close(self) -> None:
        """Drop the childguard lifeline (after the child is reaped)."""
        os.close(self._lifeline_keep)


def kill_group(proc: asyncio.subprocess.Process | None) -> None:
    """SIGTERM to ``proc``'s process group (our own child's session); falls back to the process alone."""
    if proc is None or proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()


def exit_reason(
    code: int | None, stderr: Iterable[str], noise: Iterable[str], token_env: str, token_file: str | None
) -> str:
    """Why a run ended, safe to show: "not authenticated" (naming where the token comes from) when the output
    says so, else the exit code and wrangler's last stderr line."""
    errors = list(stderr)
    text = "\n".join(errors + list(noise))
    if any(hint.lower() in text.lower() for hint in AUTH_HINTS):
        return (
            f"not authenticated: wrangler needs CLOUDFLARE_API_TOKEN (set ${token_env}"
            + (f" or {token_file}" if token_file else "")
            + ")"
        )
    last = next((line for line in reversed(errors) if line.strip()), "")
    reason = f"wrangler exited with code {code}" if code is not None else "wrangler ended"
    return reason + (f": {last.strip()[:200]}" if last else "")
