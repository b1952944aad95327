"""Health verdicts from /health answers (pure interpretation)."""

from __future__ import annotations

import json

import pytest

from console.metrics.model import Health
from console.metrics.thresholds import State
from console.sources.health import health_state, interpret


@pytest.mark.parametrize("status", ["ok", "OK", "healthy", "Healthy", "pass", "PASS"])
def test_healthy_words_in_any_case(status):
    h = interpret(200, json.dumps({"status": status}))
    assert h.healthy and h.error is None and health_state(h) is State.NORMAL


def test_components_and_version():
    body = {
        "status": "healthy",
        "version": "2.4.1",
        "components": {"vau-processor": "ok", "cache": {"status": "degraded", "latency_ms": 4}},
    }
    h = interpret(200, json.dumps(body))
    assert h.components == {"vau-processor": "ok", "cache": "degraded"} and h.version == "2.4.1"
    assert health_state(h) is State.WARNING  # healthy overall, a component degraded


def test_components_as_a_list():
    h = interpret(
        200,
        json.dumps(
            {"status": "pass", "checks": [{"name": "waf", "status": "pass"}, {"name": "cache", "status": "UP"}]}
        ),
    )
    assert h.components == {"waf": "pass", "cache": "up"} and health_state(h) is State.NORMAL


def test_degraded_is_healthy_but_shown():
    h = interpret(200, json.dumps({"status": "Degraded"}))
    assert h.healthy and h.status == "degraded" and health_state(h) is State.WARNING


@pytest.mark.parametrize(
    "code, body, error",
    [
        (200, {"status": "down"}, "status 'down'"),
        (200, {"status": "failing"}, "status 'failing'"),
        (200, {"status": "up"}, "status 'up'"),  # only ok/healthy/pass (and degraded/warn) count
        (200, {"version": "1"}, "no status in the health answer"),
        (503, {"status": "ok"}, "HTTP 503"),
        (500, "oops", "HTTP 500"),
        (200, "<html>hi</html>", "health answer is HTML, not JSON"),
        (200, "", "health answer is empty"),
        (200, [1, 2], "health answer is not JSON"),
    ],
)
def test_anything_else_is_down_with_the_reason(code, body, error):
    h = interpret(code, body if isinstance(body, str) else json.dumps(body))
    assert not h.healthy and h.error == error and health_state(h) is State.CRITICAL
    assert h.http_status == code


def test_not_checked_is_unknown():
    assert health_state(None) is State.UNKNOWN
    assert health_state(Health(healthy=False, status="unreachable", error="connection refused")) is State.CRITICAL
