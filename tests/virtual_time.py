"""A virtual clock for tests: ``time()``, ``monotonic()`` and an async ``sleep(seconds)`` that advances both at
once (after letting the event loop run other ready tasks), so a 90 s verify deadline or a retry 3 s apart takes
no wall time and always the same number of steps.

Pass it to ``FlowRunner(clock=vc, sleep=vc.sleep)``, and to an in-process simulator as ``SimState(clock=vc.time)``
so the simulated edge moves on exactly as far as the engine waited. A loop that never ends fails fast: more than
``max_sleeps`` sleeps, or virtual time beyond ``max_seconds``, raises :class:`VirtualTimeRunaway`.
"""

from __future__ import annotations

import asyncio
import math


class VirtualTimeRunaway(AssertionError):
    """A loop slept too often or too long in virtual time (a wrong loop, not a slow one)."""


class VirtualClock:
    def __init__(self, start: float = 1_767_225_600.0, *, max_sleeps: int = 10_000, max_seconds: float = 86_400.0):
        self._wall0 = start
        self._mono0 = 1_000.0
        self.elapsed = 0.0
        self.max_sleeps = max_sleeps
        self.max_seconds = max_seconds
        #: every sleep asked for, in order (seconds)
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self._wall0 + self.elapsed

    def monotonic(self) -> float:
        return self._mono0 + self.elapsed

    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds`` (finite, not negative)."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"cannot advance virtual time by {seconds!r}")
        if self.elapsed + seconds > self.max_seconds:
            raise VirtualTimeRunaway(f"virtual time would pass {self.max_seconds:g}s (asked {seconds:g}s more)")
        self.elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        """Let ready tasks run, then advance by ``seconds`` (a negative wait counts as none, like asyncio)."""
        seconds = max(0.0, float(seconds))
        self.sleeps.append(seconds)
        if len(self.sleeps) > self.max_sleeps:
            raise VirtualTimeRunaway(f"more than {self.max_sleeps} virtual sleeps: a loop that never ends?")
        await asyncio.sleep(0)
        self.advance(seconds)
