"""The idle dashboard stays quiet (issue #9): the log tail's timer polls its parse pump at ``tail.batch_ms``
only while the full log view is up (or a flood runs), at GLANCE_TICK_S while only the dashboard's pane is
shown; the incident bar's clock ticks only while there is an incident and repaints only a changed line;
the other-writers scan timer does not repeat a scan a poll just queued."""

from __future__ import annotations

import time
from datetime import timedelta

from textual.app import App, ComposeResult

from screens.log_view import GLANCE_TICK_S, LogViewScreen, tail_controller
from tests.test_incident_snapshots import T0, incident
from tests.test_incident_tui import make_app, ready
from tests.test_tail_core import RECORDED, pretty_stream
from tests.test_tail_source import FakeWrangler, chunks, environment
from tests.test_tail_view import app_for
from tests.util import wait_for
from themes import THEME_DIR
from widgets.incident_bar import IncidentBar

import pytest


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


async def test_tail_timer_slows_while_only_the_dashboard_pane_is_up(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 200) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.screen.query("#log-pane"), message="dashboard pane")
        controller = tail_controller(app)
        batch = controller.settings.batch_ms / 1000.0
        assert batch < GLANCE_TICK_S
        await wait_for(lambda: controller.timer is not None, message="tail timer")
        assert controller.tick_interval == GLANCE_TICK_S  # the glance: a poll frame draws it
        # the dashboard's pane still fills (the poll frames and the slow tick drain the pump)
        await wait_for(lambda: len(controller.store.events) == len(RECORDED), message="events in the store")
        await app.push_screen(LogViewScreen())
        await wait_for(lambda: controller.tick_interval == batch, message="full view: batch cadence")
        timer = controller.timer
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, LogViewScreen), message="back on the dashboard")
        await wait_for(lambda: controller.tick_interval == GLANCE_TICK_S, message="glance cadence again")
        assert controller.timer is not timer  # the fast timer was replaced (stopped), one at a time


class BarApp(App):
    CSS_PATH = [THEME_DIR / "edge.tcss", THEME_DIR / "incident.tcss"]

    def __init__(self) -> None:
        super().__init__()
        self.beats = 0

    def compose(self) -> ComposeResult:
        yield CountingBar()

    def on_mount(self) -> None:
        # a clock of the test's own: shows that time went by (8 beats = 1.6 of the bar's tick intervals)
        self.set_interval(CountingBar.TICK_SECONDS / 5, self._beat)

    def _beat(self) -> None:
        self.beats += 1


class CountingBar(IncidentBar):
    TICK_SECONDS = 0.25  # the bar's 1 s tick, sped up: the same ticks and pauses in a quarter of the time

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.updates = 0

    def _tick(self) -> None:
        self.ticks += 1
        super()._tick()

    def update(self, *args, **kwargs) -> None:
        self.updates += 1
        super().update(*args, **kwargs)


async def test_incident_bar_clock_runs_only_with_an_incident_and_repaints_changes():
    assert IncidentBar.TICK_SECONDS == 1.0  # the console's bar ticks at the resolution shown; this one 4x faster
    app = BarApp()
    async with app.run_test(size=(80, 6)):
        bar = app.query_one(CountingBar)
        now = [T0 + timedelta(minutes=7)]
        bar.clock = lambda: now[0]
        await wait_for(lambda: app.beats >= 8, message="1.6 tick intervals on the test's clock")
        assert bar.ticks == 0 and bar.updates == 0  # no incident: the clock does not tick

        bar.show_incident(incident())
        assert bar.updates == 1 and bar.display
        start = bar.ticks
        await wait_for(lambda: bar.ticks >= start + 2, message="the bar's clock ticks")
        assert bar.updates == 1  # the clock stood still (pinned): the same line is not repainted
        now[0] += timedelta(seconds=1)
        await wait_for(lambda: bar.updates == 2, message="a second later: repainted")
        assert "7m 01s" in str(bar.content)

        bar.show_incident(None)  # (its own _tick call returns at once)
        assert not bar.display
        ticks, beats = bar.ticks, app.beats
        await wait_for(lambda: app.beats >= beats + 8, message="1.6 tick intervals on the test's clock")
        assert bar.ticks == ticks  # the timer is paused


async def test_timer_scan_skips_when_a_poll_just_scanned(monkeypatch):
    from tests.test_incident_tui import ScriptedPoller

    app = make_app(ScriptedPoller([80]), hold=3, refresh=5.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        assert response._scan_interval == 2.0  # noqa: SLF001 - min(refresh, 2 s)
        await wait_for(lambda: not response._scan_pending, message="no scan in flight")  # noqa: SLF001
        before = time.monotonic()
        response.check_other_writers()  # what each poll does
        assert response._scan_queued_at >= before  # noqa: SLF001
        await wait_for(lambda: not response._scan_pending, message="scanned")  # noqa: SLF001
        scans: list[int] = []
        monkeypatch.setattr(response, "check_other_writers", lambda: scans.append(1))
        response._timed_scan()  # noqa: SLF001 - the timer, right after a poll's scan: nothing to add
        assert scans == []
        response._scan_queued_at -= response._scan_interval  # noqa: SLF001 - no poll for an interval
        response._timed_scan()  # noqa: SLF001
        assert scans == [1]
