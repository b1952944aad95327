"""Fleet-wide numbers from a real Prometheus server scraping two simulated edges on loopback."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time

import httpx
import pytest

from console.config import DEFAULT_METRIC_NAMES, parse_config
from console.metrics.fleet import fleet_queries
from console.metrics.thresholds import State
from console.sim.server import SimServer
from console.sources.promql import FleetPoller, PromQLClient, PromQLError, parse_vector
from console.sources.tls import shared_ssl_context
from tests.monitoring_servers import wait_for_scrapes
from tests.util import metric_row, required_program, wait_for, wait_for_sync

TLS = shared_ssl_context()  # not a CA bundle loaded per request (~45 ms of CPU each)


def test_queries_use_configured_names_and_window():
    names = dict(DEFAULT_METRIC_NAMES, requests="twist_requests_total")
    q = fleet_queries(names, "30s")
    assert q["request_rate"] == "sum(rate(twist_requests_total[30s]))"
    assert (
        "histogram_quantile(0.95, sum by (le) (rate(edge_request_duration_seconds_bucket[30s])))" in q["p95_latency_ms"]
    )
    with pytest.raises(ValueError):
        fleet_queries(names, "1 minute")


def test_parse_vector_errors_say_what():
    with pytest.raises(PromQLError, match="bad_data: parse error"):
        parse_vector({"status": "error", "errorType": "bad_data", "error": "parse error"})
    with pytest.raises(PromQLError, match="unexpected result type 'matrix'"):
        parse_vector({"status": "success", "data": {"resultType": "matrix", "result": []}})
    assert parse_vector(
        {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1, "2.5"]}]}}
    ) == [({"a": "b"}, 2.5)]


def test_bad_window_in_config_names_the_key():
    from console.config import ConfigError
    from console.sources.promql import fleet_window

    good = parse_config("environments:\n  p: {base_url: 'http://127.0.0.1:9'}\nprometheus:\n  window: 5m\n")
    assert fleet_window(good) == "5m"
    # the section is declared with the config (console/schema/config_model.py): a bad window fails the load
    with pytest.raises(ConfigError, match=r":4: prometheus.window: not a PromQL range"):
        parse_config("environments:\n  p: {base_url: 'http://127.0.0.1:9'}\nprometheus:\n  window: soon\n")


async def test_unreachable_prometheus_is_down_not_a_crash():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = parse_config(
        f"environments:\n  p:\n    base_url: 'http://127.0.0.1:9'\n    prometheus_url: 'http://127.0.0.1:{port}'\n"
    )
    poller = FleetPoller(cfg, cfg.environment())
    try:
        result = await poller.poll()
    finally:
        await poller.aclose()
    assert result.source.state == "down"
    assert "refused" in (result.source.error or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running_fleet(tmp_path):
    """Two simulated edges (scenario normal) and a real Prometheus scraping both every second."""
    prometheus = required_program("prometheus")
    sims = [SimServer(host="127.0.0.1", port=0, scenario="normal", seed=i) for i in (1, 2)]
    for sim in sims:
        sim.start()
    port = _free_port()
    targets = ", ".join(f"'{s.base_url.split('://')[1]}'" for s in sims)
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n  - job_name: edge\n"
        f"    static_configs:\n      - targets: [{targets}]\n"
    )
    proc = subprocess.Popen(
        [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{url}/-/ready", timeout=1, verify=TLS).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for_sync(ready, timeout=30, message="prometheus ready")
        # Prometheus sends its first targets to the scrape loops ~5 s after it is ready: the fixture waits for
        # the rates here, in a few cheap queries, not a test's pollers or running app
        wait_for_scrapes(url, targets=len(sims))
        yield url, sims
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for sim in sims:
            sim.stop()


@pytest.fixture
def prometheus_fleet(tmp_path):
    """A fleet of its own, for a test that changes the edges' scenario."""
    with _running_fleet(tmp_path) as fleet:
        yield fleet


@pytest.fixture(scope="module")
def steady_fleet(tmp_path_factory):
    """One fleet shared by the tests that only read it (the edges stay on scenario normal): one Prometheus
    start and one warm-up instead of one per test."""
    with _running_fleet(tmp_path_factory.mktemp("steady-fleet")) as fleet:
        yield fleet


