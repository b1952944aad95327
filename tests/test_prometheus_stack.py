"""One real Prometheus scraping two environments' simulated edges, labelled env=production and
env=staging: each environment's selector keeps its numbers apart, a counter that does not exist yet
gives 0, down targets come from ``up == 0``, the rate window is checked against the scrape interval, and
``query_range`` history fills the overnight review."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.config import ConfigError, parse_config
from console.metrics.fleet import fleet_queries
from console.metrics.promduration import format_duration, parse_duration
from console.metrics.promselector import SelectorError, canonical, parse_selector, series
from console.runbook import FlowRunner
from console.runbook.engine import StepState
from console.runbook.loader import load_for_config
from console.runbook.values import PollerMetrics
from console.sim.server import SimServer
from console.sources.promhistory import fetch_history, next_window
from console.sources.promql import FleetPoller, PromQLClient, auth_headers
from tests.monitoring_servers import free_port, running_prometheus, wait_for_scrapes


# -- pure parts -------------------------------------------------------------------------------------------
def test_durations_take_the_full_prometheus_syntax():
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90 and parse_duration("500ms") == 0.5 and parse_duration("2w") == 14 * 86400
    assert format_duration(5400) == "1h30m"
    for bad in ("30m1h", "1.5h", "", "1 minute", "h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_selector_is_validated_and_quoted_safely():
    assert canonical("{ env = 'production' , job=\"edge\" }") == '{env="production",job="edge"}'
    # a value cannot end the braces and add PromQL of its own
    assert (
        series("edge_requests_total", '{env="x\\"} or vector(1) #"}')
        == 'edge_requests_total{env="x\\"} or vector(1) #"}'
    )
    for bad in ('env="x"', "{env=x}", '{env="x"} or up', '{1a="b"}', '{a=~"("}', '{__name__="up"}'):
        with pytest.raises(SelectorError):
            parse_selector(bad)


def test_bad_selector_in_config_names_file_line_and_key():
    with pytest.raises(ConfigError, match=r":4: environments\.p\.prometheus_selector: not a PromQL label selector"):
        parse_config("environments:\n  p:\n    base_url: 'http://127.0.0.1:9'\n    prometheus_selector: 'env=\"p\"'\n")


def test_every_query_carries_the_selector_and_absent_counters_are_zero():
    queries = fleet_queries(
        parse_config("environments: {p: {base_url: 'http://127.0.0.1:9'}}").metric_names, "1h30m", '{env="production"}'
    )
    for key, query in queries.items():
        assert '{env="production"}' in query, key
        assert "[1h30m]" in query or key in ("memory_bytes", "queue_backlog"), key
    assert "or vector(0)" in queries["error_rate"] and "or vector(0)" in queries["security_per_s"]
    assert "or vector(0)" not in queries["request_rate"]  # no request counter: the edge is not scraped
    assert next_window("1h") == "12h" and next_window("12h") == "24h" and next_window("24h") == "1h"
    from console.sources.promhistory import squeeze

    # a narrow sparkline still spans the whole window: equal parts averaged, a part without data is a gap
    assert squeeze([1, 2, 3, 4, None, None, 7, 8], 4) == [1.5, 3.5, None, 7.5]


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).seen.append(dict(self.headers))
        body = json.dumps(
            {
                "status": "success",
                "data": {"resultType": "vector", "result": [{"metric": {}, "value": [time.time(), "1"]}]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


async def test_bearer_token_from_env_and_tenant_header(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("EDGE_TEST_PROM_TOKEN", "s3cret-token-value")
        cfg = parse_config(
            "environments:\n  p:\n    base_url: 'http://127.0.0.1:9'\n"
            f"    prometheus_url: 'http://127.0.0.1:{server.server_address[1]}'\n"
            "    prometheus_token_env: EDGE_TEST_PROM_TOKEN\n    prometheus_tenant: team-edge\n"
        )
        env = cfg.environment()
        client = PromQLClient(env.prometheus_url, headers=auth_headers(env))
        try:
            assert await client.query("up") == [({}, 1.0)]
        finally:
            await client.aclose()
        headers = {k.lower(): v for k, v in _Recorder.seen[-1].items()}
        assert headers["authorization"] == "Bearer s3cret-token-value"
        assert headers["x-scope-orgid"] == "team-edge"
        from console.childenv import secret_env_names

        assert "EDGE_TEST_PROM_TOKEN" in secret_env_names(cfg)  # never inherited by a child
    finally:
        server.shutdown()
        server.server_close()


# -- against a real Prometheus ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_environments(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prom-envs")
    sims = {
        name: SimServer(host="127.0.0.1", port=0, scenario="normal", seed=seed)
        for name, seed in (("prod-a", 1), ("prod-b", 2), ("staging", 3))
    }
    for sim in sims.values():
        sim.start()
    dead = f"127.0.0.1:{free_port()}"  # a production target nobody listens on: up == 0
    hostport = {n: s.base_url.split("://")[1] for n, s in sims.items()}
    jobs = {
        "edge-production": {"targets": [hostport["prod-a"], hostport["prod-b"], dead], "labels": {"env": "production"}},
        "edge-staging": {"targets": [hostport["staging"]], "labels": {"env": "staging"}},
    }
    try:
        with running_prometheus(tmp, jobs) as url:
            wait_for_scrapes(url, targets=4)  # every edge has a rate and the dead target is down
            yield url, sims, dead
    finally:
        for sim in sims.values():
            sim.stop()


def _config(url: str, sims, extra_env: str = "", top: str = "prometheus: {window: 10s}\n"):
    return parse_config(
        "environments:\n"
        f"  production:\n    base_url: '{sims['prod-a'].base_url}'\n    prometheus_url: '{url}'\n"
        f"    prometheus_selector: '{{env=\"production\"}}'\n{extra_env}"
        f"  staging:\n    base_url: '{sims['staging'].base_url}'\n    prometheus_url: '{url}'\n"
        f"    prometheus_selector: '{{env=\"staging\"}}'\n" + top
    )


async def _poll_until(poller: FleetPoller, ok, timeout: float = 60):
    import asyncio

    deadline = time.monotonic() + timeout
    while True:
        result = await poller.poll()
        if ok(result):
            return result
        assert time.monotonic() < deadline, f"never: {result}"
        await asyncio.sleep(0.5)


async def test_selector_keeps_each_environments_numbers_apart(two_environments):
    import asyncio

    url, sims, dead = two_environments
    # a 4 s rate window (the shortest the console accepts without a warning at the 1 s scrape interval): the
    # edges' counters climb smoothly, so 4 scrapes give each edge's rate as well as 10 did, 6 s sooner
    cfg = _config(url, sims, top="prometheus: {window: 4s}\n")
    prod, staging = FleetPoller(cfg, cfg.environment("production")), FleetPoller(cfg, cfg.environment("staging"))
    raw = PromQLClient(url)
    try:
        per_instance = "sum by (instance, env) (rate(edge_requests_total[4s]))"

        async def rates_by_env() -> dict[str, list[float]]:
            out: dict[str, list[float]] = {}
            for labels, value in await raw.query(per_instance):
                out.setdefault(labels["env"], []).append(value)
            return out

        # how long Prometheus has had each edge's counter: a series younger than the 4 s rate window reads low
        # (its increase is extrapolated over the part it has), rising scrape by scrape; on a loaded machine the
        # fleet polls and the per-edge reads then saw different points of that climb (30% apart)
        series_age = "time() - min by (instance) (min_over_time(timestamp(edge_requests_total)[30s:1s]))"
        deadline = time.monotonic() + 60
        while True:  # every edge has a rate before and after the fleet polls (else a number is one edge's)
            ages = [age for _, age in await raw.query(series_age)]
            if len(ages) < 3 or min(ages) < 5:  # the three live edges, each with a full window
                assert time.monotonic() < deadline, ages
                await asyncio.sleep(0.5)
                continue
            before = await rates_by_env()
            p, s = await prod.poll(), await staging.poll()
            after = await rates_by_env()
            if (
                all(len(r.get("production", [])) == 2 and len(r.get("staging", [])) == 1 for r in (before, after))
                and p.targets == 2
                and s.targets == 1
                and p.down_targets
            ):
                break
            assert time.monotonic() < deadline, (before, after, p, s)
            await asyncio.sleep(0.5)
        assert p.metrics["request_rate"].value == pytest.approx(sum(after["production"]), rel=0.3)
        assert s.metrics["request_rate"].value == pytest.approx(sum(after["staging"]), rel=0.3)
        # production is two edges, staging one: mixed numbers would make them equal
        assert p.metrics["request_rate"].value > 1.4 * s.metrics["request_rate"].value
        assert p.down_targets == (dead,) and s.down_targets == ()
        assert all('env="production"' in q for q in p.queries.values())
    finally:
        await prod.aclose()
        await staging.aclose()
        await raw.aclose()


async def test_an_error_counter_that_does_not_exist_yet_gives_zero(two_environments):
    url, sims, _ = two_environments
    cfg = _config(url, sims, top="prometheus: {window: 10s}\nmetric_names: {errors: edge_future_errors_total}\n")
    raw = PromQLClient(url)
    poller = FleetPoller(cfg, cfg.environment("production"))
    try:
        assert await raw.query('sum(rate(edge_future_errors_total{env="production"}[10s]))') == []  # no series
        result = await _poll_until(poller, lambda r: r.metrics["request_rate"].value)
        assert result.metrics["error_rate"].value == 0.0 and result.metrics["error_rate"].note == ""
        assert result.extra["security_per_s"] is not None
    finally:
        await poller.aclose()
        await raw.aclose()


async def test_rate_window_is_checked_against_the_scrape_interval(two_environments):
    url, sims, _ = two_environments
    short = _config(url, sims, top="prometheus: {window: 3s}\n")  # Prometheus scrapes every 1s: needs >= 4s
    poller = FleetPoller(short, short.environment("production"))
    try:
        result = await poller.poll()
        assert any("shorter than 4x the scrape interval 1s" in w for w in result.warnings), result.warnings
    finally:
        await poller.aclose()
    configured = _config(url, sims, top="prometheus: {window: 1m, scrape_interval: 30s}\n")
    poller = FleetPoller(configured, configured.environment("production"))
    try:
        assert any("at least 2m" in w for w in (await poller.poll()).warnings)
    finally:
        await poller.aclose()
    fine = _config(url, sims, top="prometheus: {window: 1h30m}\n")
    poller = FleetPoller(fine, fine.environment("production"))
    try:
        assert (await poller.poll()).warnings == ()
    finally:
        await poller.aclose()


async def test_query_range_history_fills_the_overnight_review(two_environments, state_dir):
    import asyncio

    url, sims, _ = two_environments
    cfg = _config(url, sims)
    env = cfg.environment("production")
    deadline = time.monotonic() + 60
    while True:  # until Prometheus holds enough of the window for a trend
        history = await fetch_history(cfg, env, "10s", points=8)
        if sum(v is not None for v in history.history("request_rate")) >= 6:  # of the step's 8 points
            break
        assert time.monotonic() < deadline, history
        await asyncio.sleep(1)
    metrics = PollerMetrics(cfg, env, min_interval=0.3, history_window="10s")
    runbook = load_for_config(cfg)
    runner = FlowRunner(runbook.flows["overnight-metrics-review"], env, {}, config=cfg, get_metric=metrics)
    try:
        result = await runner.run_step(0)
        trend = metrics.history("request_rate")
    finally:
        await metrics.aclose()
    assert result.state == StepState.PASSED, result.message
    trend_points = runbook.flows["overnight-metrics-review"].steps[0].trend
    assert len(trend) == trend_points and sum(v is not None for v in trend) >= trend_points // 2, trend
    # the trend is Prometheus's history, not the console's own scrapes (it made at most two, for the values)
    assert len(metrics._history["request_rate"]) <= 2
    assert "trends: Prometheus history, last 10s" in "\n".join(metrics.history_note)
    assert any(line.startswith("security blocks in the last 24h:") for line in metrics.history_note)


async def test_fleet_view_names_down_targets_and_h_changes_the_history_window(two_environments):
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from tests.test_flow_ui_modal import ready
    from tests.util import wait_for
    from widgets.metrics_pane import MetricsPane

    url, sims, dead = two_environments
    cfg = _config(url, sims)
    # the default 2 s cadence: the fixture's Prometheus has every target's first scrapes, so the first fleet
    # poll already names the down target and the history is fetched at start and at once on ``h``
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment("production"), read_only=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app)
        await pilot.press("f")
        pane = app.screen.query_one(MetricsPane)
        await wait_for(
            lambda: f"DOWN 1: {dead}" in str(pane.border_subtitle), timeout=30, message="down target in the fleet view"
        )
        assert "· 1h" in str(pane.border_title)
        await wait_for(
            lambda: app.prom_history is not None and app.prom_history.window == "1h",
            timeout=20,
            message="history over the last hour",
        )
        await pilot.press("h")
        await wait_for(
            lambda: app.prom_history.window == "12h" and "· 12h" in str(pane.border_title),
            timeout=20,
            message="overnight window",
        )
        assert app.flow_metric_history("request_rate") == app.prom_history.history("request_rate")
        # the overnight review in the TUI says where its trends come from
        assert "trends: Prometheus history, last 12h" in app.flow_context().get_metric.history_note[0]


def test_check_reports_the_down_target_and_a_short_window(two_environments, tmp_path, capsys):
    from console.cli import main

    url, sims, dead = two_environments
    path = tmp_path / "config.yaml"
    path.write_text(
        "environments:\n"
        f"  production:\n    base_url: '{sims['prod-a'].base_url}'\n    prometheus_url: '{url}'\n"
        "    prometheus_selector: '{env=\"production\"}'\n"
        "prometheus: {window: 2s}\n"
    )
    deadline = time.monotonic() + 30
    while True:  # until Prometheus has scraped the dead target once
        main(["--config", str(path), "check", "--json", "--window", "0.5"])
        report = json.loads(capsys.readouterr().out)
        if report["fleet"]["down_targets"] or time.monotonic() > deadline:
            break
    assert report["fleet"]["down_targets"] == [dead]
    assert any("target(s) down" in p and dead in p for p in report["problems"])
    assert any("shorter than 4x the scrape interval" in w for w in report["warnings"])
