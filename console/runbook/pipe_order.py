"""One order for the lines of a command's two pipes.

A command writes stdout and stderr through two pipes, and the console reads both at once. What the
child wrote to one pipe before the other is lost once both hold data when the console wakes up (a busy
machine, a fast child): the two readers then run in whatever order the selector reports the pipes, so
the same command could show "Resource location: remote" above its result in one run and below it in the
next. :class:`PipeOrder` passes on the lines that arrive in the same turn of the event loop stderr first,
each pipe's lines in their own order: a tool's notices and warnings come before the result it prints, as
they do in a terminal. Lines that arrive in different turns keep the order they arrived in.
"""

from __future__ import annotations

import asyncio
from typing import Callable


class PipeOrder:
    """``add(line, is_stdout)`` from the pipe readers; the lines reach ``sink`` one event-loop turn later,
    stderr's before stdout's among those read in the same turn. ``flush()`` passes on what is waiting (call
    it once the readers have ended: the scheduled pass may not have run yet)."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._stderr: list[str] = []
        self._stdout: list[str] = []
        self._scheduled: asyncio.Handle | None = None

    def add(self, line: str, is_stdout: bool) -> None:
        (self._stdout if is_stdout else self._stderr).append(line)
        if self._scheduled is None:
            # the other pipe's reader, woken by the same select, runs in this turn: pass both on after it
            self._scheduled = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        lines = self._stderr + self._stdout
        self._stderr, self._stdout = [], []
        for line in lines:
            self._sink(line)
