"""Finding 6.4: ``runbook validate`` exits 2 on an invalid file like the other commands, and headless
commands whose reader goes away (``| head -1``) exit quietly: no BrokenPipeError traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.security.inputs_files_util import ROOT, cli


def test_runbook_validate_exits_2_on_an_invalid_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("flows:\n  - id: x\n    title: X\n    steps: nope\n")
    r = cli("runbook", "validate", str(bad))
    assert r.returncode == 2, r.stdout + r.stderr
    assert str(bad) in r.stderr and "Traceback" not in r.stderr


def _pipe_to_head(args: list[str]) -> tuple[int, str, str]:
    """``edge-console ARGS | head -1``: read one line, close the pipe, collect the exit and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return proc.wait(timeout=60), first.decode(), err.decode()


@pytest.fixture
def long_incident(state_dir) -> str:
    r = cli("incident", "start", "--severity", "P2", "--title", "pipe")
    incident_id = re.search(r"DRILL-\d{4}-\d{2}-\d{2}-\d{3}", r.stdout).group(0)  # no config: a drill
    from console.incident.manager import IncidentManager

    manager = IncidentManager(state_dir=state_dir)
    # far more than a pipe buffer (64 KiB) of timeline (~140 KiB shown): 36 long notes, not 150 short ones
    # (each note re-reads the incident: 150 cost this process 0.6 CPU-s)
    for n in range(36):
        manager.note(f"note {n} " + "x" * 3900, incident_id=incident_id)
    return incident_id


def test_incident_show_exits_quietly_on_a_closed_pipe(long_incident):
    code, first, err = _pipe_to_head(["incident", "show", long_incident])
    assert long_incident in first
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert code in (0, 141, -13), (code, err)
