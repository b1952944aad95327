"""Drills are kept apart from real incidents: DRILL-YYYY-MM-DD-NNN in their own directory (the headless
``incident start`` with no configuration makes one), ``incident list`` shows them only with ``--drills``,
``show``/``report``, the TUI's bar/strip/timeline and the audit trail say SIMULATED; a real incident says
none of it."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from console.cli import main
from console.config import simulated_config
from console.incident.manager import IncidentManager
from console.runbook import AuditLog, FlowRunner, load_runbook
from console.runbook.audit import format_record
from widgets.incident_bar import bar_text
from widgets.incident_strip import strip_text

ROOT = Path(__file__).resolve().parents[1]
REAL_CONFIG = ROOT / "examples" / "config.yaml"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def start_real_and_drill(capsys, monkeypatch) -> tuple[str, str]:
    code, out, err = cli(capsys, "incident", "start", "--severity", "P2", "--title", "Game day")
    assert code == 0, err
    drill = out.strip()
    assert "SIMULATED DRILL" in err and "--drills" in err
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(REAL_CONFIG))
    code, out, err = cli(capsys, "incident", "start", "--severity", "P1", "--title", "Real outage")
    assert code == 0, err
    monkeypatch.delenv("EDGE_CONSOLE_CONFIG")
    return out.strip(), drill


def test_no_config_start_is_a_drill_in_its_own_directory_and_list_keeps_them_apart(capsys, monkeypatch, state_dir):
    real, drill = start_real_and_drill(capsys, monkeypatch)
    assert re.fullmatch(r"DRILL-\d{4}-\d{2}-\d{2}-001", drill) and re.fullmatch(r"INC-\d{4}-\d{2}-\d{2}-001", real)
    assert (state_dir / "incidents" / "drills" / f"{drill}.jsonl").is_file()
    assert (state_dir / "incidents" / f"{real}.jsonl").is_file()
    assert not list((state_dir / "incidents").glob("DRILL-*"))  # never beside the real ones

    code, out, _ = cli(capsys, "incident", "list")
    assert code == 0 and real in out and drill not in out and "DRILL" not in out.split("(")[0]
    assert "(1 drill(s) not shown: `incident list --drills`)" in out
    code, out, _ = cli(capsys, "incident", "list", "--drills")
    assert code == 0 and drill in out and real not in out
    assert out.startswith("SIMULATED DRILLS") and "[DRILL] Game day" in out


def test_show_and_report_say_simulated_drill_for_a_drill_only(capsys, monkeypatch, state_dir):
    real, drill = start_real_and_drill(capsys, monkeypatch)
    code, out, _ = cli(capsys, "incident", "show", drill)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{drill}  [SIMULATED DRILL] Game day"
    assert "timeline (UTC, SIMULATED DRILL):" in lines
    assert "SIMULATED DRILL started on the simulated edge" in out
    code, out, _ = cli(capsys, "incident", "show", real)
    assert code == 0 and "SIMULATED" not in out and "DRILL" not in out

    code, out, _ = cli(capsys, "incident", "report", drill, "--out", "-")
    assert code == 0 and out.startswith("# SIMULATED DRILL: Incident Report: Game day")
    code, out, _ = cli(capsys, "incident", "report", real, "--out", "-")
    assert code == 0 and out.startswith("# Incident Report: Real outage") and "SIMULATED" not in out
    code, out, _ = cli(capsys, "incident", "report", drill)
    assert Path(out.strip()) == state_dir / "incidents" / "drills" / f"{drill}.md"


def test_tui_bar_strip_and_timeline_header_name_a_drill(state_dir):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    drill = IncidentManager(state_dir=state_dir, drill=True).start("P1", "Game day")
    real = IncidentManager(state_dir=state_dir).start("P1", "Real outage")
    assert "SIMULATED DRILL" in bar_text(drill, now).plain and drill.id in bar_text(drill, now).plain
    assert "DRILL" not in bar_text(real, now).plain and "SIMULATED" not in bar_text(real, now).plain
    assert " DRILL " in strip_text(drill, [], now).plain and "DRILL" not in strip_text(real, [], now).plain
    # a manager on the simulated edge offers drills only, one on a real edge real incidents only
    assert [i.id for i in IncidentManager(state_dir=state_dir, drill=True).open_incidents()] == [drill.id]
    assert [i.id for i in IncidentManager(state_dir=state_dir).open_incidents()] == [real.id]


async def test_audit_records_of_the_simulated_edge_carry_simulated_true(sim, state_dir, capsys):
    config = simulated_config(sim.base_url, tool_env=sim.tool_env())
    sim_env = config.environment()
    real_env = dataclasses.replace(sim_env, simulated=False)  # the same edge, configured as a real one
    flow = load_runbook().flows["cloudflare-status"]
    for env in (sim_env, real_env):
        runner = FlowRunner(flow, env, {}, config=config)
        await runner.run_all(confirm=lambda preview: preview.confirmation.expected)
    records = list(AuditLog().read())
    assert len(records) >= 4
    simulated = [r for r in records if r.get("simulated") is True]
    real = [r for r in records if "simulated" not in r]
    assert simulated and real and len(simulated) + len(real) == len(records)
    assert {r["run_id"] for r in simulated}.isdisjoint({r["run_id"] for r in real})
    assert all("production (SIMULATED)" in format_record(r) for r in simulated)
    assert not any("SIMULATED" in format_record(r) for r in real)
    code, out, _ = cli(capsys, "audit", "--json")
    assert code == 0
    printed = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert sum(1 for r in printed if r.get("simulated") is True) == len(simulated)


def test_a_console_restart_during_an_incident_is_a_timeline_entry(state_dir):
    clock_times = iter(
        [datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc), datetime(2026, 3, 14, 9, 7, 5, tzinfo=timezone.utc)]
    )
    current = {"t": next(clock_times)}
    m = IncidentManager(state_dir=state_dir, clock=lambda: current["t"], drill=True)
    incident = m.start("P1", "Game day")
    current["t"] = next(clock_times)
    later = IncidentManager(state_dir=state_dir, clock=lambda: current["t"], drill=True)  # the new console
    later.resume(incident.id)
    entry = later.record_console_start(incident.id, pid=4242)
    assert entry.kind == "console" and entry.data == {"event": "restart", "pid": 4242, "gap_seconds": 425}
    assert entry.text == "Console restarted and resumed the incident (last entry 2026-03-14T09:00:00Z, 7m 05s before)"
    from console.incident.report import render_report

    assert "- 09:07:05 - Console restarted and resumed the incident" in render_report(later.current)


@pytest.fixture(autouse=True)
def _no_config(monkeypatch):
    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
