"""The TUI side of the monitoring stack: Alertmanager alerts (pane, ``r``, ack -> silence) and
Prometheus history (fleet sparklines and the overnight review over 1h/12h/24h).

Everything here runs on the UI loop as async workers that only await network I/O; the decisions are
core functions (``console.alertmanager``, ``console.sources.promhistory``). Started by the app after the
first frame (:func:`start_monitoring`); the dashboard mounts the pane (:func:`mount_alerts_pane`).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from console.app.events import AlertsUpdated, PollCompleted

if TYPE_CHECKING:
    from screens.app import EdgeConsoleApp


def start_monitoring(app: EdgeConsoleApp) -> None:
    env = app.session.env
    app.am_alerts = []
    app.am_error = None
    app.prom_history = None
    if env.alertmanager_url:
        app.run_worker(
            _alertmanager_loop(app), name="alertmanager", group="alertmanager", exclusive=True, exit_on_error=False
        )
    if env.prometheus_url:
        from console.monitoring_config import prometheus_settings

        app.prom_window = prometheus_settings(app.config).history_window
        refresh_prometheus_history(app)


# -- Alertmanager ---------------------------------------------------------------------------------------
async def _alertmanager_loop(app: EdgeConsoleApp) -> None:
    from console.alertmanager.client import AlertmanagerClient, AlertmanagerError
    from console.monitoring_config import alertmanager_settings

    settings = alertmanager_settings(app.config)
    try:
        client = await asyncio.to_thread(AlertmanagerClient.for_env, app.config, app.session.env)
    except AlertmanagerError as exc:
        app.am_error = str(exc)
        _publish(app)
        return
    try:
        while True:
            try:
                app.am_alerts = await client.alerts()
                app.am_error = None
            except AlertmanagerError as exc:
                app.am_error = str(exc)  # the last good alerts stay on screen, marked
            _publish(app)
            await asyncio.sleep(settings.poll_seconds)
    finally:
        await client.aclose()


def _publish(app: EdgeConsoleApp) -> None:
    """Alertmanager answered or failed: to every subscriber (a broken pane must not stop polling)."""
    app.events.publish(AlertsUpdated(tuple(app.am_alerts), app.am_error))


def alert_rows(app: EdgeConsoleApp) -> list[Any]:
    """The console's active alerts and Alertmanager's, merged by metric."""
    from console.alertmanager.merge import merge_alerts

    response = app._incident_response
    console_alerts = response.engine.active() if response is not None else []
    return merge_alerts(console_alerts, app.am_alerts)


def mount_alerts_pane(screen: Any) -> None:
    """Mount the alerts pane on the dashboard's side column when the environment has Alertmanager."""
    app: EdgeConsoleApp = screen.app
    if not app.session.env.alertmanager_url:
        return
    from widgets.am_alerts_pane import AlertmanagerPane

    pane = AlertmanagerPane(id="am-alerts-pane")
    screen.query_one("#side").mount(pane, before=0)

    def update(*_: Any) -> None:
        if pane.is_attached:
            pane.show(alert_rows(app), app.am_error, app.clock())

    app.events.subscribe(AlertsUpdated, update)
    app.events.subscribe(PollCompleted, update)  # the console's own alerts change with the polls
    update()


def respond_to_alertmanager(app: EdgeConsoleApp) -> bool:
    """``r`` when no console alert is up: open the flow mapped to the first firing Alertmanager alert.
    True when one was opened."""
    from console.alertmanager.mapping import respond_target

    alerts = app.am_alerts
    if not alerts:
        return False
    target = respond_target(alerts, app.flow_runbook())
    if target is None:
        return False
    app.open_flow(target.target, why=target.why)
    return True


def silence_on_ack(app: EdgeConsoleApp, acknowledged: list[Any]) -> None:
    """After ``a``: with ``alertmanager.ack_silence`` set, open the silence flow for the acked alert's
    Alertmanager counterpart with its inputs filled in. It is a change like any other: previewed, confirmed
    (production needs its name typed), audited before it runs, refused read-only, on the timeline."""
    env = app.session.env
    if not env.alertmanager_url or not acknowledged:
        return
    from console.alertmanager.acksilence import SILENCE_FLOW, ack_silence_inputs
    from console.monitoring_config import alertmanager_settings

    settings = alertmanager_settings(app.config)
    if not settings.ack_silence:
        return
    for alert in acknowledged:
        inputs = ack_silence_inputs(alert.key, alert.describe(), app.am_alerts, env, settings.ack_silence)
        if inputs is not None:  # one flow at a time: the first acked alert with a counterpart
            app.open_flow(
                SILENCE_FLOW,
                inputs=inputs,
                why=f"acknowledged: silence it in Alertmanager for {settings.ack_silence} (ack_silence)",
            )
            return


# -- Prometheus history ---------------------------------------------------------------------------------
#: how often the history is fetched again (a sparkline point is minutes wide even for the last hour)
HISTORY_REFRESH_S = 60.0


def refresh_prometheus_history(app: EdgeConsoleApp) -> None:
    """Fetch the history over ``app.prom_window`` now and every minute (a new window restarts it)."""

    async def loop() -> None:
        from console.sources.promhistory import fetch_history
        from screens.messages import FleetUpdated

        while True:
            try:
                app.prom_history = await fetch_history(app.config, app.session.env, app.prom_window, now=time.time())
            except Exception as exc:  # noqa: BLE001 - no history: the local one stays on screen
                app.log.error(f"prometheus history: {exc!r}")
            for screen in app.visible_screens():
                screen.post_message(FleetUpdated(app.fleet_result))
            await asyncio.sleep(HISTORY_REFRESH_S)

    app.run_worker(loop(), name="prometheus history", group="prom-history", exclusive=True, exit_on_error=False)


def cycle_history_window(app: EdgeConsoleApp) -> str:
    from console.sources.promhistory import next_window

    app.prom_window = next_window(app.prom_window or "1h")
    refresh_prometheus_history(app)
    return app.prom_window


def prometheus_series(app: EdgeConsoleApp, name: str, points: int | None = None) -> list[float | None] | None:
    """Prometheus's history of ``name`` over the chosen window, when there is one; with ``points``, that
    many averages over equal parts of the window (a narrow sparkline still spans the whole window)."""
    history = app.prom_history
    if history is None or not history.series.get(name):
        return None
    series = history.history(name)
    if points is None or points <= 0 or points >= len(series):
        return series
    from console.sources.promhistory import squeeze

    return squeeze(series, points)


def history_note(app: EdgeConsoleApp) -> list[str]:
    """The lines a flow's metrics step prints about its trends when they are Prometheus's history."""
    history = app.prom_history
    if history is None:
        return []
    from console.runbook.promtrend import history_lines

    return history_lines(history)
