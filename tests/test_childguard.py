"""The guard between the console and a step's command (console/runbook/childguard.py), run as the console runs
it: the command's exit status or fatal signal comes back as the guard's own, a command that cannot start gets
the shell's 127/126 and a one-line reason, the command inherits no descriptor but 0-2 and gets SIGPIPE's
default back, and when the lifeline closes the guard kills the command's whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from console.runbook.childguard import guarded_argv
from tests.util import wait_for_sync


def guarded(argv: list[str], **kw) -> tuple[subprocess.Popen, int]:
    """``argv`` under the guard as the console starts it: a new session, the lifeline's read end passed on."""
    watch, keep = os.pipe()
    try:
        proc = subprocess.Popen(guarded_argv(argv, watch), pass_fds=(watch,), start_new_session=True, text=True, **kw)
    finally:
        os.close(watch)
    return proc, keep


def gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by init is dead too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_exit_status_descriptors_and_signals_reach_the_command_as_without_a_guard():
    # ls lists its own descriptors (3 is its listing of the folder); grep its ignored signals
    proc, keep = guarded(
        ["sh", "-c", "ls /proc/self/fd; grep '^SigIgn:' /proc/self/status; exit 7"], stdout=subprocess.PIPE
    )
    out, _ = proc.communicate(timeout=30)
    os.close(keep)
    assert proc.returncode == 7
    fds, ignored = out.splitlines()[:-1], int(out.splitlines()[-1].split()[1], 16)
    assert fds == ["0", "1", "2", "3"]  # the lifeline was closed before exec
    # Python ignores SIGPIPE and SIGXFSZ; the command gets their defaults (a pipe's reader gone ends it)
    assert ignored & (1 << (signal.SIGPIPE - 1)) == 0 and ignored & (1 << (signal.SIGXFSZ - 1)) == 0


def test_a_command_killed_by_a_signal_kills_the_guard_the_same_way():
    proc, keep = guarded(["sh", "-c", "kill -TERM $$"])
    assert proc.wait(timeout=30) == -signal.SIGTERM
    os.close(keep)


def test_a_command_that_cannot_start_gets_127_or_126_and_a_reason(tmp_path):
    proc, keep = guarded(["no-such-command-here"], stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=30)
    assert (proc.returncode, err) == (127, "no-such-command-here: command not found\n")
    os.close(keep)
    plain = tmp_path / "not-executable"
    plain.write_text("#!/bin/sh\n")
    proc, keep = guarded([str(plain)], stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=30)
    assert (proc.returncode, err) == (126, f"{plain}: Permission denied\n")
    os.close(keep)


def test_when_the_lifeline_closes_the_commands_whole_group_dies(tmp_path):
    pids = tmp_path / "pids"
    # the command and a grandchild in its group, both waiting for ever
    proc, keep = guarded(["sh", "-c", f"sleep 300 & echo $$ $! > {pids}; wait"])
    wait_for_sync(lambda: pids.exists() and len(pids.read_text().split()) == 2, timeout=30, message="pids")
    shell, grandchild = (int(p) for p in pids.read_text().split())
    assert os.getpgid(shell) == os.getpgid(grandchild) == proc.pid  # the guard leads their group
    os.close(keep)  # what the kernel does when the console dies, even by SIGKILL
    try:
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):  # a guard that failed leaves nothing behind
            os.killpg(proc.pid, signal.SIGKILL)

    deadline = time.monotonic() + 30
    while not (gone(shell) and gone(grandchild)):
        assert time.monotonic() < deadline, "the guard's group outlived its lifeline"
        time.sleep(0.05)


def test_the_command_dies_with_the_guard_killed_alone(tmp_path):
    """PR_SET_PDEATHSIG (Linux): the command gets SIGKILL when its guard dies, even by a SIGKILL sent to the guard
    alone (not its group), while the console's lifeline stays open."""
    pids = tmp_path / "pids"
    proc, keep = guarded(["sh", "-c", f"echo $$ > {pids}; exec sleep 300"])
    try:
        wait_for_sync(lambda: pids.exists() and pids.read_text().strip(), timeout=30, message="pid")
        command = int(pids.read_text())
        wait_for_sync(lambda: "sleep" in Path(f"/proc/{command}/comm").read_text(), timeout=30, message="exec")
        os.kill(proc.pid, signal.SIGKILL)  # the guard only
        assert proc.wait(timeout=30) == -signal.SIGKILL
        wait_for_sync(lambda: gone(command), timeout=30, message="the command outlived its guard")
    finally:
        os.close(keep)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
