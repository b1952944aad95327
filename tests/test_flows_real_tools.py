"""The flows against the tools as they really behave (issue 10: wrangler, gh, terraform).

A config file with ``workers:``, ``github_repo``, ``paths.terraform`` and ``paths.worker_dir``; the console
runs in a directory that is not a git checkout and holds a decoy ``wrangler.toml`` (whose ``[env.*]`` has no
``production``). The fake tools on PATH run the simulated wrangler/gh/terraform and record argv, cwd and the
names of the child's environment variables for every call.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from console.config import load_config
from console.incident.manager import IncidentManager
from console.runbook import FlowRunner, PreflightError, StepState, load_runbook
from console.runbook.values import PollerMetrics
from console.sim.names import SIM_ACCOUNT_ID, SIM_GITHUB_REPO, SIM_KV_NAMESPACE_ID, SIM_ZONE_ID
from tests.virtual_time import VirtualClock, sim_on_the_clock, skip_ahead_clock  # noqa: F401 - fixtures clock, sim

RUNBOOK = load_runbook()
REPO = SIM_GITHUB_REPO
NOT_PERSISTED = "terraform values not persisted: the next CI apply reverts them"
#: every flow that sets a worker secret: (flow, secret)
SECRET_FLOWS = [
    ("enable-circuit-breaker", "CIRCUIT_BREAKER_ENABLED"),
    ("disable-circuit-breaker", "CIRCUIT_BREAKER_ENABLED"),
    ("enable-performance-mode", "PERFORMANCE_MODE"),
    ("disable-performance-mode", "PERFORMANCE_MODE"),
    ("tighten-rate-limits", "RATE_LIMIT_MULTIPLIER"),
    ("restore-rate-limit-multiplier", "RATE_LIMIT_MULTIPLIER"),
    ("high-latency", "PERFORMANCE_MODE"),
    ("p0-service-down", "CIRCUIT_BREAKER_ENABLED"),
]
#: every flow that applies terraform values: (flow, inputs, expected -var arguments, applied vars)
TERRAFORM_FLOWS = [
    (
        "raise-rate-limits",
        {"api_rate_limit": "300", "vau_rate_limit": "3000"},
        ["-var=api_rate_limit=300", "-var=vau_rate_limit=3000"],
        {"api_rate_limit": 300, "vau_rate_limit": 3000},
    ),
    (
        "tune-rate-limits",
        {"api_rate_limit": "150", "vau_rate_limit": "1500"},
        ["-var=api_rate_limit=150", "-var=vau_rate_limit=1500"],
        {"api_rate_limit": 150, "vau_rate_limit": 1500},
    ),
    ("scale-workers", {"worker_count": "25"}, ["-var=worker_count=25"], {"worker_count": 25}),
    ("enable-strict-waf", {}, ["-var=enable_strict_waf=true"], {"enable_strict_waf": True}),
    ("queue-processing-delays", {"queue_batch_size": "300"}, ["-var=queue_batch_size=300"], {"queue_batch_size": 300}),
]


class Edge:
    """Flows headless on the simulated edge; with ``clock`` (tests/virtual_time.py, skip-ahead, shared with the
    simulator) the engine's retry and verify waits take no wall time and the simulated edge lives through them."""

    def __init__(self, sim, fake_tools, tmp_path: Path, config_path: Path, clock: VirtualClock | None = None) -> None:
        self.sim = sim
        self.clock = clock
        self.tools = fake_tools
        self.tmp = tmp_path
        self.config = load_config(config_path)
        self.env = self.config.environment()
        self.paths = dict(self.env.paths)

    def state(self) -> dict[str, Any]:
        return self.sim.state.snapshot()

    def runner(self, flow_id: str, inputs: dict[str, str] | None = None, **kw: Any) -> FlowRunner:
        sleep = self.clock.sleep if self.clock is not None else None  # rate windows on the clock too
        metrics = PollerMetrics(self.config, self.env, min_interval=0.3, clock=self.clock, sleep=sleep)
        kw.setdefault("get_metric", metrics)
        if self.clock is not None:
            kw.setdefault("clock", self.clock)
            kw.setdefault("sleep", self.clock.sleep)
        return FlowRunner(RUNBOOK.flows[flow_id], self.env, inputs or {}, config=self.config, tail_seconds=1, **kw)

    async def run(
        self, flow_id: str, inputs: dict[str, str] | None = None, *, decline: tuple[str, ...] = (), **kw: Any
    ) -> FlowRunner:
        runner = self.runner(flow_id, inputs, **kw)
        previews: list[Any] = []
        self.previews = previews

        def confirm(preview: Any) -> str | None:
            previews.append(preview)
            return None if preview.step_id in decline else preview.confirmation.expected

        try:
            await runner.run_all(confirm=confirm)
        finally:
            await runner.get_metric.aclose() if hasattr(runner.get_metric, "aclose") else None
        return runner


