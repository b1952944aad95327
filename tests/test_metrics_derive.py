"""Derived key metrics between two scrapes, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from console.config import parse_config
from console.metrics.derive import NO_TRAFFIC, WARMING_UP, Snapshot, carry_forward, counter_increase, derive, families
from console.metrics.exposition import parse_exposition
from console.metrics.model import Derived, SecurityRule
from console.metrics.thresholds import State

PREV = """\
# TYPE edge_requests_total counter
edge_requests_total{worker="a",status="200"} 1000
edge_requests_total{worker="b",status="200"} 500
edge_errors_total{worker="a",type="timeout"} 10
edge_cache_hits_total 900
edge_cache_misses_total 100
edge_request_duration_seconds_bucket{le="0.1"} 100
edge_request_duration_seconds_bucket{le="0.5"} 150
edge_request_duration_seconds_bucket{le="1"} 180
edge_request_duration_seconds_bucket{le="+Inf"} 200
edge_cpu_time_ms_bucket{le="5"} 0
edge_cpu_time_ms_bucket{le="10"} 0
edge_cpu_time_ms_bucket{le="25"} 0
edge_cpu_time_ms_bucket{le="50"} 0
edge_cpu_time_ms_bucket{le="+Inf"} 0
edge_memory_usage_bytes{worker="a"} 50000000
edge_memory_usage_bytes{worker="b"} 80000000
edge_queue_backlog{queue="q1"} 700
edge_queue_backlog{queue="q2"} 100
edge_queue_processing_duration_seconds_bucket{queue="q1",le="0.1"} 0
edge_queue_processing_duration_seconds_bucket{queue="q1",le="+Inf"} 0
edge_security_blocks_total{rule="waf"} 100
edge_security_blocks_total{rule="bot"} 10
edge_rate_limit_violations_total 5
"""

# ten seconds later
CUR = """\
# TYPE edge_requests_total counter
edge_requests_total{worker="a",status="200"} 1800
edge_requests_total{worker="b",status="200"} 700
edge_errors_total{worker="a",type="timeout"} 16
edge_cache_hits_total 1170
edge_cache_misses_total 130
edge_request_duration_seconds_bucket{le="0.1"} 160
edge_request_duration_seconds_bucket{le="0.5"} 240
edge_request_duration_seconds_bucket{le="1"} 280
edge_request_duration_seconds_bucket{le="+Inf"} 300
edge_cpu_time_ms_bucket{le="5"} 50
edge_cpu_time_ms_bucket{le="10"} 80
edge_cpu_time_ms_bucket{le="25"} 90
edge_cpu_time_ms_bucket{le="50"} 100
edge_cpu_time_ms_bucket{le="+Inf"} 100
edge_memory_usage_bytes{worker="a"} 50000000
edge_memory_usage_bytes{worker="b"} 80000000
edge_queue_backlog{queue="q1"} 600
edge_queue_backlog{queue="q2"} 150
edge_queue_processing_duration_seconds_bucket{queue="q1",le="0.1"} 10
edge_queue_processing_duration_seconds_bucket{queue="q1",le="+Inf"} 10
edge_security_blocks_total{rule="waf"} 200
edge_security_blocks_total{rule="bot"} 15
edge_rate_limit_violations_total 25
"""


def snap(t: float, text: str, config=None) -> Snapshot:
    return Snapshot(at=1_000_000.0 + t, mono=t, page=parse_exposition(text, families(config)))


def values(d: Derived) -> dict[str, float | None]:
    return {k: m.value for k, m in d.metrics.items()}


def test_all_key_metrics_hand_computed():
    d = derive(snap(0, PREV), snap(10, CUR))
    assert d.window_s == 10 and d.has_window and d.warnings == [] and d.missing == []
    m = d.metrics
    assert m["request_rate"].value == pytest.approx(100.0)  # (800 + 200) / 10 s
    assert m["request_rate"].state is State.NORMAL
    assert m["error_rate"].value == pytest.approx(0.6)  # 6 / 1000 requests
    assert m["error_rate"].state is State.WARNING  # > 0.5 %
    # bucket increases 60, 90, 100, 100: rank 95 in (0.5, 1] -> 0.5 + 0.5 * 5/10 = 0.75 s
    assert m["p95_latency_ms"].value == pytest.approx(750.0)
    assert m["p95_latency_ms"].state is State.WARNING
    # increases 50, 80, 90, 100: rank 95 in (25, 50] -> 25 + 25 * 5/10
    assert m["cpu_time_ms"].value == pytest.approx(37.5)
    assert m["cpu_time_ms"].state is State.WARNING
    assert m["cache_hit_rate"].value == pytest.approx(90.0)  # 270 / (270 + 30)
    assert m["cache_hit_rate"].state is State.NORMAL
    assert m["memory_bytes"].value == 80_000_000 and m["memory_bytes"].note == "worst: b"
    assert m["queue_backlog"].value == 750 and m["queue_backlog"].state is State.WARNING
    q1, q2 = d.queues
    assert (q1.name, q1.backlog, q1.state, q1.trend_per_s, q1.drain_eta_s) == ("q1", 600, State.WARNING, -10.0, 60.0)
    assert q1.processing_p95_ms == pytest.approx(95.0)  # rank 9.5 of 10 in (0, 0.1] s
    assert (q2.trend_per_s, q2.drain_eta_s, q2.processing_p95_ms) == (5.0, None, None)
    assert [(r.rule, r.per_second, r.total) for r in d.security] == [("waf", 10.0, 200), ("bot", 0.5, 15)]
    assert d.security_per_s == pytest.approx(10.5) and d.security_total == 215
    assert d.rate_limit_violations_per_s == pytest.approx(2.0)
    assert all(not math.isnan(v) for v in values(d).values() if v is not None)


def test_counter_reset_counts_the_new_value_never_negative():
    reset = CUR.replace(
        'edge_requests_total{worker="a",status="200"} 1800', 'edge_requests_total{worker="a",status="200"} 50'
    )
    d = derive(snap(0, PREV), snap(10, reset))
    assert d.metrics["request_rate"].value == pytest.approx(25.0)  # (50 + 200) / 10
    assert counter_increase({"a": 10.0, "b": 5.0}, {"a": 3.0, "b": 7.0, "c": 4.0}) == 3.0 + 2.0 + 4.0


def test_single_scrape_shows_gauges_and_warms_up_rates():
    d = derive(None, snap(0, PREV))
    assert not d.has_window
    for key in ("request_rate", "error_rate", "p95_latency_ms", "cache_hit_rate", "cpu_time_ms"):
        assert d.metrics[key].value is None and d.metrics[key].note == WARMING_UP
        assert d.metrics[key].state is State.UNKNOWN
    assert d.metrics["memory_bytes"].value == 80_000_000
    assert d.metrics["queue_backlog"].value == 800
    assert [q.trend_per_s for q in d.queues] == [None, None]
    assert [(r.rule, r.total, r.per_second) for r in d.security] == [("waf", 100, None), ("bot", 10, None)]
    assert d.rate_limit_violations_per_s is None


def test_no_traffic_window_reads_no_traffic_not_nan():
    d = derive(snap(0, PREV), snap(5, PREV))
    m = d.metrics
    assert m["request_rate"].value == 0.0 and m["request_rate"].note == NO_TRAFFIC
    for key in ("error_rate", "p95_latency_ms", "cpu_time_ms", "cache_hit_rate"):
        assert m[key].value is None and m[key].note == NO_TRAFFIC, key
    assert m["cpu_time_ms"].state is State.UNKNOWN


def test_zero_length_window_is_warming_up():
    d = derive(snap(3, PREV), snap(3, CUR))
    assert d.metrics["request_rate"].note == WARMING_UP


def test_missing_family_is_named_and_carried_forward_with_its_age():
    first = derive(snap(0, PREV), snap(10, CUR))
    without_hits = "".join(l + "\n" for l in CUR.splitlines() if not l.startswith("edge_cache_hits_total"))
    d = derive(snap(10, CUR), snap(20, without_hits))
    mv = d.metrics["cache_hit_rate"]
    assert mv.value is None and mv.note == "missing edge_cache_hits_total" and mv.state is State.UNKNOWN
    assert d.missing == ["edge_cache_hits_total"]
    assert d.warnings == ["missing families: edge_cache_hits_total"]
    kept = carry_forward(first, d).metrics["cache_hit_rate"]
    assert kept.stale and kept.value == pytest.approx(90.0) and kept.as_of == 1_000_010.0
    assert kept.note == "missing edge_cache_hits_total"


def test_a_new_family_warms_up_and_new_series_count_from_zero():
    no_errors = "".join(l + "\n" for l in PREV.splitlines() if not l.startswith("edge_errors_total"))
    d = derive(snap(0, no_errors), snap(10, CUR))
    assert d.metrics["error_rate"].note == WARMING_UP
    # a series that appears in a family already on the page counts from 0
    more = CUR + 'edge_requests_total{worker="c",status="200"} 30\n'
    assert derive(snap(0, PREV), snap(10, more)).metrics["request_rate"].value == pytest.approx(103.0)


def test_declared_counter_without_series_is_zero_errors():
    declared = PREV.replace('edge_errors_total{worker="a",type="timeout"} 10\n', "# TYPE edge_errors_total counter\n")
    cur = CUR.replace('edge_errors_total{worker="a",type="timeout"} 16\n', "# TYPE edge_errors_total counter\n")
    d = derive(snap(0, declared), snap(10, cur))
    assert d.metrics["error_rate"].value == 0.0 and d.metrics["error_rate"].state is State.NORMAL


def test_thresholds_and_family_names_come_from_config():
    cfg = parse_config(
        "environments: {production: {base_url: 'http://127.0.0.1:1'}}\n"
        "thresholds: {p95_latency_ms: {warning: 800, critical: 900}}\n"
        "metric_names: {requests: twist_requests_total}\n"
    )
    prev = PREV.replace("edge_requests_total", "twist_requests_total")
    cur = CUR.replace("edge_requests_total", "twist_requests_total")
    d = derive(snap(0, prev, cfg), snap(10, cur, cfg), cfg)
    assert d.metrics["request_rate"].value == pytest.approx(100.0)
    assert d.metrics["p95_latency_ms"].state is State.NORMAL  # 750 <= 800


def test_security_spike_against_the_baseline():
    previous = derive(snap(0, PREV), snap(10, CUR))
    previous.security = [
        SecurityRule("waf", 200, 2.0, baseline_per_s=2.0),
        SecurityRule("bot", 15, 0.1, baseline_per_s=0.1),
    ]
    later = CUR.replace('rule="waf"} 200', 'rule="waf"} 300').replace('rule="bot"} 15', 'rule="bot"} 24')
    d = derive(snap(10, CUR), snap(20, later), None, previous)
    waf, bot = d.security
    assert waf.per_second == pytest.approx(10.0) and waf.spike  # 10/s > 3 x 2/s and > 1/s
    assert waf.baseline_per_s == pytest.approx(2.0 + (1 - math.exp(-10 / 600)) * 8.0)
    assert bot.per_second == pytest.approx(0.9) and not bot.spike  # 9x its baseline, but under 1/s


def test_error_rate_at_one_percent_is_a_warning_above_is_critical():
    at_one = CUR.replace('type="timeout"} 16', 'type="timeout"} 20')  # 10 / 1000 = 1.0 %
    assert derive(snap(0, PREV), snap(10, at_one)).metrics["error_rate"].state is State.WARNING
    above = CUR.replace('type="timeout"} 16', 'type="timeout"} 21')
    assert derive(snap(0, PREV), snap(10, above)).metrics["error_rate"].state is State.CRITICAL


def test_low_cache_hit_rate_is_critical():
    low = CUR.replace("edge_cache_hits_total 1170", "edge_cache_hits_total 960")  # 60 / (60+30) = 66.7 %
    mv = derive(snap(0, PREV), snap(10, low)).metrics["cache_hit_rate"]
    assert mv.value == pytest.approx(200 / 3) and mv.state is State.CRITICAL


def test_first_window_spike_uses_the_average_since_created():
    # waf: 100 blocks over the 100 s since its counter was created -> baseline 1/s; bot 0.1/s
    created = 'edge_security_blocks_created{rule="waf"} 999900\nedge_security_blocks_created{rule="bot"} 999900\n'
    d = derive(snap(0, PREV + created), snap(10, CUR + created))
    waf, bot = d.security
    assert waf.per_second == pytest.approx(10.0) and waf.spike  # 10/s > 3 x 1/s and > 1/s
    assert bot.per_second == pytest.approx(0.5) and not bot.spike  # 5x, but under 1/s
    # without _created samples the first window only seeds the baseline
    plain = derive(snap(0, PREV), snap(10, CUR))
    assert not any(r.spike for r in plain.security) and plain.security[0].baseline_per_s == pytest.approx(10.0)
