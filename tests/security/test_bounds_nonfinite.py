"""Non-finite numbers: refused at load in config and runbook files (``file:line: key: must be a finite
number``), and metric values a broken or hostile exporter sends (a NaN counter, a negative histogram
bucket bound, a negative queue backlog) are shown as invalid with the reason, never as OK."""

from __future__ import annotations

import json
import threading

import pytest

from console.cli import main
from tests.security.bounds_util import HostileServer, write_config


@pytest.mark.parametrize(
    "extra,line,key",
    [
        ("refresh_seconds: .nan\n", 6, "refresh_seconds"),
        ("thresholds:\n  error_rate: {warning: .nan, critical: 1}\n", 7, "thresholds.error_rate.warning"),
        ("thresholds:\n  queue_backlog: {warning: 500, critical: .inf}\n", 7, "thresholds.queue_backlog.critical"),
        ("tail:\n  buffer: -.inf\n", 7, "tail.buffer"),
        ("alerts: {hold_scrapes: 1.0e+999}\n", 6, "alerts.hold_scrapes"),
    ],
)
def test_bounds_config_non_finite_number_is_refused(tmp_path, capsys, extra, line, key):
    cfg = write_config(tmp_path, "http://127.0.0.1:9", extra)
    code = main(["check", "--config", str(cfg), "--json", "--window", "0"])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert f"{cfg}:{line}: {key}: must be a finite number" in err, err


@pytest.mark.parametrize(
    "field,line,where",
    [
        ("timeout: .nan", 10, "flows[0].steps[0].timeout"),
        ("interval: .inf", 10, "flows[0].steps[0].interval"),
        ("timeout: 30\n        expect: error_rate < .nan", 10, "flows[0].steps[0].expect"),
    ],
)
def test_bounds_runbook_non_finite_number_is_refused(tmp_path, capsys, field, line, where):
    path = tmp_path / "nan.yaml"
    path.write_text(
        "version: 1\n"
        "flows:\n"
        "  - id: never-ends\n"
        "    title: Never ends\n"
        "    section: Troubleshooting\n"
        "    steps:\n"
        "      - kind: verify\n"
        "        title: Errors down\n"
        + ("" if "expect" in field else "        expect: error_rate < 1\n")
        + f"        {field}\n"
    )
    code = main(["runbook", "validate", str(path)])
    out, err = capsys.readouterr()
    assert code != 0, (out, err)
    assert f"{path}:{line}: {where}: " in out + err and "must be a finite number" in out + err, (out, err)


class _Page:
    """A page whose counters advance on every scrape, with three invalid values in it."""

    def __init__(self) -> None:
        self.hits = 0
        self.lock = threading.Lock()

    def __call__(self) -> bytes:
        with self.lock:
            self.hits += 1
            n = self.hits
        return (
            "# TYPE edge_requests_total counter\n"
            f'edge_requests_total{{worker="a"}} {1000 * n}\n'
            'edge_requests_total{worker="b"} NaN\n'
            "# TYPE edge_errors_total counter\n"
            f'edge_errors_total{{worker="a"}} {n}\n'
            "# TYPE edge_request_duration_seconds histogram\n"
            'edge_request_duration_seconds_bucket{le="-1"} 0\n'
            f'edge_request_duration_seconds_bucket{{le="0.1"}} {100 * n}\n'
            f'edge_request_duration_seconds_bucket{{le="+Inf"}} {100 * n}\n'
            f"edge_request_duration_seconds_count {100 * n}\n"
            f"edge_request_duration_seconds_sum {5 * n}\n"
            "# TYPE edge_cpu_time_ms histogram\n"
            f'edge_cpu_time_ms_bucket{{le="5"}} {100 * n}\n'
            f'edge_cpu_time_ms_bucket{{le="+Inf"}} {100 * n}\n'
            f"edge_cpu_time_ms_count {100 * n}\n"
            f"edge_cpu_time_ms_sum {300 * n}\n"
            "# TYPE edge_cache_hits_total counter\n"
            f"edge_cache_hits_total {90 * n}\n"
            "# TYPE edge_cache_misses_total counter\n"
            f"edge_cache_misses_total {10 * n}\n"
            "# TYPE edge_memory_usage_bytes gauge\n"
            'edge_memory_usage_bytes{worker="a"} 50000000\n'
            "# TYPE edge_queue_backlog gauge\n"
            'edge_queue_backlog{queue="good"} 10\n'
            'edge_queue_backlog{queue="bad"} -5\n'
            "# TYPE edge_queue_processing_duration_seconds histogram\n"
            'edge_queue_processing_duration_seconds_bucket{queue="good",le="+Inf"} 0\n'
            "# TYPE edge_security_blocks_total counter\n"
            f'edge_security_blocks_total{{rule="waf"}} {n}\n'
            "# TYPE edge_rate_limit_violations_total counter\n"
            f"edge_rate_limit_violations_total {n}\n"
        ).encode()


def test_bounds_invalid_metric_values_are_shown_invalid_not_ok(tmp_path, capsys):
    with HostileServer() as server:
        server.page("/metrics", _Page())
        server.page("/health", b'{"status": "ok"}', "application/json")
        cfg = write_config(tmp_path, server.url)
        code = main(["check", "--config", str(cfg), "--json", "--window", "0.3"])
    out, _ = capsys.readouterr()
    report = json.loads(out)
    metrics = report["metrics"]
    # the NaN counter series: the request rate (and the error rate built on it) is invalid, not OK
    for key in ("request_rate", "error_rate"):
        assert metrics[key]["state"] != "normal", (key, metrics[key])
        assert "invalid" in metrics[key]["note"] and "NaN" in metrics[key]["note"], (key, metrics[key])
    # the negative bucket bound: the latency P95 is invalid
    assert metrics["p95_latency_ms"]["state"] != "normal", metrics["p95_latency_ms"]
    assert "invalid" in metrics["p95_latency_ms"]["note"] and "negative" in metrics["p95_latency_ms"]["note"]
    # the negative backlog: the queue and the total are invalid
    assert metrics["queue_backlog"]["state"] != "normal", metrics["queue_backlog"]
    assert "invalid" in metrics["queue_backlog"]["note"] and "bad" in metrics["queue_backlog"]["note"]
    queues = {q["name"]: q for q in report["queues"]}
    assert queues["bad"]["state"] != "normal" and "negative" in (queues["bad"].get("invalid") or ""), queues
    assert queues["good"]["state"] == "normal"
    # the values that are fine stay fine, and the check does not say OK
    assert metrics["cache_hit_rate"]["state"] == "normal", metrics["cache_hit_rate"]
    assert code != 0 and report["status"] != "ok"
    assert any("invalid" in p for p in report["problems"]), report["problems"]
