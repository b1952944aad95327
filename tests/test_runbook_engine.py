"""The flow engine on its own loopback HTTP server and fake tool scripts: preview, confirmation, idempotent
steps, cancel, timeouts, verify, captures and memory, audit records and listeners, read-only."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.config import Environment
from console.runbook import (
    AuditLog,
    ConfirmationRequired,
    FlowRunner,
    PreflightError,
    RunbookError,
    RunnerError,
    StepState,
    parse_runbook,
)
from tests.util import wait_for
from tests.virtual_time import VirtualClock

TOKEN = "tok-ABCDEF-123456-secret"
ADMIN = "adm-QWERTY-987654-secret"


class Recorder:
    """A loopback HTTP server that records requests and answers with a Cloudflare-style envelope."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.delay = 0.0
        self.status = 200
        self.body: dict | None = None
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": raw.decode()}
                )
                if recorder.delay:
                    threading.Event().wait(recorder.delay)
                body = recorder.body or {
                    "success": True,
                    "errors": [],
                    "messages": [],
                    "result": {"id": "security_level", "value": "medium"},
                }
                data = json.dumps(body).encode()
                self.send_response(recorder.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


FAKE_TOOL = textwrap.dedent("""\
    import json, os, sys, time
    log = os.environ["FAKE_TOOL_LOG"]
    data = sys.stdin.read() if not sys.stdin.isatty() else ""
    with open(log, "a") as fh:
        fh.write(json.dumps({"argv": sys.argv[1:], "stdin": data, "cwd": os.getcwd(),
                             "token": os.environ.get("CLOUDFLARE_API_TOKEN")}) + "\\n")
    mode = os.environ.get("FAKE_TOOL_MODE", "ok")
    word = sys.argv[-1:]  # checks run read-only shapes (gh api WORD): the last word says what to do
    if word == ["sleep"]:
        with open(os.environ["FAKE_TOOL_PID"], "w") as fh:
            fh.write(str(os.getpid()))
        print("sleeping", flush=True)
        time.sleep(60)
    if word == ["echo-token"]:
        print("token is " + os.environ.get("CLOUDFLARE_API_TOKEN", ""))
    if word == ["runs"]:
        print(json.dumps([{"databaseId": 4242, "status": "queued"}]))
    print("did " + " ".join(sys.argv[1:]))
    sys.exit(3 if mode == "fail" else 0)
    """)


@pytest.fixture
def server():
    rec = Recorder()
    yield rec
    rec.close()


@pytest.fixture
def tool(tmp_path, monkeypatch):
    script = tmp_path / "faketool.py"
    script.write_text(FAKE_TOOL)
    log = tmp_path / "tool.jsonl"
    monkeypatch.setenv("FAKE_TOOL_LOG", str(log))
    monkeypatch.setenv("FAKE_TOOL_PID", str(tmp_path / "pid"))
    monkeypatch.setenv("EC_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("EC_TEST_ADMIN", ADMIN)

    class Tool:
        argv = [sys.executable, str(script)]
        pid_file = tmp_path / "pid"

        def calls(self) -> list[dict]:
            if not log.exists():
                return []
            return [json.loads(line) for line in log.read_text().splitlines()]

    return Tool()


def make_env(server, tool, name="production", **kw) -> Environment:
    return Environment(
        name=name,
        base_url=server.url,
        metrics_url=server.url + "/metrics",
        health_url=server.url + "/health",
        worker=f"vau-processor-{name}",
        account_id="acc1",
        zone_id="zone1",
        kv_namespace_id="ns1",
        api_token_env="EC_TEST_TOKEN",
        admin_token_env="EC_TEST_ADMIN",
        cloudflare_api_url=server.url + "/client/v4",
        tools={"wrangler": tool.argv, "gh": tool.argv, "terraform": tool.argv},
        **kw,
    )


def flow_of(text: str, flow_id: str | None = None):
    flows = parse_runbook(textwrap.dedent(text), "t.yaml")
    return flows[0] if flow_id is None else next(f for f in flows if f.id == flow_id)


ATTACK = """\
flows:
  - id: attack
    title: Attack mode
    section: Test
    steps:
      - id: current
        kind: check
        title: read level
        http: {url: "{env.cloudflare_api_url}/zones/{env.zone_id}/settings/security_level", auth: api_token}
        capture: {previous: result.value}
        remember: [previous]
      - id: patch
        kind: action
        title: "set under_attack (was {capture.previous})"
        http:
          method: PATCH
          url: "{env.cloudflare_api_url}/zones/{env.zone_id}/settings/security_level"
          auth: api_token
          json: {value: under_attack}
      - id: after
        kind: manual
        title: tell people
"""


async def test_http_flow_preview_confirmation_audit_and_capture(server, tool, state_dir):
    records: list[dict] = []
    events: list[str] = []
    audit_path = state_dir / "audit.jsonl"

    def on_event(event):
        events.append(event.type)
        if event.type == "step_finished" and event.index is not None and event.result.state != StepState.PENDING:
            # the record is on disk before the step shows as done
            lines = audit_path.read_text().splitlines()
            assert json.loads(lines[-1])["step"] == runner.steps[event.index].step.id

    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool), {}, listeners=[records.append], on_event=on_event)
    assert runner.current_index == 0
    first = await runner.run_step(0)
    assert first.state == StepState.PASSED and runner.captures == {"previous": "medium"}

    preview = runner.preview(1)
    assert preview.mutating and preview.kind == "action"
    assert preview.title == "set under_attack (was medium)"
    assert preview.request == {
        "method": "PATCH",
        "url": server.url + "/client/v4/zones/zone1/settings/security_level",
        "headers": {"Authorization": "Bearer ****", "Content-Type": "application/json"},
        "json": {"value": "under_attack"},
    }
    assert TOKEN not in preview.display and "Bearer ****" in preview.display
    assert preview.confirmation.production and preview.confirmation.expected == "production"

    with pytest.raises(ConfirmationRequired):
        await runner.run_step(1, confirmation="yes")  # production needs the name typed
    assert len(server.requests) == 1  # nothing ran
    result = await runner.run_step(1, confirmation="production")
    assert result.state == StepState.PASSED and result.http_status == 200
    assert result.envelope == {"success": True, "errors": [], "messages": []}
    patch = server.requests[-1]
    assert patch["method"] == "PATCH" and json.loads(patch["body"]) == {"value": "under_attack"}
    assert patch["headers"]["Authorization"] == f"Bearer {TOKEN}"

    assert runner.tick(2).state == StepState.DONE
    assert runner.finished
    every = [json.loads(line) for line in audit_path.read_text().splitlines()]
    # the change's `started` record is on disk before it runs, paired with its `finished` one
    assert [(r["event"], r.get("step")) for r in every][1:3] == [("step_started", "patch"), ("step", "patch")]
    assert every[1]["step_run"] == every[2]["step_run"] and every[2]["phase"] == "finished"
    lines = [r for r in every if r["event"] != "step_started"]
    assert [r.get("step") or r["event"] for r in lines] == ["current", "patch", "after", "flow_end"]
    step = lines[1]
    for key in ("flow", "step", "inputs", "request", "start", "end", "http_status", "output", "user", "environment"):
        assert key in step, key
    assert step["request"]["headers"]["Authorization"] == "Bearer ****"
    assert "@" in step["user"] and step["environment"] == "production" and step["status"] == "passed"
    assert TOKEN not in audit_path.read_text()
    assert [r.get("step") for r in records][:3] == ["current", "patch", "after"]
    assert "step_started" in events and events[-1] == "flow_finished"
    # the previous level is remembered for the reverse flow
    from console.runbook import Memory

    assert Memory().values("production") == {"previous": "medium"}


