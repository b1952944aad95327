"""The metric catalogue: each metric defined once, one formatter with one missing-value mark, one
elapsed-time formatter, and the alert -> flow mapping read from the runbook's ``responds_to``."""

from __future__ import annotations

import ast
import dataclasses
import math
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from console import check
from console.format import MISSING, format_duration, format_value
from console.incident import alerts, model as incident_model
from console.incident.alerts import HEALTH_KEY, AlertEngine, AlertSettings
from console.incident.respond import choose_response, worst_metric
from console.incident.responders import Response, default_responses, responses_from_runbook
from console.metrics import catalogue
from console.metrics.model import KEY_METRICS, MetricValue
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, evaluate
from console.runbook import load_runbook, metricfmt
from console.runbook.loader import builtin_runbook_files

ROOT = Path(__file__).resolve().parent.parent

#: What ``alerts.RESPONSES`` hard-coded before the catalogue: the shipped runbook must keep answering so.
HISTORICAL_RESPONSES = {
    "p95_latency_ms": "high-latency",
    "cpu_time_ms": "high-latency",
    "cache_hit_rate": "low-cache-hit-rate",
    "queue_backlog": "queue-processing-delays",
    "health": "p0-service-down",
    "error_rate": "p1-high-error-rate",
}


def _constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_constant(e) for e in node.elts)
    if isinstance(node, ast.Call):
        return all(_constant(a) for a in node.args)
    if isinstance(node, ast.BinOp):
        return _constant(node.left) and _constant(node.right)
    return False


def metric_tables(path: Path) -> list[tuple[int, list[str]]]:
    """Literal tables (tuple/list/set of keys, or dict from keys to constant data) naming two or more metrics."""
    keys = set(catalogue.METRIC_KEYS)
    found = []
    text = path.read_text(encoding="utf-8")
    if sum(key in text for key in keys) < 2:
        return found  # a table naming two keys has both words in its text: no need to parse (most modules)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            named = [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in keys]
        elif isinstance(node, ast.Dict):
            named = [
                k.value
                for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and k.value in keys and _constant(v)
            ]
        else:
            continue
        if len(set(named)) >= 2:
            found.append((node.lineno, named))
    return found


def test_no_module_outside_the_catalogue_lists_metrics():
    catalogue_file = ROOT / "console" / "metrics" / "catalogue.py"
    offenders = []
    for folder in ("console", "screens", "widgets"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == catalogue_file:
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line}: {named}" for line, named in metric_tables(path)]
    assert offenders == [], "metric keys listed outside console/metrics/catalogue.py:\n" + "\n".join(offenders)
    # the scan does find a table (it cannot pass by finding nothing)
    assert metric_tables(catalogue_file)


def test_every_list_of_metrics_is_the_catalogue():
    from console.alertmanager.mapping import ALERT_METRICS
    from console.runbook.values import HISTORY_NAMES
    from console.schema.runbook_model import METRIC_KEYS

    assert list(KEY_METRICS) == [m.key for m in catalogue.METRICS if m.key_metric]
    assert {k: (m.label, m.unit) for k, m in catalogue.BY_KEY.items() if m.key_metric} == KEY_METRICS
    assert set(DEFAULT_THRESHOLDS) == set(KEY_METRICS)
    for key, spec in DEFAULT_THRESHOLDS.items():
        m = catalogue.BY_KEY[key]
        assert (spec.warning, spec.critical, spec.direction) == (m.warning, m.critical, m.direction)
        assert spec.problem() is None
    assert METRIC_KEYS == ALERT_METRICS == HISTORY_NAMES == catalogue.METRIC_KEYS
    assert set(alerts.RESPONSES) == set(HISTORICAL_RESPONSES)
    assert all(len(m.short) <= 8 for m in catalogue.METRICS)
    assert catalogue.BY_KEY["cache_hit_rate"].bad_when == "low" and catalogue.BY_KEY["error_rate"].bad_when == "high"


FORMATTERS = {
    "console.format.format_value": lambda key: format_value(None, catalogue.label_unit(key)[1]),
    "catalogue.format_metric": lambda key: catalogue.format_metric(key, None),
    "MetricDef.format": lambda key: catalogue.BY_KEY[key].format(None),
    "metricfmt.format_value": lambda key: metricfmt.format_value(key, None),
    "check.format_value": lambda key: check.format_value(key, None),
    "alerts.format_value": lambda key: alerts.format_value(None, catalogue.label_unit(key)[1]),
}


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_every_formatter_renders_missing_the_same(name):
    for key in catalogue.METRIC_KEYS:
        assert FORMATTERS[name](key) == MISSING, (name, key)
    for bad in (float("nan"), float("inf")):
        assert catalogue.format_metric("error_rate", bad) == MISSING


def test_missing_in_alert_texts_and_runbook_lines():
    alert = alerts.Alert("error_rate", "Error rate", "%", State.WARNING, None, 0.0)
    assert f"Error rate {MISSING}" in alert.describe()
    assert MISSING in metricfmt.metric_line("security_per_s", None, "??")
    assert format_duration(None) == MISSING and format_duration(math.nan) == MISSING