def write_config(
    path: Path,
    sim,
    workspace: dict[str, str],
    *,
    workers: dict[str, str] | None = None,
    github_repo: str | None = REPO,
    drop_paths: tuple[str, ...] = (),
) -> Path:
    paths = {"repo": workspace["repo"], "terraform": workspace["terraform"], "worker_dir": workspace["worker_dir"]}
    for key in drop_paths:
        paths.pop(key)
    env: dict[str, Any] = {
        "base_url": sim.base_url,
        "account_id": SIM_ACCOUNT_ID,
        "zone_id": SIM_ZONE_ID,
        "kv_namespace_id": SIM_KV_NAMESPACE_ID,
        "api_token_env": "EDGE_SIM_API_TOKEN",
        "admin_token_env": "EDGE_SIM_ADMIN_TOKEN",
        "cloudflare_api_url": sim.base_url + "/client/v4",
        "status_url": sim.base_url + "/status/api/v2/status.json",
        "tool_env": sim.tool_env(),
        "workers": workers
        or {
            role: f"{role}-production" for role in ("vau-processor", "security-waf", "rate-limiter", "queue-processor")
        },
        "paths": paths,
    }
    if github_repo:
        env["github_repo"] = github_repo
    path.write_text(json.dumps({"environments": {"production": env}}))  # JSON is YAML
    return path


@pytest.fixture
def console_cwd(tmp_path, monkeypatch) -> Path:
    """The console's directory: no git checkout, and a decoy Wrangler config without [env.production]."""
    cwd = tmp_path / "console-cwd"
    cwd.mkdir()
    (cwd / "wrangler.toml").write_text('name = "someone-elses-worker"\nmain = "index.js"\n[env.staging]\n')
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return cwd


@pytest.fixture
def workspace(sim, tmp_path) -> dict[str, str]:
    from console.sim.workspace import create_workspace

    return create_workspace(tmp_path / "ws")


@pytest.fixture
def edge(sim, fake_tools, tmp_path, state_dir, console_cwd, workspace, clock) -> Edge:
    return Edge(sim, fake_tools, tmp_path, write_config(tmp_path / "config.yaml", sim, workspace), clock)


def _calls(edge: Edge, tool: str, *words: str) -> list[dict]:
    return [c for c in edge.tools.calls(tool) if c["argv"][: len(words)] == list(words)]


# -- wrangler secrets ------------------------------------------------------------------------------
@pytest.mark.parametrize("flow_id,secret", SECRET_FLOWS)
async def test_secret_flows_check_the_worker_then_name_it_without_env(edge, console_cwd, flow_id, secret):
    inputs = {"worker": "rate-limiter"}
    runner = await edge.run(flow_id, inputs)
    exists = _calls(edge, "wrangler", "deployments", "status")
    puts = _calls(edge, "wrangler", "secret", "put")
    assert [c["argv"] for c in exists] == [["deployments", "status", "--name", "rate-limiter-production", "--json"]]
    assert [c["argv"] for c in puts] == [["secret", "put", secret, "--name", "rate-limiter-production"]]
    assert "--env" not in puts[0]["argv"]
    assert puts[0]["cwd"] == str(console_cwd)  # the decoy config there has no [env.production]: no --env, no error
    assert "CLOUDFLARE_API_TOKEN" in puts[0]["env_keys"] and "EDGE_SIM_ADMIN_TOKEN" not in puts[0]["env_keys"]
    assert puts[0]["stdin"].startswith("<masked:")
    step = next(r for r in runner.steps if r.step.command is not None and r.step.command.args[:2] == ["secret", "put"])
    assert step.state == StepState.PASSED, step.result
    assert edge.state()["drafts"] == []
    assert secret in edge.state()["secrets"]["rate-limiter-production"]


