"""A drill observes an incident started in the console: the incident is written on the incident writer
thread, and the drill's runner sees it on the UI thread, like the polls and audit records it observes."""

from __future__ import annotations

import threading

from console.drill.script import load_script
from console.session import open_session
from screens.app import EdgeConsoleApp
from screens.drill_app import DrillController
from tests.util import wait_for

SCRIPT = """\
name: Ack drill
duration: 600s
timeline:
  - at: 0s
    scenario: ddos
"""


async def test_an_incident_started_during_a_drill_is_observed_on_the_ui_thread(state_dir, tmp_path):
    path = tmp_path / "ack.yaml"
    path.write_text(SCRIPT)
    session = open_session(scenario="normal", defer_sim=True)
    app = EdgeConsoleApp(session)
    controller = DrillController(app, load_script(path), speed=1, score_out=tmp_path / "score.json")
    app.after_first_frame(controller.start)
    seen: list[tuple[str, int]] = []
    try:
        async with app.run_test(size=(100, 30)):
            await wait_for(lambda: controller.runner is not None, timeout=15, message="the drill started")
            ui_thread = threading.get_ident()
            runner = controller.runner
            observe = runner.observe_ack
            runner.observe_ack = lambda how: (seen.append((how, threading.get_ident())), observe(how))[-1]
            response = app.incident_response
            incident = await response.call(response.manager.start, "P1", "DDoS drill")
            await wait_for(lambda: seen, timeout=10, message="the drill saw the incident")
            assert seen == [(f"incident {incident.id} started", ui_thread)]
            assert runner.observer.score()["phases"][0]["time_to_acknowledge_s"] is not None
    finally:
        session.close()
