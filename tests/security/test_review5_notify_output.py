"""Review 5: a notify command's output is child output, from outside, but ``run_notify`` read all of it into
memory (``proc.communicate``) to keep a 300-character excerpt: a hook that prints without end (a looping
script, ``yes``) grew the console by its whole output until the 20 s timeout, during an incident. And at the
timeout only the hook itself was killed: what it had started (a ``curl`` retrying, a ``sleep``) was left
running. Now at most ``MAX_OUTPUT_BYTES`` of each stream are kept (the rest is read and dropped), and the
hook runs in its own process group, all of which is killed at the timeout.
Driven with real child processes; the memory is the peak RSS of a fresh interpreter running the hook."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from tests.util import wait_for_sync

SCRIPT = textwrap.dedent(
    """
    import asyncio, resource, sys
    from console.incident.notify import run_notify

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = [sys.executable, "-c",
             "import sys\\nb = b'x' * 1048576\\nfor _ in range(300): sys.stdout.buffer.write(b)"]
    outcome = asyncio.run(run_notify("slack", child, "hello", read_only=False, env_name="staging",
                                     confirmation="yes", timeout=120))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(outcome.ok, outcome.exit_code, len(outcome.detail), before, after)
    """
)


def test_a_notify_hook_printing_300_mib_does_not_grow_the_console_by_it():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    ok, code, excerpt, before, after = done.stdout.split()
    assert ok == "True" and code == "0" and int(excerpt) <= 300
    grown_mib = (int(after) - int(before)) / 1024  # ru_maxrss is in KiB on Linux
    assert grown_mib < 64, f"the console grew by {grown_mib:.0f} MiB reading 300 MiB of hook output"


def test_a_hook_that_times_out_leaves_nothing_it_started_running(tmp_path):
    import asyncio

    from console.incident.notify import run_notify

    pid_file = tmp_path / "grandchild.pid"
    hook = [
        sys.executable,
        "-c",
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(300)\n",
    ]
    started = time.monotonic()
    outcome = asyncio.run(
        run_notify("slack", hook, "hello", read_only=False, env_name="staging", confirmation="yes", timeout=3)
    )
    assert not outcome.ok and "timed out" in outcome.detail
    assert time.monotonic() - started < 30
    grandchild = int(pid_file.read_text())

    def gone() -> bool:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie (killed, not yet reaped by init) is gone too
            with open(f"/proc/{grandchild}/stat") as fh:
                return fh.read().split(")")[-1].split()[0] == "Z"
        except OSError:
            return True
        return False

    try:
        wait_for_sync(gone, timeout=10, message="the hook's own child to be killed with it")
    finally:
        if not gone():
            os.kill(grandchild, 9)
