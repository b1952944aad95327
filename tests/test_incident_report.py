"""The report of a scripted incident equals the expected markdown (times fixed by an injected clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from console.incident.alerts import AlertEngine, AlertSettings
from console.incident.contacts import runbook_defaults
from console.incident.manager import IncidentManager
from console.incident.notify import NotifyOutcome
from console.incident.recovery import recovery_checks
from console.incident.report import render_report
from console.incident.review import overdue_summary, review_checklist
from console.metrics.model import Health, MetricValue, SourceStatus
from console.metrics.thresholds import DEFAULT_THRESHOLDS, evaluate

EXPECTED = Path(__file__).parent / "data" / "incident_report_expected.md"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 14, 9, 58, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def poll(error_rate: float, *, metrics_state: str = "live") -> SimpleNamespace:
    values = {"error_rate": error_rate, "p95_latency_ms": 90.0, "cache_hit_rate": 93.0, "queue_backlog": 40.0}
    metrics = {
        k: MetricValue(
            k,
            {
                "error_rate": "Error rate",
                "p95_latency_ms": "P95 latency",
                "cache_hit_rate": "Cache hit rate",
                "queue_backlog": "Queue backlog",
            }[k],
            {"error_rate": "%", "p95_latency_ms": "ms", "cache_hit_rate": "%", "queue_backlog": "msgs"}[k],
            v,
            evaluate(v, DEFAULT_THRESHOLDS[k]),
        )
        for k, v in values.items()
    }
    return SimpleNamespace(
        derived=SimpleNamespace(metrics=metrics, queues=[]),
        health=Health(True, "healthy", {"vau-processor": "healthy"}),
        metrics=SourceStatus("metrics", metrics_state, error="connection refused" if metrics_state == "down" else None),
        health_source=SourceStatus("health", "live"),
    )


def script_incident(state_dir: Path, clock: Clock) -> IncidentManager:
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    m = IncidentManager(state_dir=state_dir, clock=clock, user="alice@edge-ops")
    engine.observe(poll(2.41), clock.now.timestamp())
    clock.advance(seconds=30)
    raised = engine.observe(poll(2.41), clock.now.timestamp()).transitions[0]
    clock.advance(minutes=1)
    m.start(
        "P2",
        "VAU submissions failing",
        "About 2.4% of VAU submissions return 5xx in all regions",
        trigger=raised.describe(),
        trigger_data={"metric": "error_rate", "value": 2.41},
        trigger_at=datetime.fromtimestamp(raised.at, timezone.utc),
    )
    clock.advance(minutes=3)
    m.mark_phase("acknowledged")
    clock.advance(minutes=1)
    m.set_severity("P1", "error rate above 1%: runbook P1")
    m.record_escalation(runbook_defaults().contacts["team-lead"], "joined the war room")
    m.record_notify(NotifyOutcome("incidents", True, 0, ""))
    clock.advance(minutes=2)
    m.record_flow_step(
        {
            "flow": "p1-high-error-rate",
            "step": "list-deployments",
            "status": "ok",
            "exit": 0,
            "environment": "production",
            "argv": ["wrangler", "deployments", "list"],
            "output": "should not be copied",
        }
    )
    clock.advance(minutes=1)
    m.note("Errors started with deployment 7f3c at 09:52")
    m.mark_phase("root-cause-identified", note="bad deploy 7f3c")
    clock.advance(minutes=4)
    m.record_flow_step(
        {"flow": "p0-service-down", "step": "rollback", "status": "ok", "exit": 0, "environment": "production"}
    )
    m.record_flow_step(
        {
            "event": "flow_end",
            "flow": "p0-service-down",
            "flow_title": "Rollback",
            "status": "done",
            "ran": ["rollback"],
            "failed": [],
            "not_run": [],
            "environment": "production",
        }
    )
    m.mark_phase("mitigation-applied")
    clock.advance(minutes=1)
    m.record_source(
        SimpleNamespace(
            source="metrics",
            state="down",
            error="connection refused",
            describe=lambda: "Source metrics down: connection refused",
        )
    )
    clock.advance(minutes=1)
    engine.observe(poll(0.05), clock.now.timestamp())
    clock.advance(seconds=30)
    for t in engine.observe(poll(0.05), clock.now.timestamp()).transitions:
        m.record_alert(t)
    m.mark_phase("service-restored")
    clock.advance(minutes=5)
    m.record_recovery(recovery_checks(poll(0.05)), confirmed={"smoke", "status-page", "all-clear"})
    m.close(
        "Deployment 7f3c sent malformed batches to the queue consumer",
        "Rolled back to the previous deployment with the rollback-edge workflow",
        ["Add a canary stage to rollback-edge.yml", "Alert on queue consumer 5xx"],
    )
    return m


def test_scripted_incident_report_equals_expected_markdown(state_dir, tmp_path):
    clock = Clock()
    m = script_incident(state_dir, clock)
    incident = m.current
    assert incident.warnings == []
    # the flow record's argv/output were not copied into the timeline
    flows = [e for e in incident.entries if e.kind == "flow"]
    assert "argv" not in flows[0].data and "output" not in flows[0].data
    out = tmp_path / "report.md"
    path, markdown = m.write_report(out=out)
    assert path == out and out.read_text() == markdown
    assert markdown == EXPECTED.read_text()
    # writing the report is recorded (and marks that review item done) but does not change the report
    assert m.current.entries[-1].kind == "report" and "report" in m.current.review_done
    assert render_report(m.current) == markdown


def test_review_checklist_due_times_and_overdue(state_dir):
    clock = Clock()
    m = script_incident(state_dir, clock)
    closed = m.current.closed_at
    items = {i.key: i for i in review_checklist(m.current)}
    assert items["report"].due == closed + timedelta(hours=24)
    assert items["postmortem"].due == closed + timedelta(hours=48)
    assert items["action-items"].done_at == closed  # given when closing
    assert overdue_summary(m.current, closed + timedelta(hours=1)) == []
    late = overdue_summary(m.current, closed + timedelta(hours=25))
    assert late == ["Create incident report (within 24h): due 2026-03-15 10:18 UTC"]
    m.write_report()
    m.mark_review("postmortem")
    assert [line.split(":")[0] for line in overdue_summary(m.current, closed + timedelta(days=6))] == [
        "Update runbook with learnings"
    ]


def test_a_closed_incident_without_mitigation_says_not_recorded(state_dir):
    """No "mitigation applied" mark: the closed report says the time to mitigate was not recorded (it said
    "not yet", as if the incident were still going); an open incident's draft still says "not yet"."""
    clock = Clock()
    m = IncidentManager(state_dir=state_dir, clock=clock, user="alice@edge-ops")
    m.start("P2", "Cache misses", "")
    clock.advance(minutes=2)
    m.mark_phase("acknowledged")
    draft = render_report(m.current)
    assert "| Time to mitigate | not yet | - |" in draft
    clock.advance(minutes=20)
    m.close("cold cache after a purge", "warmed the cache", [])
    report = render_report(m.current)
    assert "| Time to mitigate | not recorded | - |" in report and "not yet" not in report
    assert "| Time to acknowledge | 2m 00s |" in report and "| Time to resolve | 22m 00s |" in report