def test_one_elapsed_time_formatter():
    assert incident_model.format_duration is format_duration
    cases = {45: "45s", 185: "3m 05s", 3900: "1h 05m", 2 * 86400 + 3 * 3600: "2d 3h", -30: "-30s"}
    for seconds, text in cases.items():
        assert format_duration(seconds) == text
        assert format_duration(timedelta(seconds=seconds)) == text


def test_values_render_with_the_catalogue_units():
    assert catalogue.format_metric("memory_bytes", 45_229_911.0) == "43.1 MiB"
    assert catalogue.format_metric("error_rate", 0.42) == "0.42 %"
    assert catalogue.format_metric("request_rate", 4178.654) == "4,179 req/s"
    assert catalogue.format_metric("p95_latency_ms", 87.25) == "87.2 ms"
    assert catalogue.format_metric("queue_backlog", 1500) == "1,500 msgs"
    assert catalogue.format_metric("security_per_s", 25_000) == "25.0k blocks/s"
    assert check.format_value("cache_hit_rate", 92.5) == catalogue.format_metric("cache_hit_rate", 92.5)


def test_shipped_runbook_declares_every_historical_response():
    runbook = load_runbook()
    for key, flow_id in HISTORICAL_RESPONSES.items():
        assert flow_id in [f.id for f in runbook.responses_for(key)], f"{flow_id} lacks responds_to: [{key}]"
    mapping = responses_from_runbook(runbook)
    assert {k: r.flow_id for k, r in mapping.items()} == HISTORICAL_RESPONSES
    assert mapping == default_responses() == alerts.RESPONSES


def test_the_runbook_decides_when_the_default_flow_stops_responding():
    runbook = load_runbook()
    flow = runbook.flows["p1-high-error-rate"]
    runbook.flows["p1-high-error-rate"] = dataclasses.replace(flow, responds_to=[])
    mapping = responses_from_runbook(runbook)
    assert mapping["error_rate"].flow_id == runbook.responses_for("error_rate")[0].id != "p1-high-error-rate"
    assert mapping["cache_hit_rate"].flow_id == "low-cache-hit-rate"


USER_RUNBOOK = """\
version: 1
flows:
  - id: our-error-response
    title: Our error response
    section: Team procedures
    responds_to: [error_rate, memory_bytes]
    steps:
      - id: look
        kind: manual
        title: Read the team's error dashboard
"""


def _mv(key: str, value: float) -> MetricValue:
    label, unit = KEY_METRICS[key]
    return MetricValue(key, label, unit, value, evaluate(value, DEFAULT_THRESHOLDS[key]))


def _result(key: str, value: float, at: float) -> SimpleNamespace:
    return SimpleNamespace(
        derived=SimpleNamespace(at=at, metrics={key: _mv(key, value)}, security=[], security_per_s=None),
        health=None,
        metrics=None,
        health_source=None,
    )


def test_user_runbook_flow_replaces_the_built_in_response(tmp_path):
    user = tmp_path / "team.yaml"
    user.write_text(USER_RUNBOOK, encoding="utf-8")
    runbook = load_runbook([user])
    mapping = responses_from_runbook(runbook, builtin_runbook_files())
    assert mapping["error_rate"] == Response("our-error-response", "Our error response")
    assert mapping["memory_bytes"].flow_id == "our-error-response"  # no built-in response before
    assert mapping["p95_latency_ms"].flow_id == "high-latency"  # the others stay

    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    engine.observe(_result("error_rate", 2.0, 1.0), 1.0)
    engine.observe(_result("error_rate", 2.0, 2.0), 2.0)
    (alert,) = engine.active()
    assert alert.flow_id == "p1-high-error-rate"  # built-in until the runbook is known
    engine.use_runbook(runbook)
    (alert,) = engine.active()
    assert alert.flow_id == "our-error-response"  # the active alert follows the runbook
    offer = choose_response(engine.active(), _result("error_rate", 2.0, 3.0), engine.responses)
    assert offer is not None and offer.targets == ("our-error-response",)

    # with no alert, r falls back to the worst metric: the user's flow answers too
    choice = worst_metric(_result("error_rate", 2.0, 4.0), engine.responses)
    assert choice is not None and choice.target == "our-error-response"
    assert worst_metric(_result("error_rate", 2.0, 4.0)).target == "p1-high-error-rate"

    fresh = AlertEngine(settings=AlertSettings(hold_scrapes=1), responses=engine.responses)
    fresh.observe(_result("memory_bytes", 126 * 1024 * 1024, 1.0), 1.0)
    assert [a.flow_id for a in fresh.active()] == ["our-error-response"]


def test_health_is_answered_from_the_runbook():
    runbook = load_runbook()
    assert [f.id for f in runbook.responses_for(HEALTH_KEY)] == ["p0-service-down"]
    assert HEALTH_KEY in catalogue.RESPONDER_KEYS and HEALTH_KEY not in catalogue.METRIC_KEYS