async def test_a_double_key_press_never_runs_a_step_twice(server, tool, state_dir):
    server.delay = 0.3
    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool, name="staging"), {})
    await runner.run_step(0)
    first, second = await asyncio.gather(runner.run_step(1, confirmation="yes"), runner.run_step(1, confirmation="yes"))
    assert first is second
    assert [r["method"] for r in server.requests] == ["GET", "PATCH"]
    again = await runner.run_step(1, confirmation="yes")
    assert again is first and len(server.requests) == 2
    records = [r for r in AuditLog().read() if r.get("step") == "patch" and r["event"] == "step"]
    assert len(records) == 1


COMMANDS = """\
flows:
  - id: cmds
    title: Commands
    section: Test
    inputs:
      - {name: value, type: string, default: "true"}
    steps:
      - id: put
        kind: action
        title: put a secret
        command:
          tool: wrangler
          args: [secret, put, FLAG, --name, "{env.worker!base}", --env, "{env.name}"]
          stdin: "{value}"
      - id: token
        kind: check
        title: tool sees the token in its environment only
        command: {tool: wrangler, args: [queues, info, echo-token]}
      - id: long
        kind: check
        title: a long one
        command: {tool: gh, args: [api, sleep], timeout: 30}
      - id: never
        kind: check
        title: after the long one
        command: {tool: gh, args: [api, never]}
"""


