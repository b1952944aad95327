"""The dashboard on the simulated edge: panes fill, a scenario switch shows on screen, faults recover.

What is on screen is waited for (``wait_for`` on the rendered text, a poll or two at the short refresh), not
settled with ``pilot.pause()``: a pause waits for the app to go idle, and an app polling every 0.3 s on a loaded
machine is rarely idle, so each pause cost a second or two."""

from __future__ import annotations

import httpx

from console.config import simulated_config
from console.metrics.thresholds import State
from console.session import Session
from console.sources.tls import shared_ssl_context
from screens.app import EdgeConsoleApp
from tests.util import metric_row, wait_for


def live_app(sim, refresh: float = 0.3, tail: bool = False) -> EdgeConsoleApp:
    """The app on ``sim``; with ``tail`` the simulator's wrangler too, so the dashboard's log tail streams (only
    where the test is about the whole dashboard: a tail nobody reads costs a child process, parsing, repaints)."""
    tools = sim.tools() if tail else {}
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools=tools, refresh_seconds=refresh)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))


def row_text(app, key: str) -> str:
    return str(metric_row(app, key).render())


def has_rates(app) -> bool:
    result = app.last_result
    return bool(result and result.derived and result.derived.metrics["request_rate"].value is not None)


async def test_panes_fill_and_latency_scenario_turns_p95_critical(sim):
    app = live_app(sim, tail=True)
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: has_rates(app), timeout=15, message="first derived rates")
        # the start-up's early scrapes bring the numbers before the poller's first health answer
        await wait_for(lambda: app.last_result.health is not None, timeout=15, message="health")
        await wait_for(lambda: "UP" in str(app.screen.query_one("#health-pane").render()), message="health pane drawn")
        assert "req/s" in row_text(app, "request_rate")
        assert "OK" in row_text(app, "p95_latency_ms")
        assert "vau-batch" in str(app.screen.query_one("#queue-pane").render())
        assert "waf" in str(app.screen.query_one("#security-pane").render())
        assert "UP" in str(app.screen.query_one("#health-pane").render())

        httpx.post(
            f"{sim.base_url}/admin/scenario", json={"name": "latency"}, verify=shared_ssl_context()
        ).raise_for_status()
        polls = app.poll_count
        await wait_for(
            lambda: (
                app.last_result.derived.metrics["p95_latency_ms"].state in (State.WARNING, State.CRITICAL)
                and app.poll_count > polls + 1
            ),
            timeout=15,
            message="p95 in warning/critical",
        )
        row = metric_row(app, "p95_latency_ms")
        await wait_for(
            lambda: row.has_class("state-critical") or row.has_class("state-warning"), message="p95 row in its state"
        )
        text = row_text(app, "p95_latency_ms")
        assert "CRIT" in text or "WARN" in text
        assert row.has_class("state-critical") or row.has_class("state-warning")


async def test_metrics_fault_shows_error_and_age_then_recovers(sim):
    app = live_app(sim)
    async with app.run_test(size=(100, 30)):
        await wait_for(lambda: has_rates(app), timeout=15, message="first derived rates")
        httpx.post(
            f"{sim.base_url}/admin/faults", json={"metrics": "500"}, verify=shared_ssl_context()
        ).raise_for_status()
        await wait_for(
            lambda: app.last_result.metrics.state in ("stale", "down"), timeout=15, message="metrics source stale/down"
        )
        await wait_for(
            lambda: "500" in str(app.screen.query_one("#metrics-pane").border_subtitle), message="the error on screen"
        )
        subtitle = str(app.screen.query_one("#metrics-pane").border_subtitle)
        assert "500" in subtitle and "last good" in subtitle
        header = str(app.screen.query_one("#status-header").render())
        assert "STALE" in header or "DOWN" in header
        # values stay on screen (the last good ones) while the source is failing
        assert "req/s" in row_text(app, "request_rate")

        httpx.post(
            f"{sim.base_url}/admin/faults", json={"metrics": "none"}, verify=shared_ssl_context()
        ).raise_for_status()
        await wait_for(lambda: app.last_result.metrics.state == "live", timeout=15, message="recovery")
        await wait_for(
            lambda: app.screen.query_one("#metrics-pane").border_subtitle == "", message="the error gone from screen"
        )
        assert "LIVE" in str(app.screen.query_one("#status-header").render())


