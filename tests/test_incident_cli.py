"""``edge-console incident ...`` headless commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from console.cli import main
from console.incident.store import IncidentStore

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["incident", *argv])
    out, err = capsys.readouterr()
    return code, out, err


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
    code, out, err = run(capsys, "close", incident_id, "--root-cause", "bad deploy", "--resolution", "rollback",
                         "--action-item", "canary", "--action-item", "alert on 5xx")
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
    proc = subprocess.run([sys.executable, "-m", "console", "incident", "start", "--severity", "P2", "--title",
                           "from a second terminal"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    incident_id = proc.stdout.strip()
    assert IncidentStore(state_dir).load(incident_id).title == "from a second terminal"