async def test_fleet_numbers_from_a_real_prometheus(prometheus_fleet):
    url, sims = prometheus_fleet
    cfg = parse_config(
        f"environments:\n  p:\n    base_url: '{sims[0].base_url}'\n    prometheus_url: '{url}'\n"
        "prometheus: {window: 10s}\n"
    )
    poller = FleetPoller(cfg, cfg.environment())
    try:
        client = PromQLClient(url)
        per_instance_query = "sum by (instance) (rate(edge_requests_total[10s]))"

        deadline = time.monotonic() + 60
        while True:  # until Prometheus has two samples of both edges
            # both edges must have a rate before the fleet poll as well as after it, or the fleet
            # number can be one edge's rate while the per-instance answer a moment later is both
            before = await client.query(per_instance_query)
            result = await poller.poll()
            per_instance = sorted(v for _, v in await client.query(per_instance_query))
            if (
                len(before) == 2
                and result.targets == 2
                and result.metrics["request_rate"].value
                and len(per_instance) == 2
            ):
                break
            assert time.monotonic() < deadline, "prometheus never reported both targets"
            await _sleep_briefly()
        await client.aclose()
        assert result.source.state == "live"
        fleet_rate = result.metrics["request_rate"].value
        # the fleet is both edges: more than either alone
        assert fleet_rate == pytest.approx(sum(per_instance), rel=0.25)
        assert fleet_rate > max(per_instance)
        assert result.metrics["p95_latency_ms"].state is State.NORMAL

        for sim in sims:
            httpx.post(f"{sim.base_url}/admin/scenario", json={"name": "latency"}, verify=TLS).raise_for_status()

        async def latency_seen():
            r = await poller.poll()
            return r.metrics["p95_latency_ms"].state in (State.WARNING, State.CRITICAL)

        deadline = time.monotonic() + 60
        while not await latency_seen():
            assert time.monotonic() < deadline, "fleet P95 never left normal"
            await _sleep_briefly()
    finally:
        await poller.aclose()


async def _sleep_briefly() -> None:
    import asyncio

    await asyncio.sleep(0.5)


async def test_dashboard_toggles_to_fleet_view(steady_fleet):
    from console.session import Session
    from screens.app import EdgeConsoleApp

    url, sims = steady_fleet
    cfg = parse_config(
        # the default 2 s cadence: the fixture waited for the rates, so the first fleet poll has them
        f"refresh_seconds: 2\nenvironments:\n  p:\n    base_url: '{sims[0].base_url}'\n"
        f"    prometheus_url: '{url}'\nprometheus: {{window: 10s}}\n"
    )
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            lambda: (
                app.fleet_result is not None
                and app.fleet_result.targets == 2
                and app.fleet_result.metrics["request_rate"].value
            ),
            timeout=60,
            message="fleet data",
        )
        await pilot.press("f")
        pane = app.screen.query_one("#metrics-pane")
        await wait_for(lambda: "fleet, 2 targets" in str(pane.border_title), message="fleet title")
        row = str(metric_row(app, "request_rate").render())
        assert "req/s" in row
        await pilot.press("f")
        await wait_for(lambda: str(pane.border_title) == "Key metrics", message="back to endpoint")


def _check_json(config_path, capsys) -> tuple[int, dict]:
    import json

    from console.cli import main

    code = main(["--config", str(config_path), "check", "--json", "--window", "0.5"])
    return code, json.loads(capsys.readouterr().out)


def test_check_json_has_fleet_section(steady_fleet, tmp_path, capsys):
    url, sims = steady_fleet
    path = tmp_path / "c.yaml"
    path.write_text(
        f"environments:\n  p:\n    base_url: '{sims[0].base_url}'\n    prometheus_url: '{url}'\n"
        "prometheus: {window: 10s}\n"
    )
    client_ready = False
    deadline = time.monotonic() + 60
    while not client_ready:  # Prometheus needs two scrapes of both edges before rates exist
        code, report = _check_json(path, capsys)
        client_ready = report["fleet"]["targets"] == 2 and report["fleet"]["metrics"]["request_rate"]["value"]
        assert time.monotonic() < deadline, report["fleet"]
    assert report["fleet"]["state"] == "live"
    assert report["fleet"]["metrics"]["p95_latency_ms"]["state"] == "normal"
    assert set(report["fleet"]["metrics"]) == set(report["metrics"])


def test_check_with_unreachable_prometheus_warns(sim, tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(
        f"environments:\n  p:\n    base_url: '{sim.base_url}'\n    prometheus_url: 'http://127.0.0.1:{_free_port()}'\n"
    )
    code, report = _check_json(path, capsys)
    assert report["fleet"]["state"] == "down"
    assert any(p.startswith("prometheus: connection refused") for p in report["problems"])
    assert code >= 1
