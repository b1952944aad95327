"""Drill scripts: validation (file:line: key: what), the shipped ones load, and scoring in virtual time on
the real simulated edge: the runbook's DDoS mitigation scores full marks, a rollback during the DDoS is
flagged. The responder's actions are the real flows (FlowRunner) and the edge is read by the real poller."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from console.config import simulated_config
from console.drill.runner import DrillRunner
from console.drill.script import DrillScriptError, load_script, shipped_scripts
from console.incident.alerts import AlertEngine, AlertSettings
from console.runbook import FlowRunner, load_runbook
from console.runbook.values import PollerMetrics
from console.sources.poller import EdgePoller
from tests.virtual_time import VirtualClock as EdgeClock
from tests.virtual_time import sim_on_the_clock, skip_ahead_clock  # noqa: F401 - fixtures sim (on the clock), clock

RUNBOOK = load_runbook()
#: seconds the simulated edge lives between two polls: each poll is 10 s of drill time
POLL_S = 10.0

DDOS_DRILL = """\
name: DDoS at 09:00
duration: 10m
targets: {acknowledge: 2m, mitigate: 4m, recover: 6m}
timeline:
  - at: 0s
    scenario: ddos
    note: "09:00 DDoS"
"""


class VirtualClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class StateControl:
    """The simulated edge's control plane, in process (what the console's session does)."""

    def __init__(self, sim) -> None:
        self.sim = sim

    def set_scenario(self, name: str) -> None:
        self.sim.state.set_scenario(name)

    def set_faults(self, faults: dict) -> None:
        self.sim.state.set_faults(faults)


def write(tmp_path: Path, text: str, name: str = "drill.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: x\ntimeline: []\nduration: 5m\n", ":2: timeline: expected a non-empty list of events"),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: 1m\n    scenario: dos\n",
            ":5: timeline[0].scenario: unknown scenario 'dos'",
        ),
        (
            'name: x\nduration: 5m\ntimeline:\n  - at: 1m\n    fault: {metrics: "404"}\n',
            ":5: timeline[0].fault.metrics: unknown fault '404'",
        ),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: 1m\n    scenario: ddos\n    expect:\n      risky: [rollbak]\n",
            ":7: timeline[0].expect.risky[0]: unknown flow 'rollbak'",
        ),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: 3m\n    scenario: ddos\n  - at: 1m\n    scenario: normal\n",
            ":6: timeline[1].at: events must be in time order",
        ),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: 6m\n    scenario: ddos\n",
            ":4: timeline[0].at: is at or after the drill's end",
        ),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: soon\n    scenario: ddos\n",
            ":4: timeline[0].at: 'soon' is not a duration",
        ),
        ("name: x\nduration: 5m\nspeed: 2\ntimeline:\n  - at: 1m\n    scenario: ddos\n", ":3: speed: unknown key"),
        (
            "name: x\nduration: 5m\ntimeline:\n  - at: 1m\n    note: nothing\n",
            ":4: timeline[0]: an event needs a scenario, a fault or both",
        ),
    ],
)
def test_validation_errors_say_file_line_key_what(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(DrillScriptError) as caught:
        load_script(path)
    assert str(caught.value).startswith(str(path) + expected), str(caught.value)


def test_the_shipped_drills_load_and_name_real_flows():
    scripts = shipped_scripts()
    assert {p.stem for p in scripts} >= {"ddos-then-bad-deploy"}
    for path in scripts:
        script = load_script(path)
        assert script.timeline and script.duration > script.timeline[-1].at
        for item in script.timeline:
            if item.scenario and item.scenario != "normal":
                expect = script.expectation(item)
                assert expect.mitigation and all(n.split("/")[0] in RUNBOOK.flows for n in expect.mitigation)
    ddos = load_script(scripts[0])
    assert [i.scenario for i in ddos.timeline if i.scenario] == ["normal", "ddos", "error-spike"]
    assert {"metrics": "500"} in [i.fault for i in ddos.timeline]


async def play_ddos(sim, edge_clock: EdgeClock, tmp_path, respond) -> dict:
    """Play DDOS_DRILL in virtual time: each real poll of the simulated edge advances the drill 10 s.
    ``respond(runner, clock)`` is the responder's action (a real flow) once the alert was acknowledged.

    The simulated edge and the poller share ``edge_clock`` (real time plus skips, tests/virtual_time.py), and
    it skips the drill's 10 s between polls: the request rate is the increase over that window, as on a real
    edge polled every 10 s. (Polls 0.25 s of real time apart made the rate a quotient of two short spans
    timed by different threads: on a loaded machine a reading was off by half either way, the DDoS rate
    dipped under its critical threshold twice in a row, and the drill scored a recovery that never was.)"""
    config = simulated_config(sim.base_url, tool_env=sim.tool_env())  # tools from PATH (fake_tools)
    env = config.environment()
    script = load_script(write(tmp_path, DDOS_DRILL))
    clock = VirtualClock()
    runner = DrillRunner(script, StateControl(sim), clock)
    poller = EdgePoller(config, env, clock=edge_clock)
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    acted = False
    try:
        assert runner.tick() is False  # t=0: the DDoS starts
        assert sim.state.scenario == "ddos"
        while clock.t < 300:
            result = await poller.poll()
            runner.observe_poll(result)
            obs = engine.observe(result, 1_000_000 + clock.t)
            if not acted and any(a.key == "request_rate" for a in engine.active()):
                engine.acknowledge("request_rate")  # `a`
                runner.observe_ack("alert request_rate acknowledged")
                clock.t += 20
                edge_clock.advance(20)
                await respond(runner, config, env)
                acted = True
            if acted and runner.observer.phases[0].recovered is not None:
                break
            clock.t += POLL_S
            assert obs is not None
            edge_clock.advance(POLL_S)  # the console's poll cadence (rates need time between scrapes)
    finally:
        await poller.aclose()
    clock.t = script.duration
    assert runner.tick() is True
    return runner.finish(state_dir=tmp_path / "state")


async def run_flow(flow_id: str, runner: DrillRunner, config, env, inputs: dict | None = None) -> FlowRunner:
    metrics = PollerMetrics(config, env, min_interval=0.3)
    flow = FlowRunner(
        RUNBOOK.flows[flow_id], env, inputs or {}, config=config, get_metric=metrics, listeners=[runner.observe_audit]
    )
    try:
        await flow.run_all(confirm=lambda preview: preview.confirmation.expected)
    finally:
        await metrics.aclose()
    return flow


async def test_the_runbooks_ddos_mitigation_scores_full_marks(sim, clock, fake_tools, tmp_path, state_dir):
    async def under_attack(runner, config, env):
        await run_flow("under-attack-mode", runner, config, env)

    score = await play_ddos(sim, clock, tmp_path, under_attack)
    phase = score["phases"][0]
    assert sim.state.snapshot()["flags"]["under_attack"] is True
    assert phase["mitigation"] == "under-attack-mode/patch"
    assert phase["time_to_acknowledge_s"] is not None and phase["time_to_mitigation_s"] is not None
    assert phase["time_to_recovery_s"] is not None and phase["time_to_recovery_s"] >= phase["time_to_mitigation_s"]
    assert phase["points"] == {"acknowledge": 20, "mitigate": 40, "recover": 40}
    assert score["score"] == 100 and score["full_marks"] is True and score["wrong_actions"] == []
    path = Path(score["score_file"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["score"] == 100


async def test_a_rollback_during_the_ddos_is_flagged(sim, clock, fake_tools, tmp_path, state_dir):
    sim.state.gh_run_seconds = 0.2

    async def rollback(runner, config, env):
        await run_flow("rollback", runner, config, env, {"reason": "errors"})

    score = await play_ddos(sim, clock, tmp_path, rollback)
    phase = score["phases"][0]
    assert [(w["flow"], w["step"]) for w in score["wrong_actions"]] == [("rollback", "trigger")]
    assert "rollback during a DDoS" in score["wrong_actions"][0]["why"]
    assert phase["mitigation"] == "" and phase["points"]["mitigate"] == 0 and phase["points"]["recover"] == 0
    assert phase["penalty"] == 25 and score["score"] == 0 and score["full_marks"] is False
    assert sim.state.scenario == "ddos"  # a rollback does nothing against an attack
