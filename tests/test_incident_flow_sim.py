"""On the simulated edge with the real poller and the fake tools on PATH: an error spike raises the
error-rate alert, a P1 is started from it with one key, and a real runbook flow (enable the circuit
breaker: a metrics check, ``wrangler secret put`` after the production confirmation, a verify step)
runs in the flow modal. Each step lands on the timeline with its outcome, the flow modal keeps the
incident and the alert in view, and the report contains every entry.

Time: the flow, the poller and the simulated edge share a skip-ahead clock (``tests/virtual_time.py``): an engine
wait (the verify interval) is skipped at once, the simulated edge lives through it, and the dashboard polls again
before the next sample is read (as it would during a real wait); the poller's rate window is on the same clock, so
the rates after a skip are what the edge's counters moved by."""

from __future__ import annotations

import re

from console.config import simulated_config
from console.incident.report import md_text
from console.metrics.thresholds import State
from console.session import Session
from console.sources.poller import EdgePoller
from screens.app import EdgeConsoleApp
from screens.flow_modal import FlowModal
from screens.incident_report import IncidentReportScreen
from screens.incident_start import IncidentStartScreen
from tests.test_flow_ui_modal import close_flow_modals
from tests.util import click_now, press_now, wait_for
from widgets.alert_banner import AlertBanner
from widgets.incident_strip import IncidentStrip
from tests.util import refresh_model
from tests.virtual_time import VirtualClock, sim_on_the_clock, skip_ahead_clock  # noqa: F401 - fixtures clock, sim


def run_flows_on(app: EdgeConsoleApp, clock: VirtualClock) -> None:
    """The app's flows read ``clock`` and wait on it: each engine wait is skipped at once, then waits (real time)
    for a poll that started after the skip, so the next sample is what the dashboard shows after the wait."""

    async def sleep(seconds: float) -> None:
        polls = app.poll_count
        await clock.sleep(seconds)
        await wait_for(lambda: app.poll_count >= polls + 2, timeout=10, message="a poll after the skipped wait")

    app.flow_clock, app.flow_sleep = clock, sleep


