"""The views the look snapshot tests render, each with fixed data and the static poller: the dashboard
(normal and DDoS), the log view (recorded events, breakdown open), the flow modal (block-ip form), the
incident start form and the close checklist. ``open_view(pilot, name)`` brings one up and waits until
it is drawn."""

from __future__ import annotations

from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from tests.fakes import StaticPoller
from tests.util import wait_for
from tests.util import refresh_model
from tests.steady_screen import steady_cursors
from tests.test_flow_ui_modal import ready

FIXED_NOW = 1_764_000_000.0
VIEWS = ("dashboard", "dashboard-ddos", "log", "flow", "incident-start", "incident-close")
SIZES = ((60, 20), (80, 24), (120, 40))
#: VIEWS by the app that shows them one after the other (``back_to_dashboard`` between two): the views
#: of the normal data, then the DDoS dashboard (its own poller)
VIEW_GROUPS = (tuple(v for v in VIEWS if v != "dashboard-ddos"), ("dashboard-ddos",))


def look_app(view: str, theme: str | None = None, config=None) -> EdgeConsoleApp:
    """One poll only (refresh 1 h): what is drawn does not depend on how many polls a slow run saw.
    Alerts need more scrapes than that, so no banner comes and goes."""
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=3600.0, tools={})
    if config is not None:
        cfg.raw["theme"] = config.raw.get("theme")
        refresh_model(cfg)
        cfg.lines.update(config.lines)
    cfg.raw["alerts"] = {"hold_scrapes": 1000, "clear_scrapes": 1000}
    refresh_model(cfg)
    session = Session(config=cfg, env=cfg.environment(), read_only=False)
    app = EdgeConsoleApp(session, poller=StaticPoller(now=FIXED_NOW, ddos=view == "dashboard-ddos"), theme=theme)
    app.clock = lambda: FIXED_NOW + 2
    return app


async def open_view(pilot, view: str) -> None:
    app = pilot.app
    await wait_for(lambda: app.poll_count >= 1 and app.screen.query("#metrics-pane"), message="first poll")
    await ready(app)  # the flow keys are bound (the footer lists them under the modal views too)
    await pilot.pause()
    if view == "log":
        await _log_view(pilot)
    elif view == "flow":
        await _flow(pilot)
    elif view == "incident-start":
        await _incident_start(pilot)
    elif view == "incident-close":
        await _incident_close(pilot)
    await steady_cursors(pilot)
    await pilot.pause()


async def back_to_dashboard(pilot) -> None:
    """Close the view ``open_view`` brought up (pop the screens above the dashboard), so the same app can
    show the next one."""
    from screens.dashboard import DashboardScreen

    app = pilot.app
    while len(app.screen_stack) > 1:
        await app.pop_screen()
    await wait_for(lambda: isinstance(app.screen, DashboardScreen), message="back on the dashboard")
    await ready(app)


async def _log_view(pilot) -> None:
    from console.tail.model import TailEvent
    from screens.log_view import LogViewScreen, tail_controller
    from tests.test_tail_core import RECORDED
    from widgets.log_pane import LogPane

    app = pilot.app
    await app.push_screen(LogViewScreen())
    controller = tail_controller(app)
    await wait_for(
        lambda: "stopped" in str(app.screen.query_one("#log-main", LogPane).query_one("LogStatusLine").content),
        message="tail stopped (no wrangler in a simulated environment)",
    )
    controller.store.add([TailEvent(raw) for raw in RECORDED])
    controller.refresh_panes()
    await pilot.press("b")  # the error breakdown
    await wait_for(lambda: app.screen.query_one("#log-breakdown").display, message="breakdown")


async def _flow(pilot) -> None:
    from screens.flow_modal import FlowModal

    app = pilot.app
    app.open_flow("block-ip", {"ip": "203.0.113.9", "reason": "abuse from one address"})
    # its form composed and the first field focused: the cursor is drawn only once it is there, and a field
    # mounted after the blink is stopped would blink (a frame with or without the cursor, by timing)
    await wait_for(
        lambda: (
            isinstance(app.screen, FlowModal)
            and app.screen.query("#input-reason")
            and getattr(app.focused, "id", None) == "input-ip"
        ),
        message="flow modal with its form, focus on the first field",
    )


def _refuse(*_args) -> tuple[bool, str]:
    return False, "not started: this is a rendering test"


async def _incident_start(pilot) -> None:
    from screens.incident_start import IncidentStartScreen

    app = pilot.app
    await app.push_screen(
        IncidentStartScreen(
            _refuse,
            severity="P1",
            title="Error spike",
            impact="2% of submissions fail",
            trigger="Error rate 2.50% (critical)",
        )
    )
    await wait_for(
        lambda: isinstance(app.screen, IncidentStartScreen) and app.screen.query("#sev-P1"), message="start form"
    )


async def _incident_close(pilot) -> None:
    from screens.incident_close import IncidentCloseScreen

    app = pilot.app
    await app.push_screen(IncidentCloseScreen("INC-2026-03-14-001", lambda: app.last_result, _refuse))
    await wait_for(
        lambda: isinstance(app.screen, IncidentCloseScreen) and app.screen.query("#recovery-smoke"),
        message="close checklist",
    )
    close = app.screen
    first = next(c for c in close.checks if c.status == "manual")
    close.query_one(f"#recovery-{first.key}").value = True  # one checked, the rest not: both marks shown
    close.query_one(f"#recovery-{first.key}").focus()
