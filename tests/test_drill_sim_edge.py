"""The running console's simulated edge: switched live from the palette and a key, published in the state
dir, joined by headless commands with no configuration (and stale entries of a killed console skipped)."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

from console.app.events import ScenarioSwitched
from console.metrics.thresholds import State
from console.session import open_session
from console.sim import published
from screens.app import EdgeConsoleApp
from screens.scenario_switch import ScenarioPicker
from textual.command import CommandInput
from tests.util import metric_row, press_now, wait_for

ROOT = Path(__file__).resolve().parents[1]


def sim_app(scenario: str = "normal", refresh_seconds: float = 0.3) -> EdgeConsoleApp:
    session = open_session(scenario=scenario, defer_sim=True)  # as `edge-console` with no config starts it
    app = EdgeConsoleApp(session)
    app.refresh_seconds = refresh_seconds
    return app


def palette_hit(app, text: str) -> bool:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    if not lists:
        return False
    options = lists.first()
    first = options.get_option_at_index(0) if options.option_count else None
    return first is not None and text in str(first.prompt)


def p95_state(app) -> State | None:
    result = app.last_result
    metric = result.derived.metrics.get("p95_latency_ms") if result and result.derived else None
    return metric.state if metric is not None else None


def row_text(app, key: str) -> str:
    return str(metric_row(app, key).render())


async def test_palette_switches_the_scenario_to_latency_and_p95_turns_critical(state_dir):
    app = sim_app()
    switched: list[str] = []
    app.events.subscribe(ScenarioSwitched, lambda event: switched.append(event.name))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(lambda: p95_state(app) == State.NORMAL, timeout=20, message="p95 OK in normal")
            # keys go in as a terminal sends them (press_now), each followed by a wait for its effect: Pilot's
            # press waits for an idle app, which a console running the simulated edge in-process rarely is
            await press_now(pilot, "colon")
            # the palette searches as keys arrive: the query but its last letter goes in at once, the last
            # letter is a key
            field = await wait_for(lambda: app.screen.query(CommandInput) and app.screen.query_one(CommandInput))
            field.value = "scenario latenc"
            await press_now(pilot, "y")
            await wait_for(lambda: palette_hit(app, "Scenario: latency"), message="palette hit")
            await press_now(pilot, "enter")
            await wait_for(lambda: app.session.sim.state.scenario == "latency", timeout=10, message="switched")
            await wait_for(lambda: switched == ["latency"], message="the ScenarioSwitched event")
            await wait_for(lambda: p95_state(app) == State.CRITICAL, timeout=20, message="p95 critical")
            await wait_for(lambda: "CRIT" in row_text(app, "p95_latency_ms"), message="CRIT on the p95 row")
            entry = app.session.extras.get("published")
            assert entry is not None and json.loads(Path(entry).read_text())["scenario"] == "latency"
    finally:
        app.session.close()


async def test_headless_check_joins_the_running_consoles_simulated_edge(state_dir):
    # what this test reads comes from the simulated edge and its published entry, not the dashboard's polls:
    # the default 2 s (polls every 0.3 s were most of this process's CPU while `check` ran)
    app = sim_app(refresh_seconds=2.0)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(lambda: app.session.extras.get("published"), timeout=20, message="published")
            entry = Path(app.session.extras["published"])
            assert stat.S_IMODE(entry.stat().st_mode) == 0o600
            assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
            text = entry.read_text()
            assert app.session.sim.api_token not in text and app.session.sim.admin_token not in text
            # the key: a picker of scenarios, the current one marked
            await pilot.press("z")  # Pilot's press: the picker settles (its current scenario highlighted)
            await wait_for(lambda: isinstance(app.screen, ScenarioPicker), message="scenario picker")
            picker = app.screen.query_one("#scenario-options")
            picker.highlighted = list(published_names()).index("latency")
            await press_now(pilot, "enter")
            await wait_for(lambda: json.loads(entry.read_text())["scenario"] == "latency", message="republished")
            env = dict(os.environ)
            env.pop("EDGE_CONSOLE_CONFIG", None)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "console",
                "check",
                "--window",
                "1",
                "--json",
                cwd=str(ROOT),
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            report = json.loads(out)
            assert f"Joined the SIMULATED edge of the running console (pid {os.getpid()})" in err.decode(), err
            assert "scenario latency" in err.decode()
            assert report["target"].startswith(app.session.sim.base_url), report["target"]
            assert report["simulated"] is True and report["scenario"] == "latency"
            assert report["metrics"]["p95_latency_ms"]["state"] == "critical", report["metrics"]["p95_latency_ms"]
            assert proc.returncode == 2
    finally:
        app.session.close()
    assert not entry.exists() and not entry.with_suffix("").exists()  # removed on exit


def published_names():
    from console.sim.names import SCENARIO_NAMES

    return SCENARIO_NAMES


def test_a_stale_entry_of_a_killed_console_is_removed_and_not_joined(state_dir, capsys):
    from console.cli import main

    # a console that is gone: a pid that cannot be running (above the kernel's pid_max)
    path = published.publish("http://127.0.0.1:9", "ddos", "sim-api-x", "sim-admin-x", pid=4_194_999)
    assert path.exists()
    assert published.find_running() is None
    assert not path.exists() and not path.with_suffix("").exists()
    code = main(["incident", "start", "--severity", "P3", "--title", "no console running"])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("DRILL-") and "Joined" not in err
