"""The layering promises of docs/ARCHITECTURE.md, checked: import-linter's contracts hold, and
start-up deferral is real (importing the app loads no HTTP client, runbook engine or incident store:
they load when first needed, after the first frame)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DEFERRED = ["httpx", "console.runbook.engine", "console.runbook.loader", "console.incident.store",
            "console.incident.manager", "console.sim.server", "prometheus_client"]


def test_importing_the_app_defers_http_runbooks_and_incidents():
    probe = ("import sys, screens.app; "
             f"print(','.join(m for m in {DEFERRED!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"loaded at import time: {out.stdout.strip()}"


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout
