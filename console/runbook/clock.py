"""The time a flow run reads and waits on, injectable.

:class:`console.runbook.engine.FlowRunner` takes a ``clock`` (``time()`` wall seconds for timestamps and the
records, ``monotonic()`` for verify deadlines) and an async ``sleep(seconds)`` (retry and verify intervals).
Both default to the real ones; tests pass a virtual clock whose sleep advances its time at once
(``tests/virtual_time.py``) so a 90 s verify deadline takes no wall time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, Protocol

#: ``await sleep(seconds)``: waits for an engine timer (a retry or verify interval)
Sleep = Callable[[float], Awaitable[None]]


class RunClock(Protocol):
    """Wall time for timestamps, monotonic time for deadlines."""

    def time(self) -> float: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The real clock: ``time.time`` and ``time.monotonic``."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM_CLOCK: RunClock = SystemClock()
#: the real sleep (the event loop's timer)
REAL_SLEEP: Sleep = asyncio.sleep