async def test_p1_from_an_alert_runs_a_flow_whose_steps_land_on_the_timeline_and_report(
    sim, fake_tools, state_dir, clock
):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), refresh_seconds=0.3)  # tools from PATH
    cfg.raw["alerts"] = {"hold_scrapes": 2, "clear_scrapes": 2}
    refresh_model(cfg)
    env = cfg.environment()
    app = EdgeConsoleApp(Session(config=cfg, env=env, read_only=False), poller=EdgePoller(cfg, env, clock=clock))
    run_flows_on(app, clock)
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(
            lambda: hasattr(app, "incident_response") and app.screen.query(AlertBanner) and app.last_result is not None,
            timeout=20,
            message="app polling the simulated edge",
        )
        response = app.incident_response
        sim.state.set_scenario("error-spike")
        # The scenario's steady error rate (~4%) is above the critical 1%, but the first alert may be raised at
        # WARNING while the rate window still holds normal traffic, and escalate a scrape later: wait for the
        # level the model guarantees, then check what the runbook suggests for it.
        await wait_for(
            lambda: any(a.key == "error_rate" and a.level == State.CRITICAL for a in response.engine.active()),
            timeout=30,
            message="error rate alert at CRITICAL",
        )
        alert = next(a for a in response.engine.active() if a.key == "error_rate")
        assert alert.severity == "P1"
        # i starts the incident, prefilled from the unacknowledged alert (the error rate: P1)
        while response.engine.unacknowledged() and response.engine.unacknowledged()[0].key != "error_rate":
            response.acknowledge_alert()
        # keys and the click go in as a terminal sends them (press_now, click_now), each followed by a wait for
        # its effect: Pilot's press and click wait for an idle app, which a console polling the simulated edge
        # every 0.3 s rarely is
        await press_now(pilot, "i")
        await wait_for(
            lambda: isinstance(app.screen, IncidentStartScreen) and app.screen.query("#incident-title"),
            message="start modal",
        )
        assert app.screen.severity == "P1"
        await click_now(pilot, "#incident-start-ok")
        await wait_for(lambda: response.manager.current is not None, message="incident started")
        await wait_for(lambda: not isinstance(app.screen, IncidentStartScreen), message="start modal closed")
        incident_id = response.manager.current_id
        assert response.manager.current.severity == "P1"

        app.open_flow("enable-circuit-breaker")
        # the worker is an input (the configured roles; the default role is vau-processor)
        await wait_for(
            lambda: (
                isinstance(app.screen, FlowModal) and app.screen.phase == "form" and app.screen.query("#flow-continue")
            ),
            message="flow form",
        )
        await pilot.pause()
        app.screen.query_one("#flow-continue").focus()  # the worker field is a select: enter opens it
        await press_now(pilot, "enter")
        await wait_for(
            lambda: isinstance(app.screen, FlowModal) and app.screen.phase == "run" and app.screen.query(IncidentStrip),
            message=f"flow modal (phase {getattr(app.screen, 'phase', None)!r}, "
            f"{getattr(app.screen, 'problem', None)!r})",
        )
        modal = app.screen
        strip = modal.query_one(IncidentStrip)
        await wait_for(
            lambda: incident_id in str(strip.render()) and "Error rate" in str(strip.render()),
            message="incident and alert in the flow modal",
        )
        await wait_for(lambda: "ack due in" in str(strip.render()), message="response clock in the flow modal")

        def flow_entries():
            return [e for e in response.manager.current.entries if e.kind == "flow"]

        def settled(index: int) -> bool:
            return not modal.busy and modal.runner.steps[index].state.value not in ("pending", "running")

        await press_now(pilot, "enter")  # 1. the worker exists (a check)
        await wait_for(lambda: settled(0), timeout=20, message="step 1")
        await press_now(pilot, "enter")  # 2. before: the error rate now (a check)
        await wait_for(lambda: settled(1), timeout=20, message="step 2")
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="confirmation for production")
        # 3. wrangler secret put, confirmed by the environment name (put in the box at once: each typed key
        # would wait for a busy app to go idle, seconds per key on a loaded machine)
        modal.query_one("#flow-confirm").value = "production"
        await press_now(pilot, "enter")
        await wait_for(lambda: settled(2), timeout=30, message="step 3")
        await press_now(pilot, "enter")  # 4. verify: the error rate falls below 1%
        await wait_for(lambda: settled(3), timeout=100, message="step 4")
        await press_now(pilot, "enter")  # finish
        await wait_for(lambda: modal.phase == "summary", timeout=10, message="summary")
        await wait_for(lambda: len(flow_entries()) == 5, timeout=10, message="four steps and the end on the timeline")

        states = [run.state.value for run in modal.runner.steps]
        assert states == ["passed", "passed", "passed", "passed"], [
            (run.state.value, run.result and run.result.message) for run in modal.runner.steps
        ]
        # the flow ran on the test's clock (the app's flow_clock reached the engine through the FlowContext):
        # every wait it made was a verify interval, skipped on that clock
        assert modal.runner.clock is clock and modal.runner.sleep is app.flow_sleep
        assert all(seconds == 2.0 for seconds in clock.sleeps), clock.sleeps
        assert fake_tools.argvs("wrangler") == [
            ["deployments", "status", "--name", "vau-processor-production", "--json"],
            ["secret", "put", "CIRCUIT_BREAKER_ENABLED", "--name", "vau-processor-production"],
        ]
        assert sim.state.snapshot()["flags"]["circuit_breaker"] is True

        exists, before, put, verify, end = flow_entries()
        assert exists.text == (
            "Flow enable-circuit-breaker step worker-exists (vau-processor-production exists "
            "(wrangler deployments status)): passed (exit 0) [production, SIMULATED]"
        )
        # the metrics check names what is CRIT, with its value (the spike that raised the alert)
        assert re.fullmatch(
            r"Flow enable-circuit-breaker step before \(Error rate now\): passed: 1 CRIT: error rate \d+\.\d+ %"
            r" \[production, SIMULATED\]",
            before.text,
        ), before.text
        assert put.text == (
            "Flow enable-circuit-breaker step put-secret (wrangler secret put CIRCUIT_BREAKER_ENABLED"
            " --name vau-processor-production (true on stdin)): passed (exit 0) [production, SIMULATED]"
        )
        assert put.data["step"] == "put-secret" and put.data["status"] == "passed" and put.data["mutating"] is True
        # what the verify step saw, with units (the evidence of the mitigation)
        assert verify.text.startswith(
            "Flow enable-circuit-breaker step verify (Error rate below 1%): passed: error rate < 1 % holds (is "
        ) and re.search(r" \d+\.\d{3} %\) after \d+s \[production, SIMULATED\]$", verify.text), verify.text
        assert end.text == (
            "Flow enable-circuit-breaker (Enable circuit breaker) ended: done; "
            "ran: worker-exists, before, put-secret, verify [production, SIMULATED]"
        )
        assert [e.data["flow"] for e in (exists, before, put, verify, end)] == ["enable-circuit-breaker"] * 5
        # in order on the timeline, after the start and the alert that prompted it
        entries = response.manager.current.entries
        kinds = [e.kind for e in entries]
        assert kinds[0] == "start" and kinds[1] == "alert" and entries[1].data["metric"] == "error_rate", kinds
        assert [e.seq for e in flow_entries()] == sorted(e.seq for e in flow_entries())

        await close_flow_modals(app, pilot)
        # the draft report (open incident) shows every flow entry
        response.show_report()
        await wait_for(lambda: isinstance(app.screen, IncidentReportScreen), message="draft report")
        draft = app.screen.markdown
        for entry in (exists, before, put, verify, end):
            assert md_text(entry.text) in draft, entry.text  # as Markdown text
        # Pilot's press for the test's last key: it returns once the app is done with it (a key sent with press_now
        # could still be on its way back up to the app when the test ends and the app exits)
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, IncidentReportScreen), message="report closed")

        # close and write the final report: every timeline entry, the flow steps among them
        response.manager.close("bad deploy", "circuit breaker, then rollback", ["canary deploys"])
        path, report = response.manager.write_report()
        closed = response.manager.get(incident_id)
        assert path.read_text() == report
        for entry in closed.entries:
            if entry.kind != "report":
                assert md_text(entry.text) in report, entry.text
        assert "Draft" not in report and "- [ ] canary deploys" in report
