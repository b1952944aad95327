"""Recording from the TUI: ctrl+t starts and stops it; an incident starts one and its report links it."""

from __future__ import annotations

from console.config import simulated_config
from console.incident.report import render_report
from console.record.reader import read_recording
from console.session import Session
from screens.app import EdgeConsoleApp
from tests.util import wait_for


def live_app(sim, refresh: float = 0.3, raw: dict | None = None) -> EdgeConsoleApp:
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools=sim.tools(), refresh_seconds=refresh)
    if raw is not None:
        cfg.raw.update(raw)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))


async def test_ctrl_r_records_polls_alert_state_and_tail_then_stops(sim):
    app = live_app(sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app.last_result is not None, timeout=15, message="first poll")
        await pilot.press("ctrl+t")
        await wait_for(lambda: app.recording.recording, timeout=10, message="recording started")
        recorder = app.recording.recorder
        polls = app.poll_count
        await wait_for(
            lambda: app.poll_count >= polls + 3 and app.tail.store.received > 0,
            timeout=20,
            message="three polls and some tail events",
        )
        await pilot.press("ctrl+t")
        await wait_for(lambda: not recorder._thread.is_alive(), timeout=10, message="recording closed")
    recording = read_recording(recorder.path)
    kinds = [r["k"] for r in recording.records]
    assert kinds.count("poll") >= 3 and "alerts" in kinds and "tail" in kinds and kinds[-1] == "end"
    assert recording.header["environment"] == "production" and recording.header["simulated"] is True
    assert recorder.path.parent.name == "recordings"


async def test_incident_starts_a_recording_and_the_report_links_it(sim):
    app = live_app(sim)
    async with app.run_test(size=(100, 30)):
        await wait_for(
            lambda: app.last_result is not None and app._incident_response is not None, timeout=15, message="first poll"
        )
        manager = app.incident_response.manager
        incident = manager.start("P2", "drill: replay link")
        await wait_for(lambda: app.recording.recording, timeout=10, message="recording started by the incident")
        path = app.recording.recorder.path
        assert path.name.startswith(incident.id)
        await wait_for(lambda: "## Recording" in render_report(manager.current), timeout=10, message="report link")
        report = render_report(manager.current)
        assert str(path) in report and f"edge-console replay {path}" in report


async def test_auto_recording_can_be_switched_off(sim):
    app = live_app(sim, raw={"record": {"auto_on_incident": False}})
    async with app.run_test(size=(100, 30)):
        await wait_for(
            lambda: app.last_result is not None and app._incident_response is not None, timeout=15, message="first poll"
        )
        app.incident_response.manager.start("P3", "no recording wanted")
        polls = app.poll_count
        await wait_for(lambda: app.poll_count >= polls + 2, timeout=10, message="two more polls")
        assert not app.recording.recording


async def test_the_recordings_timeline_link_is_written_in_turn_on_the_incident_writer(sim):
    """The link is queued behind the incident writes before it (the start and the alert that prompted it come
    first on the timeline), and never written from the UI thread."""
    import threading

    app = live_app(sim)
    async with app.run_test(size=(100, 30)):
        await wait_for(
            lambda: app.last_result is not None and app._incident_response is not None, timeout=15, message="first poll"
        )
        response = app.incident_response
        manager = response.manager
        incident = manager.start("P2", "drill: link in turn")
        gate = threading.Event()
        blocked = response.writer.submit(gate.wait, 20)  # an incident write still in progress
        try:
            await wait_for(lambda: app.recording.recording, timeout=10, message="recording started by the incident")
            path = app.recording.recorder.path
            assert not any("Recording:" in e.text for e in manager.get(incident.id).entries)
        finally:
            gate.set()
        blocked.result(timeout=5)
        await wait_for(
            lambda: any(str(path) in e.text for e in manager.get(incident.id).entries),
            timeout=10,
            message="the link after the write before it",
        )
