"""Finding 6.1: the state dir is 0700 and its files 0600; a state dir owned by another user or writable by
group/other is refused with a clear message; a symlink in place of a state file (or an export) is never
followed.
The files the commands write and the symlinks they refuse are checked with the command line in-process
(``run_cli``); the refusals of an unsafe state dir go through the real ``python -m console``."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from console.tail.model import TailEvent
from console.tail.save import default_save_path, save_events
from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config


def _modes(root: Path) -> tuple[dict[str, int], dict[str, int]]:
    dirs = {str(root): stat.S_IMODE(root.stat().st_mode)}
    files: dict[str, int] = {}
    for base, dirnames, filenames in os.walk(root):
        for name in dirnames:
            dirs[os.path.join(base, name)] = stat.S_IMODE(os.lstat(os.path.join(base, name)).st_mode)
        for name in filenames:
            files[os.path.join(base, name)] = stat.S_IMODE(os.lstat(os.path.join(base, name)).st_mode)
    return dirs, files


def test_every_state_dir_is_0700_and_every_state_file_0600(sim, fake_tools, tmp_path, state_dir):
    config = write_config(tmp_path / "config.yaml", sim)
    for args in (
        ["run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse", "--yes"],
        ["run", "export-daily-metrics", "--yes"],
        ["run", "under-attack-mode", "--yes"],
    ):
        r = run_cli("--config", str(config), *args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    r = run_cli("incident", "start", "--severity", "P2", "--title", "slow")
    assert r.returncode == 0, r.stderr
    incident_id = next(w for w in r.stdout.split() if w.startswith("DRILL-"))  # no config: a drill
    assert run_cli("incident", "note", incident_id, "client 198.51.100.7 seen").returncode == 0
    assert run_cli("incident", "report", incident_id).returncode == 0
    # the TUI's "save tail evidence" (client IPs and headers)
    saved, count = save_events(
        [TailEvent({"event": {"request": {"headers": {"cf-connecting-ip": "198.51.100.7"}}}})],
        default_save_path("production"),
    )
    assert count == 1
    dirs, files = _modes(state_dir)
    expected = {"audit.jsonl", "runbook-memory.json", f"{incident_id}.jsonl", f"{incident_id}.md", saved.name}
    assert expected <= {Path(f).name for f in files}, sorted(files)
    assert any("/exports/metrics-" in f for f in files), sorted(files)
    assert {d: oct(m) for d, m in dirs.items() if m != 0o700} == {}
    assert {f: oct(m) for f, m in files.items() if m != 0o600} == {}


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    return victim


def test_state_dir_writable_by_group_or_others_is_refused(sim, fake_tools, tmp_path, state_dir):
    config = write_config(tmp_path / "config.yaml", sim)
    victim = _victim(tmp_path)
    state_dir.chmod(0o777)
    (state_dir / "audit.jsonl").symlink_to(victim)
    r = cli("--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"state directory {state_dir}" in r.stderr and "writable by group or others" in r.stderr
    assert "Traceback" not in r.stderr
    assert victim.read_text() == "precious\n"
    assert fake_tools.argvs() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the directory to another user")
def test_state_dir_owned_by_another_user_is_refused(sim, fake_tools, tmp_path, state_dir):
    config = write_config(tmp_path / "config.yaml", sim)
    state_dir.chmod(0o700)
    os.chown(state_dir, 65534, 65534)
    r = cli("--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"state directory {state_dir}" in r.stderr and "owned by uid 65534" in r.stderr
    assert fake_tools.argvs() == []


def test_a_symlink_in_place_of_a_state_file_is_never_followed(sim, fake_tools, tmp_path, state_dir):
    config = write_config(tmp_path / "config.yaml", sim)
    victim = _victim(tmp_path)
    state_dir.chmod(0o700)
    (state_dir / "audit.jsonl").symlink_to(victim)
    r = run_cli("--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse", "--yes")
    assert r.returncode != 0, r.stdout + r.stderr
    assert "symlink" in (r.stdout + r.stderr) and "Traceback" not in r.stderr
    assert victim.read_text() == "precious\n"
    # the mutating step never ran without its record
    assert "blocked:ip:203.0.113.7" not in sim.state.snapshot()["kv"]["5100000000000000000000000000c001"]

    # an export whose target is a symlink: refused, the link's target untouched
    (state_dir / "audit.jsonl").unlink()
    exports = state_dir / "exports"
    exports.mkdir(mode=0o700)
    link = exports / "metrics.txt"
    link.symlink_to(victim)
    r = run_cli("--config", str(config), "run", "export-daily-metrics", "--set", f"file={link}", "--yes")
    assert r.returncode != 0, r.stdout + r.stderr
    assert "symlink" in (r.stdout + r.stderr)
    assert victim.read_text() == "precious\n" and link.is_symlink()

    # saved tail evidence: never through a symlink either
    tail_link = state_dir / "tail" / "evidence.jsonl"
    tail_link.parent.mkdir(mode=0o700)
    tail_link.symlink_to(victim)
    with pytest.raises(OSError):
        save_events([TailEvent({"x": 1})], tail_link)
    assert victim.read_text() == "precious\n"
