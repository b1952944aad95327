"""The TUI with a real Alertmanager: posted alerts on the dashboard's alerts pane, ``r`` opens the flow
an Alertmanager alert maps to, and ``a`` (ack) with ``alertmanager.ack_silence`` creates a silence."""

from __future__ import annotations

import json

import httpx
import pytest

from console.config import simulated_config
from console.runbook import load_for_config
from console.session import Session
from console.sources.tls import shared_ssl_context
from screens.app import EdgeConsoleApp
from screens.flow_modal import FlowModal
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.monitoring_servers import post_alerts, running_alertmanager
from tests.test_alertmanager import _iso
from tests.test_flow_ui_modal import ready, type_confirmation
from tests.util import wait_for
from tests.util import refresh_model


@pytest.fixture
def alertmanager(tmp_path):
    with running_alertmanager(tmp_path) as url:
        yield url


def _app(am_url: str, values: dict | None = None, ack_silence: str | None = None) -> EdgeConsoleApp:
    # constant data (StaticPoller): one poll a second shows the same and lets Pilot's keys find an idle app
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=1.0)
    cfg.raw["alertmanager"] = {"poll_seconds": 1, **({"ack_silence": ack_silence} if ack_silence else {})}
    cfg.raw["alerts"] = {"hold_scrapes": 1}  # the console's own alert at the first poll, not the third (2 s)
    refresh_model(cfg)
    env = cfg.environment()
    env.alertmanager_url = am_url
    env.alertmanager_matchers = "env=production"
    return EdgeConsoleApp(Session(config=cfg, env=env, read_only=False), poller=StaticPoller(values))


def _pane_text(app: EdgeConsoleApp) -> str:
    panes = app.screen.query("#am-alerts-pane")
    return panes.first()._plain if panes else ""


async def test_posted_alerts_show_on_the_dashboard_and_r_opens_the_mapped_flow(alertmanager):
    post_alerts(
        alertmanager,
        [
            {
                "labels": {"alertname": "EdgeHighErrorRate", "env": "production", "severity": "critical"},
                "startsAt": _iso(-90),
            },
            {"labels": {"alertname": "Watchdog", "env": "production", "severity": "info"}, "startsAt": _iso(-90)},
        ],
    )
    app = _app(alertmanager)
    expected = load_for_config(app.config).responses_for("error_rate")[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app)
        await wait_for(lambda: "EdgeHighErrorRate" in _pane_text(app), timeout=20, message="alert on the dashboard")
        text = _pane_text(app)
        assert "CRIT FIRING" in text and "env=production" in text and "Watchdog" in text  # words, not colour
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, FlowModal), timeout=10, message="flow opened by r")
        assert app.screen.flow.id == expected.id


async def test_ack_with_ack_silence_silences_the_alert_in_alertmanager(alertmanager):
    post_alerts(
        alertmanager,
        [
            {
                "labels": {"alertname": "EdgeHighErrorRate", "env": "production", "severity": "critical"},
                "startsAt": _iso(-60),
            }
        ],
    )
    app = _app(alertmanager, values=dict(NORMAL_VALUES, error_rate=12.0), ack_silence="15m")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app)
        # the console's own alert and Alertmanager's are one row (same metric)
        await wait_for(lambda: "console+AM" in _pane_text(app), timeout=20, message="merged row")
        manager = app.incident_response.manager
        incident = manager.start("P1", "Error rate high")
        await pilot.press("a")
        # the silence is a change like any other: its flow opens with the inputs filled in and production's
        # name must be typed before anything reaches Alertmanager
        from screens.flow_modal import FlowModal

        await wait_for(lambda: isinstance(app.screen, FlowModal), timeout=15, message="the silence flow")
        modal = app.screen
        assert modal.flow.id == "alertmanager-silence"
        assert (
            httpx.get(f"{alertmanager}/api/v2/silences", timeout=5, verify=shared_ssl_context()).json() == []
        )  # nothing sent yet
        for _ in range(6):  # the form (filled in), then the action's confirmation
            if modal.query_one("#flow-confirm").display:
                break
            before = (modal.phase, modal.focus_index())
            await pilot.press("enter")
            await wait_for(
                lambda before=before: (
                    modal.query_one("#flow-confirm").display
                    or ((modal.phase, modal.focus_index()) != before and not modal.busy)
                ),
                timeout=15,
                message="the flow answered enter",
            )
        await wait_for(lambda: modal.query_one("#flow-confirm").display, timeout=15, message="confirmation")
        await type_confirmation(modal, pilot, "production")

        def silences():
            return httpx.get(f"{alertmanager}/api/v2/silences", timeout=5, verify=shared_ssl_context()).json()

        await wait_for(lambda: silences(), timeout=15, interval=0.2, message="silence created by the ack")
        (silence,) = silences()
        assert silence["status"]["state"] == "active"
        assert {(m["name"], m["value"]) for m in silence["matchers"]} == {
            ("alertname", "EdgeHighErrorRate"),
            ("env", "production"),
        }
        assert silence["comment"].startswith("acknowledged in edge-console")

        def on_timeline():  # the silence is a flow step on the incident's timeline
            entries = manager.get(incident.id).entries
            return [e for e in entries if "alertmanager-silence" in json.dumps(e.to_json(incident.id))]

        await wait_for(on_timeline, timeout=15, message="silence on the incident timeline")
