"""On the simulated edge with the real poller: the latency scenario raises the alert after the
configured number of scrapes, not before, and it lands on the open incident's timeline.

The apps here are given no simulated ``wrangler`` (``tools`` left empty): the alerts come from the polls, so the
dashboard's log tail stays off (console/app/tail.py) instead of streaming into tests that never read it."""

from __future__ import annotations

import httpx

from console.app.events import PollCompleted
from console.config import simulated_config
from console.metrics.thresholds import State
from console.session import Session
from console.sources.tls import shared_ssl_context
from screens.app import EdgeConsoleApp
from tests.test_flow_ui_modal import close_flow_modals
from tests.util import click_now, press_now, wait_for
from widgets.alert_banner import AlertBanner
from tests.util import refresh_model

HOLD = 3


async def test_latency_scenario_raises_after_configured_scrapes_and_records_it(sim):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), refresh_seconds=0.3)
    cfg.raw["alerts"] = {"hold_scrapes": HOLD, "clear_scrapes": HOLD}
    refresh_model(cfg)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
    log: list[tuple[float | None, State | None, bool]] = []

    def record(result) -> None:
        metric = result.derived.metrics.get("p95_latency_ms") if result.derived else None
        active = any(a.key == "p95_latency_ms" for a in app.incident_response.engine.active())
        log.append((result.derived.at if result.derived else None, metric.state if metric else None, active))

    async with app.run_test(size=(110, 32)):
        await wait_for(lambda: hasattr(app, "incident_response") and app.screen.query(AlertBanner), message="app")
        # subscribed after the incident session: sees the engine's verdict
        app.events.subscribe(PollCompleted, lambda event: record(event.result))
        await wait_for(
            lambda: sum(1 for at, state, _ in log if state == State.NORMAL) >= 2, timeout=20, message="normal scrapes"
        )
        incident = app.incident_response.manager.start("P3", "Watching latency")
        assert not any(active for *_, active in log)
        async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
            answer = await client.post(sim.base_url + "/admin/scenario", json={"name": "latency"})
        assert answer.status_code == 200
        await wait_for(lambda: log and log[-1][2], timeout=30, message="latency alert")
        # replay the log: the alert is active exactly from the HOLD-th consecutive bad scrape on
        streak, last_at, first_active_streak = 0, None, None
        for at, state, active in log:
            if at != last_at:
                streak = streak + 1 if state in (State.WARNING, State.CRITICAL) else 0
                last_at = at
            if active and first_active_streak is None:
                first_active_streak = streak
            if first_active_streak is None:
                assert not active and streak < HOLD, log
        assert first_active_streak == HOLD, log
        assert app.incident_response.bells >= 1
        banner = app.screen.query_one(AlertBanner)
        assert banner.display and "High Latency Alert" in str(banner.render())

        def alert_entries():  # incident writes land on the writer thread (console/incident/writer.py)
            entries = app.incident_response.manager.get(incident.id).entries
            return [e for e in entries if e.kind == "alert" and e.data.get("metric") == "p95_latency_ms"]

        await wait_for(alert_entries, timeout=10, message="the alert on the timeline")
        assert alert_entries()[0].text.startswith("Alert triggered: P95 latency")
        assert alert_entries()[0].data["value"] > 500 and alert_entries()[0].data["flow"] == "high-latency"


async def test_outage_suggests_p0_and_one_key_opens_the_response_or_starts_the_incident(sim):
    from screens.flow_modal import FlowModal
    from screens.incident_start import IncidentStartScreen

    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), refresh_seconds=0.3)
    cfg.raw["alerts"] = {"hold_scrapes": 2}
    refresh_model(cfg)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(lambda: hasattr(app, "incident_response") and app.screen.query(AlertBanner), message="app")
        async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
            assert (await client.post(sim.base_url + "/admin/scenario", json={"name": "outage"})).status_code == 200
        engine = app.incident_response.engine
        await wait_for(lambda: any(a.key == "health" for a in engine.active()), timeout=30, message="health alert")
        health = next(a for a in engine.active() if a.key == "health")
        assert health.severity == "P0" and health.flow_id == "p0-service-down"
        assert engine.active()[0].key == "health"  # the P0 alert leads the banner
        # keys and the click go in as a terminal sends them (press_now, click_now), each followed by a wait for
        # its effect: Pilot's press and click wait for an idle app, which a console polling the simulated edge
        # every 0.3 s and streaming its tail rarely is
        await press_now(pilot, "r")  # respond: the runbook response for the top alert
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="P0 flow opened")
        assert app.screen.flow.id == "p0-service-down"
        await close_flow_modals(app, pilot)
        await press_now(pilot, "i")  # or start the incident, prefilled from the alert
        await wait_for(
            lambda: isinstance(app.screen, IncidentStartScreen) and app.screen.query("#incident-title"),
            message="start modal",
        )
        modal = app.screen
        assert modal.severity == "P0" and modal.query_one("#incident-title").value == "P0 - Service Down"
        await click_now(pilot, "#incident-start-ok")
        await wait_for(lambda: app.incident_response.manager.current is not None, message="incident started")
        # the writer thread records the start, then the alert that prompted it: wait for both
        await wait_for(lambda: len(app.incident_response.manager.current.entries) >= 2, message="the alert entry")
        entries = app.incident_response.manager.current.entries
        trigger = entries[1]  # recorded right after the start, with the alert's own time
        assert trigger.kind == "alert" and trigger.text.startswith("Alert triggered: Health down")
        assert trigger.ts <= entries[0].ts and trigger.data["flow"] == "p0-service-down"
        assert app.incident_response.manager.current.severity == "P0"


async def test_a_source_going_down_and_recovering_is_on_the_timeline(sim):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), refresh_seconds=0.3)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
    async with app.run_test(size=(110, 32)):
        await wait_for(
            lambda: (
                hasattr(app, "incident_response")
                and app.last_result is not None
                and app.last_result.metrics.state == "live"
            ),
            timeout=20,
            message="live metrics",
        )
        manager = app.incident_response.manager
        manager.start("P2", "Metrics flapping")

        def sources():
            return [e.text for e in manager.current.entries if e.kind == "source"]

        async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
            await client.post(sim.base_url + "/admin/faults", json={"metrics": "500"})
            await wait_for(
                lambda: any(t.startswith("Source metrics down") for t in sources()),
                timeout=30,
                message="metrics down on the timeline",
            )
            await client.post(sim.base_url + "/admin/faults", json={"metrics": "none"})
            await wait_for(lambda: "Source metrics recovered" in sources(), timeout=30, message="recovered")
        assert [t.split(":")[0] for t in sources()] == ["Source metrics down", "Source metrics recovered"]
