"""Headless commands: flows, flows --json, run (validation, --yes, --dry-run, exit codes), audit --since;
read-only refusal enumerated from the runbook data; secrets never in audit lines, argv or output."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from console.cli import main
from console.runbook import AuditLog, load_runbook
from console.runbook.cli import run_flow
from console.session import open_session
from tests.virtual_time import sim_on_the_clock, skip_ahead_clock  # noqa: F401 - fixtures clock, sim

RUNBOOK = load_runbook()

#: the smallest valid inputs for flows that require some
REQUIRED_INPUTS = {
    "rollback": ["reason=test"],
    "block-ip": ["ip=203.0.113.7", "reason=abuse"],
    "unblock-ip": ["ip=203.0.113.7"],
    "alertmanager-expire-silence": ["silence_id=0b9c3f9e-0000-4000-8000-000000000000"],
    "edge-block-ip": ["ip=203.0.113.7", "reason=abuse"],
    "edge-unblock-ip": ["ip=203.0.113.7"],
    "versions-secret-put": ["secret=PERFORMANCE_MODE", "value=true"],
    "export-security-logs": ["start=2024-01-15T00:00:00Z", "end=2024-01-15T23:59:59Z"],
}


@pytest.fixture
def config_file(sim, fake_tools, tmp_path, monkeypatch) -> Path:
    """A config for the `sim` fixture's edge (two environments), tools from PATH (recorded)."""
    path = tmp_path / "config.yaml"
    base = sim.base_url
    path.write_text(f"""\
default_environment: production
environments:
  production:
    base_url: {base}
    worker: vau-processor-production
    account_id: 5100000000000000000000000000a001
    zone_id: 5100000000000000000000000000f001
    kv_namespace_id: 5100000000000000000000000000c001
    api_token_env: EDGE_SIM_API_TOKEN
    admin_token_env: EDGE_SIM_ADMIN_TOKEN
    cloudflare_api_url: {base}/client/v4
    status_url: {base}/status/api/v2/status.json
    simulated: true
    queues: {{vau-batch: 5100000000000000000000000000b001}}
    paths: {{repo: {tmp_path}, terraform: {tmp_path}, worker_dir: {tmp_path}, export_dir: {tmp_path}}}
  staging:
    base_url: {base}
    worker: vau-processor-staging
    account_id: 5100000000000000000000000000a001
    kv_namespace_id: 5100000000000000000000000000c001
    api_token_env: EDGE_SIM_API_TOKEN
    cloudflare_api_url: {base}/client/v4
export:
  upload: [cp, "{{file}}", "{tmp_path}/uploaded.txt"]
""")
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(path))
    return path


def test_flows_lists_every_flow_and_json_has_the_documented_fields(capsys):
    assert main(["flows"]) == 0
    text = capsys.readouterr().out
    assert "P0 service down" in text and "[B] enable-circuit-breaker" in text and "(changes)" in text
    assert main(["flows", "--json"]) == 0
    flows = json.loads(capsys.readouterr().out)
    assert {f["id"] for f in flows} == set(RUNBOOK.flows)
    block = next(f for f in flows if f["id"] == "block-ip")
    assert {"id", "title", "section", "key", "mutating", "inputs"} <= set(block)
    assert block["mutating"] is True and block["key"] == "K"
    assert block["inputs"] == [
        {"name": "ip", "type": "ip", "required": True},
        {"name": "reason", "type": "string", "required": True},
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["run", "block-ip", "--set", "ip=1.2.3.4; rm -rf /", "--set", "reason=x", "--yes"],
            "input ip: IP address: '1.2.3.4; rm -rf /' is not an IP address",
        ),
        (["run", "block-ip", "--set", "ip=999.1.1.1", "--set", "reason=x", "--yes"], "is not a valid IPv4"),
        (
            ["run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=", "--yes"],
            "input reason: reason is required",
        ),
        (["run", "scale-workers", "--set", "worker_count=-3", "--yes"], "must be at least 1, got -3"),
        (["run", "tighten-rate-limits", "--set", "multiplier=-0.5", "--yes"], "must be at least 0.001"),
        (["run", "block-ip", "--set", "ip", "--yes"], "expected key=value"),
        (["run", "block-ip", "--set", "address=1.2.3.4", "--yes"], "has no input 'address'"),
        (["run", "unblok-ip"], "unknown flow 'unblok-ip' (did you mean unblock-ip"),
        (["--env", "nope", "run", "worker-health"], "unknown environment 'nope' (known: production, staging)"),
    ],
)
def test_bad_input_stops_with_a_message_and_runs_nothing(config_file, fake_tools, sim, capsys, args, message):
    before = sim.state.snapshot()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert fake_tools.argvs() == []
    assert sim.state.snapshot()["kv"] == before["kv"]
    assert [r for r in AuditLog().read() if r.get("event") == "step"] == []


