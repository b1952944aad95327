"""The flow engine on injected time: the virtual clock itself, a verify step whose edge recovers after 30 s
(or never) taking no wall time, and which class runs each kind of step. No processes, no sockets."""

from __future__ import annotations

import textwrap

import pytest

from console.config import Environment
from console.runbook import AuditLog, FlowRunner, StepState, parse_runbook
from console.runbook.steps import kind_for
from tests.virtual_time import VirtualClock, VirtualTimeRunaway

WATCH = """\
flows:
  - id: watch
    title: Watch
    section: Test
    steps:
      - {id: v, kind: verify, title: error rate below 1, expect: "error_rate < 1", timeout: 90, interval: 5}
"""


def flow_of(text: str):
    return parse_runbook(textwrap.dedent(text), "t.yaml")[0]


def env(name: str = "staging") -> Environment:
    url = "http://127.0.0.1:9"
    return Environment(name=name, base_url=url, metrics_url=url + "/metrics", health_url=url + "/health", worker="w")


async def test_a_virtual_sleep_advances_both_clocks_at_once_and_a_runaway_loop_fails_fast():
    clock = VirtualClock(start=1_000_000.0, max_sleeps=5, max_seconds=60)
    mono = clock.monotonic()
    await clock.sleep(2.5)
    await clock.sleep(-1)  # like asyncio: a negative wait is none
    assert (clock.time(), clock.monotonic() - mono, clock.sleeps) == (1_000_002.5, 2.5, [2.5, 0.0])
    with pytest.raises(VirtualTimeRunaway, match="would pass 60s"):
        await clock.sleep(58)
    for _ in range(2):  # five sleeps asked for so far, the 58 s one included
        await clock.sleep(0)
    with pytest.raises(VirtualTimeRunaway, match="more than 5 virtual sleeps"):
        await clock.sleep(0)


async def test_a_skip_ahead_clock_flows_with_real_time_plus_what_was_skipped():
    clock = VirtualClock(follow_real=True)
    before = clock.time()
    await clock.sleep(30)
    assert 30 <= clock.time() - before < 40 and clock.elapsed == 30


async def test_verify_waits_for_a_recovery_in_virtual_time(state_dir):
    clock = VirtualClock()
    recovers_at = clock.monotonic() + 30  # the edge's error rate falls 30 s in

    def error_rate(name: str) -> float:
        return 0.4 if clock.monotonic() >= recovers_at else 4.0

    samples: list[float | None] = []
    runner = FlowRunner(
        flow_of(WATCH),
        env(),
        {},
        get_metric=error_rate,
        on_event=lambda e: samples.append(e.elapsed) if e.type == "sample" else None,
        clock=clock,
        sleep=clock.sleep,
    )
    result = await runner.run_step(0)
    assert result.state == StepState.PASSED and result.message == "error rate < 1 % holds (is 0.400 %) after 30s"
    assert samples == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0] and clock.sleeps == [5.0] * 6
    record = [r for r in AuditLog().read() if r.get("event") == "step"][-1]
    assert record["status"] == "passed" and record["ts"] == result.started == clock.time() - 30

    clock = VirtualClock()
    runner = FlowRunner(flow_of(WATCH), env(), {}, get_metric=lambda name: 4.0, clock=clock, sleep=clock.sleep)
    result = await runner.run_step(0)
    assert result.state == StepState.TIMEOUT and "did not hold within 90s (last 4 %)" in result.message
    assert clock.elapsed == 90 and clock.sleeps == [5.0] * 18  # up to the deadline, not one interval beyond


def test_each_kind_of_step_has_its_class():
    flow = flow_of("""\
    flows:
      - id: kinds
        title: Kinds
        section: Test
        steps:
          - {id: c, kind: check, title: c, http: {method: GET, url: "http://127.0.0.1:9/x"}}
          - {id: a, kind: action, title: a, command: {tool: gh, args: [x]}}
          - {id: m, kind: check, title: m, metrics: [error_rate]}
          - {id: v, kind: verify, title: v, expect: "error_rate < 1"}
          - {id: n, kind: note, title: n, text: read this}
          - {id: q, kind: check, title: q, foreach: account.queues, http: {method: GET, url: "http://127.0.0.1:9/{item.value}"}}
    """)
    assert [kind_for(step) for step in flow.steps] == ["command", "command", "metrics", "verify", "note", "queues"]
