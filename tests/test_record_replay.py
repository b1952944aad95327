"""Recording and replay (issue 13): record a minute of the ddos scenario, replay it in the TUI on
virtual time; secrets never reach the file; damaged lines are reported and skipped; replay is read-only."""

from __future__ import annotations

import asyncio
import gzip
import os
import stat
from datetime import datetime, timezone

import pytest

from console.record.encode import ALERTS, POLL, flow_to_json
from console.record.reader import read_recording
from console.sim.server import SimServer
from console.sim.state import SimState
from screens.replay_app import ReplayApp, replay_session
from tests.record_util import record_sim
from tests.util import metric_row, wait_for
from tests.virtual_time import VirtualClock


@pytest.fixture(scope="module")
def ddos_recording(tmp_path_factory):
    """One recorded minute of the ddos scenario for the whole module, in a state dir of its own: every test here
    only reads the file (each recorded its own before: 1 CPU-s and 5-8 s of wall apiece)."""
    root = tmp_path_factory.mktemp("ddos-recording")
    root.chmod(0o700)
    with pytest.MonkeyPatch.context() as patch:  # what tests/conftest.py::_isolated_dirs gives each test
        patch.setenv("XDG_CONFIG_HOME", str(root / "config"))
        patch.setenv("XDG_STATE_HOME", str(root / "state"))
        patch.setenv("EDGE_CONSOLE_STATE_DIR", str(root / "state" / "edge-console"))
        patch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
        patch.setenv("WRANGLER_SEND_METRICS", "false")
        return asyncio.run(_record_ddos())


async def _record_ddos():
    edge_clock = VirtualClock(follow_real=True)
    server = SimServer(host="127.0.0.1", port=0, state=SimState(scenario="ddos", clock=edge_clock.time))
    server.start()
    token = os.environ["EDGE_SIM_API_TOKEN"]

    def leak(recorder, result, now):
        # a flow step whose output echoed the token (what a careless command would print)
        recorder.write(
            flow_to_json(
                {"flow": "check-auth", "step": "curl", "status": "ok", "output": f"Authorization: Bearer {token}"}, now
            )
        )

    try:
        path = await record_sim(server, "ddos.jsonl.gz", on_poll=leak, edge_clock=edge_clock)
    finally:
        server.stop()
    return path, token


def first_crit_alert(recording):
    for record in recording.records:
        if record["k"] == ALERTS and any(
            a["key"] == "request_rate" and a["level"] == "critical" for a in record["alerts"]
        ):
            return record
    raise AssertionError("the recording has no CRIT request-rate alert")


def first_crit_poll(recording):
    for record in recording.records:
        if record["k"] == POLL:
            derived = record["_poll"].derived
            if derived and derived.metrics["request_rate"].state.value == "critical":
                return record
    raise AssertionError("the recording has no CRIT request rate")


def row_text(app, key: str) -> str:
    return str(metric_row(app, key).render())


def banner_text(app) -> str:
    banners = app.screen.query("#alert-banner")
    return str(banners.first().render()) if banners and banners.first().display else ""


def crit_rate_banner(app) -> bool:
    """The banner shows the request-rate alert at CRIT."""
    text = banner_text(app)
    return "Request rate" in text and "CRIT" in text


