"""The simulated ``wrangler``, ``gh`` and ``terraform`` on PATH (fixture ``fake_tools``): each command,
its effect on the simulated edge, its argv log, wrangler 4's argument rules and auth errors."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from console.sim.tools.wrangler import BANNER
from tests.util import wait_for_sync

NS = "5100000000000000000000000000c001"


@pytest.fixture
def run(fake_tools, sim, tmp_path):
    def _run(*argv: str, stdin: str | None = None, token: str | None = "sim", timeout: float = 30):
        env = dict(os.environ)
        env.pop("CLOUDFLARE_API_TOKEN", None)
        if token == "sim":
            env["CLOUDFLARE_API_TOKEN"] = sim.api_token
        elif token is not None:
            env["CLOUDFLARE_API_TOKEN"] = token
        # tmp_path is no checkout: gh takes the repository from $GH_REPO (or -R), as the real gh does
        env.setdefault("GH_REPO", "twist-network/edge")
        return subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=timeout,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    return _run


def state(sim) -> dict:
    return sim.state.snapshot()


# -- wrangler ---------------------------------------------------------------------------------
def test_wrangler_version_and_help(run, fake_tools):
    r = run("wrangler", "--version")
    assert r.returncode == 0 and r.stdout.strip().startswith("4.")
    assert fake_tools.argvs("wrangler") == [["--version"]]


def test_secret_put_reads_stdin_and_trips_the_circuit_breaker(run, sim, fake_tools):
    r = run(
        "wrangler",
        "secret",
        "put",
        "CIRCUIT_BREAKER_ENABLED",
        "--name",
        "vau-processor",
        "--env",
        "production",
        stdin="true\n",
    )
    assert r.returncode == 0, r.stderr
    assert 'Creating the secret for the Worker "vau-processor-production"' in r.stdout
    assert "Success! Uploaded secret CIRCUIT_BREAKER_ENABLED" in r.stdout
    assert sim.state.flags()["circuit_breaker"] is True
    call = fake_tools.calls("wrangler")[-1]
    assert call["argv"] == [
        "secret",
        "put",
        "CIRCUIT_BREAKER_ENABLED",
        "--name",
        "vau-processor",
        "--env",
        "production",
    ]
    assert call["stdin"] == "<masked: 5 bytes>"
    assert "CLOUDFLARE_API_TOKEN" in call["env_keys"] and call["cwd"]
    assert sim.api_token not in fake_tools.log.read_text()


def test_secret_put_with_a_value_argument_is_an_error_like_wrangler_4(run, sim):
    r = run(
        "wrangler",
        "secret",
        "put",
        "CIRCUIT_BREAKER_ENABLED",
        "true",
        "--name",
        "vau-processor",
        "--env",
        "production",
        stdin="true\n",
    )
    assert r.returncode == 1
    assert "Unknown argument: true" in r.stderr
    assert sim.state.flags()["circuit_breaker"] is False


def test_secret_names_follow_wrangler_legacy_environments(run, sim, tmp_path):
    # wrangler appends -ENV to --name; that Worker does not exist (10007), and a non-interactive wrangler
    # answers its own "create a new Worker?" with yes: an empty draft Worker gets the secret, exit status 0
    r = run(
        "wrangler",
        "secret",
        "put",
        "PERFORMANCE_MODE",
        "--name",
        "vau-processor-production",
        "--env",
        "production",
        stdin="true",
    )
    assert r.returncode == 0, r.stderr
    assert 'Creating new Worker "vau-processor-production-production"' in r.stdout
    assert "Using fallback value in non-interactive context: yes" in r.stdout
    assert sim.state.snapshot()["drafts"] == ["vau-processor-production-production"]
    assert sim.state.flags()["performance_mode"] is False  # the real worker did not get it
    r = run("wrangler", "secret", "put", "PERFORMANCE_MODE", stdin="true")
    assert r.returncode == 1 and "Required Worker name missing" in r.stderr
    (tmp_path / "wrangler.toml").write_text('name = "vau-processor"\nmain = "src/index.ts"\n')
    r = run("wrangler", "secret", "put", "PERFORMANCE_MODE", "--env", "production", stdin="true")
    assert r.returncode == 0, r.stderr
    assert sim.state.flags()["performance_mode"] is True
    r = run("wrangler", "secret", "put", "RATE_LIMIT_MULTIPLIER", "--name", "vau-processor-production", stdin="0.1\n")
    assert r.returncode == 0 and sim.state.flags()["rate_limit_multiplier"] == pytest.approx(0.1)
    r = run("wrangler", "secret", "list", "--name", "vau-processor-production")
    assert r.returncode == 0
    assert {"name": "RATE_LIMIT_MULTIPLIER", "type": "secret_text"} in json.loads(r.stdout)
    r = run("wrangler", "secret", "delete", "RATE_LIMIT_MULTIPLIER", "--name", "vau-processor-production")
    assert r.returncode == 0 and sim.state.flags()["rate_limit_multiplier"] == 1.0


def test_kv_key_list_remote_prints_a_json_array(run):
    r = run("wrangler", "kv", "key", "list", "--namespace-id", NS, "--prefix", "salt:week", "--remote")
    assert r.returncode == 0, r.stderr
    keys = json.loads(r.stdout)
    assert len(keys) >= 4 and all(k["name"].startswith("salt:week:") for k in keys)
    r = run("wrangler", "kv", "key", "list", f"--namespace-id={NS}", "--prefix=blocked:ip:", "--remote")
    assert [k["name"] for k in json.loads(r.stdout)] == ["blocked:ip:192.0.2.66"]


def test_kv_put_get_delete_remote_blocks_and_unblocks_an_ip(run, sim, fake_tools):
    r = run(
        "wrangler", "kv", "key", "put", "blocked:ip:203.0.113.7", "security_incident", "--namespace-id", NS, "--remote"
    )
    assert r.returncode == 0, r.stderr
    assert 'Writing the value "security_incident" to key "blocked:ip:203.0.113.7"' in r.stdout
    # wrangler 4 names the store on stdout before a write (logger.log), and only before a write or a delete,
    # after its banner (which get and list leave out: their stdout is the data)
    assert r.stdout.startswith(BANNER + "\nResource location: remote\n") and "Resource location" not in r.stderr
    assert "203.0.113.7" in state(sim)["blocked_ips"]
    r = run("wrangler", "kv", "key", "get", "blocked:ip:203.0.113.7", "--namespace-id", NS, "--remote", "--text")
    assert r.returncode == 0 and r.stdout == "security_incident\n" and r.stderr == ""  # the value, nothing else
    r = run("wrangler", "kv", "key", "get", "test-key", "--namespace-id", NS, "--remote", "--text")
    assert r.stdout.strip() == "kv-consistency-probe"
    r = run("wrangler", "kv", "key", "delete", "blocked:ip:203.0.113.7", "--namespace-id", NS, "--remote")
    assert r.returncode == 0 and "203.0.113.7" not in state(sim)["blocked_ips"]
    assert r.stdout.startswith(BANNER + "\nResource location: remote\n")
    r = run("wrangler", "kv", "key", "get", "blocked:ip:203.0.113.7", "--namespace-id", NS, "--remote")
    assert r.returncode == 0 and "Value not found" in r.stdout
    assert [c["argv"][:3] for c in fake_tools.calls("wrangler")] == [
        ["kv", "key", "put"],
        ["kv", "key", "get"],
        ["kv", "key", "get"],
        ["kv", "key", "delete"],
        ["kv", "key", "get"],
    ]


def test_kv_without_remote_uses_the_local_store_and_leaves_the_edge_alone(run, sim):
    r = run("wrangler", "kv", "key", "put", "blocked:ip:198.51.100.23", "ddos", "--namespace-id", NS)
    assert r.returncode == 0
    assert r.stdout.startswith(
        BANNER + "\nResource location: local\nUse --remote if you want to access the remote instance.\n"
    )
    assert "198.51.100.23" not in state(sim)["blocked_ips"]
    assert state(sim)["wrangler_local_kv"][NS] == {"blocked:ip:198.51.100.23": "ddos"}
    r = run("wrangler", "kv", "key", "list", "--namespace-id", NS, "--prefix", "salt:week")
    assert r.returncode == 0 and json.loads(r.stdout) == []  # the "KV looks empty" trap
    r = run("wrangler", "kv", "key", "get", "test-key", "--namespace-id", NS)
    assert r.stdout == "Value not found\n" and "Resource location" not in r.stderr


def test_kv_argument_errors(run):
    r = run("wrangler", "kv:key", "list", "--namespace-id", NS)
    assert r.returncode == 1 and "Unknown argument: kv:key" in r.stderr
    r = run("wrangler", "kv", "key", "list", "--remote")
    assert r.returncode == 1 and "namespace-id" in r.stderr
    r = run("wrangler", "kv", "key", "put", "k", "--namespace-id", NS, "--remote")
    assert r.returncode == 1 and "Not enough non-option arguments" in r.stderr
    r = run("wrangler", "kv", "key", "list", "--namespace-id", NS, "--remote", "--colour")
    assert r.returncode == 1 and "Unknown argument: colour" in r.stderr
    r = run("wrangler", "logpull")
    assert r.returncode == 1 and "Unknown argument: logpull" in r.stderr


def test_auth_errors_without_or_with_a_wrong_token(run, sim):
    r = run("wrangler", "kv", "key", "list", "--namespace-id", NS, "--remote", token=None)
    assert r.returncode == 1
    assert "In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN" in r.stderr
    r = run("wrangler", "secret", "put", "X", "--name", "vau-processor-production", stdin="1", token=None)
    assert r.returncode == 1 and "CLOUDFLARE_API_TOKEN" in r.stderr
    r = run("wrangler", "deployments", "list", "--name", "vau-processor-production", token="wrong-token")
    assert r.returncode == 1 and "Authentication error [code: 10000]" in r.stderr
    assert "wrong-token" not in r.stdout + r.stderr


def test_deployments_list_json_and_text(run):
    r = run("wrangler", "deployments", "list", "--json", "--name", "vau-processor-production")
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    created = [d["created_on"] for d in entries]
    assert len(entries) >= 3 and created == sorted(created)  # wrangler prints the latest last
    assert all({"id", "author_email", "source", "versions", "annotations"} <= set(d) for d in entries)
    r = run("wrangler", "deployments", "list", "--name", "vau-processor-production")
    assert r.returncode == 0 and r.stdout.count("Created:") == len(entries)
    r = run("wrangler", "deployments", "list", "--name", "vau-processor", "--env", "production")
    assert r.returncode == 1 and "cannot use --name and --env together" in r.stderr


def test_queues_list_and_whoami(run):
    r = run("wrangler", "queues", "list")
    assert r.returncode == 0
    for name in ("vau-batch", "analytics", "dead-letter", "5100000000000000000000000000b003"):
        assert name in r.stdout
    assert "backlog" not in r.stdout.lower()
    assert run("wrangler", "queues", "list", "--json").returncode == 1
    r = run("wrangler", "whoami")
    assert r.returncode == 0 and "5100000000000000000000000000a001" in r.stdout


def test_wrangler_tail_is_delegated_and_logged(fake_tools, sim, tmp_path):
    env = dict(os.environ, CLOUDFLARE_API_TOKEN=sim.api_token)
    proc = subprocess.Popen(
        ["wrangler", "tail", "vau-processor-production", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        wait_for_sync(lambda: proc.stdout.readline().startswith("{"), timeout=15, message="a tail event")
    finally:
        proc.terminate()
        proc.wait(10)
    assert fake_tools.argvs("wrangler")[-1] == ["tail", "vau-processor-production", "--format", "json"]


# -- gh -----------------------------------------------------------------------------------------
def test_gh_rollback_flow_ends_error_spike(run, sim, fake_tools):
    sim.state.gh_run_seconds = 60  # paced below, so the watch sees it running
    sim.state.set_scenario("error-spike")
    assert run("gh", "--version").stdout.startswith("gh version 2.")
    r = run("gh", "workflow", "run", "rollback-edge.yml", "-f", "environment=production", "-f", "reason=Service outage")
    assert r.returncode == 0, r.stderr
    assert "Created workflow_dispatch event for rollback-edge.yml" in r.stdout
    r = run(
        "gh", "run", "list", "--workflow", "rollback-edge.yml", "--json", "databaseId,status,conclusion,url,createdAt"
    )
    assert r.returncode == 0
    runs = json.loads(r.stdout)
    assert set(runs[0]) == {"databaseId", "status", "conclusion", "url", "createdAt"}
    assert runs[0]["status"] in ("queued", "in_progress") and runs[0]["conclusion"] == ""
    assert [x["createdAt"] for x in runs] == sorted((x["createdAt"] for x in runs), reverse=True)
    assert sim.state.scenario == "error-spike"
    sim.state.finish_run_in(runs[0]["databaseId"], 1.5)
    r = run("gh", "run", "watch", str(runs[0]["databaseId"]), "--exit-status")
    assert r.returncode == 0, r.stderr
    assert "completed with 'success'" in r.stdout and "Roll back worker" in r.stdout
    assert sim.state.scenario == "normal"
    assert state(sim)["rollbacks"][-1]["reason"] == "Service outage"
    view = json.loads(run("gh", "run", "view", str(runs[0]["databaseId"]), "--json", "status,conclusion").stdout)
    assert view == {"status": "completed", "conclusion": "success"}
    assert fake_tools.argvs("gh")[1] == [
        "workflow",
        "run",
        "rollback-edge.yml",
        "-f",
        "environment=production",
        "-f",
        "reason=Service outage",
    ]


def test_gh_watch_exit_status_on_a_failed_run(run, sim):
    sim.state.gh_run_seconds = 1.0
    sim.state.set_faults({"gh_run": "failure"})
    run("gh", "workflow", "run", "rollback-edge.yml", "-f", "environment=production", "-f", "reason=x")
    run_id = json.loads(run("gh", "run", "list", "--json", "databaseId", "-L", "1").stdout)[0]["databaseId"]
    r = run("gh", "run", "watch", str(run_id), "--exit-status")
    assert r.returncode == 1 and "completed with 'failure'" in r.stdout


def test_gh_errors(run):
    r = run("gh", "run", "list", "--json", "databaseId,bogus")
    assert r.returncode == 1 and 'Unknown JSON field: "bogus"' in r.stderr
    r = run("gh", "workflow", "run", "rollback-edge.yml", "-f", "environment=production")
    assert r.returncode == 1 and "Required input 'reason' not provided" in r.stderr
    r = run("gh", "workflow", "run", "deploy.yml", "-f", "environment=production", "-f", "reason=x")
    assert r.returncode == 1 and "could not find any workflows named deploy.yml" in r.stderr
    r = run("gh", "run", "watch", "123")
    assert r.returncode == 1 and "HTTP 404" in r.stderr
    r = run("gh", "release", "list")
    assert r.returncode == 1 and 'unknown command "release"' in r.stderr


# -- terraform ------------------------------------------------------------------------------------
def test_terraform_plan_and_apply_change_the_edge(run, sim, fake_tools, tmp_path):
    from console.sim.workspace import MAIN_TF, TERRAFORM_TFVARS

    (tmp_path / "main.tf").write_text(MAIN_TF)  # the root module (terraform runs in tmp_path)
    (tmp_path / "terraform.tfvars").write_text(TERRAFORM_TFVARS)
    r = run("terraform", "version")
    assert r.returncode == 0 and r.stdout.startswith("Terraform v1.")
    r = run("terraform", "plan", "-target=cloudflare_ruleset.security_rules")
    assert r.returncode == 0 and "No changes." in r.stdout and "Resource targeting is in effect" in r.stdout
    r = run("terraform", "plan", "-var=api_rate_limit=200", "-var", "vau_rate_limit=2000")
    assert r.returncode == 0
    assert any("~ api_requests_per_period" in line and "= 100 -> 200" in line for line in r.stdout.splitlines())
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in r.stdout
    assert state(sim)["terraform"]["vars"]["api_rate_limit"] == 100  # a plan changes nothing
    r = run("terraform", "apply", "-auto-approve", "-var=api_rate_limit=200", "-var=vau_rate_limit=2000")
    assert r.returncode == 0, r.stderr
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in r.stdout
    tf = state(sim)["terraform"]["vars"]
    assert (tf["api_rate_limit"], tf["vau_rate_limit"]) == (200, 2000)
    r = run("terraform", "apply", "-var=worker_count=20", stdin="no\n")
    assert r.returncode == 1 and "Apply cancelled." in r.stderr
    assert state(sim)["terraform"]["vars"]["worker_count"] == 10
    r = run("terraform", "apply", "-var=enable_strict_waf=true", stdin="yes\n")
    assert r.returncode == 0 and state(sim)["flags"]["strict_waf"] is True
    # the rate limits given with -var before are stored nowhere: this apply took terraform.tfvars' values again
    assert "api_requests_per_period = 200 -> 100" in " ".join(r.stdout.split())
    tf = state(sim)["terraform"]["vars"]
    assert (tf["api_rate_limit"], tf["vau_rate_limit"]) == (100, 1000)
    assert fake_tools.calls("terraform")[-1]["stdin"] == "<masked: 4 bytes>"


def test_terraform_errors(run, sim):
    r = run("terraform", "apply", "-auto-approve", "-var=instance_count=3")
    assert r.returncode == 1 and "Value for undeclared variable" in r.stderr
    r = run("terraform", "apply", "-auto-approve", "-var=worker_count=-1")
    assert r.returncode == 1 and "Invalid value for input variable" in r.stderr
    r = run("terraform", "apply", "-auto-approve", "-var=worker_count")
    assert r.returncode == 1 and "Invalid -var option" in r.stderr
    r = run("terraform", "plan", "-frobnicate")
    assert r.returncode == 1 and "flag provided but not defined: -frobnicate" in r.stderr
    r = run("terraform", "destroy")
    assert r.returncode == 1 and 'no command named "destroy"' in r.stderr
    assert state(sim)["terraform"]["applies"] == []


def test_tools_without_the_simulator_url_say_so(run, monkeypatch):
    monkeypatch.delenv("EDGE_SIM_URL")
    r = run("gh", "run", "list", "--json", "databaseId")
    assert r.returncode == 1 and "EDGE_SIM_URL" in r.stderr


# -- wrangler deploy, npm, node (the simulated edge's workspace) --------------------------------------
def test_wrangler_deploy_needs_an_entry_point_and_records_a_deployment(run, sim, tmp_path):
    r = run("wrangler", "deploy", "--env", "production")
    assert r.returncode == 1 and "Missing entry-point to Worker script" in r.stderr
    (tmp_path / "wrangler.toml").write_text('name = "vau-processor"\nmain = "src/index.ts"\n')
    r = run("wrangler", "deploy", "--env", "production")
    assert r.returncode == 1 and 'The entry-point file at "src/index.ts" was not found.' in r.stderr
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export default {};\n")
    r = run("wrangler", "deploy", "--env", "production", "--dry-run")
    assert r.returncode == 0 and "--dry-run: exiting now." in r.stdout
    assert state(sim)["uploads"] == []
    before = state(sim)["deployments"]["vau-processor-production"]
    r = run("wrangler", "deploy", "--env", "production", "--message", "hotfix")
    assert r.returncode == 0, r.stderr
    assert "Uploaded vau-processor-production" in r.stdout and "Current Version ID: " in r.stdout
    after = state(sim)["deployments"]["vau-processor-production"]
    assert after[1:] == before
    newest = json.loads(run("wrangler", "deployments", "list", "--name", "vau-processor-production", "--json").stdout)[
        -1
    ]
    assert newest["id"] == after[0] and newest["annotations"]["workers/message"] == "hotfix"
    assert run("wrangler", "deploy", "--env", "production", token=None).returncode == 1


def test_npm_and_node_in_the_workspace(run, sim, tmp_path):
    paths = sim.workspace(tmp_path / "ws")
    module = paths["worker_dir"]
    r = subprocess.run(
        sim.tools()["npm"] + ["run", "security:pentest"],
        cwd=module,
        capture_output=True,
        text=True,
        env={**os.environ, **sim.tool_env()},
        timeout=30,
    )
    assert r.returncode == 0 and "0 findings" in r.stdout, r.stderr
    r = subprocess.run(
        sim.tools()["npm"] + ["run", "nope"],
        cwd=module,
        capture_output=True,
        text=True,
        env={**os.environ, **sim.tool_env()},
        timeout=30,
    )
    assert r.returncode == 1 and 'Missing script: "nope"' in r.stderr
    node = sim.tools()["node"] + ["scripts/export-security-logs.js"]
    r = subprocess.run(
        node + ["--start=2024-01-15T02:00:00Z", "--end=2024-01-15T01:00:00Z"],
        cwd=paths["repo"],
        capture_output=True,
        text=True,
        env={**os.environ, **sim.tool_env()},
        timeout=30,
    )
    assert r.returncode == 2 and "--end must be after --start" in r.stderr
    r = subprocess.run(
        node + ["--start=2024-01-15T00:00:00Z"],
        cwd=module,
        capture_output=True,
        text=True,
        env={**os.environ, **sim.tool_env()},
        timeout=30,
    )
    assert r.returncode == 1 and "Cannot find module" in r.stderr
