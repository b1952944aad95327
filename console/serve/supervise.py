"""Served console processes: each in its own process group, none outliving ``serve``.

Every console starts under ``console.runbook.childguard`` in a new session: the guard leads the
process group (the console and whatever it starts without ``setsid`` are in it) and kills the whole
group when ``serve``'s end of its lifeline pipe closes, so even a ``serve`` killed by SIGKILL leaves no
console behind. ``end()`` stops one group: SIGTERM, a grace period, then SIGKILL; ``end_all()`` stops
every group at once (on SIGTERM/SIGINT of ``serve``).
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass

from console.runbook.childguard import guarded_argv

GRACE_S = 3.0


@dataclass
class Child:
    process: asyncio.subprocess.Process
    lifeline: int  # write end of the pipe the guard watches
    pgid: int


class Supervisor:
    def __init__(self, argv: list[str]) -> None:
        self.argv = list(argv)
        self.children: dict[int, Child] = {}

    async def spawn(self, env: dict[str, str]) -> asyncio.subprocess.Process:
        watch, lifeline = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                *guarded_argv(self.argv, watch),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                pass_fds=(watch,),
                start_new_session=True,
            )
        except BaseException:
            os.close(lifeline)
            raise
        finally:
            os.close(watch)
        os.set_inheritable(lifeline, False)
        self.children[process.pid] = Child(process, lifeline, process.pid)
        return process

    @property
    def live(self) -> int:
        return len(self.children)

    async def end(self, process: asyncio.subprocess.Process, grace: float = GRACE_S) -> None:
        child = self.children.pop(process.pid, None)
        if child is None:
            return
        await _end_group(child, grace)

    async def end_all(self, grace: float = GRACE_S) -> None:
        children, self.children = list(self.children.values()), {}
        await asyncio.gather(*(_end_group(child, grace) for child in children))


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def _end_group(child: Child, grace: float) -> None:
    if child.process.returncode is None:
        _signal_group(child.pgid, signal.SIGTERM)
        try:
            await asyncio.wait_for(child.process.wait(), timeout=grace)
        except TimeoutError:
            pass
    # whatever is left in the group (the console, or something it started) goes now; closing the
    # lifeline makes a guard still running do the same
    _signal_group(child.pgid, signal.SIGKILL)
    try:
        os.close(child.lifeline)
    except OSError:
        pass
    if child.process.returncode is None:
        try:
            await asyncio.wait_for(child.process.wait(), timeout=grace)
        except TimeoutError:
            pass
