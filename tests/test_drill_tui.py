"""``edge-console drill`` in the TUI, accelerated: the script's scenario switch and faults reach the
console's simulated edge on time, the score is shown at the end and written as JSON."""

from __future__ import annotations

import json
import stat

from console.drill.script import load_script
from console.session import open_session
from screens.app import EdgeConsoleApp
from screens.drill_app import DrillController, DrillScoreScreen
from tests.util import wait_for
from screens.textual_compat import notifications

SCRIPT = """\
name: Quick DDoS
duration: 60s
timeline:
  - at: 0s
    scenario: normal
  - at: 10s
    scenario: ddos
    note: "09:00 DDoS"
  - at: 20s
    fault: {metrics: "500"}
  - at: 40s
    fault: {metrics: none}
"""


class DrillTime:
    """The controller's monotonic clock, moved by the test: ``at(s)`` puts the drill ``s`` seconds in
    (at speed 15). The controller still ticks on its real timer; only what is due is the test's choice,
    so a loaded machine cannot skip the 20 s window of the metrics fault. The test moves to half a second
    past each event (s / 15 * 15 may round to just below s)."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def at(self, drill_seconds: float) -> None:
        self.now = 1000.0 + drill_seconds / self.speed


async def test_drill_plays_the_timeline_and_shows_and_writes_the_score(state_dir, tmp_path):
    path = tmp_path / "quick.yaml"
    path.write_text(SCRIPT)
    script = load_script(path)
    session = open_session(scenario="normal", defer_sim=True)
    app = EdgeConsoleApp(session)
    app.refresh_seconds = 0.3
    out = tmp_path / "scores" / "quick.json"
    drill_time = DrillTime(speed=15)
    controller = DrillController(app, script, speed=15, score_out=out, monotonic=drill_time)
    app.after_first_frame(controller.start)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(lambda: controller.runner is not None, timeout=15, message="the drill started")
            drill_time.at(10.5)
            await wait_for(
                lambda: session.sim is not None and session.sim.state.scenario == "ddos",
                timeout=15,
                message="the DDoS at 10 s",
            )
            assert "SIMULATED DRILL: Quick DDoS" in app.sub_title
            await pilot.press("z")  # the script drives the scenario: no switching during a drill
            await wait_for(
                lambda: any("not during a drill" in str(n.message) for n in notifications(app)),
                message="switch refused",
            )
            drill_time.at(20.5)
            await wait_for(lambda: session.sim.state.faults["metrics"] == "500", timeout=10, message="fault at 20 s")
            await wait_for(
                lambda: app.last_result is not None and app.last_result.metrics.state in ("stale", "down"),
                timeout=10,
                message="the metrics source down on the dashboard",
            )
            drill_time.at(40.5)
            await wait_for(lambda: len(controller.runner.applied) == 4, timeout=10, message="the fault lifted at 40 s")
            drill_time.at(60.5)
            await wait_for(
                lambda: isinstance(app.screen, DrillScoreScreen) and app.screen.query("#drill-score-body"),
                timeout=20,
                message="the score",
            )
            body = str(app.screen.query_one("#drill-score-body").render())
            assert "SIMULATED DRILL Quick DDoS: 0/100" in body and "ddos at 10s: 0/100" in body
            assert "the runbook prescribes: under-attack-mode" in body
            await pilot.press("enter")
            await wait_for(lambda: not isinstance(app.screen, DrillScoreScreen), message="score closed")
    finally:
        session.close()
    result = json.loads(out.read_text())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert result["score"] == 0 and result["phases"][0]["scenario"] == "ddos"
    assert result["phases"][0]["time_to_acknowledge_s"] is None and result["speed"] == 15
    assert controller.runner.applied[-1][1].fault == {"metrics": "none"}


def test_edge_console_drill_runs_in_a_terminal_and_prints_and_writes_the_score(state_dir, tmp_path):
    """The real command on a pseudo-terminal: `edge-console drill FILE --speed 120 --score-out F`."""
    from tests.security.inject_util import PtyProcess, console_env

    path = tmp_path / "quick.yaml"
    path.write_text(SCRIPT)
    out = tmp_path / "score.json"
    env = console_env(state_dir)
    env.pop("EDGE_CONSOLE_CONFIG", None)
    app = PtyProcess(["drill", str(path), "--speed", "120", "--score-out", str(out)], env)
    try:
        assert app.wait_for(lambda data: b"Drill over" in data, timeout=60), bytes(app.output)[-2000:]
        published = list((state_dir / "simulator").glob("console-*.json"))
        assert len(published) == 1  # headless commands could join this drill's edge
        app.send(b"\r")  # the score closes: back on the dashboard (its footer), which takes q
        assert app.wait_screen(lambda text: "r Respond" in text.rsplit("\n", 1)[-1], timeout=30), app.screen_text()
        start = len(app.output)
        app.send(b"q")
        app.wait_for(lambda data: b"Quit Edge Console?" in data[start:] or app.proc.poll() is not None, timeout=30)
        if app.proc.poll() is None:
            app.send(b"y")  # q asks first while a CRIT alert is active
        code = app.finish(timeout=30)
    finally:
        app.close()
    assert code == 0, bytes(app.output)[-2000:]
    text = bytes(app.output).decode("utf-8", "replace")
    assert "SIMULATED DRILL Quick DDoS: 0/100" in text and f"score: {out}" in text
    assert json.loads(out.read_text())["phases"][0]["scenario"] == "ddos"
    assert not list((state_dir / "simulator").glob("console-*"))  # unpublished on exit
