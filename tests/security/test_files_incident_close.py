"""Finding 6.3: two concurrent ``incident close`` cannot both succeed: the close is decided under the
incident's lock.

The test holds the incident's lock while four ``incident close`` processes start, waits (by deadline, not
a sleep) until each is at the lock (a probe in the child records it), then lets them go: exactly one
closes, the others say the incident is closed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from tests.security.inputs_files_util import ROOT, cli
from tests.util import wait_for_sync

#: ``edge-console ARGS`` with one probe: each time the process is about to take an incident's lock it
#: appends its pid to ``$LOCK_PROBE`` (so the test knows every closer is at the lock; no sleeps).
RUNNER = """
import os, sys
import filelock
_acquire = filelock.FileLock.acquire
def acquire(self, *args, **kwargs):
    if str(self.lock_file).endswith(".jsonl.lock"):
        with open(os.environ["LOCK_PROBE"], "a") as probe:
            probe.write(f"{os.getpid()}\\n")
    return _acquire(self, *args, **kwargs)
filelock.FileLock.acquire = acquire
from console.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_concurrent_closes_exactly_one_wins(state_dir):
    r = cli("incident", "start", "--severity", "P1", "--title", "race")
    assert r.returncode == 0, r.stderr
    incident_id = re.search(r"DRILL-\d{4}-\d{2}-\d{2}-\d{3}", r.stdout).group(0)  # no config: a drill
    record = state_dir / "incidents" / "drills" / f"{incident_id}.jsonl"
    lock_path = Path(str(record) + ".lock")
    lock = FileLock(str(lock_path))
    probe = state_dir.parent / "lock-probe.txt"
    with lock:
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    RUNNER,
                    "incident",
                    "close",
                    incident_id,
                    "--root-cause",
                    f"cause {n}",
                    "--resolution",
                    f"fix {n}",
                ],
                cwd=ROOT,
                env=dict(os.environ, LOCK_PROBE=str(probe)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(4)
        ]
        try:
            wait_for_sync(
                lambda: (
                    {str(p.pid) for p in procs if p.poll() is None}
                    <= set(probe.read_text().split() if probe.exists() else [])
                ),
                timeout=60,
                message="every closer waiting for the incident's lock",
            )
        except AssertionError:
            for p in procs:
                p.kill()
            raise
    results = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes.count(0) == 1, list(zip(codes, results))
    assert all("is closed" in err for (out, err), code in zip(results, codes) if code != 0), results
    kinds = [json.loads(line)["kind"] for line in record.read_text().splitlines()]
    assert kinds.count("close") == 1, kinds
