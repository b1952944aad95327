"""A console process is killed (SIGKILL) mid-incident; a new console offers to resume it and
shows every entry the dead one had put on screen."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from console.config import simulated_config
from console.incident.store import IncidentStore
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.incident_prompt import ResumeScreen
from screens.incident_timeline import IncidentTimelineScreen
from tests.fakes import StaticPoller
from tests.util import wait_for, wait_for_sync
from widgets.incident_timeline import IncidentTimeline

ROOT = Path(__file__).resolve().parents[1]

CONSOLE = textwrap.dedent("""
    import json, sys
    from console.config import simulated_config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from tests.fakes import StaticPoller

    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.2)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller())

    def begin():
        response = app.incident_response
        incident = response.manager.start("P1", "Killed mid-incident", "half the VAU submissions fail")
        response.manager.mark_phase("acknowledged")
        count = [0]

        def tick():
            count[0] += 1
            entry = response.manager.note(f"war-room note {count[0]}")
            # what the operator has seen: printed only after the entry is on disk
            print(json.dumps({"id": incident.id, "seq": entry.seq, "text": entry.text}), flush=True)

        app.set_interval(0.02, tick)

    app.call_later(lambda: app.call_after_refresh(begin))
    app.run(headless=True, size=(100, 30))
    """)


async def test_sigkill_mid_incident_then_resume_in_a_new_console(state_dir):
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSOLE],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    shown: list[dict] = []
    try:

        def enough() -> bool:
            line = proc.stdout.readline()
            if line.strip():
                shown.append(json.loads(line))
            elif proc.poll() is not None:
                raise AssertionError(f"console exited: {proc.stderr.read()[-2000:]}")
            return len(shown) >= 40

        wait_for_sync(enough, timeout=60, message="the console writing notes")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    incident_id = shown[0]["id"]
    on_disk = IncidentStore(state_dir).load(incident_id)
    by_seq = {e.seq: e.text for e in on_disk.entries}
    assert all(by_seq.get(s["seq"]) == s["text"] for s in shown)  # everything shown is intact

    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.2)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller())
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(
            lambda: isinstance(app.screen, ResumeScreen) and app.screen.query("#resume-list"), message="resume offer"
        )
        assert incident_id in str(app.screen.query_one("#resume-list").get_option_at_index(0).prompt)
        await pilot.press("y")
        await wait_for(lambda: app.incident_response.manager.current_id == incident_id, message="resumed")
        current = app.incident_response.manager.current
        assert current.title == "Killed mid-incident" and current.phase == "acknowledged" and current.is_open
        await pilot.press("i")
        await wait_for(
            lambda: isinstance(app.screen, IncidentTimelineScreen) and app.screen.query(IncidentTimeline),
            message="timeline",
        )
        timeline = app.screen.query_one(IncidentTimeline)
        manager = app.incident_response.manager
        await wait_for(
            lambda: timeline.row_count == len(manager.current.entries) >= len(shown),
            message="a row for every entry on disk",
        )
        texts = timeline.texts()
        for item in shown:
            assert item["text"] in texts
        notes = [t for t in texts if t.startswith("war-room note")]
        assert notes == [f"war-room note {i}" for i in range(1, len(notes) + 1)]  # in order, none missing
        await pilot.press("n")
        await pilot.press(*"resumed")
        await pilot.press("enter")
        await wait_for(lambda: "resumed" in timeline.texts(), message="new note after resume")
    assert IncidentStore(state_dir).load(incident_id).entries[-1].text == "resumed"
