"""A virtual clock for tests: ``time()``, ``monotonic()`` and an async ``sleep(seconds)`` that advances both at
once (after letting the event loop run other ready tasks), so a 90 s verify deadline or a retry 3 s apart takes
no wall time and always the same number of steps.

Pass it to ``FlowRunner(clock=vc, sleep=vc.sleep)``. A loop that never ends fails fast: more than ``max_sleeps``
sleeps, or virtual time beyond ``max_seconds``, raises :class:`VirtualTimeRunaway`.

``follow_real=True`` (a skip-ahead clock) is for runs that also involve real processes on real time (the fake
tools, ``gh run watch`` polling the simulator): time flows as the real clock does, plus every interval the engine
slept, skipped at once. Give the in-process simulator the same clock (``SimState(clock=vc.time)``): when the
engine waits 2 s the simulated edge lives those 2 s (its counters, decays and runs move on), so a verify step
sees what a real edge would show after the interval, and still times out when the edge would not recover.
"""

from __future__ import annotations

import asyncio
import math
import time


class VirtualTimeRunaway(AssertionError):
    """A loop slept too often or too long in virtual time (a wrong loop, not a slow one)."""


class VirtualClock:
    def __init__(
        self,
        start: float | None = None,
        *,
        follow_real: bool = False,
        max_sleeps: int = 10_000,
        max_seconds: float = 86_400.0,
    ):
        self.follow_real = follow_real
        self._wall0 = start if start is not None else (time.time() if follow_real else 1_767_225_600.0)
        self._mono0 = time.monotonic() if follow_real else 1_000.0
        self._real0 = time.monotonic()
        #: virtual seconds skipped by sleeps (and :meth:`advance`)
        self.elapsed = 0.0
        self.max_sleeps = max_sleeps
        self.max_seconds = max_seconds
        #: every sleep asked for, in order (seconds)
        self.sleeps: list[float] = []

    def _real(self) -> float:
        return time.monotonic() - self._real0 if self.follow_real else 0.0

    def time(self) -> float:
        return self._wall0 + self._real() + self.elapsed

    def monotonic(self) -> float:
        return self._mono0 + self._real() + self.elapsed

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


# -- fixtures for the flow tests on the simulated edge (import them into a test module) ------------
import pytest  # noqa: E402 - the fixtures below are optional for users of the clock


@pytest.fixture(name="clock")
def skip_ahead_clock() -> VirtualClock:
    """Real time, plus every wait of the engine skipped at once (the flows' skip-ahead clock)."""
    return VirtualClock(follow_real=True)


@pytest.fixture(name="sim")
def sim_on_the_clock(clock: VirtualClock):
    """The simulated edge on 127.0.0.1 (scenario ``normal``) on the test's skip-ahead clock."""
    from console.sim.server import SimServer
    from console.sim.state import SimState

    server = SimServer(host="127.0.0.1", port=0, state=SimState(scenario="normal", clock=clock.time))
    server.start()
    try:
        yield server
    finally:
        server.stop()
