"""Pure pieces of the runbook: output summaries, conditions, policy, audit time parsing."""

from __future__ import annotations

import json

import pytest

from console.runbook.audit import AuditLog, format_record, parse_since
from console.runbook.expr import ExprError, evaluate, parse_expr
from console.runbook.policy import command_mutates, confirmation_for, is_production
from console.runbook.model import Step
from console.runbook.summaries import (
    cache_misses,
    cpu_time,
    deployments,
    error_breakdown,
    metric_totals,
    parse_json_stream,
    status_page,
    tail_status,
)


def event(**kw):
    base = {
        "outcome": "ok",
        "logs": [],
        "exceptions": [],
        "event": {"request": {"url": "https://api.twist.io/api/v1/vau", "method": "POST"}, "response": {"status": 200}},
    }
    base.update(kw)
    return base


def test_json_stream_handles_pretty_printed_values_json_lines_and_garbage():
    text = (
        json.dumps({"a": 1}, indent=2)
        + "\n"
        + "⛅️ wrangler 4\nnot json {\n"
        + json.dumps({"b": 2})
        + "\n"
        + json.dumps([1, 2])
        + "\n{broken"
    )
    assert parse_json_stream(text) == [{"a": 1}, {"b": 2}, [1, 2]]


def test_tail_summaries():
    events = [
        event(),
        event(outcome="exception", exceptions=[{"name": "Error", "message": "KV timeout"}]),
        event(logs=[{"level": "error", "message": ["VAU signature invalid"]}]),
        event(logs=[{"level": "error", "message": ["VAU signature invalid"]}], cpuTime=40),
        event(cpuTime=3),
        event(outcome={"outcome": "ok", "cpuTime": 30}),
    ]
    status = tail_status(events, "", {})
    assert status.lines[0] == "6 events: ok 5, exception 1" and status.ok
    breakdown = error_breakdown(events, "", {})
    assert breakdown.lines[0].split() == ["2", "VAU", "signature", "invalid"]
    assert breakdown.data[1] == {"message": "Error: KV timeout", "count": 1}
    cpu = cpu_time(events, "", {"slow_ms": 25})
    assert cpu.data["count"] == 3 and cpu.data["slow"] == 2 and cpu.data["max"] == 40
    assert tail_status([], "", {}).ok is False


def test_cache_misses_by_url():
    def ev(url, status):
        return {"event": {"request": {"url": url}, "response": {"headers": {"cf-cache-status": status}}}}

    events = [ev("/a", "MISS"), ev("/a", "MISS"), ev("/b", "HIT"), ev("/c", "miss"), {"outcome": "ok"}]
    summary = cache_misses(events, "", {})
    assert summary.data == [{"url": "/a", "count": 2}, {"url": "/c", "count": 1}]
    assert summary.lines[0] == "cache status known for 4 of 5 events; misses: 3"


def test_deployments_newest_first_and_status_page():
    data = [{"id": "old", "created_on": "2024-01-01T00:00:00Z"}, {"id": "new", "created_on": "2024-02-01T00:00:00Z"}]
    assert [d["id"] for d in deployments(data, "", {}).data] == ["new", "old"]
    page = {"status": {"indicator": "minor", "description": "Partially Degraded Service"}}
    summary = status_page(page, "", {})
    assert summary.lines == ["indicator: minor", "description: Partially Degraded Service"] and not summary.ok


def test_metric_totals_sum_by_label():
    text = (
        'edge_errors_total{type="timeout",worker="a"} 3.0\nedge_errors_total{type="timeout",worker="b"} 2\n'
        'edge_errors_total{type="exception",worker="a"} 10\n# HELP x\n'
    )
    summary = metric_totals(None, text, {"by": ["type"]})
    assert summary.data["totals"] == {"edge_errors_total": 15.0}
    assert [line.split() for line in summary.lines] == [
        ["edge_errors_total", "15"],
        ["type=exception", "10"],
        ["type=timeout", "5"],
    ]


@pytest.mark.parametrize(
    "text, data, holds",
    [
        ('status == "healthy"', {"status": "healthy"}, True),
        ("status.indicator == none", {"status": {"indicator": "none"}}, True),
        ("error_rate < 1", {"error_rate": 0.4}, True),
        ("error_rate < 1", {"error_rate": None}, False),
        ("[0].databaseId", [{"databaseId": 7}], True),
        ("result.value in [medium, high]", {"result": {"value": "high"}}, True),
        ("missing == 1", {}, False),
    ],
)
def test_conditions(text, data, holds):
    assert evaluate(parse_expr(text), data)[0] is holds


def test_bad_conditions():
    for text in ("", "a <", "a < high", "a b c", "x matches ("):
        with pytest.raises(ExprError):
            parse_expr(text)


def test_policy_recognises_changes_and_production():
    assert command_mutates("wrangler", ["secret", "put", "X", "--env", "production"])
    assert command_mutates("wrangler", ["kv", "key", "delete", "k", "--remote"])
    assert command_mutates("gh", ["workflow", "run", "rollback-edge.yml"])
    assert not command_mutates("wrangler", ["kv", "key", "list", "--remote"])
    assert not command_mutates("terraform", ["plan", "-target=x"])
    assert is_production("production") and is_production("prod-eu") and not is_production("staging")
    step = Step(id="s", kind="action", title="do it")
    prod = confirmation_for(step, "production")
    assert prod.accepts("production") and not prod.accepts("yes") and not prod.accepts("Production ")
    staging = confirmation_for(step, "staging")
    assert staging.accepts("yes") and staging.accepts("y") and not staging.accepts("")
    assert confirmation_for(Step(id="c", kind="check", title="look"), "production") is None


def test_audit_since_and_format(state_dir):
    log = AuditLog()
    log.append({"event": "step", "ts": 1000.0, "flow": "f", "step": "old", "status": "passed"})
    log.append(
        {
            "event": "step",
            "ts": 2000.0,
            "flow": "f",
            "step": "new",
            "status": "failed",
            "exit_code": 2,
            "argv": ["wrangler", "kv", "key", "list"],
            "environment": "production",
            "user": "ops@host",
            "start": "1970-01-01T00:33:20.000Z",
        }
    )
    assert [r["step"] for r in log.read(since=1500.0)] == ["new"]
    line = format_record(list(log.read())[-1])
    assert "production" in line and "f/new" in line and "failed exit=2" in line and "wrangler kv key list" in line
    assert parse_since("2024-01-15T00:00:00Z") == 1705276800.0
    assert parse_since("1h", now=10_000.0) == 6400.0
    with pytest.raises(ValueError, match="expected an ISO time"):
        parse_since("soon")
    assert oct((state_dir / "audit.jsonl").stat().st_mode & 0o777) == "0o600"
