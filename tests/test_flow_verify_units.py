"""A verify step's condition and values carry the metric's words and unit from the catalogue
("error rate < 1 %", "now 0.424 %"), never bare numbers: in the flow modal's watch line, the step's output
lines, its result, the audit record, the incident timeline and ``edge-console run``."""

from __future__ import annotations

import io
import textwrap

from console.config import Environment
from console.incident.manager import IncidentManager
from console.incident.store import IncidentStore
from console.runbook import AuditLog, FlowRunner, StepState, parse_runbook
from console.runbook.cli import run_flow
from console.runbook.expr import parse_expr
from console.runbook.metricfmt import condition_text, value_text
from console.session import open_session
from tests.test_runbook_cli import config_file  # noqa: F401 - fixture
from tests.virtual_time import VirtualClock
from widgets.flow_output import sample_text

WATCH = """\
flows:
  - id: watch
    title: Watch
    section: Test
    steps:
      - {id: v, kind: verify, title: errors down, expect: "error_rate < 1", timeout: 90, interval: 5}
      - {id: m, kind: check, title: smoke, metrics: [error_rate], expect: "error_rate < 1"}
"""


def flow_of(text: str):
    return parse_runbook(textwrap.dedent(text), "t.yaml")[0]


def env() -> Environment:
    url = "http://127.0.0.1:9"
    return Environment(
        name="staging", base_url=url, metrics_url=url + "/metrics", health_url=url + "/health", worker="w"
    )


def test_conditions_and_values_in_words_with_units():
    assert condition_text(parse_expr("error_rate < 1")) == "error rate < 1 %"
    assert condition_text(parse_expr("p95_latency_ms < 500")) == "P95 latency < 500 ms"
    assert condition_text(parse_expr("queue_backlog < 500")) == "queue backlog < 500 msgs"
    assert condition_text(parse_expr("memory_bytes < 104857600")) == "memory < 100.0 MiB"
    assert condition_text(parse_expr('status == "healthy"')) == 'status == "healthy"'  # not a metric: as written
    assert value_text("error_rate", 0.424) == "0.424 %"  # precise enough to compare with 1 %
    assert value_text("error_rate", 0.9996) == "1.000 %"
    assert value_text("queue_backlog", 36.0) == "36 msgs" and value_text("request_rate", 24713.4) == "24,713 req/s"
    assert value_text("error_rate", None) == "no value"


def test_the_flow_modal_watch_line_has_units():
    line = sample_text("error rate < 1 % within 90s", 0.424, 12.0, 3, 5.0, "error_rate").plain
    assert line == "watching error rate < 1 % within 90s  now 0.424 % (from 5 %)  12s"


async def test_verify_result_output_audit_and_timeline_have_units(state_dir):
    clock = VirtualClock()
    recovers_at = clock.monotonic() + 10
    lines: list[str] = []
    runner = FlowRunner(
        flow_of(WATCH),
        env(),
        {},
        get_metric=lambda name: 0.424 if clock.monotonic() >= recovers_at else 4.2,
        on_event=lambda e: lines.append(e.line) if e.type == "output" else None,
        clock=clock,
        sleep=clock.sleep,
    )
    assert runner.preview(0).condition == "error rate < 1 % within 90s"
    result = await runner.run_step(0)
    assert result.state == StepState.PASSED
    assert result.message == "error rate < 1 % holds (is 0.424 %) after 10s"
    assert lines[:3] == ["  0.0s  error rate = 4.200 %", "  5.0s  error rate = 4.200 %", " 10.0s  error rate = 0.424 %"]
    smoke = await runner.run_step(1)
    assert smoke.message == "error rate < 1 % (is 0.424 %)"  # a metrics check's expect too
    records = [r for r in AuditLog().read() if r.get("event") == "step"]
    assert [r["message"] for r in records] == [result.message, smoke.message]

    manager = IncidentManager(IncidentStore(state_dir))
    manager.start("P1", "Checkout errors", "5xx for EU users")
    entry = manager.record_flow_step(records[0])
    assert entry.text.startswith("Flow watch step v (errors down): passed: error rate < 1 % holds (is 0.424 %)")

    clock = VirtualClock()
    runner = FlowRunner(flow_of(WATCH), env(), {}, get_metric=lambda name: 4.2, clock=clock, sleep=clock.sleep)
    result = await runner.run_step(0)
    assert result.state == StepState.TIMEOUT
    assert result.message == "error rate < 1 % did not hold within 90s (last 4.200 %)"


class FixedMetrics:
    """``PollerMetrics`` for ``run``: fixed values, no scrapes."""

    VALUES = {"queue_backlog": 36.0, "cache_hit_rate": 93.455, "error_rate": 0.424, "request_rate": 4105.06}

    def __init__(self, *_args, **_kwargs) -> None:
        pass

    async def __call__(self, name: str) -> float | None:
        return self.VALUES.get(name)

    async def aclose(self) -> None:
        pass


def test_run_prints_verify_values_with_units(config_file, monkeypatch):  # noqa: F811 - the fixture
    monkeypatch.setattr("console.runbook.values.PollerMetrics", FixedMetrics)
    session = open_session(str(config_file))
    out = io.StringIO()
    try:
        code = run_flow(
            session,
            "complete-service-recovery",
            [],
            dry_run=False,
            yes=False,
            out=out,
            err=io.StringIO(),
            stdin=io.StringIO(),
        )
    finally:
        session.close()
    text = out.getvalue()
    assert code == 0, text
    assert "queue backlog = 36 msgs" in text and "PASSED: queue backlog < 500 msgs holds (is 36 msgs)" in text
    assert "PASSED: cache hit rate > 80 % holds (is 93.455 %)" in text
    assert "PASSED: error rate < 1 % (is 0.424 %)" in text
    assert "error_rate" not in text and "= 36.000" not in text
