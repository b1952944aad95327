"""A health answer nested 100k deep (or larger than its cap) is "health: invalid answer", the health
source is down with that error, and no traceback reaches the operator: the real ``check`` in a
subprocess against a hostile server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.security.bounds_util import HostileServer, run_console, write_config

PAGE = (
    b"# TYPE edge_requests_total counter\nedge_requests_total 1\n"
    b"# TYPE edge_errors_total counter\nedge_errors_total 0\n"
)


@pytest.mark.parametrize("kind", ["nested", "endless"])
def test_bounds_hostile_health_answer_is_invalid_not_a_traceback(tmp_path, kind):
    with HostileServer() as server:
        server.page("/metrics", PAGE)
        if kind == "nested":
            depth = 100_000
            server.page("/health", b'{"status": "ok", "x": ' + b"[" * depth + b"]" * depth + b"}", "application/json")
            why = "nested deeper than 32 levels"
        else:
            server.endless("/health")
            why = "answer larger than 1 MiB"
        cfg = write_config(tmp_path, server.url)
        run = run_console(["check", "--config", str(cfg), "--json", "--window", "0"], timeout=60.0)
    assert run.returncode == 2, (run.returncode, run.err[-2000:])
    assert "Traceback" not in run.err and "RecursionError" not in run.err + run.out, run.err[-2000:]
    report = json.loads(run.out)
    health = report["health"]
    assert health["healthy"] is False and health["status"] == "invalid answer", health
    assert health["error"] == f"invalid answer: {why}", health
    assert report["sources"]["health"]["state"] == "down", report["sources"]["health"]
    assert report["sources"]["health"]["error"] == f"invalid answer: {why}"
    assert f"health: invalid answer: {why}" in report["problems"], report["problems"]


def test_bounds_health_with_50k_components_keeps_50_and_still_sees_a_down_one(tmp_path, capsys):
    from console.cli import main

    components = {f"c{i:06d}": "ok" for i in range(50_000)}
    components["c049999"] = "down"  # the last one: past what is shown, it must still count
    with HostileServer() as server:
        server.page("/metrics", PAGE)
        server.page("/health", json.dumps({"status": "ok", "components": components}).encode(), "application/json")
        cfg = write_config(tmp_path, server.url)
        main(["check", "--config", str(cfg), "--json", "--window", "0"])
    report = json.loads(capsys.readouterr().out)
    shown = report["health"]["components"]
    assert len(shown) == 51 and shown["(+49950 more)"] == "down", list(shown.items())[-3:]
    assert report["health"]["state"] == "warning", report["health"]