def test_mutating_flows_need_yes_when_stdin_is_not_a_terminal(config_file, fake_tools, capsys):
    code = main(["run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse"])
    assert code == 2
    assert "pass --yes to confirm when stdin is not a terminal; nothing ran" in capsys.readouterr().err
    assert fake_tools.argvs() == []


def test_interactive_confirmation_needs_the_environment_name_for_production(config_file, fake_tools, sim):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    session = open_session(str(config_file))
    out = io.StringIO()
    try:
        code = run_flow(
            session,
            "block-ip",
            ["ip=203.0.113.7", "reason=abuse"],
            dry_run=False,
            yes=False,
            out=out,
            err=io.StringIO(),
            stdin=Tty("yes\n"),
        )
    finally:
        session.close()
    assert code == 1 and fake_tools.argvs() == []  # "yes" is not enough on production
    assert "Type 'production' to run" in out.getvalue() and "cancelled" in out.getvalue()

    session = open_session(str(config_file))
    out = io.StringIO()
    try:
        code = run_flow(
            session,
            "block-ip",
            ["ip=203.0.113.7", "reason=abuse"],
            dry_run=False,
            yes=False,
            out=out,
            err=io.StringIO(),
            stdin=Tty("production\n"),
        )
    finally:
        session.close()
    assert code == 0
    assert fake_tools.argvs("wrangler")[0][-3:] == ["--", "blocked:ip:203.0.113.7", "abuse"]
    assert "blocked:ip:203.0.113.7" in sim.state.snapshot()["kv"]["5100000000000000000000000000c001"]


def test_dry_run_shows_commands_and_runs_nothing(config_file, fake_tools, capsys):
    code = main(["run", "enable-circuit-breaker", "--dry-run"])
    assert code == 0
    out = capsys.readouterr().out
    # the worker by name only (no --env: wrangler would read the Wrangler config in this directory)
    assert "CHANGES: wrangler secret put CIRCUIT_BREAKER_ENABLED --name vau-processor-production (true on stdin)" in out
    assert "wrangler secret put CIRCUIT_BREAKER_ENABLED --name vau-processor-production   (stdin: true)" in out
    assert "check: vau-processor-production exists" in out
    assert fake_tools.argvs() == []
    assert list(AuditLog().read()) == []


