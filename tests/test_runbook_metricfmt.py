"""How a metrics step shows values: labels and units for every metric key, memory in MiB, sparklines."""

from __future__ import annotations

from console.format import MISSING
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, evaluate
from console.runbook import metricfmt
from console.runbook.loader import METRIC_KEYS


def test_every_metric_key_has_a_label_and_unit():
    for name in METRIC_KEYS:
        label, unit = metricfmt.label_unit(name)
        assert label and unit and "_" not in label, name
    assert metricfmt.label_unit("rate_limit_violations_per_s") == ("Rate-limit violations", "viol/s")


def test_memory_in_mib_and_other_units():
    assert metricfmt.format_value("memory_bytes", 45_229_911.0) == "43.1 MiB"
    assert metricfmt.format_value("request_rate", 4178.654) == "4,179 req/s"  # the catalogue formatter
    assert metricfmt.format_value("error_rate", None) == MISSING


def test_state_mark_says_no_threshold_instead_of_unknown():
    spec = DEFAULT_THRESHOLDS["error_rate"]
    assert metricfmt.state_mark(2.0, spec, evaluate(2.0, spec)) == "CRIT"
    assert metricfmt.state_mark(7.8, None, evaluate(7.8, None)) == "-"
    assert metricfmt.state_mark(None, spec, State.UNKNOWN) == "??"


def test_sparkline_scales_between_min_and_max_and_keeps_gaps():
    assert metricfmt.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert metricfmt.sparkline([10, None, 80]) == "▁ █"
    assert metricfmt.sparkline([]) == "" and metricfmt.sparkline([None, None]) == ""
    steady = metricfmt.sparkline([100.0, 100.4, 99.7, 100.2])  # jitter of 0.7% is not a spike
    assert set(steady) <= set("▃▄▅") and len(steady) == 4
    assert len(metricfmt.sparkline(range(100), width=24)) == 24


def test_metric_line_has_label_value_mark_and_sparkline_only_with_history():
    line = metricfmt.metric_line("memory_bytes", 46e6, "OK", [30e6, 46e6, 60e6])
    assert line.startswith("Memory") and "43.9 MiB" in line and "OK" in line and line.endswith("▁▅█")
    assert metricfmt.metric_line("memory_bytes", 46e6, "OK", [46e6]).endswith("OK")