async def test_command_argv_stdin_token_env_and_cancel(server, tool, state_dir):
    lines: list[str] = []
    runner = FlowRunner(
        flow_of(COMMANDS),
        make_env(server, tool, name="staging"),
        {},
        on_event=lambda e: lines.append(e.line) if e.type == "output" else None,
    )
    assert runner.preview(0).command["argv"] == tool.argv + [
        "secret",
        "put",
        "FLAG",
        "--name",
        "vau-processor",
        "--env",
        "staging",
    ]
    result = await runner.run_step(0, confirmation="yes")
    assert result.state == StepState.PASSED and result.exit_code == 0
    call = tool.calls()[0]
    assert call["argv"] == ["secret", "put", "FLAG", "--name", "vau-processor", "--env", "staging"]
    assert call["stdin"] == "true"
    assert call["token"] == TOKEN  # in the child's environment...
    result = await runner.run_step(1)
    assert all(TOKEN not in " ".join(c["argv"]) for c in tool.calls())  # ...never in argv
    assert "token is ****" in lines and TOKEN not in result.output  # and masked in output

    task = asyncio.ensure_future(runner.run_step(2))
    await wait_for(lambda: tool.pid_file.exists() and tool.pid_file.read_text(), message="child started")
    pid = int(tool.pid_file.read_text())
    summary = await runner.cancel()
    result = await task
    assert result.state == StepState.CANCELLED
    await wait_for(lambda: not _alive(pid), timeout=10, message="child killed")
    assert summary.cancelled and [s.id for s in summary.not_run] == ["never"]
    assert [s.id for s in summary.ran] == ["put", "token", "long"]
    assert "not run: never" in summary.lines()
    assert "cancelled" in summary.lines()[0]
    assert len(tool.calls()) == 3  # the step after the cancel never ran
    end = [r for r in AuditLog().read() if r.get("event") == "flow_end"][-1]
    assert end["status"] == "cancelled" and end["not_run"] == ["never"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


async def test_timeout_and_failure_stop_the_flow(server, tool, state_dir, monkeypatch):
    text = """\
    flows:
      - id: slow
        title: Slow
        section: Test
        steps:
          - {id: long, kind: check, title: long, command: {tool: gh, args: [api, sleep], timeout: 0.5}}
          - {id: next, kind: check, title: next, command: {tool: gh, args: [api, next]}}
    """
    runner = FlowRunner(flow_of(text), make_env(server, tool), {})
    summary = await runner.run_all()
    assert runner.steps[0].state == StepState.FAILED
    assert "timed out after 0.5s" in runner.steps[0].result.message
    assert runner.steps[1].state == StepState.NOT_RUN and summary.failed and not summary.ok

    monkeypatch.setenv("FAKE_TOOL_MODE", "fail")
    text2 = text.replace("args: [api, sleep], timeout: 0.5", "args: [api, x]").replace("id: slow", "id: failing")
    runner = FlowRunner(flow_of(text2), make_env(server, tool), {})
    await runner.run_all()
    assert runner.steps[0].result.exit_code == 3 and runner.steps[0].result.message == "exit status 3"
    assert runner.steps[1].state == StepState.NOT_RUN


VERIFY = """\
flows:
  - id: watch
    title: Watch
    section: Test
    steps:
      - {id: v, kind: verify, title: error rate below 1, expect: "error_rate < 1", timeout: 90, interval: 2}
"""


async def test_verify_passes_when_the_value_moves_and_times_out_otherwise(server, tool, state_dir):
    """On virtual time: samples ``interval`` seconds apart until the condition holds or ``timeout`` is up."""
    values = iter([5.0, 3.0, None, 0.4])
    samples: list[tuple[float | None, float | None]] = []
    clock = VirtualClock()
    runner = FlowRunner(
        flow_of(VERIFY),
        make_env(server, tool),
        {},
        get_metric=lambda name: next(values, 0.1),
        on_event=lambda e: samples.append((e.value, e.elapsed)) if e.type == "sample" else None,
        clock=clock,
        sleep=clock.sleep,
    )
    result = await runner.run_step(0)
    assert result.state == StepState.PASSED and result.value == 0.4
    assert samples == [(5.0, 0.0), (3.0, 2.0), (None, 4.0), (0.4, 6.0)]
    assert clock.sleeps == [2.0, 2.0, 2.0] and "holds (is 0.400 %) after 6s" in result.message

    async def stuck(name):
        return 4.2

    clock = VirtualClock()
    runner = FlowRunner(flow_of(VERIFY), make_env(server, tool), {}, get_metric=stuck, clock=clock, sleep=clock.sleep)
    result = await runner.run_step(0)
    assert result.state == StepState.TIMEOUT and result.value == 4.2
    assert "did not hold within 90s (last 4.200 %)" in result.message
    assert clock.elapsed == 90.0 and len(clock.sleeps) == 45  # the deadline, not one interval more

    clock = VirtualClock()
    runner = FlowRunner(
        flow_of(VERIFY), make_env(server, tool), {}, get_metric=lambda name: None, clock=clock, sleep=clock.sleep
    )
    result = await runner.run_step(0)
    assert result.state == StepState.FAILED and "no value for error rate within 90s" in result.message
    assert clock.elapsed == 90.0


async def test_verify_times_and_records_come_from_the_injected_clock(server, tool, state_dir):
    """Timestamps of results and audit records are the runner's clock (wall), deadlines its monotonic time."""
    clock = VirtualClock(start=1_800_000_000.0)
    values = iter([3.0, 2.0, 0.5])
    runner = FlowRunner(
        flow_of(VERIFY),
        make_env(server, tool),
        {},
        get_metric=lambda name: next(values),
        clock=clock,
        sleep=clock.sleep,
    )
    result = await runner.run_step(0)
    assert result.state == StepState.PASSED
    assert (result.started, result.ended) == (1_800_000_000.0, 1_800_000_004.0)
    record = [r for r in AuditLog().read() if r.get("event") == "step"][-1]
    assert record["ts"] == 1_800_000_000.0 and record["start"].startswith("2027-01-15T08:00:00")
    assert record["end"].startswith("2027-01-15T08:00:04")


async def test_read_only_refuses_before_anything_runs(server, tool, state_dir):
    env = make_env(server, tool, read_only=True)
    runner = FlowRunner(flow_of(ATTACK), env, {})
    assert runner.refusal and "read-only" in runner.refusal and "set under_attack" in runner.refusal
    result = await runner.run_step(0)
    assert result.state == StepState.NOT_RUN
    assert runner.steps[1].state == StepState.REFUSED
    assert server.requests == []
    refused = [r for r in AuditLog().read() if r.get("status") == "refused" and r["event"] == "step"]
    assert [r["step"] for r in refused] == ["patch"]
    assert runner.preview(1).refusal


async def test_read_only_refusal_names_the_environment_it_would_change(server, tool, state_dir):
    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool, name="staging", read_only=True), {})
    assert runner.refusal.startswith("read-only: flow ") and " changes staging (" in runner.refusal
    assert "production" not in runner.refusal
    assert runner.preview(1).refusal == "read-only: step 'patch' changes staging and is refused"
    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool, read_only=True), {})
    assert " changes production (" in runner.refusal


