"""The TUI's flows run on the time their ``FlowContext`` carries: the real clock and sleep unless the app was
given another (``FlowsMixin.flow_clock``/``flow_sleep``; tests/test_incident_flow_sim.py runs a flow on a
skip-ahead clock through the app)."""

from __future__ import annotations

import asyncio
import time

from console.app.flows import FlowContext
from console.runbook.clock import REAL_SLEEP, SYSTEM_CLOCK
from tests.virtual_time import VirtualClock


def test_a_flow_context_runs_on_real_time_by_default():
    ctx = FlowContext(config=None, env=None, read_only=True)
    assert ctx.clock is SYSTEM_CLOCK and ctx.sleep is REAL_SLEEP is asyncio.sleep
    before = time.time()
    assert before - 1 <= ctx.clock.time() <= time.time()


async def test_a_flow_context_carries_the_clock_it_is_given():
    clock = VirtualClock()
    ctx = FlowContext(config=None, env=None, read_only=True, clock=clock, sleep=clock.sleep)
    start = ctx.clock.monotonic()
    await ctx.sleep(90.0)
    assert ctx.clock.monotonic() - start == 90.0 and clock.sleeps == [90.0]
