"""The Complete Service Recovery checklist against live values."""

from __future__ import annotations

from types import SimpleNamespace

from console.incident.recovery import RECOVERY_STEPS, recovery_checks
from console.metrics.model import Health, MetricValue, QueueInfo, SourceStatus
from console.metrics.thresholds import DEFAULT_THRESHOLDS, evaluate


def result(*, healthy=True, components=None, backlog=40.0, trend=-2.0, hit=93.0, metrics_state="live"):
    metrics = {
        "queue_backlog": MetricValue(
            "queue_backlog", "Queue backlog", "msgs", backlog, evaluate(backlog, DEFAULT_THRESHOLDS["queue_backlog"])
        ),
        "cache_hit_rate": MetricValue(
            "cache_hit_rate", "Cache hit rate", "%", hit, evaluate(hit, DEFAULT_THRESHOLDS["cache_hit_rate"])
        ),
    }
    state = evaluate(backlog, DEFAULT_THRESHOLDS["queue_backlog"])
    return SimpleNamespace(
        derived=SimpleNamespace(metrics=metrics, queues=[QueueInfo("vau-batch", backlog, state, trend)]),
        health=Health(healthy, "healthy" if healthy else "down", components or {"vau-processor": "healthy"}),
        metrics=SourceStatus("metrics", metrics_state, error="HTTP 500" if metrics_state != "live" else None),
        health_source=SourceStatus("health", "live"),
    )


def test_all_live_checks_pass_and_manual_ones_wait_for_the_operator():
    checks = recovery_checks(result())
    assert [c.key for c in checks] == [k for k, _ in RECOVERY_STEPS]
    assert {c.key: c.status for c in checks} == {
        "workers": "pass",
        "queues": "pass",
        "cache": "pass",
        "metrics": "pass",
        "smoke": "manual",
        "status-page": "manual",
        "all-clear": "manual",
    }


def test_failures_say_why():
    checks = {
        c.key: c
        for c in recovery_checks(
            result(
                components={"vau-processor": "healthy", "queue-processor": "degraded"},
                backlog=1500,
                trend=12.0,
                hit=60.0,
                metrics_state="stale",
            )
        )
    }
    assert checks["workers"].status == "fail" and checks["workers"].detail == "queue-processor degraded"
    assert checks["queues"].status == "fail" and "growing: vau-batch" in checks["queues"].detail
    assert checks["cache"].status == "fail" and "60.0 %" in checks["cache"].detail
    assert checks["metrics"].status == "fail" and checks["metrics"].detail == "metrics stale: HTTP 500"
    down = {c.key: c for c in recovery_checks(result(healthy=False))}
    assert down["workers"].status == "fail" and down["workers"].detail == "health down"


def test_without_live_data_nothing_is_claimed():
    checks = recovery_checks(None)
    assert {c.status for c in checks[:4]} == {"unknown"}
