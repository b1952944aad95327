"""``edge-console incident ...`` headless commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.incident.store import IncidentStore

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["incident", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _real_edge(monkeypatch, tmp_path_factory):
    """These tests are about real incidents (INC-...): a configured edge. With no configuration the
    headless ``incident start`` creates a drill (tests/test_drill_incidents.py). The example config without
    its PagerDuty/Slack/Grafana sections: with their secrets unset each command would record that it could
    not notify them (tests/test_integrations.py covers that)."""
    import re

    text = (ROOT / "examples" / "config.yaml").read_text()
    text = re.sub(r"^(pagerduty|slack|grafana):\n(  .*\n)+", "", text, flags=re.M)
    config = tmp_path_factory.mktemp("config") / "config.yaml"
    config.write_text(text)
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(config))


def test_headless_incident_lifecycle(capsys, state_dir, tmp_path):
    code, out, err = run(capsys, "start", "--severity", "P1", "--title", "Error spike", "--impact", "2% failures")
    assert code == 0, err
    incident_id = out.strip()
    assert incident_id.startswith("INC-") and len(incident_id) == len("INC-2026-01-01-001")
    assert run(capsys, "note", incident_id, "checking", "deploys")[0] == 0
    code, out, _ = run(capsys, "phase", incident_id, "acknowledged")
    assert code == 0 and "Engineer acknowledged" in out
    code, out, _ = run(capsys, "list")
    assert code == 0 and incident_id in out and "P1" in out and "open" in out and "Error spike" in out
    code, out, _ = run(capsys, "show", incident_id)
    assert code == 0
    assert "checking deploys" in out and "P1 - Major - Degraded Service (respond within 30 min)" in out
    assert "response clock: met" in out
    code, out, err = run(
        capsys,
        "close",
        incident_id,
        "--root-cause",
        "bad deploy",
        "--resolution",
        "rollback",
        "--action-item",
        "canary",
        "--action-item",
        "alert on 5xx",
    )
    assert code == 0, err
    assert "closed" in out and "Create incident report (within 24h)" in out
    target = tmp_path / "out" / "report.md"
    code, out, _ = run(capsys, "report", incident_id, "--out", str(target))
    assert code == 0 and out.strip() == str(target)
    text = target.read_text()
    assert text.startswith("# Incident Report: Error spike\n")
    assert f"**Incident ID**: {incident_id}" in text and "- [ ] canary" in text and "- [ ] alert on 5xx" in text
    assert "Note: checking deploys" in text
    code, out, _ = run(capsys, "report", incident_id)
    assert code == 0 and Path(out.strip()) == state_dir / "incidents" / f"{incident_id}.md"
    code, out, _ = run(capsys, "show", incident_id)
    assert "post-incident review:" in out and "[x] Create incident report (within 24h)" in out
    assert "[ ] Schedule blameless postmortem (within 48h)" in out
    code, out, _ = run(capsys, "report", incident_id, "--out", "-")
    assert out == text


def test_bad_input_is_one_line_with_exit_2(capsys, state_dir):
    code, out, err = run(capsys, "start", "--severity", "P5", "--title", "x")
    assert code == 2 and err == "edge-console incident: severity: 'P5' is not one of P0, P1, P2, P3\n"
    code, _, err = run(capsys, "note", "INC-2026-01-01-001", "hello")
    assert code == 2 and "no incident INC-2026-01-01-001" in err and "Traceback" not in err
    code, out, _ = run(capsys, "start", "--severity", "p2", "--title", "y")
    incident_id = out.strip()
    code, _, err = run(capsys, "phase", incident_id, "done")
    assert code == 2 and "phase: 'done' is not one of acknowledged, root-cause-identified" in err
    code, _, err = run(capsys, "close", incident_id, "--root-cause", " ", "--resolution", "r")
    assert code == 2 and "root cause: must not be empty" in err


def test_list_shows_overdue_response_clock(capsys, state_dir):
    from datetime import datetime, timedelta, timezone

    from console.incident.manager import IncidentManager

    started = datetime.now(timezone.utc) - timedelta(minutes=40)
    m = IncidentManager(state_dir=state_dir, clock=lambda: started.replace(microsecond=0), user="op")
    inc = m.start("P0", "Outage")
    code, out, _ = run(capsys, "list")
    assert code == 0 and f"{inc.id}  P0  open" in out
    assert "OVERDUE: not acknowledged, response time 15 min exceeded by 25m" in out


def test_a_truncated_record_is_reported_by_show(capsys, state_dir):
    code, out, _ = run(capsys, "start", "--severity", "P3", "--title", "z")
    incident_id = out.strip()
    run(capsys, "note", incident_id, "kept")
    path = IncidentStore(state_dir).path(incident_id)
    with open(path, "a") as fh:
        fh.write('{"incident": "' + incident_id + '", "seq": 3, "ts": "2026-')
    code, out, err = run(capsys, "show", incident_id)
    assert code == 0 and "kept" in out
    assert f"warning: {path}:3: truncated last line skipped" in err


def test_the_installed_command_runs_headless(state_dir):
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "console", "incident", "start", "--severity", "P2", "--title", "from a second terminal"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    incident_id = proc.stdout.strip()
    assert IncidentStore(state_dir).load(incident_id).title == "from a second terminal"


def test_list_shows_an_overdue_review_item_of_a_closed_incident(capsys, state_dir):
    from datetime import datetime, timedelta, timezone

    from console.incident.manager import IncidentManager

    then = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=25)
    m = IncidentManager(state_dir=state_dir, clock=lambda: then, user="op")
    inc = m.start("P1", "Checkout errors")
    m.mark_phase("acknowledged")
    m.close("bad deploy", "rolled back", ["add a canary"])  # closed 25 h ago: the 24 h report is late
    code, out, err = run(capsys, "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{inc.id}  P1  closed") and lines[0].endswith("Checkout errors")
    due = then + timedelta(hours=24)
    assert f"    OVERDUE: Create incident report (within 24h): due {due:%Y-%m-%d %H:%M} UTC" in lines
    # the postmortem (48 h) is due, not overdue; action items were given when closing
    assert (
        f"    due {then + timedelta(hours=48):%Y-%m-%d %H:%M} UTC: Schedule blameless postmortem (within 48h)" in lines
    )
    assert not any("Create action items" in line for line in lines)
    assert lines[-1] == "1 overdue item(s)"
    # writing the (final) report clears it
    assert run(capsys, "report", inc.id)[0] == 0
    code, out, _ = run(capsys, "list")
    assert "OVERDUE" not in out and "overdue item(s)" not in out


def test_report_of_an_open_incident_is_a_draft_and_does_not_tick_the_review_item(capsys, state_dir, tmp_path):
    code, out, _ = run(capsys, "start", "--severity", "P1", "--title", "Still burning")
    incident_id = out.strip()
    target = tmp_path / "draft.md"
    code, out, err = run(capsys, "report", incident_id, "--out", str(target))
    assert code == 0 and out.strip() == str(target)
    assert err == f"note: {incident_id} is open: this report is a draft (close it for the final report)\n"
    text = target.read_text()
    assert text.startswith("# Incident Report: Still burning\n\n*Draft: the incident is still open")
    code, out, err = run(capsys, "report", incident_id, "--out", "-")
    assert "*Draft: the incident is still open" in out and "is open: this report is a draft" in err
    incident = IncidentStore(state_dir).load(incident_id)
    assert incident.entries[-1].kind == "report" and incident.entries[-1].data["draft"] is True
    assert incident.entries[-1].text == f"Draft report written to {target} (incident open)"
    assert "report" not in incident.review_done
    run(capsys, "close", incident_id, "--root-cause", "rc", "--resolution", "fix")
    code, out, _ = run(capsys, "show", incident_id)
    assert "[ ] Create incident report (within 24h)" in out  # the draft did not count
    code, out, err = run(capsys, "report", incident_id)
    assert code == 0 and err == ""
    final = Path(out.strip()).read_text()
    assert "Draft" not in final and "## Root Cause\n\nrc\n" in final
    code, out, _ = run(capsys, "show", incident_id)
    assert "[x] Create incident report (within 24h)" in out
