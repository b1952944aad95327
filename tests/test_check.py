"""``edge-console check``: JSON shape, states and exit codes against the simulated edge."""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import datetime, timezone

import httpx
import pytest

from console.cli import main
from console.metrics.model import KEY_METRICS

WINDOW = "0.6"


def write_config(tmp_path, base_url: str, extra: str = "") -> str:
    path = tmp_path / "config.yaml"
    path.write_text(
        "default_environment: staging\n"
        "environments:\n"
        "  staging:\n"
        f"    base_url: {base_url}\n"
        "    worker: vau-processor-staging\n" + extra
    )
    return str(path)


def run_check(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, err = run_check(capsys, *argv, "--json")
    assert out.count("\n") == 1, "exactly one JSON object on one line"
    return code, json.loads(out)


def admin(sim, path: str, body: dict) -> None:
    response = httpx.post(sim.base_url + path, json=body, timeout=5)
    assert response.status_code == 200, response.text


def test_json_on_the_normal_edge_is_all_normal_exit_0(sim, tmp_path, capsys):
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "check", "--config", cfg, "--window", WINDOW)
    assert code == 0 and report["exit_code"] == 0 and report["status"] == "ok", report["problems"]
    assert report["environment"] == "staging" and report["target"] == sim.base_url
    assert report["health"]["healthy"] is True and report["health"]["state"] == "normal"
    assert set(report["health"]["components"]) >= {"vau-processor", "cache"}
    assert set(report["metrics"]) == set(KEY_METRICS)
    for key, m in report["metrics"].items():
        assert isinstance(m["value"], (int, float)), (key, m)
        assert m["unit"] == KEY_METRICS[key][1] and m["state"] == "normal", (key, m)
    assert report["window_s"] == pytest.approx(0.6, abs=0.5)
    assert report["queues"] and {"name", "backlog", "state", "trend_per_s", "drain_eta_s", "processing_p95_ms"} <= set(
        report["queues"][0]
    )
    rules = {r["rule"] for r in report["security"]["rules"]}
    assert {"waf", "geo_block", "rate_limit", "bot", "ip_block"} <= rules
    assert report["security"]["per_second"] is not None
    assert report["sources"]["metrics"]["state"] == "live"


def test_latency_scenario_turns_p95_critical_exit_2(sim, tmp_path, capsys):
    admin(sim, "/admin/scenario", {"name": "latency"})
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "check", "--config", cfg, "--window", WINDOW)
    p95 = report["metrics"]["p95_latency_ms"]
    assert p95["state"] == "critical" and p95["value"] > 1000
    assert code == 2 and report["status"] == "critical"
    assert "P95 latency critical" in report["problems"]
    # the simulated edge reports its vau-processor degraded in this scenario: named, not just "healthy"
    assert report["health"]["state"] == "warning"
    assert "health: healthy (vau-processor degraded)" in report["problems"]


def test_a_warning_threshold_gives_exit_1(sim, tmp_path, capsys):
    # the normal edge has well over 100 req/s: make that a warning (but not critical) here
    cfg = write_config(tmp_path, sim.base_url, "thresholds:\n  request_rate: {warning: 1, critical: 1000000000}\n")
    code, report = run_json(capsys, "check", "--config", cfg, "--window", WINDOW)
    assert report["metrics"]["request_rate"]["state"] == "warning"
    assert code == 1 and report["status"] == "warning"


def test_unreachable_edge_is_exit_2_at_once(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = write_config(tmp_path, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    code, report = run_json(capsys, "check", "--config", cfg, "--window", "30")
    assert time.monotonic() - started < 10  # no 30 s wait when nothing answers
    assert code == 2 and report["status"] == "critical"
    assert report["sources"]["metrics"] == {
        "url": f"http://127.0.0.1:{port}/metrics",
        "state": "down",
        "error": "connection refused",
        "last_ok": None,
    }
    assert report["health"]["healthy"] is False and report["health"]["error"] == "connection refused"
    for m in report["metrics"].values():
        assert m["value"] is None and m["state"] == "unknown" and m["note"] == "connection refused"


def test_health_down_is_exit_2(sim, tmp_path, capsys):
    admin(sim, "/admin/faults", {"health": "down"})
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "check", "--config", cfg, "--window", "0.2")
    assert code == 2 and report["health"]["healthy"] is False and report["health"]["error"] == "HTTP 503"
    assert report["metrics"]["request_rate"]["value"] is not None  # metrics still read


def test_metrics_500_is_exit_2_with_the_reason(sim, tmp_path, capsys):
    admin(sim, "/admin/faults", {"metrics": "500"})
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "check", "--config", cfg, "--window", "0.2")
    assert code == 2 and report["sources"]["metrics"]["error"] == "HTTP 500"
    assert "metrics: HTTP 500" in report["problems"]