async def test_order_is_enforced_and_manual_items_do_not_block(server, tool, state_dir):
    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool, name="staging"), {})
    with pytest.raises(RunnerError, match="has not finished"):
        await runner.run_step(1, confirmation="yes")
    with pytest.raises(RunnerError, match="manual item"):
        await runner.run_step(2)
    assert server.requests == []


async def test_preflight_stops_on_a_missing_secret_or_config_value(server, tool, state_dir, monkeypatch):
    monkeypatch.delenv("EC_TEST_TOKEN")
    with pytest.raises(PreflightError) as info:
        FlowRunner(flow_of(ATTACK), make_env(server, tool), {})
    assert "no Cloudflare API token: set $EC_TEST_TOKEN" in str(info.value)
    text = """\
    flows:
      - id: git
        title: Git
        section: Test
        steps:
          - {id: log, kind: check, title: log, command: {tool: git, args: [log], cwd: "{env.paths.repo}"}}
    """
    with pytest.raises(PreflightError, match="has no paths.repo"):
        FlowRunner(flow_of(text), make_env(server, tool), {})
    assert server.requests == [] and tool.calls() == []


async def test_envelope_failure_is_shown(server, tool, state_dir):
    server.status = 403
    server.body = {
        "success": False,
        "errors": [{"code": 10000, "message": "Authentication error"}],
        "messages": [],
        "result": None,
    }
    runner = FlowRunner(flow_of(ATTACK), make_env(server, tool), {})
    result = await runner.run_step(0)
    assert result.state == StepState.FAILED
    assert result.message == "Cloudflare API: FAILED (10000: Authentication error)"
    assert result.envelope["success"] is False