async def test_record_ddos_minute_then_replay_shows_crit_rate_and_alert_at_recorded_moments(ddos_recording):
    path, _token = ddos_recording
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    recording = read_recording(path)
    assert recording.damaged == 0
    assert 55 <= recording.end - recording.start <= 65  # a minute of recorded time
    kinds = {r["k"] for r in recording.records}
    assert {"poll", "alerts", "tail", "flow"} <= kinds
    crit_poll = first_crit_poll(recording)
    alert = first_crit_alert(recording)
    assert alert["t"] > crit_poll["t"]  # the alert waits for its hold scrapes

    app = ReplayApp(replay_session(recording.header), recording, autoplay=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            lambda: app._first_frame_shown and app.screen.query("#alert-banner"),
            timeout=15,
            message="first frame and the alert banner",
        )
        header = str(app.screen.query_one("#status-header").render())
        assert "REPLAY" in header and ("READ-ONLY" in header or " RO " in header)  # RO: the narrow badge
        # at the first CRIT poll: the recorded rate, CRIT, and not yet an alert
        app.step(crit_poll["t"] - app.timeline.now)
        await pilot.pause()
        recorded = crit_poll["_poll"].derived.metrics["request_rate"].value
        assert app.last_result.derived.metrics["request_rate"].value == recorded
        assert "CRIT" in row_text(app, "request_rate")
        # not yet the CRIT alert (a WARN alert for the rate may have been recorded on the way up: it shows)
        assert not crit_rate_banner(app), banner_text(app)
        # just before the recorded alert: none; at its moment: the banner shows it
        app.step(alert["t"] - app.timeline.now - 0.01)
        await pilot.pause()
        assert not crit_rate_banner(app), banner_text(app)
        app.step(0.01)
        await pilot.pause()
        await wait_for(lambda: crit_rate_banner(app), timeout=5, message="the CRIT alert in the banner")
        raised = [a for a in app.incident_response.engine.active() if a.key == "request_rate"]
        # raised when recorded (a WARN on the way up keeps its time when it escalates, as live)
        recorded_since = next(a["since"] for a in alert["alerts"] if a["key"] == "request_rate")
        assert recorded_since <= alert["t"]
        assert raised and raised[0].since == pytest.approx(recorded_since)
        header = str(app.screen.query_one("#status-header").render())
        assert datetime.fromtimestamp(alert["t"], timezone.utc).strftime("%H:%M:%S") in header
        # to the end: the recorded tail reached the log pane through the tail controller's store
        tail_count = sum(1 for r in recording.records if r["k"] == "tail")
        app.step(recording.end - app.timeline.now)
        await pilot.pause()
        await wait_for(lambda: app.tail.store.received == tail_count, timeout=5, message="every tail event")
        assert "END" in str(app.screen.query_one("#status-header").render())


async def test_recording_holds_no_secret(ddos_recording):
    path, token = ddos_recording
    text = gzip.decompress(path.read_bytes()).decode()
    assert len(token) >= 16
    assert token not in text
    assert "Bearer ****" in text  # the flow output was recorded, masked
    assert os.environ.get("EDGE_SIM_ADMIN_TOKEN", "none") not in text


async def test_replay_is_read_only(ddos_recording, state_dir):
    path, _ = ddos_recording
    recording = read_recording(path)
    session = replay_session(recording.header)
    session.read_only = False
    with pytest.raises(ValueError, match="read-only"):
        ReplayApp(session, recording)  # refused when assembled
    app = ReplayApp(replay_session(recording.header), recording, autoplay=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app._first_frame_shown, timeout=15, message="first frame")
        app.step(60)
        await pilot.pause()
        screens = len(app.screen_stack)
        app.open_flow("p1-high-error-rate")  # refused at run time: no flow opens
        await pilot.press("r")  # respond to the worst metric: a flow, refused too
        await pilot.pause()
        assert len(app.screen_stack) == screens
        assert app.flow_context().read_only
        assert app.incident_response.manager.view_only
        assert not (state_dir / "incidents").exists() or not any((state_dir / "incidents").iterdir())
        assert not (state_dir / "audit.jsonl").exists()


async def test_replay_keys_pause_seek_speed_and_next_mark(ddos_recording):
    path, _ = ddos_recording
    recording = read_recording(path)
    app = ReplayApp(replay_session(recording.header), recording, autoplay=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app._first_frame_shown, timeout=15, message="first frame")
        begin = app.timeline.now
        await pilot.press("full_stop")  # next alert or flow step
        mark = app.timeline.now
        assert mark > begin
        await pilot.press("right_square_bracket")
        assert app.timeline.now == pytest.approx(min(mark + 60, recording.end))
        await pilot.press("left_square_bracket")
        assert app.timeline.now == pytest.approx(max(min(mark + 60, recording.end) - 60, begin))
        assert app.last_result is not None and app.last_result.at <= app.timeline.now
        await pilot.press("plus")
        assert app.timeline.speed == 2.0
        await pilot.press("minus", "minus")
        assert app.timeline.speed == 0.5
        await pilot.press("space")
        assert app.timeline.paused and "PAUSED" in str(app.screen.query_one("#status-header").render())
        assert app.timeline.advance(10.0) == []


async def test_replay_from_a_time_starts_there_with_history(ddos_recording):
    path, _ = ddos_recording
    recording = read_recording(path)
    start = recording.start + 30
    app = ReplayApp(replay_session(recording.header), recording, start=start, autoplay=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            lambda: app._first_frame_shown and app.last_result is not None,
            timeout=15,
            message="first frame and the poll at the start",
        )
        await pilot.pause()
        assert app.timeline.now == pytest.approx(start)
        assert start - 3 <= app.last_result.at <= start  # the last poll at or before --from
        assert sum(v is not None for v in app.history["request_rate"]) >= 10  # the 30 s before it
        assert "CRIT" in row_text(app, "request_rate")
