"""A metrics check ("Key metrics now" of Check all systems) names the metrics that are CRIT or WARN, with
their values and units, in its result and in the flow's summary (TUI and ``edge-console run``), instead of
"current values shown"."""

from __future__ import annotations

import textwrap

from console.config import simulated_config
from console.runbook import FlowRunner, StepState, parse_runbook
from tests.virtual_time import VirtualClock
from widgets.flow_summary import summary_text

FLOW = """\
flows:
  - id: look
    title: Look
    section: Test
    steps:
      - id: values
        kind: check
        title: Key metrics now
        metrics: [request_rate, error_rate, p95_latency_ms, cache_hit_rate, queue_backlog]
"""

BAD = {"request_rate": 4200.0, "error_rate": 7.1, "p95_latency_ms": 2300.0, "cache_hit_rate": 75.0, "queue_backlog": 40}
GOOD = {"request_rate": 4200.0, "error_rate": 0.2, "p95_latency_ms": 90.0, "cache_hit_rate": 93.0, "queue_backlog": 40}


async def run(values: dict[str, float | None]):
    cfg = simulated_config("http://127.0.0.1:9")
    flow = parse_runbook(textwrap.dedent(FLOW), "t.yaml")[0]
    clock = VirtualClock()
    runner = FlowRunner(flow, cfg.environment(), {}, config=cfg, get_metric=values.get, clock=clock, sleep=clock.sleep)
    result = await runner.run_step(0)
    return runner, result


async def test_crit_and_warn_metrics_are_named_in_the_result_and_the_summary(state_dir):
    runner, result = await run(BAD)
    expected = "2 CRIT: error rate 7.10 %, P95 latency 2,300 ms; 1 WARN: cache hit rate 75.0 %"
    assert result.state == StepState.PASSED and result.message == expected
    summary = runner.finish()
    assert f"  [   passed] Key metrics now: {expected}" in summary.lines()  # edge-console run
    shown = summary_text(summary).plain  # the flow modal's summary
    assert f"Key metrics now: {expected}" in shown, shown


async def test_all_ok_and_missing_values_are_said(state_dir):
    runner, result = await run(GOOD)
    assert result.message == "all OK (5 metrics)"
    runner, result = await run(dict(GOOD, error_rate=None, p95_latency_ms=1200.0))
    assert result.message == "1 CRIT: P95 latency 1,200 ms; no value: error rate"