ACCEPT_404 = """\
flows:
  - id: find
    title: Find the entry point
    section: Security
    steps:
      - id: read
        kind: check
        title: Read it
        http: {url: "{env.cloudflare_api_url}/zones/{env.zone_id}/x", auth: api_token, accept_status: [404]}
        capture: {found: "result.id|false"}
      - id: create
        kind: check
        title: Only when there is none
        when: "!capture.found"
        http: {url: "{env.cloudflare_api_url}/zones/{env.zone_id}/y", auth: api_token}
"""


async def test_an_accepted_404_is_an_answer_and_any_other_failure_still_fails(server, tool, state_dir):
    missing = {
        "success": False,
        "errors": [{"code": 10003, "message": "could not find entrypoint ruleset"}],
        "messages": [],
        "result": None,
    }
    server.status, server.body = 404, missing
    runner = FlowRunner(flow_of(ACCEPT_404), make_env(server, tool), {})
    result = await runner.run_step(0)
    assert result.state == StepState.PASSED and result.http_status == 404 and result.captures == {"found": False}
    assert result.message == "HTTP 404, accepted as an answer (10003: could not find entrypoint ruleset)"
    server.status, server.body = 200, {"success": True, "errors": [], "messages": [], "result": {"id": "r1"}}
    assert (await runner.run_step(1)).state == StepState.PASSED  # its when held: it ran

    server.status, server.body = 200, {"success": True, "errors": [], "messages": [], "result": {"id": "r1"}}
    runner = FlowRunner(flow_of(ACCEPT_404), make_env(server, tool), {})
    assert (await runner.run_step(0)).captures == {"found": "r1"}
    assert (await runner.run_step(1)).state == StepState.SKIPPED

    server.status = 403  # not listed: still a failure, and the rest does not run
    server.body = {
        "success": False,
        "errors": [{"code": 10000, "message": "Authentication error"}],
        "messages": [],
        "result": None,
    }
    runner = FlowRunner(flow_of(ACCEPT_404), make_env(server, tool), {})
    result = await runner.run_step(0)
    assert result.state == StepState.FAILED and "10000" in result.message
    assert runner.steps[1].state == StepState.NOT_RUN
    with pytest.raises(RunbookError, match="accept_status"):
        flow_of(ACCEPT_404.replace("accept_status: [404]", "accept_status: [500]"))


async def test_capture_from_command_json_and_memory_default(server, tool, state_dir):
    from console.runbook import Memory

    Memory().remember("production", "previous_security_level", "high", flow="under-attack-mode")
    text = """\
    flows:
      - id: runs
        title: Runs
        section: Test
        inputs:
          - {name: level, type: choice, choices: [low, medium, high], default: "{memory.previous_security_level|medium}"}
        steps:
          - {id: list, kind: check, title: list, command: {tool: gh, args: [api, runs]}, capture: {run_id: "[0].databaseId"}}
          - {id: watch, kind: check, title: "watch {capture.run_id}", command: {tool: gh, args: [api, "runs/{capture.run_id}/{level}"]}}
    """
    flow = flow_of(text)
    env = make_env(server, tool)
    assert FlowRunner.defaults(flow, env) == {"level": "high"}
    runner = FlowRunner(flow, env, {})
    assert runner.preview(1).command["argv"][-1] == "runs/<capture.run_id>/high"
    await runner.run_all()
    assert tool.calls()[-1]["argv"] == ["api", "runs/4242/high"]
    assert runner.title_of(1) == "watch 4242"