def test_missing_family_is_exit_1_and_named(sim, tmp_path, capsys):
    admin(sim, "/admin/faults", {"metrics": "missing:edge_cache_hits_total"})
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "check", "--config", cfg, "--window", "0.3")
    hit = report["metrics"]["cache_hit_rate"]
    assert hit["value"] is None and hit["state"] == "unknown" and hit["note"] == "missing edge_cache_hits_total"
    assert "missing families: edge_cache_hits_total" in report["problems"]
    assert code == 1


def test_human_output_is_a_table_with_states(sim, tmp_path, capsys):
    cfg = write_config(tmp_path, sim.base_url)
    # the window the other all-OK checks read: 0.3 s of integer counters under load read a WARN once (at -n 8)
    code, out, _ = run_check(capsys, "check", "--config", cfg, "--window", WINDOW)
    assert code == 0, out
    for label, _unit in KEY_METRICS.values():
        assert label in out
    assert "OK normal" in out and "Queues" in out and "Security blocks" in out
    assert "Result: OK (exit 0)" in out


def test_human_output_says_the_time_in_utc_with_z(sim, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")  # a local zone that is never UTC
    time.tzset()
    try:
        cfg = write_config(tmp_path, sim.base_url)
        _code, out, _ = run_check(capsys, "check", "--config", cfg, "--window", "0.2")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    stamp = re.search(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", out.splitlines()[0])
    assert stamp, out.splitlines()[0]
    shown = datetime.strptime(stamp.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(shown.timestamp() - time.time()) < 120


def test_config_before_the_subcommand_is_honoured(sim, tmp_path, capsys):
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(capsys, "--config", cfg, "check", "--window", "0.2")
    assert report["environment"] == "staging" and report["target"] == sim.base_url


def test_no_config_uses_the_simulated_edge(capsys):
    code, report = run_json(capsys, "check", "--window", "0.3")
    assert report["simulated"] is True and report["environment"] == "production"
    assert report["target"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("window", ["-1", "soon", "nan", "99999"])
def test_bad_window_is_a_usage_error(window, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--window", window])
    assert exc.value.code == 2
    assert "--window" in capsys.readouterr().err


def test_bad_config_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("environments:\n  production:\n    base_url: ftp://nope\n")
    code, out, err = run_check(capsys, "check", "--config", str(path), "--json")
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "bad.yaml:3: environments.production.base_url" in err


@pytest.mark.parametrize(
    "command",
    [["audit"], ["incident", "list"], ["flows"], ["runbook", "validate", "-"], ["check", "--window", "0.2"]],
    ids=lambda c: " ".join(c),
)
def test_global_options_work_after_every_subcommand(command, tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    before = main(["--config", str(missing), *command])
    out_before = capsys.readouterr()
    after = main([*command, "--config", str(missing)])  # was a usage error for all but check
    out_after = capsys.readouterr()
    assert after == before, (out_before, out_after)
    assert "unrecognized arguments" not in out_after.err


def test_a_global_option_after_the_subcommand_wins_and_read_only_is_seen(sim, tmp_path, capsys):
    cfg = write_config(tmp_path, sim.base_url)
    code, report = run_json(
        capsys, "--env", "nonexistent", "check", "--config", cfg, "--env", "staging", "--window", "0.2"
    )
    assert report["environment"] == "staging"
    from console.cli import build_parser

    args = build_parser().parse_args(["run", "block-ip", "--read-only", "--env", "prod"])
    assert args.read_only is True and args.env == "prod"
    args = build_parser().parse_args(["--read-only", "audit"])
    assert args.read_only is True
