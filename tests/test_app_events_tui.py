"""The app's event bus in the running TUI: a subscriber that raises is logged, the other subscribers
(the incident session, the alert banner) and the dashboard carry on, and no traceback reaches the user."""

from __future__ import annotations

from console.app.events import PollCompleted
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_incident_tui import banner, make_app, ready
from tests.util import wait_for


async def test_a_raising_poll_subscriber_stops_nothing_else(state_dir):
    values = dict(NORMAL_VALUES, error_rate=4.0)  # above the critical 1%: the incident session raises an alert
    app = make_app(StaticPoller(values), hold=1)
    calls: list[int] = []
    after: list[int] = []
    logged: list[str] = []

    def broken(event: PollCompleted) -> None:
        calls.append(app.poll_count)
        raise RuntimeError("a broken pane")

    toasts: list[tuple[str, dict]] = []
    original_notify = app.notify

    def notify(message, **options):
        toasts.append((str(message), options))
        return original_notify(message, **options)

    app.notify = notify
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        log_error = app.events.on_error  # the app's: Textual's log, never a toast
        assert log_error is not None
        app.events.on_error = lambda event, handler, exc: (logged.append(repr(exc)), log_error(event, handler, exc))
        app.events.subscribe(PollCompleted, broken)
        app.events.subscribe(PollCompleted, lambda event: after.append(app.poll_count))
        polls = app.poll_count
        await wait_for(lambda: app.poll_count >= polls + 3 and len(after) >= 3, message="polls go on")
        assert len(calls) >= 3 and logged and all("a broken pane" in text for text in logged)
        await wait_for(lambda: banner(app).display, message="the incident session still judges the polls")
        assert any(a.key == "error_rate" for a in app.incident_response.engine.active())
        assert app.is_running and app.return_code is None
        assert not [t for t in toasts if "broken pane" in t[0] or t[1].get("severity") == "error"], toasts