async def test_health_down_shows_down(sim):
    app = live_app(sim)
    async with app.run_test(size=(80, 24)):
        await wait_for(
            lambda: app.last_result is not None and app.last_result.health is not None, timeout=15, message="health"
        )
        httpx.post(
            f"{sim.base_url}/admin/scenario", json={"name": "outage"}, verify=shared_ssl_context()
        ).raise_for_status()
        await wait_for(
            lambda: app.last_result.health is not None and not app.last_result.health.healthy,
            timeout=15,
            message="health down",
        )
        await wait_for(
            lambda: "DOWN" in str(app.screen.query_one("#health-pane").render()), message="DOWN in the health pane"
        )


async def test_missing_family_keeps_last_value_marked_stale(sim):
    app = live_app(sim)
    async with app.run_test(size=(100, 30)):
        await wait_for(lambda: has_rates(app), timeout=15, message="first derived rates")
        httpx.post(
            f"{sim.base_url}/admin/faults",
            json={"metrics": "missing:edge_cache_hits_total"},
            verify=shared_ssl_context(),
        ).raise_for_status()
        await wait_for(
            lambda: app.last_result.derived.metrics["cache_hit_rate"].stale,
            timeout=15,
            message="cache hit rate carried over",
        )
        pane = app.screen.query_one("#metrics-pane")
        await wait_for(lambda: "stale" in row_text(app, "cache_hit_rate"), message="cache hit rate marked stale")
        assert "edge_cache_hits_total" in str(pane.border_subtitle)
        text = row_text(app, "cache_hit_rate")
        assert "%" in text and "stale" in text
        assert "stale" not in row_text(app, "request_rate")

        httpx.post(
            f"{sim.base_url}/admin/faults", json={"metrics": "none"}, verify=shared_ssl_context()
        ).raise_for_status()
        await wait_for(
            lambda: not app.last_result.derived.metrics["cache_hit_rate"].stale,
            timeout=15,
            message="cache hit rate fresh again",
        )
        await wait_for(lambda: "stale" not in row_text(app, "cache_hit_rate"), message="cache hit rate fresh on screen")


async def test_dashboard_stays_live_under_a_modal(sim):
    from screens.help import HelpScreen

    app = live_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: has_rates(app), timeout=15, message="first derived rates")
        dashboard = app.screen
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help open")
        header = dashboard.query_one("#status-header")
        seen = header.metrics_source
        await wait_for(
            lambda: header.metrics_source is not seen,
            timeout=10,
            message="the dashboard under the help modal gets new polls",
        )


async def test_quitting_at_the_first_frame_exits_cleanly(sim, monkeypatch):
    """q pressed the moment the dashboard appears: the set-up scheduled for after the first frame
    (incident chrome, log pane, polling) must not run into an app that is shutting down."""
    from screens.dashboard import DashboardScreen

    original = DashboardScreen.on_mount

    def on_mount(self) -> None:
        original(self)
        self.call_after_refresh(self.app.exit)

    monkeypatch.setattr(DashboardScreen, "on_mount", on_mount)
    app = live_app(sim, tail=True)
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: not app.is_running, timeout=10, message="app exiting")
    assert app.return_code in (0, None)  # an exception in the set-up would make it 1


async def test_without_configuration_the_app_starts_the_simulated_edge_after_its_first_frame(state_dir, monkeypatch):
    """`edge-console` with no config: the session only reserves the simulated edge's address; the app
    starts it once the dashboard is drawn, and the panes fill from it."""
    from console.session import open_session

    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
    session = open_session(defer_sim=True)
    try:
        app = EdgeConsoleApp(session)
        async with app.run_test(size=(80, 24)):
            await wait_for(lambda: session.sim is not None, timeout=15, message="simulated edge started")
            await wait_for(lambda: has_rates(app), timeout=20, message="first derived rates")
            await wait_for(lambda: "req/s" in row_text(app, "request_rate"), message="rates on screen")
            assert "SIMULATED" in str(app.screen.query_one("#status-header").render())
    finally:
        session.close()
