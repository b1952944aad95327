"""``edge-console record`` as a real process: --seconds ends it, SIGINT and SIGTERM end it cleanly
(the file is finished: its end record is there); ``replay`` refuses what is not a recording. Refusing an
existing file runs the command line in-process (``run_cli``: a regression records for one second and ends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from console.incident.manager import IncidentManager
from console.record.reader import RecordingError, read_recording
from console.safefile import open_append
from console.sources.tls import shared_ssl_context
from tests.security.inprocess_cli import run_cli
from tests.util import wait_for_sync

TLS = shared_ssl_context()


def run_console(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        **kwargs,
    )


def kinds_on_disk(path: Path) -> list[str]:
    try:
        return [r["k"] for r in read_recording(path).records]
    except RecordingError:  # created, nothing flushed yet
        return []


def polls_on_disk(path: Path) -> int:
    return kinds_on_disk(path).count("poll")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_record_until_interrupted_finishes_the_file(state_dir, sim, tmp_path, sig):
    # the simulated edge in a DDoS, polled every 0.5 s (not the 2 s default): the two polls and the next
    # poll that picks up the other console's entries come in a quarter of the time
    httpx.post(f"{sim.base_url}/admin/scenario", json={"name": "ddos"}, verify=TLS).raise_for_status()
    config = tmp_path / "config.yaml"
    config.write_text(f"refresh_seconds: 0.5\nenvironments:\n  production:\n    base_url: '{sim.base_url}'\n")
    proc = run_console("--config", str(config), "record", "--out", "cli.jsonl.gz", "--no-tail")
    path = Path(state_dir) / "recordings" / "cli.jsonl.gz"
    try:
        # the writer flushes every second: wait for two polls to be on disk
        wait_for_sync(lambda: path.exists() and polls_on_disk(path) >= 2, timeout=30, message="two recorded polls")
        # another console meanwhile: an incident opens, a flow step is audited
        incident = IncidentManager(state_dir=state_dir).start("P2", "recorded from elsewhere")
        fd = open_append(Path(state_dir) / "audit.jsonl")
        os.write(fd, b'{"flow": "check-health", "step": "health", "status": "ok"}\n')
        os.close(fd)
        wait_for_sync(
            lambda: {"incident", "flow"} <= set(kinds_on_disk(path)),
            timeout=30,
            message="the incident entry and the flow step in the recording",
        )
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "recorded" in err and str(path) in err
    recording = read_recording(path)
    assert not recording.truncated and recording.damaged == 0
    assert recording.records[-1]["k"] == "end"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    entry = next(r["entry"] for r in recording.records if r["k"] == "incident")
    assert entry["incident"] == incident.id and entry["kind"] == "start"
    assert next(r["record"] for r in recording.records if r["k"] == "flow")["flow"] == "check-health"


def test_record_seconds_and_refusals(state_dir, tmp_path):
    proc = run_console("record", "--out", "short.jsonl.gz", "--seconds", "1", "--no-tail")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    recording = read_recording(Path(state_dir) / "recordings" / "short.jsonl.gz")
    assert recording.records[0]["k"] == "poll" and recording.records[-1]["k"] == "end"
    again = run_cli("record", "--out", "short.jsonl.gz", "--seconds", "1")
    assert again.returncode == 2 and "exists" in again.stderr, again
    plain = tmp_path / "plain.txt"
    plain.write_text("hello\n")
    bad = run_console("replay", str(plain))  # a process: a regression would open the TUI
    _, err = bad.communicate(timeout=60)
    assert bad.returncode == 2 and "not a recording" in err