def test_run_reports_failures_with_a_nonzero_exit_and_lists_pending_manual_steps(config_file, sim, capsys):
    sim.state.set_scenario("outage")
    assert main(["run", "smoke-test"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "flow smoke-test on production: failed" in out
    sim.state.set_scenario("normal")
    assert main(["run", "p0-communication"]) == 0
    out = capsys.readouterr().out
    assert "pending checklist items" in out and "[ ] Update the status page" in out
    pending = [r for r in AuditLog().read() if r.get("flow") == "p0-communication" and r["event"] == "step"]
    assert [r["status"] for r in pending] == ["pending"] * 3


def test_audit_prints_records_since(config_file, capsys):
    assert main(["run", "worker-health"]) == 0
    capsys.readouterr()
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "worker-health/health" in out and "passed" in out and "http=200" in out
    assert main(["audit", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0]["flow"] == "worker-health"
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    assert main(["audit", "--since", future]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit", "--since", "1h"]) == 0
    assert "worker-health" in capsys.readouterr().out
    assert main(["audit", "--since", "last tuesday"]) == 2
    assert "expected an ISO time" in capsys.readouterr().err


def test_audit_env_shows_that_environments_records_and_config_is_named_unused(config_file, capsys):
    assert main(["run", "worker-health"]) == 0
    assert main(["--env", "staging", "run", "worker-health"]) == 0
    capsys.readouterr()
    for argv in (["audit", "--json", "--env", "staging"], ["--env", "staging", "audit", "--json"]):
        assert main(argv) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert records and {r["environment"] for r in records} == {"staging"}
    assert main(["audit", "--json"]) == 0
    everything = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["environment"] for r in everything} == {"production", "staging"}
    assert main(["audit", "--env", "nowhere"]) == 0
    assert "no audit records" in capsys.readouterr().err.lower()
    assert main(["audit", "--config", str(config_file.parent / "missing.yaml")]) == 0
    captured = capsys.readouterr()
    assert "--config is not used" in captured.err and "worker-health" in captured.out


def test_audit_env_and_flow_warn_only_of_their_own_unfinished_steps(config_file, capsys):
    """A step a dead console left unfinished is warned of with the listing it belongs to: `audit --env
    staging` said 'outcome unknown' of a production step it did not list."""
    import subprocess
    import sys

    from console.runbook.unfinished import process_identity

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ident = {**process_identity(), "pid": int(dead.stdout), "pid_start": 1}
    log = AuditLog()
    for run, flow, env in (("aaaa.0", "block-ip", "production"), ("bbbb.0", "purge-cache", "staging")):
        log.append(
            {
                "event": "step_started",
                "phase": "started",
                "status": "started",
                "ts": time.time(),
                "start": "2026-12-04T12:00:00.000Z",
                "run_id": run.split(".")[0],
                "step_run": run,
                "flow": flow,
                "step": "put",
                "kind": "action",
                "mutating": True,
                "environment": env,
                "user": "sre@host",
                **ident,
            }
        )
    assert main(["audit", "--env", "staging"]) == 0
    err = capsys.readouterr().err
    assert "flow purge-cache" in err and "flow block-ip" not in err
    assert main(["audit", "--flow", "block-ip"]) == 0
    err = capsys.readouterr().err
    assert "flow block-ip" in err and "flow purge-cache" not in err


MUTATING = sorted(f.id for f in RUNBOOK.flows.values() if f.mutating)


def test_the_runbook_has_mutating_flows_to_refuse():
    assert len(MUTATING) >= 20 and "block-ip" in MUTATING and "worker-health" not in MUTATING


@pytest.mark.parametrize("flow_id", MUTATING)
def test_read_only_refuses_every_flow_with_a_mutating_step(config_file, fake_tools, sim, capsys, flow_id):
    before = sim.state.snapshot()
    args = ["--read-only", "run", flow_id, "--yes"]
    for item in REQUIRED_INPUTS.get(flow_id, []):
        args += ["--set", item]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert f"read-only: flow {flow_id!r} changes production" in err
    assert fake_tools.argvs() == []  # nothing ran, not even the read-only steps
    after = sim.state.snapshot()
    for key in ("flags", "kv", "purges", "rollbacks", "secret_history", "setting_history", "terraform"):
        assert after[key] == before[key], key
    refused = [r for r in AuditLog().read() if r.get("event") == "step"]
    assert refused and all(r["status"] == "refused" and r["mutating"] for r in refused)


def test_read_only_per_environment_config(config_file, fake_tools, capsys):
    text = config_file.read_text().replace("  staging:\n", "  staging:\n    read_only: true\n")
    config_file.write_text(text)
    assert main(["--env", "staging", "run", "tighten-rate-limits", "--yes"]) == 3
    err = capsys.readouterr().err
    assert "read-only: flow 'tighten-rate-limits' changes staging (" in err and fake_tools.argvs() == []
    assert "production" not in err  # names the environment it would change, not production


def test_secrets_never_appear_in_audit_argv_or_output(
    config_file, fake_tools, sim, clock, capsys, state_dir, monkeypatch
):
    import functools

    from console.runbook.engine import FlowRunner
    from console.runbook.values import PollerMetrics

    # worker-status's tail step collects for 1 s, not its 8 s (the runner's own cap, as in test_flows_sim):
    # the same wrangler tail child, argv and environment, without 7 s of waiting. The runs' waits (the rate
    # window between two scrapes, verify retries) are skipped on the clock the simulated edge lives on
    # (tests/virtual_time.py), which the poller measures its rates on: 5 s of this test's 8 were those waits
    monkeypatch.setattr(
        FlowRunner,
        "__init__",
        functools.partialmethod(FlowRunner.__init__, tail_seconds=1, clock=clock, sleep=clock.sleep),
    )
    monkeypatch.setattr(
        PollerMetrics, "__init__", functools.partialmethod(PollerMetrics.__init__, clock=clock, sleep=clock.sleep)
    )
    api = os.environ["EDGE_SIM_API_TOKEN"]
    admin = os.environ["EDGE_SIM_ADMIN_TOKEN"]
    assert len(api) >= 8 and len(admin) >= 8
    for args in (
        ["run", "under-attack-mode", "--yes"],
        ["run", "restore-security-level", "--yes"],
        ["run", "cache-cleanup", "--yes"],
        ["run", "enable-circuit-breaker", "--yes"],
        ["run", "block-ip", "--set", "ip=203.0.113.7", "--set", "reason=abuse", "--yes"],
        ["run", "queue-backlog", "--yes"],
        ["run", "worker-status"],
        ["run", "under-attack-mode", "--dry-run"],
    ):
        main(args)
    assert clock.elapsed > 0  # the runs' waits were skipped, not slept
    out = capsys.readouterr()
    screen = out.out + out.err
    assert "Bearer ****" in screen or "****" in screen
    audit = (state_dir / "audit.jsonl").read_text()
    calls = fake_tools.calls()
    assert calls, "tools ran"
    for secret in (api, admin):
        assert secret not in screen
        assert secret not in audit
        for call in calls:
            assert all(secret not in arg for arg in call["argv"])
    # the token reached wrangler through its environment, as CLOUDFLARE_API_TOKEN
    assert all("CLOUDFLARE_API_TOKEN" in call["env_keys"] for call in calls if call["tool"] == "wrangler")
    assert sim.state.snapshot()["flags"]["circuit_breaker"] is True


def test_dry_run_without_a_token_still_shows_the_steps_and_says_what_would_stop(config_file, monkeypatch, capsys):
    monkeypatch.delenv("EDGE_SIM_API_TOKEN")
    assert main(["run", "under-attack-mode", "--dry-run"]) == 2
    out, err = capsys.readouterr()
    assert "PATCH " in out and "Authorization: Bearer ****" in out and '{"value": "under_attack"}' in out
    assert "a real run would stop here: step 'current': no Cloudflare API token: set $EDGE_SIM_API_TOKEN" in err
    assert main(["run", "under-attack-mode", "--yes"]) == 2
    assert "under-attack-mode: step 'current': no Cloudflare API token" in capsys.readouterr().err
    assert list(AuditLog().read()) == []


def test_the_demo_path_without_config_runs_a_flow_on_the_built_in_simulated_edge(tmp_path):
    """No config: `edge-console run` starts the simulated edge itself and its tools (python -m ...)."""
    import subprocess
    import sys

    log = tmp_path / "argv.jsonl"
    env = dict(os.environ, EDGE_SIM_ARGV_LOG=str(log))
    env.pop("EDGE_CONSOLE_CONFIG", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "run",
            "block-ip",
            "--set",
            "ip=203.0.113.7",
            "--set",
            "reason=abuse",
            "--yes",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SIMULATED" in proc.stderr
    assert "flow block-ip on production: done" in proc.stdout
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0]["tool"] == "wrangler"
    assert calls[0]["argv"] == [
        "kv",
        "key",
        "put",
        "--namespace-id",
        "5100000000000000000000000000c001",
        "--remote",
        "--",
        "blocked:ip:203.0.113.7",
        "abuse",
    ]
    assert "abuse" in proc.stdout  # read back from the simulated KV


def test_a_broken_user_runbook_is_reported_with_file_and_line(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "ours.yaml"
    bad.write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n      - kind: exec\n        title: x\n"
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text("environments:\n  production:\n    base_url: http://127.0.0.1:9\nrunbooks: [ours.yaml]\n")
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(cfg))
    assert main(["flows"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:6: flows[0].steps[0].kind: unknown step kind 'exec'" in err and "Traceback" not in err
    assert main(["run", "worker-health"]) == 2


def _closed_early(args: list[str], state_dir: Path, tmp_path: Path) -> tuple[int, bytes, bytes]:
    """`edge-console ARGS | head -1`: read one line, close the pipe, collect exit code and stderr."""
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("EDGE_CONSOLE_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    return proc.wait(timeout=60), first, err


def test_audit_and_flows_piped_into_head_end_quietly(state_dir, tmp_path):
    line = json.dumps(
        {
            "event": "step",
            "flow": "worker-health",
            "step": "health",
            "status": "passed",
            "start": "2024-01-15T09:00:00Z",
            "environment": "production",
            "title": "x" * 200,
        }
    )
    (state_dir / "audit.jsonl").write_text((line + "\n") * 5000)  # far more than a pipe buffer
    for args in (["audit"], ["audit", "--json"], ["flows"], ["flows", "--json"]):
        code, first, err = _closed_early(args, state_dir, tmp_path)
        assert first, args
        assert code == 0 and b"Traceback" not in err and b"BrokenPipe" not in err, (args, err.decode())


def test_export_daily_metrics_defaults_to_the_state_dir_and_prints_the_path(state_dir, tmp_path, monkeypatch, capsys):
    """No export_dir configured (the demo): the file goes under the state dir, never the current directory."""
    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    # writing the file is an action (issue 14): confirmed with --yes when stdin is not a terminal
    code = main(["run", "export-daily-metrics", "--yes"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    (saved,) = (state_dir / "exports").glob("metrics-*.txt")
    assert f"saved {saved.stat().st_size} bytes to {saved}" in out
    assert "edge_requests_total" in saved.read_text()
    assert list(tmp_path.iterdir()) == []  # nothing written in the current directory
