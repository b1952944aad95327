"""Finding 3: the audit trail cannot be written (``audit.jsonl`` is a directory), so a step that changes
the edge is refused before it runs: a clear message, a documented non-zero exit code, no traceback,
nothing ran (the fake tools' argv log is empty, the simulated edge unchanged)."""

from __future__ import annotations

from console.config import load_config
from console.runbook import AuditLog, FlowRunner, StepState, load_runbook
from console.runbook.cli import EXIT_AUDIT
from tests.security.audit_util import NAMESPACE, cli, console_env, write_config

IP = "203.0.113.10"


def test_headless_run_refuses_a_mutating_step_when_the_audit_cannot_be_written(sim, fake_tools, state_dir, tmp_path):
    (state_dir / "audit.jsonl").mkdir()
    env = console_env(write_config(tmp_path, sim))
    proc = cli("run", "block-ip", "--set", f"ip={IP}", "--set", "reason=abuse", "--yes", env=env)
    assert proc.returncode == EXIT_AUDIT == 4, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "REFUSED" in proc.stdout and "cannot write the audit trail" in proc.stdout
    assert "cannot write the audit trail" in proc.stderr and str(state_dir / "audit.jsonl") in proc.stderr
    assert "nothing ran" in proc.stderr
    assert fake_tools.argvs() == []
    assert f"blocked:ip:{IP}" not in sim.state.snapshot()["kv"].get(NAMESPACE, {})
    listed = cli("audit", env=env)  # and the listing says it cannot read it, without a traceback
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert f"cannot read the audit trail {state_dir / 'audit.jsonl'}" in listed.stderr


async def test_the_runner_refuses_the_step_with_a_message_for_the_ui(sim, fake_tools, state_dir, tmp_path):
    (state_dir / "audit.jsonl").mkdir()
    cfg = load_config(write_config(tmp_path, sim))
    flow = load_runbook().flows["block-ip"]
    runner = FlowRunner(flow, cfg.environment(), {"ip": IP, "reason": "abuse"}, config=cfg, audit=AuditLog())
    result = await runner.run_step(0, confirmation="production")
    assert result.state == StepState.REFUSED
    assert result.message.startswith("cannot write the audit trail") and "nothing ran" in result.message
    assert runner.steps[1].state == StepState.NOT_RUN  # the read-back does not run either
    assert runner.audit_error and fake_tools.argvs() == []
    assert f"blocked:ip:{IP}" not in sim.state.snapshot()["kv"].get(NAMESPACE, {})