async def test_a_check_is_retried_until_its_expectation_holds(server, tool, state_dir, tmp_path, monkeypatch):
    """A run list right after triggering a workflow may not show the new run yet: the check is retried."""
    counter = tmp_path / "count"
    script = tmp_path / "listing.py"
    script.write_text(
        textwrap.dedent(f"""\
        import json, pathlib
        p = pathlib.Path({str(counter)!r})
        n = int(p.read_text()) if p.exists() else 0
        p.write_text(str(n + 1))
        print(json.dumps([{{"databaseId": 100 if n < 3 else 101}}]))
        """)
    )
    text = """\
    flows:
      - id: find
        title: Find
        section: Test
        steps:
          - {id: before, kind: check, title: before, command: {tool: gh, args: [api, x]}, capture: {previous: "[0].nothing|100"}}
          - id: find
            kind: check
            title: find
            command: {tool: gh, args: [api, y]}
            expect: "[0].databaseId > {capture.previous}"
            retry: {attempts: 5, interval: 3}
            capture: {run_id: "[0].databaseId"}
    """
    env = make_env(server, tool)
    env.tools["gh"] = [sys.executable, str(script)]
    lines: list[str] = []
    clock = VirtualClock()
    runner = FlowRunner(
        flow_of(text),
        env,
        {},
        on_event=lambda e: lines.append(e.line) if e.type == "output" else None,
        clock=clock,
        sleep=clock.sleep,
    )
    await runner.run_all()
    assert runner.captures == {"previous": 100, "run_id": 101}
    assert counter.read_text() == "4"  # one for `before`, three tries for `find`
    assert runner.steps[1].result.message == "[0].databaseId > 100 (is 101)"
    assert sum("again in 3s" in line for line in lines) == 2
    assert clock.sleeps == [3.0, 3.0]  # the retry interval, on the runner's sleep


async def test_metrics_after_an_action_come_from_scrapes_after_it():
    """PollerMetrics (headless runs): once told of a change, the next value is derived from two new
    scrapes, never from a window that starts before the change."""
    from types import SimpleNamespace

    from console.runbook.values import PollerMetrics

    class Poller:
        def __init__(self) -> None:
            self.polls = 0

        async def poll(self):
            self.polls += 1
            metric = SimpleNamespace(value=float(self.polls))
            derived = SimpleNamespace(window_s=1.0, at=self.polls, metrics={"request_rate": metric})
            return SimpleNamespace(derived=derived, metrics=SimpleNamespace(error=None))

    poller = Poller()
    metrics = PollerMetrics(None, None, min_interval=0.01, poller=poller)
    assert await metrics("request_rate") == 1.0 and poller.polls == 1
    assert await metrics("request_rate") in (1.0, 2.0)  # within min_interval: maybe the same window
    before = poller.polls
    metrics.changed()
    assert await metrics("request_rate") == float(before + 2)  # a baseline scrape, then the value
    assert poller.polls == before + 2


async def test_an_action_that_ran_tells_the_metrics_source_so_later_windows_start_after_it(server, tool, state_dir):
    text = """\
    flows:
      - id: change-then-measure
        title: Change then measure
        section: Test
        steps:
          - {id: before, kind: check, title: before, metrics: [request_rate]}
          - {id: change, kind: action, title: change, command: {tool: gh, args: [change]}}
          - {id: after, kind: check, title: after, metrics: [request_rate]}
    """
    calls: list[str] = []

    class Source:
        def __call__(self, name):
            calls.append(f"read {name}")
            return 1.0

        def changed(self):
            calls.append("changed")

    runner = FlowRunner(flow_of(text), make_env(server, tool, name="staging"), {}, get_metric=Source())
    await runner.run_step(0)
    await runner.run_step(1, confirmation="yes")  # not production: a yes
    await runner.run_step(2)
    assert [s.state for s in runner.steps] == [StepState.PASSED] * 3
    assert calls == ["read request_rate", "changed", "read request_rate"]


def test_a_memory_file_nested_100k_deep_is_forgotten_not_a_traceback(tmp_path):
    """The runbook's memory (values a reverse flow reads back) is a file on disk, so outside data: nested
    100,000 deep it raised RecursionError into the flow that read it."""
    from console.runbook import Memory

    path = tmp_path / "runbook-memory.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert Memory(path).values("production") == {}
    Memory(path).remember("production", "previous_security_level", "high", flow="under-attack-mode")
    assert Memory(path).values("production") == {"previous_security_level": "high"}