async def test_the_worker_input_offers_the_configured_roles_only(
    sim, fake_tools, tmp_path, state_dir, console_cwd, workspace
):
    config = write_config(
        tmp_path / "c.yaml",
        sim,
        workspace,
        workers={"vau-processor": "vau-processor-production", "rate-limiter": "rate-limiter-production"},
    )
    edge = Edge(sim, fake_tools, tmp_path, config)
    spec = RUNBOOK.flows["enable-circuit-breaker"].input("worker")
    assert spec.options(edge.env) == ["vau-processor", "rate-limiter"]
    _, errors = FlowRunner.check(RUNBOOK.flows["enable-circuit-breaker"], edge.env, {"worker": "security-waf"})
    assert "has no worker in environment 'production'" in errors["worker"]
    for flow in RUNBOOK.flows.values():  # every flow naming a worker by script takes it as such an input
        texts = json.dumps([[s.title, s.command.args if s.command else []] for s in flow.steps])
        if "!script}" in texts:
            assert flow.input("worker") is not None and flow.input("worker").choices_from == "workers", flow.id


async def test_a_misspelled_worker_is_refused_before_any_secret_is_put(
    sim, fake_tools, tmp_path, state_dir, console_cwd, workspace
):
    config = write_config(tmp_path / "c.yaml", sim, workspace, workers={"vau-processor": "vau-procesor-production"})
    edge = Edge(sim, fake_tools, tmp_path, config)
    runner = await edge.run("enable-performance-mode", {"worker": "vau-processor"})
    check = runner.steps[0]
    assert check.step.id == "worker-exists" and check.state == StepState.FAILED
    assert "'vau-procesor-production' does not exist" in check.result.message
    assert "environments.production.workers" in check.result.message
    assert _calls(edge, "wrangler", "secret") == []
    assert edge.state()["drafts"] == []  # wrangler would have made an empty draft Worker of that name


async def test_secret_put_during_a_gradual_rollout_points_at_versions_secret_put(edge):
    edge.sim.state.start_rollout("vau-processor-production", 10)
    runner = await edge.run("enable-performance-mode", {"worker": "vau-processor"})
    put = next(r for r in runner.steps if r.step.id == "put-secret")
    assert put.state == StepState.FAILED
    assert "10215" in put.result.message and "versions-secret-put" in put.result.message
    assert edge.sim.state.flags()["performance_mode"] is False
    runner = await edge.run(
        "versions-secret-put", {"worker": "vau-processor", "secret": "PERFORMANCE_MODE", "value": "true"}
    )
    assert _calls(edge, "wrangler", "versions")[-1]["argv"] == [
        "versions",
        "secret",
        "put",
        "PERFORMANCE_MODE",
        "--name",
        "vau-processor-production",
    ]
    assert [v["secret"] for v in edge.state()["undeployed_versions"]["vau-processor-production"]] == [
        "PERFORMANCE_MODE"
    ]
    assert runner.steps[1].state == StepState.PASSED


