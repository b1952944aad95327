"""Finding 5.4: C1 controls, bidi/format characters and DEL are refused in flow inputs, incident titles
and notes, like ESC already is. The per-character checks run the command line in-process (``run_cli``);
one test goes through the real ``python -m console``."""

from __future__ import annotations

import re

import pytest

from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config

BAD = ["\x7f", "\x85", "\x9b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", BAD, ids=[f"U+{ord(c):04X}" for c in BAD])
def test_flow_input_with_c1_bidi_or_del_is_refused(sim, fake_tools, tmp_path, char):
    config = write_config(tmp_path / "config.yaml", sim)
    r = run_cli(
        "--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", f"reason=abc{char}def", "--yes"
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "input reason:" in r.stderr and "control" in r.stderr
    assert fake_tools.argvs() == []


@pytest.mark.parametrize("char", ["\x7f", "\x9b", "\u202e", "\u2067"], ids=["DEL", "CSI", "RLO", "RLI"])
def test_incident_title_and_note_with_c1_bidi_or_del_are_refused(state_dir, char):
    r = run_cli("incident", "start", "--severity", "P2", "--title", f"db{char}slow")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "title" in r.stderr and "control" in r.stderr
    assert not list((state_dir / "incidents").rglob("*.jsonl")) if (state_dir / "incidents").exists() else True
    r = run_cli("incident", "start", "--severity", "P2", "--title", "db slow")
    assert r.returncode == 0, r.stderr
    incident_id = re.search(r"DRILL-\d{4}-\d{2}-\d{2}-\d{3}", r.stdout).group(0)  # no config: a drill
    before = (state_dir / "incidents" / "drills" / f"{incident_id}.jsonl").read_bytes()
    r = run_cli("incident", "note", incident_id, f"looks{char}bad")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "control" in r.stderr
    assert (state_dir / "incidents" / "drills" / f"{incident_id}.jsonl").read_bytes() == before


def test_the_real_command_refuses_a_control_character_in_a_title_and_a_flow_input(sim, fake_tools, tmp_path, state_dir):
    """The checks above run ``main`` in-process; here the installed entry point, once per input kind."""
    r = cli("incident", "start", "--severity", "P2", "--title", "db\u202eslow")
    assert r.returncode == 2 and "title" in r.stderr and "control" in r.stderr, r.stdout + r.stderr
    config = write_config(tmp_path / "config.yaml", sim)
    r = cli("--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=a\x9bb", "--yes")
    assert r.returncode == 2 and "input reason:" in r.stderr and "control" in r.stderr, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert fake_tools.argvs() == []
