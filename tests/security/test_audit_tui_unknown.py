"""Finding 3: the TUI's start reports a step a dead console left half-done ("outcome unknown: check the
edge") as a notice after the first frame, read in a worker thread; a step that a live console is running
right now is not reported; the audit view lists the dead one as unknown."""

from __future__ import annotations

import json
import subprocess
import sys

from console.config import simulated_config
from console.runbook.unfinished import process_identity
from console.session import Session
from screens.app import EdgeConsoleApp
from tests.fakes import StaticPoller
from tests.util import wait_for
from screens.textual_compat import notifications


def _started(step_run: str, flow: str, ident: dict) -> dict:
    return {
        "event": "step_started",
        "phase": "started",
        "status": "started",
        "ts": 1_790_000_000.0,
        "start": "2026-09-21T12:00:00.000Z",
        "run_id": step_run.split(".")[0],
        "step_run": step_run,
        "flow": flow,
        "step": "put",
        "step_title": "Block",
        "kind": "action",
        "mutating": True,
        "environment": "production",
        "user": "sre@host",
        "argv": [
            "wrangler",
            "kv",
            "key",
            "put",
            "--namespace-id",
            "ns",
            "--remote",
            "--",
            "blocked:ip:198.51.100.4",
            "abuse",
        ],
        **ident,
    }


async def test_tui_start_reports_a_dead_consoles_unfinished_step_once(state_dir):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: ASYNC221
        capture_output=True,
        text=True,
        check=True,
    )
    dead_ident = {**process_identity(), "pid": int(dead.stdout), "pid_start": 1}
    lines = [_started("aaaa.0", "block-ip", dead_ident), _started("bbbb.0", "live-flow", process_identity())]
    (state_dir / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))

    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.2)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller())
    async with app.run_test(size=(110, 32)) as pilot:
        await wait_for(
            lambda: any("outcome unknown: check the edge" in str(n.message) for n in notifications(app)),
            timeout=20,
            message="the unknown-outcome notice",
        )
        notice = next(str(n.message) for n in notifications(app) if "outcome unknown" in str(n.message))
        assert "flow block-ip step put" in notice and "blocked:ip:198.51.100.4" in notice
        assert "live-flow" not in notice  # a live console's step is not someone else's lost outcome
        app.action_audit_view()
        await wait_for(lambda: getattr(app.screen, "loads", 0) >= 1, message="audit view loaded")
        table = app.screen.table_text()
        assert "block-ip/put | unknown" in table and "live-flow/put | running" in table
        await pilot.press("escape")
    records = [json.loads(line) for line in (state_dir / "audit.jsonl").read_text().splitlines()]
    reported = [(r["event"], r["step_run"]) for r in records if r["event"] == "step_unknown"]
    assert reported == [("step_unknown", "aaaa.0")]