# -- rollback and gh -------------------------------------------------------------------------------
async def test_rollback_after_a_secret_change_targets_the_code_before_and_passes_the_version(edge):
    edge.sim.state.set_scenario("error-spike")
    await edge.run("enable-circuit-breaker", {"worker": "vau-processor"})  # a secret-change deployment on top
    listing = edge.sim.state.deployment_list("vau-processor-production")
    assert listing[0]["annotations"]["workers/triggered_by"] == "secret"
    bad_code, wanted = listing[1], listing[2]["versions"][0]["version_id"]
    edge.sim.state.gh_foreign_run("alice", "workflow_dispatch")  # a teammate's run just before ours
    runner = await edge.run("rollback", {"reason": "bad deploy", "worker": "vau-processor"})
    assert [r.state for r in runner.steps] == [
        StepState.PASSED,
        StepState.PASSED,
        StepState.PASSED,
        StepState.SKIPPED,
        StepState.PASSED,
        StepState.PASSED,
    ], [(r.step.id, r.result) for r in runner.steps]
    assert runner.captures["target_version"] == wanted != bad_code["versions"][0]["version_id"]
    trigger = next(p for p in edge.previews if p.step_id == "trigger")
    assert wanted in trigger.title and f"version_id={wanted}" in trigger.display
    gh = edge.tools.calls("gh")
    assert all(c["argv"][c["argv"].index("-R") + 1] == REPO for c in gh), [c["argv"] for c in gh]
    assert gh[0]["argv"][:6] == ["run", "list", "-R", REPO, "--workflow", "rollback-edge.yml"]
    assert "--event" in gh[0]["argv"] and gh[0]["argv"][gh[0]["argv"].index("--event") + 1] == "workflow_dispatch"
    assert gh[1]["argv"] == [
        "workflow",
        "run",
        "rollback-edge.yml",
        "-R",
        REPO,
        "-f",
        "environment=production",
        "-f",
        "worker=vau-processor-production",
        "-f",
        f"version_id={wanted}",
        "-f",
        "reason=bad deploy",
    ]
    ours = next(r for r in edge.state()["gh_runs"] if r["inputs"].get("reason") == "bad deploy")
    assert runner.captures["run_id"] == ours["databaseId"]  # from the URL gh printed, not the newest run
    assert gh[2]["argv"] == ["run", "watch", "-R", REPO, "--exit-status", "--", str(ours["databaseId"])]
    assert all(c["cwd"] == os.getcwd() for c in gh)  # no checkout here: -R is what makes gh work
    rollback = edge.state()["rollbacks"][-1]
    assert rollback["version"] == wanted and rollback["code_rolled_back"] is True
    assert edge.state()["scenario"] == "normal"


async def test_rollback_without_the_run_url_finds_the_run_among_dispatches_only(edge, monkeypatch):
    monkeypatch.setenv("EDGE_SIM_GH_VERSION", "2.63.2")  # before gh printed the run URL
    edge.sim.state.gh_foreign_run("ci-bot", "schedule")  # newer, but not a dispatch: --event skips it
    runner = await edge.run("rollback", {"reason": "drill", "worker": "vau-processor"})
    find = next(r for r in runner.steps if r.step.id == "find-run")
    assert find.state == StepState.PASSED, find.result
    ours = next(r for r in edge.state()["gh_runs"] if r["inputs"].get("reason") == "drill")
    assert runner.captures["run_id"] == ours["databaseId"]
    lists = _calls(edge, "gh", "run", "list")
    assert len(lists) >= 2 and all("workflow_dispatch" in c["argv"] for c in lists)


def test_wrangler_default_rollback_after_a_secret_change_keeps_the_bad_code(sim, fake_tools, console_cwd):
    """What the explicit version avoids: the workflow's wrangler rollback without one."""
    sim.state.set_scenario("error-spike")
    sim.state.put_secret("vau-processor-production", "CIRCUIT_BREAKER_ENABLED", "true")
    run = sim.state.gh_dispatch("rollback-edge.yml", {"environment": "production", "reason": "no version"})
    sim.state.gh_complete(run["databaseId"])
    record = sim.state.snapshot()["rollbacks"][-1]
    assert record["code_rolled_back"] is False and sim.state.snapshot()["scenario"] == "error-spike"


def test_sim_wrangler_rollback_prompts_and_10220(sim, fake_tools, console_cwd):
    env = dict(
        os.environ,
        EDGE_SIM_API_TOKEN="",
        CLOUDFLARE_API_TOKEN=os.environ["EDGE_SIM_API_TOKEN"],
        CLOUDFLARE_ACCOUNT_ID=SIM_ACCOUNT_ID,
    )
    target = sim.state.deployment_list("vau-processor-production")[1]["versions"][0]["version_id"]
    sim.state.put_secret("vau-processor-production", "CIRCUIT_BREAKER_ENABLED", "true")
    done = subprocess.run(
        ["wrangler", "rollback", target, "--name", "vau-processor-production", "-m", "drill"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "The following secrets have changed since version" in done.stdout  # 10220, then the retry with force
    assert "Using fallback value in non-interactive context: yes" in done.stdout
    assert sim.state.snapshot()["flags"]["circuit_breaker"] is False  # the breaker went with the rollback


def test_sim_gh_needs_a_repository_outside_a_checkout(sim, fake_tools, console_cwd, monkeypatch):
    monkeypatch.delenv("GH_REPO", raising=False)
    plain = subprocess.run(
        ["gh", "run", "list", "--workflow", "rollback-edge.yml", "--json", "databaseId"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plain.returncode == 1 and "not a git repository" in plain.stderr
    sim.state.gh_foreign_run("alice", "push")
    with_repo = subprocess.run(
        ["gh", "run", "list", "-R", REPO, "--workflow", "rollback-edge.yml", "--json", "databaseId,event"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_repo.returncode == 0, with_repo.stderr
    events = {r["event"] for r in json.loads(with_repo.stdout)}
    assert "push" in events  # everyone's runs
    other = subprocess.run(
        ["gh", "run", "list", "-R", "someone/else", "--json", "databaseId"], capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 1 and "404" in other.stderr


# -- terraform -------------------------------------------------------------------------------------
def _plain_apply(cwd: str) -> subprocess.CompletedProcess:
    """What CI runs from the repository: a plain apply, no -var."""
    return subprocess.run(
        ["terraform", "apply", "-input=false", "-auto-approve"], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("flow_id,inputs,var_args,applied", TERRAFORM_FLOWS)
async def test_terraform_flows_plan_show_apply_the_saved_plan_and_open_a_pull_request(
    edge, flow_id, inputs, var_args, applied
):
    runner = await edge.run(flow_id, inputs)
    bad = [(r.step.id, r.result.message) for r in runner.steps if r.state.bad]
    assert not bad, bad
    tf = edge.tools.calls("terraform")
    plan_file = runner._builtins["plan_file"]
    assert [c["argv"] for c in tf] == [
        ["plan", "-input=false", "-lock-timeout=120s", *var_args, f"-out={plan_file}"],
        ["show", "-json", plan_file],
        ["apply", "-input=false", "-lock-timeout=120s", plan_file],
    ]
    assert all(c["cwd"] == edge.paths["terraform"] for c in tf)
    assert all("CLOUDFLARE_API_TOKEN" in c["env_keys"] for c in tf)
    show = next(r for r in runner.steps if r.step.id == "show")
    assert show.result.lines[0].startswith("Plan: 0 to add, ") and "to destroy." in show.result.lines[0]
    assert any("->" in line for line in show.result.lines[1:])  # the changed attributes
    assert {k: edge.state()["terraform"]["vars"][k] for k in applied} == applied
    assert Path(plan_file).parent.stat().st_mode & 0o077 == 0
    pr = _calls(edge, "gh", "pr", "create")
    assert len(pr) == 1 and pr[0]["argv"][2:4] == ["-R", REPO]
    assert "EDGE_SIM_ARGV_LOG" in pr[0]["env_keys"] and "EDGE_SIM_API_TOKEN" not in pr[0]["env_keys"]
    pulls = edge.state()["pulls"]
    assert len(pulls) == 1 and pulls[0]["state"] == "OPEN" and pulls[0]["head"].startswith(f"edge-console/{flow_id}")
    origin = Path(edge.paths["repo"]).parent / "edge-origin.git"
    shown = subprocess.run(
        ["git", "show", f"{pulls[0]['head']}:infra/terraform/edge-console.auto.tfvars"],
        cwd=origin,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    for name, value in applied.items():
        assert f"{name} = {json.dumps(value)}" in shown.stdout
    # the operator's checkout was not touched
    status = subprocess.run(["git", "status", "--porcelain"], cwd=edge.paths["repo"], capture_output=True, text=True)
    assert status.stdout == "" and not (Path(edge.paths["terraform"]) / "edge-console.auto.tfvars").exists()
    summary = runner.summary()
    assert summary.ok


async def test_declining_the_pull_request_puts_it_on_the_timeline_and_the_next_apply_reverts(edge, state_dir):
    manager = IncidentManager(state_dir=state_dir)
    incident = manager.start("P1", "errors up")
    runner = await edge.run(
        "scale-workers", {"worker_count": "30"}, decline=("persist",), listeners=[manager.record_flow_step]
    )
    persist = next(r for r in runner.steps if r.step.id == "persist")
    assert persist.state == StepState.SKIPPED and persist.result.audit["action_item"].startswith(NOT_PERSISTED)
    assert _calls(edge, "gh", "pr") == [] and edge.state()["pulls"] == []
    assert edge.state()["terraform"]["vars"]["worker_count"] == 30
    after = manager.get(incident.id)
    assert any(NOT_PERSISTED in e.text and e.kind == "flow" for e in after.entries)
    assert any(item.startswith(NOT_PERSISTED) for item in after.action_items)
    # and it is true: the next plain apply (CI's) falls back to terraform.tfvars and reverts the value
    reverted = _plain_apply(edge.paths["terraform"])
    assert reverted.returncode == 0, reverted.stderr
    assert re.search(r"max_concurrency\s+= 30 -> 10", reverted.stdout), reverted.stdout  # var.worker_count
    assert edge.state()["terraform"]["vars"]["worker_count"] == 10


async def test_terraform_flow_cancelled_after_the_apply_still_says_the_values_are_not_kept(edge, state_dir):
    manager = IncidentManager(state_dir=state_dir)
    manager.start("P2", "limits")
    runner = edge.runner("enable-strict-waf", listeners=[manager.record_flow_step])
    for index in range(3):
        preview = runner.preview(index)
        await runner.run_step(index, confirmation=preview.confirmation.expected if preview.confirmation else None)
    await runner.cancel("operator closed the flow")
    assert NOT_PERSISTED in " ".join(manager.get().action_items)


def test_sim_terraform_saved_plans_take_no_vars_and_go_stale(sim, fake_tools, workspace, tmp_path):
    cwd = workspace["terraform"]
    plan = str(tmp_path / "a.tfplan")
    run = lambda *a: subprocess.run(["terraform", *a], cwd=cwd, capture_output=True, text=True, timeout=60)  # noqa: E731
    assert run("plan", "-input=false", "-var=worker_count=12", f"-out={plan}").returncode == 0
    with_var = run("apply", "-input=false", "-var=worker_count=13", plan)
    assert with_var.returncode == 1 and "Can't set variables when applying a saved plan" in with_var.stderr
    other = str(tmp_path / "b.tfplan")
    assert run("plan", "-input=false", "-var=api_rate_limit=120", f"-out={other}").returncode == 0
    assert run("apply", "-input=false", other).returncode == 0
    stale = run("apply", "-input=false", plan)
    assert stale.returncode == 1 and "Saved plan is stale" in stale.stderr
    assert sim.state.snapshot()["terraform"]["vars"]["worker_count"] == 10
    nowhere = subprocess.run(["terraform", "plan", "-input=false"], cwd=tmp_path, capture_output=True, text=True)
    assert nowhere.returncode == 1 and "No configuration files" in nowhere.stderr


# -- preflight and the runbook data ------------------------------------------------------------------
@pytest.mark.parametrize(
    "flow_id,inputs,missing,needle",
    [
        ("raise-rate-limits", {}, ("terraform",), "paths.terraform"),
        ("monthly-security-audit", {}, ("terraform",), "paths.terraform"),
        ("enable-caching", {}, ("worker_dir",), "paths.worker_dir"),
    ],
)
def test_steps_needing_a_path_refuse_at_preflight_naming_the_key(
    sim, fake_tools, tmp_path, state_dir, console_cwd, workspace, flow_id, inputs, missing, needle
):
    edge = Edge(sim, fake_tools, tmp_path, write_config(tmp_path / "c.yaml", sim, workspace, drop_paths=missing))
    with pytest.raises(PreflightError) as caught:
        edge.runner(flow_id, inputs)
    assert needle in caught.value.message
    assert edge.tools.calls() == []


def test_gh_flows_refuse_without_github_repo(sim, fake_tools, tmp_path, state_dir, console_cwd, workspace):
    edge = Edge(sim, fake_tools, tmp_path, write_config(tmp_path / "c.yaml", sim, workspace, github_repo=None))
    for flow_id in ("rollback", "raise-rate-limits"):
        with pytest.raises(PreflightError) as caught:
            edge.runner(flow_id, {"reason": "x"} if flow_id == "rollback" else {})
        assert "github_repo" in caught.value.message


def test_every_builtin_flow_uses_the_tools_as_they_work():
    """The rules above, over the runbook data: no flow is left out."""
    seen = {"secret": set(), "gh": set(), "terraform": set()}
    for flow in RUNBOOK.flows.values():
        for step in flow.steps:
            command = step.command
            if command is None or command.tool is None:
                continue
            args = command.args
            if command.tool == "gh":
                seen["gh"].add(flow.id)
                assert args[args.index("-R") + 1] == "{env.github_repo}", (flow.id, step.id)
                if args[:2] == ["run", "list"]:
                    assert args[args.index("--event") + 1] == "workflow_dispatch", (flow.id, step.id)
            if command.tool == "wrangler" and "secret" in args[:2] and "put" in args[:3]:
                seen["secret"].add(flow.id)
                assert "--env" not in args and args[args.index("--name") + 1] == "{worker!script}", (flow.id, step.id)
                assert flow.steps[0].id == "worker-exists" or any(s.id == "worker-exists" for s in flow.steps)
            if command.tool == "terraform":
                seen["terraform"].add(flow.id)
                assert command.cwd == "{env.paths.terraform}", (flow.id, step.id)
                assert "-auto-approve" not in args
                if args[0] == "apply":
                    assert args == ["apply", "-input=false", "-lock-timeout=120s", "{plan_file}"], flow.id
                    ids = [s.id for s in flow.steps]
                    assert ids[ids.index(step.id) - 2 : ids.index(step.id)] == ["plan", "show"], flow.id
                    persist = flow.steps[ids.index(step.id) + 1]
                    assert persist.command.tool == "tfvars-pr" and persist.if_declined.startswith(NOT_PERSISTED)
                if args[0] == "plan":
                    assert "-lock-timeout=120s" in args and "-input=false" in args
    assert {f for f, _ in SECRET_FLOWS} | {"versions-secret-put"} >= seen["secret"] >= {f for f, _ in SECRET_FLOWS}
    assert {f for f, *_ in TERRAFORM_FLOWS} | {"disable-strict-waf", "monthly-security-audit"} == seen["terraform"]
    assert seen["gh"] == {"rollback", "p0-service-down"}
    assert sys.executable  # the tfvars-pr helper runs with this interpreter (tools.tfvars-pr default)


def test_a_check_saves_a_plan_only_to_the_runs_plan_file():
    from console.runbook import RunbookError, parse_runbook

    def flow(out: str) -> str:
        return (
            "version: 1\nflows:\n  - id: p\n    title: p\n    section: s\n    steps:\n      - id: plan\n"
            "        kind: check\n        title: plan\n        command:\n          tool: terraform\n"
            f'          args: [plan, -input=false, "-out={out}"]\n          cwd: "{{env.paths.terraform}}"\n'
        )

    assert parse_runbook(flow("{plan_file}"))[0].steps[0].kind == "check"
    for other in ("/tmp/x.tfplan", "{env.paths.terraform}/x", "plan.out"):
        with pytest.raises(RunbookError) as caught:
            parse_runbook(flow(other))
        assert "-out=" in str(caught.value) and "plan_file" in str(caught.value)
    from console.runbook.policy import is_run_plan_file
    from console.paths import state_dir

    assert is_run_plan_file(str(state_dir() / "terraform-plans" / "x-1.tfplan"))
    assert not is_run_plan_file(str(state_dir() / "terraform-plans" / ".." / "x.tfplan"))
    assert not is_run_plan_file("/etc/passwd") and not is_run_plan_file("x.tfplan")


def test_rollback_target_skips_secret_changes_and_the_current_code():
    from console.runbook.tool_summaries import rollback_target

    def dep(day: int, trigger: str, version: str, percent: int = 100) -> dict:
        return {
            "id": f"d{day}",
            "created_on": f"2026-12-0{day}T00:00:00Z",
            "annotations": {"workers/triggered_by": trigger, "workers/message": trigger},
            "versions": [{"version_id": version, "percentage": percent}],
        }

    listing = [
        dep(1, "upload", "v-good"),
        dep(2, "upload", "v-bad"),
        dep(3, "secret", "v-bad-with-breaker"),
        dep(4, "secret", "v-bad-with-breaker-2"),
    ]  # oldest first, as wrangler prints it
    summary = rollback_target(listing, "", {})
    assert summary.ok and summary.data["version_id"] == "v-good"
    assert any("skipped 2 secret-change" in line for line in summary.lines)
    only = rollback_target([dep(1, "upload", "v1")], "", {})
    assert not only.ok and "no earlier stable version" in only.notes[0]
