"""Every built-in flow end to end on the simulated edge: the exact argv (recorded by the fake tools on
PATH) or HTTP request it produced, and its effect on the simulated edge's state. Requests to the
Cloudflare API are validated against the OpenAPI excerpt in /work/shared/cloudflare-openapi."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.config import simulated_config
from console.sim.names import SIM_QUEUE_IDS
from console.metrics.thresholds import DEFAULT_THRESHOLDS, evaluate
from console.runbook import AuditLog, FlowRunner, Memory, StepState, load_runbook
from console.runbook.values import PollerMetrics
from console.sources.tls import shared_ssl_context
from tests.cfapi_contract import contract_check, validate_request, validate_response
from tests.util import shared_file, wait_for
from tests.virtual_time import VirtualClock, sim_on_the_clock, skip_ahead_clock  # noqa: F401 - fixtures clock, sim


RUNBOOK = load_runbook()
TESTED: set[str] = set()


class RecordingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__(verify=shared_ssl_context())  # not a CA bundle loaded per test
        self.requests: list[httpx.Request] = []

        self.responses: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        response = await super().handle_async_request(request)
        await response.aread()
        self.responses.append((request, response))
        return response


class Edge:
    """One simulated edge, its config, fake tools and helpers to run a flow headless. Flows run on ``clock``
    (tests/virtual_time.py, skip-ahead): the engine's retry and verify waits take no wall time, and the
    simulated edge (same clock) lives through each of them."""

    def __init__(self, sim, fake_tools, tmp_path: Path, clock: VirtualClock | None = None) -> None:
        self.sim = sim
        self.clock = clock
        self.tools = fake_tools
        self.tmp = tmp_path
        self.config = simulated_config(sim.base_url, tool_env=sim.tool_env())  # tools from PATH
        self.env = self.config.environment()
        self.transport = RecordingTransport()
        #: the rate windows' waits too: skipped on the clock, and the poller measures its windows on it (the
        #: edge lives exactly the window: a loaded machine no longer stretches one reading and not another)
        self.sleep = clock.sleep if clock is not None else None

    def state(self) -> dict[str, Any]:
        return self.sim.state.snapshot()

    def requests(self, prefix: str = "") -> list[tuple[str, str, Any]]:
        out = []
        for req in self.transport.requests:
            if req.url.path.startswith(prefix):
                body = json.loads(req.content) if req.content else None
                out.append((req.method, str(req.url), body))
        return out

    async def run(
        self, flow_id: str, inputs: dict[str, str] | None = None, rate_window: float = 0.3, **kw: Any
    ) -> FlowRunner:
        TESTED.add(flow_id)
        if "terraform" not in self.env.paths and uses_terraform_path(RUNBOOK.flows[flow_id]):
            # the terraform flows' root module, made for the flows that work there (git runs, a cost of its
            # own); the workspace's other paths are set by the tests that use them
            self.env.paths["terraform"] = self.sim.workspace()["terraform"]
        metrics = PollerMetrics(self.config, self.env, min_interval=rate_window, clock=self.clock, sleep=self.sleep)
        kw.setdefault("get_metric", metrics)
        if self.clock is not None:
            kw.setdefault("clock", self.clock)
            kw.setdefault("sleep", self.clock.sleep)
        runner = FlowRunner(
            RUNBOOK.flows[flow_id],
            self.env,
            inputs or {},
            config=self.config,
            http_transport=self.transport,
            tail_seconds=1,  # the tail steps collect 1 s of events (their 8 s capped, as in test_flows_real_tools)
            **kw,
        )
        try:
            await runner.run_all(confirm=lambda preview: preview.confirmation.expected)
        finally:
            await metrics.aclose()
        return runner


def uses_terraform_path(flow) -> bool:
    """Whether a step of ``flow`` names ``{env.paths.terraform}`` (its cwd, an argument, a title)."""
    return "env.paths.terraform" in repr(flow.steps)


@pytest.fixture
def edge(sim, fake_tools, tmp_path, state_dir, clock) -> Edge:
    return Edge(sim, fake_tools, tmp_path, clock)


def states(runner: FlowRunner) -> dict[str, StepState]:
    return {run.step.id: run.state for run in runner.steps}


def passed(runner: FlowRunner, *, pending_manual: bool = False, sampled: tuple[str, ...] = ()) -> bool:
    """Every step passed, was done or skipped (or waits for the operator, with ``pending_manual``). A step in
    ``sampled`` judges a random sample of the simulated traffic (the tail's "over half the events failed"):
    it may also have failed, but it must have run."""
    ok = {StepState.PASSED, StepState.DONE, StepState.SKIPPED}
    if pending_manual:
        ok.add(StepState.PENDING)
    bad = {
        k: v
        for k, v in states(runner).items()
        if v not in ok and not (k in sampled and v is StepState.FAILED and step(runner, k).result.lines)
    }
    assert not bad, {
        k: (v, runner.steps[[r.step.id for r in runner.steps].index(k)].result.message) for k, v in bad.items()
    }
    return True


def step(runner: FlowRunner, step_id: str):
    return next(r for r in runner.steps if r.step.id == step_id)


async def live(edge: Edge, *names: str) -> dict[str, float | None]:
    """Current values on the simulated edge, measured like a flow does (two scrapes 0.3 s apart)."""
    metrics = PollerMetrics(edge.config, edge.env, min_interval=0.3, clock=edge.clock, sleep=edge.sleep)
    try:
        return {name: await metrics(name) for name in names}
    finally:
        await metrics.aclose()


def output(runner: FlowRunner, step_id: str) -> str:
    run = next(r for r in runner.steps if r.step.id == step_id)
    return "\n".join([run.result.output, *run.result.lines])


def write_fake(bin_dir: Path, name: str, log: Path) -> None:
    """A fake tool the simulated edge does not provide (npm, node): records argv and cwd."""
    script = bin_dir / name
    script.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps({{'argv': sys.argv[1:], 'cwd': os.getcwd()}}) + '\\n')\n"
        "print('ok: ' + ' '.join(sys.argv[1:]))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


# -- OpenAPI contract ---------------------------------------------------------------------------------
def assert_cloudflare_contract(edge: Edge) -> int:
    """Every request to /client/v4 is an operation of the 2026 excerpt with valid path/query parameters and
    body, and every answer the simulated edge gave validates against that operation's response
    (tests/cfapi_contract.py)."""
    shared_file("cloudflare-openapi", "subset-2026.json")  # fails, naming the path, when it is missing
    count = 0
    for req, response in edge.transport.responses:
        if not req.url.path.startswith("/client/v4/"):
            continue
        path = req.url.path[len("/client/v4") :]
        query = dict(req.url.params)
        assert req.headers["authorization"].startswith("Bearer ")
        body = json.loads(req.content) if req.content else None
        validate_request(req.method, path, query, body)
        if body is not None and path.endswith("/settings/security_level"):
            contract_check(body["value"], "zones_security_level_value")
        if body is not None and path.endswith("/purge_cache"):
            variant = {
                "purge_everything": "cache-purge_Everything",
                "prefixes": "cache-purge_FlexPurgeByPrefixes",
                "hosts": "cache-purge_FlexPurgeByHostnames",
                "tags": "cache-purge_FlexPurgeByTags",
                "files": "cache-purge_SingleFile",
            }
            (key,) = body
            contract_check(body, variant[key], required=[key])
        content_type = response.headers.get("content-type", "application/json")
        answer = response.content if content_type.startswith("application/octet-stream") else response.json()
        validate_response(req.method, path, response.status_code, answer, content_type)
        count += 1
    return count


async def test_the_console_gives_a_flow_the_dashboard_history_for_its_sparklines(edge):
    from console.session import Session
    from screens.app import EdgeConsoleApp

    app = EdgeConsoleApp(Session(config=edge.config, env=edge.env, read_only=False))
    app.history["error_rate"].extend([0.02, 0.03, 1.4, 0.02])
    source = app.flow_context().get_metric
    assert source.history("error_rate") == [0.02, 0.03, 1.4, 0.02] and source.history("nope") == []
    assert source("error_rate") is None  # no poll yet: the latest value comes from app.last_result


# -- Daily --------------------------------------------------------------------------------------------
async def test_worker_health_passes_and_fails_on_an_outage(edge):
    runner = await edge.run("worker-health")
    assert passed(runner)
    assert edge.requests("/health") == [("GET", edge.sim.base_url + "/health", None)]
    edge.sim.state.set_scenario("outage")
    runner = await edge.run("worker-health")
    assert runner.steps[0].state == StepState.FAILED


SPARK = r"[▁▂▃▄▅▆▇█ ]"


async def test_overnight_metrics_review_shows_states_and_sparklines_and_leaves_the_checklist(edge):
    """Headless: the step scrapes 8 times (min_interval apart) and draws each metric's sparkline."""
    runner = await edge.run("overnight-metrics-review")
    assert passed(runner, pending_manual=True)
    values = runner.steps[0].result.value
    assert values["request_rate"] > 0 and values["error_rate"] is not None
    assert [r.state for r in runner.steps[1:]] == [StepState.PENDING] * 4
    assert edge.tools.argvs() == []
    lines = {
        line.split("  ")[0].strip(): line
        for line in output(runner, "current-values").splitlines()
        if re.search(SPARK + "{8}$", line)
    }
    assert set(lines) == {
        "Request rate",
        "Error rate",
        "P95 latency",
        "Cache hit rate",
        "CPU time P95",
        "Memory",
        "Queue backlog",
        "Rate-limit violations",
    }
    assert re.search(r"Memory\s+\d+\.\d MiB  OK ", lines["Memory"])
    assert re.search(r"Rate-limit violations\s+[\d.,]+ viol/s  -  ", lines["Rate-limit violations"])
    # the state beside the value is the value's against the runbook's thresholds (the simulated error rate
    # is random, and a short window between two scrapes under load once read 0.56 %: WARN, rightly)
    shown_rate = re.search(r"Error rate\s+([\d.]+) %  (\w+) ", lines["Error rate"])
    assert shown_rate is not None, lines["Error rate"]
    expected = evaluate(float(shown_rate.group(1)), DEFAULT_THRESHOLDS["error_rate"]).symbol
    assert shown_rate.group(2) == expected, (lines["Error rate"], expected)
    shown = runner.steps[0].result.output
    assert "??" not in shown and "bytes" not in shown
    assert shown.startswith("sampling 8 scrapes for the trends")


async def test_overnight_metrics_review_in_the_console_uses_the_dashboard_history(edge):
    """The TUI's source (MetricSource) has the app's history: its values are drawn, nothing sampled."""
    from console.runbook.values import MetricSource

    history = {"error_rate": [0.02, 0.03, 1.4, 0.02], "cache_hit_rate": [94.0, 93.5, 71.0, 93.0]}
    source = MetricSource(lambda name: (history.get(name) or [5.0])[-1], lambda name: history.get(name, []))
    runner = await edge.run("overnight-metrics-review", get_metric=source)
    text = output(runner, "current-values")
    assert re.search(r"Error rate\s+0\.02 %  OK\s+▁▁█▁$", text, re.M)
    assert re.search(r"Cache hit rate\s+93\.0 %  OK\s+██▁█$", text, re.M)  # the catalogue formatter
    assert re.search(r"Request rate\s+5 req/s  OK$", text, re.M)  # no history: no sparkline
    assert "sampling" not in text  # the console's history is used as it is


async def test_queue_backlog_lists_queues_and_reads_each_backlog(edge):
    runner = await edge.run("queue-backlog")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [["queues", "list"]]
    urls = [url for _, url, _ in edge.requests("/client/v4")]
    base = edge.sim.base_url + "/client/v4/accounts/5100000000000000000000000000a001/queues"
    assert urls[0] == base  # the ids are looked up first
    assert sorted(urls[1:]) == sorted(f"{base}/{queue_id}/metrics" for queue_id in SIM_QUEUE_IDS.values())
    text = output(runner, "backlog")
    assert re.search(r"^vau-batch: .*backlog", text, re.M) and re.search(r"^dead-letter: ", text, re.M)
    assert step(runner, "backlog").result.message == "3 queue(s) checked: analytics, dead-letter, vau-batch"
    assert assert_cloudflare_contract(edge) == 4


async def test_queue_ids_come_from_the_queues_api_and_the_map_overrides_them(edge):
    """No queues: map: the ids are the API's. A map entry overrides the id the API gives for that name."""
    edge.env.queues = {}
    runner = await edge.run("queue-backlog")
    assert passed(runner)
    base = edge.sim.base_url + "/client/v4/accounts/5100000000000000000000000000a001/queues"
    assert sorted(url for _, url, _ in edge.requests("/client/v4"))[1:] == sorted(
        f"{base}/{queue_id}/metrics" for queue_id in SIM_QUEUE_IDS.values()
    )
    assert "3 queue(s) from the Queues API: analytics, dead-letter, vau-batch" in output(runner, "backlog")

    edge.transport.requests.clear()
    edge.transport.responses.clear()
    edge.env.queues = {"vau-batch": SIM_QUEUE_IDS["analytics"]}
    runner = await edge.run("queue-backlog")
    urls = [url for _, url, _ in edge.requests("/client/v4")]
    assert urls.count(f"{base}/{SIM_QUEUE_IDS['analytics']}/metrics") == 2  # vau-batch's override, and analytics
    assert f"{base}/{SIM_QUEUE_IDS['vau-batch']}/metrics" not in urls
    assert (
        f"vau-batch: id {SIM_QUEUE_IDS['analytics']} from environments.production.queues (the API says "
        f"{SIM_QUEUE_IDS['vau-batch']})"
    ) in output(runner, "backlog")
    assert assert_cloudflare_contract(edge) == 4

    # the list cannot be read (a token without Queues read): the map alone, said so; without a map: a failure
    edge.sim.state.set_faults({"queues_list": "forbidden"})
    edge.env.queues = {"vau-batch": SIM_QUEUE_IDS["vau-batch"]}
    runner = await edge.run("queue-backlog")
    text = output(runner, "backlog")
    assert "cannot list the queues (Cloudflare API: FAILED (10000: Authentication error))" in text
    assert "using environments.production.queues" in text
    assert step(runner, "backlog").result.message == "1 queue(s) checked: vau-batch"
    edge.env.queues = {}
    runner = await edge.run("queue-backlog")
    failed = step(runner, "backlog")
    assert failed.state == StepState.FAILED
    assert "cannot list the queues" in failed.result.message and "production.queues is empty" in failed.result.message


@pytest.mark.parametrize(
    "flow_id, pattern",
    [
        ("security-events", r"^edge_security_blocks_total"),
        ("geo-block-effectiveness", r'rule="geo_block"'),
    ],
)
async def test_metric_greps_show_only_matching_lines(edge, flow_id, pattern):
    runner = await edge.run(flow_id)
    assert passed(runner)
    lines = [line for line in output(runner, runner.steps[0].step.id).splitlines() if line.strip()]
    assert lines and all(re.search(pattern, line) for line in lines)
    assert edge.requests("/metrics")[0] == ("GET", edge.sim.base_url + "/metrics", None)


async def test_hourly_checks_reads_the_counters_and_cache_families(edge):
    # rates over 1 s of real scrapes (~4,500 requests): the counters are integers per series, and over the
    # default 0.3 s window their rounding alone moved the normal 0.05 % error rate up to 0.6 %
    runner = await edge.run("hourly-checks", rate_window=1.0)
    assert passed(runner)
    metrics = ("GET", edge.sim.base_url + "/metrics", None)
    assert edge.requests() == [metrics, metrics]  # one scrape per check, nothing else
    assert edge.tools.argvs() == []
    totals = step(runner, "requests-errors").result.lines
    assert any(line.startswith("edge_requests_total") for line in totals)
    assert any(line.startswith("edge_errors_total") for line in totals)
    cache = [line for line in step(runner, "cache").result.output.splitlines() if line.strip()]
    assert cache and all(re.match(r"edge_cache_(hits|misses)", line) for line in cache)
    rates = step(runner, "rates").result.value
    assert rates["request_rate"] > 1000 and rates["error_rate"] < 0.5 and rates["cache_hit_rate"] > 85


async def test_check_all_systems_health_queues_errors_and_cache(edge):
    runner = await edge.run("check-all-systems")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [["queues", "list"]]
    base = edge.sim.base_url
    assert edge.requests() == [
        ("GET", base + "/health", None),
        ("GET", base + "/metrics", None),
        ("GET", base + "/metrics", None),
    ]
    assert "healthy" in output(runner, "health")
    assert "vau-batch" in output(runner, "queues")
    errors = [line for line in step(runner, "errors").result.output.splitlines() if line.strip()]
    assert errors and all(line.startswith("edge_errors_total") for line in errors)
    assert step(runner, "values").result.value["queue_backlog"] < 500

    edge.sim.state.set_scenario("outage")  # health 503: the check fails, the rest still runs
    runner = await edge.run("check-all-systems")
    assert step(runner, "health").state == StepState.FAILED
    assert step(runner, "values").state == StepState.PASSED
    assert step(runner, "values").result.value["error_rate"] > 50


async def test_export_daily_metrics_saves_and_uploads_with_the_configured_argv(edge, tmp_path):
    dest = tmp_path / "uploaded.txt"
    edge.env.paths["export_dir"] = str(tmp_path / "exports")
    edge.config.raw["export"] = {
        "upload": [sys.executable, "-c", "import shutil, sys; shutil.copy(*sys.argv[1:])", "{file}", str(dest)]
    }
    runner = await edge.run("export-daily-metrics")
    assert passed(runner)
    saved = Path(runner.inputs["file"])
    assert saved.parent == tmp_path / "exports" and re.fullmatch(r"metrics-\d{8}\.txt", saved.name)
    assert "edge_requests_total" in saved.read_text()
    assert dest.read_text() == saved.read_text()
    record = [r for r in AuditLog().read() if r.get("step") == "upload"][0]
    assert record["argv"][-2:] == [str(saved), str(dest)]

    del edge.config.raw["export"]  # no upload configured, but writing the file is itself an action (issue 14)
    saved.write_text("kept\n")
    runner = await edge.run("export-daily-metrics", {"file": str(saved)}, read_only=True)
    assert runner.refusal is not None and runner.steps[0].state == StepState.REFUSED
    assert saved.read_text() == "kept\n"


# -- P0 -----------------------------------------------------------------------------------------------
async def test_worker_status_tails_the_configured_worker(edge):
    runner = await edge.run("worker-status")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [["tail", "vau-processor-production", "--format", "json"]]
    assert re.search(r"\d+ events: ok \d+", output(runner, "tail"))


async def test_circuit_breaker_brings_the_error_rate_down_and_its_reverse(edge):
    edge.sim.state.set_scenario("error-spike")
    runner = await edge.run("enable-circuit-breaker")
    assert passed(runner)
    assert edge.tools.argvs("wrangler")[0] == ["deployments", "status", "--name", "vau-processor-production", "--json"]
    call = edge.tools.calls("wrangler")[1]
    assert call["argv"] == ["secret", "put", "CIRCUIT_BREAKER_ENABLED", "--name", "vau-processor-production"]
    assert edge.state()["flags"]["circuit_breaker"] is True
    assert runner.steps[3].result.value < 1  # the verify step watched it fall below 1%
    assert "to undo: run flow 'disable-circuit-breaker'" in runner.summary().lines()[-1]

    runner = await edge.run("disable-circuit-breaker")
    assert passed(runner)
    assert edge.tools.argvs("wrangler")[-1] == [
        "secret",
        "put",
        "CIRCUIT_BREAKER_ENABLED",
        "--name",
        "vau-processor-production",
    ]
    assert edge.state()["flags"]["circuit_breaker"] is False


async def test_the_verify_step_times_out_when_the_edge_does_not_recover(edge):
    """On the skip-ahead clock the verify waits take no wall time, but the simulated edge lives through them:
    without the breaker the spike goes on, and the step times out after its 90 s like on a real edge."""
    flow = RUNBOOK.flows["enable-circuit-breaker"]
    verify = next(s for s in flow.steps if s.kind == "verify")
    edge.sim.state.set_scenario("error-spike")
    sim_start, waited = edge.sim.state.clock(), edge.clock.elapsed
    runner = FlowRunner(
        dataclasses.replace(flow, steps=[verify]),
        edge.env,
        {},
        config=edge.config,
        get_metric=PollerMetrics(edge.config, edge.env, min_interval=0.3, clock=edge.clock, sleep=edge.sleep),
        clock=edge.clock,
        sleep=edge.clock.sleep,
    )
    try:
        result = await runner.run_step(0)
    finally:
        await runner.get_metric.aclose()
    assert result.state == StepState.TIMEOUT, result.message
    assert f"did not hold within {verify.verify.timeout:g}s" in result.message and result.value > 1
    # the engine's interval sleeps were skipped (real time, the scrapes and the rest, makes up the deadline)
    assert verify.verify.timeout / 2 < edge.clock.elapsed - waited <= verify.verify.timeout
    assert edge.sim.state.clock() - sim_start >= verify.verify.timeout  # the edge lived through every wait


async def test_cloudflare_status_reads_indicator_and_description(edge):
    runner = await edge.run("cloudflare-status")
    assert passed(runner)
    assert edge.requests("/status")[0][1] == edge.env.status_url
    assert "indicator: none" in output(runner, "status")
    edge.sim.state.set_faults({"cf_status": "major"})
    runner = await edge.run("cloudflare-status")
    assert runner.steps[0].state == StepState.FAILED and "indicator: major" in output(runner, "status")


async def test_rollback_triggers_finds_and_follows_the_run_and_ends_the_error_spike(edge):
    edge.sim.state.set_scenario("error-spike")
    runner = await edge.run("rollback", {"reason": "Service outage"})
    assert passed(runner)
    argvs = edge.tools.argvs("gh")
    run_id = str(runner.captures["run_id"])
    target = runner.captures["target_version"]
    listing = [
        "run",
        "list",
        "-R",
        "twist-network/edge",
        "--workflow",
        "rollback-edge.yml",
        "--event",
        "workflow_dispatch",
        "--limit",
        "1",
        "--json",
        "databaseId,status,conclusion,url,createdAt",
    ]
    assert edge.tools.argvs("wrangler") == [["deployments", "list", "--name", "vau-processor-production", "--json"]]
    assert argvs == [
        listing,  # the newest run before ours (the fallback when gh prints no run URL)
        [
            "workflow",
            "run",
            "rollback-edge.yml",
            "-R",
            "twist-network/edge",
            "-f",
            "environment=production",
            "-f",
            "worker=vau-processor-production",
            "-f",
            f"version_id={target}",
            "-f",
            "reason=Service outage",
        ],
        ["run", "watch", "-R", "twist-network/edge", "--exit-status", "--", run_id],  # the run gh printed
    ]
    assert int(run_id) > int(runner.captures["previous_run_id"])
    state = edge.state()
    assert state["rollbacks"] and state["scenario"] != "error-spike"


async def test_p0_communication_checklist_is_ticked_and_recorded(edge):
    runner = FlowRunner(RUNBOOK.flows["p0-communication"], edge.env, {}, config=edge.config)
    TESTED.add("p0-communication")
    assert [r.step.kind for r in runner.steps] == ["manual"] * 3
    for run in runner.steps:
        runner.tick(run.index)
    assert runner.finished
    records = [r for r in AuditLog().read() if r.get("flow") == "p0-communication" and r["event"] == "step"]
    assert [r["status"] for r in records] == ["done", "done", "done"]


async def test_p0_procedure_enables_the_breaker_checks_status_and_rolls_back_when_asked(edge):
    edge.sim.state.set_scenario("error-spike")
    runner = await edge.run("p0-service-down")
    # error-spike: about a quarter of the tail's events are exceptions, and the step fails past a half
    assert passed(runner, pending_manual=True, sampled=("tail",))
    assert re.match(r"\d+ events: ", step(runner, "tail").result.lines[0])
    assert edge.tools.argvs("wrangler") == [
        ["tail", "vau-processor-production", "--format", "json"],
        ["deployments", "status", "--name", "vau-processor-production", "--json"],
        ["secret", "put", "CIRCUIT_BREAKER_ENABLED", "--name", "vau-processor-production"],
    ]
    assert edge.tools.argvs("gh") == []  # no rollback unless asked
    assert [
        r.state for r in runner.steps if r.step.id in ("target", "last-run", "rollback", "find-run", "watch-run")
    ] == [StepState.SKIPPED] * 5
    assert edge.state()["flags"]["circuit_breaker"] is True
    assert "indicator: none" in output(runner, "cloudflare")

    runner = await edge.run("p0-service-down", {"rollback": "true", "reason": "Service outage"})
    assert passed(runner, pending_manual=True, sampled=("tail",))
    target = runner.captures["target_version"]
    assert edge.tools.argvs("gh")[1] == [
        "workflow",
        "run",
        "rollback-edge.yml",
        "-R",
        "twist-network/edge",
        "-f",
        "environment=production",
        "-f",
        "worker=vau-processor-production",
        "-f",
        f"version_id={target}",
        "-f",
        "reason=Service outage",
    ]
    assert edge.tools.argvs("gh")[2] == [
        "run",
        "watch",
        "-R",
        "twist-network/edge",
        "--exit-status",
        "--",
        str(runner.captures["run_id"]),
    ]
    assert edge.state()["rollbacks"]


# -- P1 -----------------------------------------------------------------------------------------------
async def test_p1_procedure_breakdown_deployments_and_commits_when_configured(edge):
    edge.sim.state.set_scenario("error-spike")
    runner = await edge.run("p1-high-error-rate")
    assert passed(runner, pending_manual=True)
    assert edge.tools.argvs("wrangler") == [
        ["tail", "vau-processor-production", "--format", "json"],
        ["deployments", "list", "--name", "vau-processor-production", "--json"],
    ]
    commits = next(r for r in runner.steps if r.step.id == "commits")
    assert commits.state == StepState.SKIPPED and "env.paths.repo" in commits.result.message


async def test_error_breakdown_ranks_the_spike_errors(edge):
    edge.sim.state.set_scenario("error-spike")
    runner = await edge.run("error-breakdown")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [["tail", "vau-processor-production", "--format", "json"]]
    top = runner.steps[0].result.lines
    assert top and re.match(r"\s*\d+\s+\S", top[0])


async def test_recent_deployments_newest_first(edge):
    runner = await edge.run("recent-deployments")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [["deployments", "list", "--name", "vau-processor-production", "--json"]]
    dates = [line[:19] for line in runner.steps[0].result.lines]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)


async def test_recent_commits_in_the_configured_checkout(edge, tmp_path):
    repo = tmp_path / "repo"
    (repo / "modules" / "plan-2-edge").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for i in range(3):
        (repo / "modules" / "plan-2-edge" / f"f{i}.txt").write_text(str(i))
        subprocess.run(git + ["add", "."], check=True)
        subprocess.run(git + ["commit", "-q", "-m", f"edge change {i}"], check=True)
    (repo / "other.txt").write_text("x")
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "unrelated"], check=True)
    edge.env.paths["repo"] = str(repo)
    runner = await edge.run("recent-commits")
    assert passed(runner)
    record = [r for r in AuditLog().read() if r.get("flow") == "recent-commits" and r["event"] == "step"][0]
    assert record["argv"] == [
        "git",
        "--no-pager",
        "-c",
        "core.fsmonitor=false",
        "-c",
        "diff.external=",
        "-c",
        "core.pager=cat",
        "log",
        "--no-ext-diff",
        "--no-textconv",
        "--oneline",
        "-20",
        "--",
        "modules/plan-2-edge",
    ]
    assert record["cwd"] == str(repo)
    text = output(runner, "log")
    assert "edge change 2" in text and "unrelated" not in text


async def test_p1_mitigations_note_points_at_the_mitigation_flows(edge):
    runner = await edge.run("p1-mitigations")
    assert runner.steps[0].state == StepState.DONE
    for flow_id in ("scale-workers", "raise-rate-limits", "enable-caching", "rollback"):
        assert flow_id in runner.steps[0].step.text and flow_id in RUNBOOK.flows


@pytest.mark.parametrize(
    "flow_id, inputs, var_args, tf_vars",
    [
        (
            "raise-rate-limits",
            {"api_rate_limit": "300", "vau_rate_limit": "3000"},
            ["-var=api_rate_limit=300", "-var=vau_rate_limit=3000"],
            {"api_rate_limit": 300, "vau_rate_limit": 3000},
        ),
        (
            "tune-rate-limits",
            {},
            ["-var=api_rate_limit=200", "-var=vau_rate_limit=2000"],
            {"api_rate_limit": 200, "vau_rate_limit": 2000},
        ),
        ("scale-workers", {"worker_count": "20"}, ["-var=worker_count=20"], {"worker_count": 20}),
        ("enable-strict-waf", {}, ["-var=enable_strict_waf=true"], {"enable_strict_waf": True}),
    ],
)
async def test_terraform_flows_apply_exactly_their_variables(edge, flow_id, inputs, var_args, tf_vars):
    runner = await edge.run(flow_id, inputs)
    assert passed(runner)
    plan = runner._builtins["plan_file"]
    assert edge.tools.argvs("terraform") == [
        ["plan", "-input=false", "-lock-timeout=120s", *var_args, f"-out={plan}"],
        ["show", "-json", plan],
        ["apply", "-input=false", "-lock-timeout=120s", plan],
    ]
    applied = edge.state()["terraform"]["vars"]
    assert {k: applied[k] for k in tf_vars} == tf_vars
    assert [p["state"] for p in edge.state()["pulls"]] == ["OPEN"]  # the values kept in a pull request


async def test_disable_strict_waf_reverses_it(edge):
    await edge.run("enable-strict-waf")
    assert edge.state()["flags"]["strict_waf"] is True
    runner = await edge.run("disable-strict-waf")
    assert passed(runner)
    assert edge.tools.argvs("terraform")[-3][:4] == [
        "plan",
        "-input=false",
        "-lock-timeout=120s",
        "-var=enable_strict_waf=false",
    ]
    assert edge.state()["flags"]["strict_waf"] is False


async def test_enable_caching_deploys_the_new_cache_rule_and_the_hit_rate_recovers(edge):
    edge.sim.state.set_scenario("cache-collapse")
    paths = edge.sim.workspace()
    edge.env.paths.update(paths)
    worker = Path(paths["worker_dir"])
    before = edge.state()["deployments"]["vau-processor-production"]
    runner = FlowRunner(RUNBOOK.flows["enable-caching"], edge.env, {"endpoint": "/api/v1/vau"}, config=edge.config)
    assert runner.title_of(0) == "Add a cache rule for /api/v1/vau"
    assert runner.preview(2).command["argv"] == ["wrangler", "deploy", "--env", "production"]
    assert runner.preview(2).command["cwd"] == str(worker)
    assert edge.sim.state.current["cache_hit_ratio"] < 0.7
    # the operator's edit (the flow's manual step): the rule the note shows, added to cache.ts
    cache_ts = worker / "src" / "cache.ts"
    cache_ts.write_text(
        cache_ts.read_text()
        + runner.steps[0]
        .step.text.replace("{endpoint}", "/api/v1/vau")
        .replace("{edge_ttl}", "60")
        .replace("{{", "{")
        .replace("}}", "}")
        + ";\n"
    )
    runner = await edge.run("enable-caching", {"endpoint": "/api/v1/vau"})
    assert passed(runner, pending_manual=True)
    assert edge.tools.calls("wrangler")[0]["argv"] == ["deploy", "--env", "production"]
    assert edge.tools.calls("wrangler")[0]["cwd"] == str(worker)
    assert "Uploaded vau-processor-production" in output(runner, "deploy")
    state = edge.state()
    after = state["deployments"]["vau-processor-production"]
    assert after[1:] == before and after[0] not in before  # a new deployment, newest first
    assert state["uploads"][-1]["cache_rules"] == ["/api/v1/config", "/api/v1/stats", "/api/v1/vau", "/static"]
    assert runner.steps[3].result.value > 80  # verify: the hit rate rose above 80% after the deploy
    # `wrangler deployments list` shows it
    listing = subprocess.run(
        ["wrangler", "deployments", "list", "--name", "vau-processor-production", "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CLOUDFLARE_API_TOKEN": os.environ["EDGE_SIM_API_TOKEN"]},
    )
    assert json.loads(listing.stdout)[-1]["id"] == after[0]


async def test_repository_flows_run_end_to_end_in_the_no_config_demo(monkeypatch):
    """No config: the session's simulated edge has a throw-away checkout and simulated npm/node."""
    from console.session import open_session

    session = open_session()
    try:
        env, config = session.env, session.config
        repo = Path(env.paths["repo"])
        assert repo.is_relative_to(Path(os.environ["EDGE_CONSOLE_STATE_DIR"])) and (repo / ".git").is_dir()
        TESTED.update({"recent-commits", "monthly-security-audit", "export-security-logs"})

        async def run(flow_id: str, inputs: dict[str, str] | None = None) -> FlowRunner:
            runner = FlowRunner(RUNBOOK.flows[flow_id], env, inputs or {}, config=config)
            await runner.run_all(confirm=lambda p: p.confirmation.expected)
            return runner

        runner = await run("recent-commits")
        assert passed(runner)
        lines = output(runner, "log").splitlines()
        assert [line.split(" ", 1)[1] for line in lines if line.strip()] == [
            "Tune VAU batch validation",
            "Harden rate limiter",
            "Add cache rules for /api/v1/config and /static",
            "Initial production release",
        ]  # only the commits touching modules/plan-2-edge, newest first

        runner = await run("monthly-security-audit")
        assert passed(runner, pending_manual=True)
        assert "6 probes, 6 blocked, 0 findings" in output(runner, "pentest")
        assert "No changes." in output(runner, "waf-plan")

        session.sim.state.set_scenario("ddos")
        await run("block-ip", {"ip": "203.0.113.7", "reason": "security_incident"})
        runner = await run("export-security-logs", {"start": "2024-01-15T00:00:00Z", "end": "2024-01-15T23:59:59Z"})
        assert passed(runner)
        saved = repo / "exports" / "security-logs-20240115T000000Z-20240115T235959Z.json"
        assert f"Wrote {saved}" in output(runner, "export")
        exported = json.loads(saved.read_text())
        assert exported["blocked_ips"] == ["192.0.2.66", "203.0.113.7"] and exported["blocks_by_rule"]["ip_block"] > 0
    finally:
        session.close()
    assert not repo.exists()  # thrown away with the simulated edge


# -- Maintenance --------------------------------------------------------------------------------------
async def test_verify_salt_rotation_lists_the_weeks_salts_remotely(edge):
    runner = await edge.run("verify-salt-rotation")
    assert passed(runner)
    argvs = edge.tools.argvs("wrangler")
    assert argvs[0] == [
        "kv",
        "key",
        "list",
        "--namespace-id",
        "5100000000000000000000000000c001",
        "--prefix",
        "salt:week",
        "--remote",
    ]
    assert argvs[1] == ["tail", "vau-processor-production", "--format", "json"]
    assert "salt:week:" in output(runner, "keys")


async def test_cache_cleanup_posts_to_the_admin_endpoint_with_the_admin_token(edge):
    before = await live(edge, "cache_hit_rate")
    runner = await edge.run("cache-cleanup", {"older_than": "3d"})
    assert passed(runner)
    ((method, url, body),) = edge.requests("/admin/cache/purge")
    assert (method, url, body) == ("POST", edge.sim.base_url + "/admin/cache/purge", {"older_than": "3d"})
    sent = [r for r in edge.transport.requests if r.url.path == "/admin/cache/purge"][0]
    assert sent.headers["authorization"] == "Bearer " + os.environ["EDGE_SIM_ADMIN_TOKEN"]
    assert edge.state()["purges"][-1]["older_than"] == "3d"
    assert step(runner, "hit-rate").result.value["cache_hit_rate"] < before["cache_hit_rate"] - 2  # a short dip
    assert edge.state()["cache_dip"]["floor"] == 0.82


async def test_monthly_security_audit_runs_the_pentest_and_plans_the_waf(edge, tmp_path):
    log = tmp_path / "npm.jsonl"
    write_fake(edge.tools.bin_dir, "npm", log)
    repo = tmp_path / "repo"
    (repo / "modules" / "plan-2-edge").mkdir(parents=True)
    edge.env.paths["repo"] = str(repo)
    runner = await edge.run("monthly-security-audit")
    assert passed(runner, pending_manual=True)
    npm = json.loads(log.read_text())
    assert npm == {"argv": ["run", "security:pentest"], "cwd": str(repo / "modules" / "plan-2-edge")}
    assert edge.tools.argvs("terraform") == [
        ["plan", "-input=false", "-lock-timeout=120s", "-target=cloudflare_ruleset.security_rules"]
    ]
    assert edge.state()["terraform"]["applies"] == []  # a plan changes nothing


@pytest.mark.parametrize("flow_id", ["performance-review", "cost-review"])
async def test_review_checklists(edge, flow_id):
    runner = await edge.run(flow_id)
    assert passed(runner, pending_manual=True)
    assert edge.tools.argvs() == []
    assert any(r.step.kind == "manual" and r.state == StepState.PENDING for r in runner.steps)


# -- Performance ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["normal", "latency"])
async def test_identify_bottlenecks(edge, scenario):
    edge.sim.state.set_scenario(scenario)
    runner = await edge.run("identify-bottlenecks")
    assert passed(runner)
    assert edge.requests() == [("GET", edge.sim.base_url + "/metrics", None)] * 3
    for step_id, family in (
        ("cpu", "edge_cpu_time_ms"),
        ("memory", "edge_memory_usage_bytes"),
        ("queue", "edge_queue_processing_duration"),
    ):
        lines = [
            line
            for line in step(runner, step_id).result.output.splitlines()
            if line.strip() and not line.startswith("…")
        ]  # a long output's excerpt starts mid-line
        assert lines and all(line.startswith(family) for line in lines), step_id
    values = step(runner, "values").result.value
    assert "MiB" in step(runner, "values").result.output
    if scenario == "normal":  # inside the runbook's normal ranges
        assert values["cpu_time_ms"] < 25 and values["memory_bytes"] < 100 * 2**20
    else:  # the latency scenario's CPU time is past the 50 ms critical bound, memory 1.6x
        assert values["cpu_time_ms"] > 50 and values["memory_bytes"] > 60 * 2**20


async def test_versions_secret_put_makes_an_undeployed_version_during_a_rollout(edge):
    edge.sim.state.start_rollout("vau-processor-production", 25)
    runner = await edge.run("versions-secret-put", {"secret": "PERFORMANCE_MODE", "value": "true"})
    assert passed(runner, pending_manual=True)
    assert edge.tools.argvs("wrangler")[-1] == [
        "versions",
        "secret",
        "put",
        "PERFORMANCE_MODE",
        "--name",
        "vau-processor-production",
    ]
    made = edge.state()["undeployed_versions"]["vau-processor-production"]
    assert [v["secret"] for v in made] == ["PERFORMANCE_MODE"]
    assert edge.state()["flags"]["performance_mode"] is False  # not deployed yet


async def test_performance_mode_and_its_reverse(edge):
    runner = await edge.run("enable-performance-mode")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [
        ["deployments", "status", "--name", "vau-processor-production", "--json"],
        ["secret", "put", "PERFORMANCE_MODE", "--name", "vau-processor-production"],
    ]
    assert edge.state()["flags"]["performance_mode"] is True
    runner = await edge.run("disable-performance-mode")
    assert passed(runner)
    assert edge.state()["flags"]["performance_mode"] is False


# -- Security ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flow_id", ["review-security-blocks", "blocked-ips"])
async def test_blocked_ips_are_listed_from_kv_remotely(edge, flow_id):
    runner = await edge.run(flow_id)
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [
        [
            "kv",
            "key",
            "list",
            "--namespace-id",
            "5100000000000000000000000000c001",
            "--prefix",
            "blocked:ip:",
            "--remote",
        ]
    ]
    assert "blocked:ip:192.0.2.66" in output(runner, runner.steps[-1].step.id)


async def test_under_attack_mode_records_the_previous_level_and_restore_puts_it_back(edge):
    edge.sim.state.set_scenario("ddos")
    before = await live(edge, "security_per_s", "request_rate")
    runner = await edge.run("under-attack-mode")
    assert passed(runner)
    after = step(runner, "blocks").result.value
    api = edge.sim.base_url + "/client/v4/zones/5100000000000000000000000000f001/settings/security_level"
    assert edge.requests("/client/v4") == [("GET", api, None), ("PATCH", api, {"value": "under_attack"})]
    assert edge.state()["security_level"] == "under_attack"
    assert Memory().values("production")["previous_security_level"] == "medium"
    assert runner.preview(1).title == "PATCH security_level = under_attack (was medium)"

    # running it again while under attack does not overwrite the recorded level
    await edge.run("under-attack-mode")
    assert Memory().values("production")["previous_security_level"] == "medium"

    # the effect on the edge: the challenge blocks most of the attack, less traffic gets through. The
    # simulator's model gives about 3.2x the blocks and 0.42x the passed traffic; each figure is one short
    # window with per-step jitter (8-15%), so the bounds leave room for it
    assert after["security_per_s"] > 2 * before["security_per_s"]
    assert after["request_rate"] < 0.6 * before["request_rate"]
    assert FlowRunner.defaults(RUNBOOK.flows["restore-security-level"], edge.env) == {"level": "medium"}
    runner = await edge.run("restore-security-level")
    assert passed(runner)
    assert edge.requests("/client/v4")[-1] == ("PATCH", api, {"value": "medium"})
    assert edge.state()["security_level"] == "medium"
    assert assert_cloudflare_contract(edge) == 5  # GET+PATCH, GET+PATCH, PATCH


async def test_tighten_rate_limits_and_restore_the_multiplier(edge):
    runner = await edge.run("tighten-rate-limits")
    assert passed(runner)
    call = edge.tools.calls("wrangler")[1]
    assert call["argv"] == ["secret", "put", "RATE_LIMIT_MULTIPLIER", "--name", "vau-processor-production"]
    assert edge.state()["flags"]["rate_limit_multiplier"] == pytest.approx(0.1)
    runner = await edge.run("restore-rate-limit-multiplier")
    assert passed(runner)
    assert edge.state()["flags"]["rate_limit_multiplier"] == pytest.approx(1.0)


async def test_export_security_logs_runs_the_script_in_the_checkout(edge, tmp_path):
    log = tmp_path / "node.jsonl"
    write_fake(edge.tools.bin_dir, "node", log)
    edge.env.paths["repo"] = str(tmp_path)
    runner = await edge.run("export-security-logs", {"start": "2024-01-15T00:00:00Z", "end": "2024-01-15T23:59:59Z"})
    assert passed(runner)
    assert json.loads(log.read_text()) == {
        "argv": ["scripts/export-security-logs.js", "--start=2024-01-15T00:00:00Z", "--end=2024-01-15T23:59:59Z"],
        "cwd": str(tmp_path),
    }


async def test_block_ip_blocks_the_attacker_and_unblock_reverses_it(edge):
    edge.sim.state.set_scenario("ddos")
    runner = await edge.run("block-ip", {"ip": "203.0.113.7", "reason": "security_incident"})
    assert passed(runner)
    argvs = edge.tools.argvs("wrangler")
    assert argvs == [
        [
            "kv",
            "key",
            "put",
            "--namespace-id",
            "5100000000000000000000000000c001",
            "--remote",
            "--",
            "blocked:ip:203.0.113.7",
            "security_incident",
        ],
        [
            "kv",
            "key",
            "get",
            "--namespace-id",
            "5100000000000000000000000000c001",
            "--remote",
            "--text",
            "--",
            "blocked:ip:203.0.113.7",
        ],
    ]
    state = edge.state()
    assert state["kv"]["5100000000000000000000000000c001"]["blocked:ip:203.0.113.7"] == "security_incident"
    attacker = next(a for a in state["attack_ips"] if a["ip"] == "203.0.113.7")
    assert attacker["blocked"] is True
    assert "security_incident" in output(runner, "check")
    assert "to undo: run flow 'unblock-ip'" in runner.summary().lines()[-1]

    runner = await edge.run("unblock-ip", {"ip": "203.0.113.7"})
    assert passed(runner)
    assert edge.tools.argvs("wrangler")[-1] == [
        "kv",
        "key",
        "delete",
        "--namespace-id",
        "5100000000000000000000000000c001",
        "--remote",
        "--",
        "blocked:ip:203.0.113.7",
    ]
    assert "blocked:ip:203.0.113.7" not in edge.state()["kv"]["5100000000000000000000000000c001"]


# -- Alert responses -------------------------------------------------------------------------------------
async def test_high_latency_lists_cpu_time_then_enables_performance_mode(edge):
    runner = await edge.run("high-latency")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [
        ["tail", "vau-processor-production", "--format", "json"],
        ["deployments", "status", "--name", "vau-processor-production", "--json"],
        ["secret", "put", "PERFORMANCE_MODE", "--name", "vau-processor-production"],
    ]
    assert runner.steps[0].result.lines[0].startswith("CPU time over")
    assert edge.state()["flags"]["performance_mode"] is True


@pytest.mark.parametrize(
    "purge, targets, body",
    [
        ("everything", None, {"purge_everything": True}),
        (
            "files",
            "https://api.twist.io/static/app.js, https://api.twist.io/static/app.css",
            {"files": ["https://api.twist.io/static/app.js", "https://api.twist.io/static/app.css"]},
        ),
        (
            "prefixes",
            "api.twist.io/api/v1/stats, api.twist.io/static",
            {"prefixes": ["api.twist.io/api/v1/stats", "api.twist.io/static"]},
        ),
        ("hosts", "api.twist.io", {"hosts": ["api.twist.io"]}),
        ("tags", "vau", {"tags": ["vau"]}),
    ],
)
async def test_low_cache_hit_rate_purges_what_was_asked(edge, purge, targets, body):
    inputs = {"purge": purge} | ({"targets": targets} if targets else {})
    before = await live(edge, "cache_hit_rate")
    runner = await edge.run("low-cache-hit-rate", inputs)
    assert passed(runner, pending_manual=True)
    assert edge.requests("/client/v4") == [
        ("POST", edge.sim.base_url + "/client/v4/zones/5100000000000000000000000000f001/purge_cache", body)
    ]
    skipped = [r.step.id for r in runner.steps if r.state == StepState.SKIPPED]
    assert len(skipped) == 4 and f"purge-{purge}" not in skipped
    assert edge.state()["purges"][-1]["kind"] == next(iter(body))
    assert assert_cloudflare_contract(edge) == 1
    # the purge drops the cache hit rate for a while (the flow's last step reads it right after)
    dip = step(runner, "hit-rate").result.value["cache_hit_rate"]
    assert dip < (50 if purge == "everything" else 85) < before["cache_hit_rate"]


@pytest.mark.parametrize(
    "purge, targets, message",
    [
        ("prefixes", "https://api.twist.io/static", "carries a scheme: write host/path without it"),
        ("prefixes", ",".join(f"t.io/{i}" for i in range(31)), "31 prefixes: at most 30 go in one purge call"),
        ("prefixes", "/static/app.js", "must start with a host name"),
        ("files", "api.twist.io/static/app.js", "must be a whole URL with http:// or https://"),
        ("files", ",".join(f"https://t.io/{i}" for i in range(31)), "31 URLs: at most 30"),
        ("hosts", "https://api.twist.io", "must be a bare host name"),
        ("hosts", ",".join(f"h{i}.twist.io" for i in range(31)), "31 hosts: at most 30"),
        ("tags", ",".join(f"t{i}" for i in range(31)), "31 tags: at most 30"),
    ],
)
async def test_low_cache_hit_rate_refuses_purge_targets_the_api_would_refuse(edge, purge, targets, message):
    """Checked before anything runs (the error names the field), and the simulated API refuses them too."""
    from console.runbook import InputError

    with pytest.raises(InputError) as caught:
        await edge.run("low-cache-hit-rate", {"purge": purge, "targets": targets})
    assert caught.value.field == "targets" and message in caught.value.message
    assert edge.transport.requests == [] and edge.state()["purges"] == []
    kind = purge
    items = [t.strip() for t in targets.split(",")]
    r = httpx.post(
        f"{edge.sim.base_url}/client/v4/zones/5100000000000000000000000000f001/purge_cache",
        json={kind: items},
        headers={"Authorization": f"Bearer {edge.sim.api_token}"},
        verify=shared_ssl_context(),
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == 1012
    validate_response("POST", "/zones/5100000000000000000000000000f001/purge_cache", 400, r.json())


# -- Troubleshooting -------------------------------------------------------------------------------------
async def test_worker_timeout_summarises_cpu_time(edge):
    runner = await edge.run("worker-timeout")
    assert passed(runner, pending_manual=True)
    assert edge.tools.argvs("wrangler") == [["tail", "vau-processor-production", "--format", "json"]]
    assert "slower than 50 ms" in output(runner, "cpu")


async def test_kv_consistency_reads_the_key_remotely(edge):
    runner = await edge.run("kv-consistency")
    assert passed(runner)
    assert edge.tools.argvs("wrangler") == [
        [
            "kv",
            "key",
            "get",
            "--namespace-id",
            "5100000000000000000000000000c001",
            "--remote",
            "--text",
            "--",
            "test-key",
        ]
    ]
    assert "kv-consistency-probe" in output(runner, "get")


async def test_queue_processing_delays_raises_the_batch_size(edge):
    runner = await edge.run("queue-processing-delays", {"queue_batch_size": "200"})
    assert passed(runner, pending_manual=True)
    plan = runner._builtins["plan_file"]
    assert edge.tools.argvs("terraform") == [
        ["plan", "-input=false", "-lock-timeout=120s", "-var=queue_batch_size=200", f"-out={plan}"],
        ["show", "-json", plan],
        ["apply", "-input=false", "-lock-timeout=120s", plan],
    ]
    assert edge.state()["terraform"]["vars"]["queue_batch_size"] == 200
    assert len(edge.requests("/client/v4")) == 4  # the queue list, then each queue's metrics
    assert assert_cloudflare_contract(edge) == 4


# -- Recovery -----------------------------------------------------------------------------------------------
async def test_complete_service_recovery_checks_live_data(edge):
    runner = await edge.run("complete-service-recovery")
    assert passed(runner, pending_manual=True)
    assert [r.step.kind for r in runner.steps] == ["check", "verify", "verify", "check", "check", "manual", "manual"]
    base = edge.sim.base_url
    assert edge.requests() == [("GET", base + "/health", None), ("GET", base + "/metrics", None)]
    assert step(runner, "queues").result.value < 500 and step(runner, "cache").result.value > 80
    assert step(runner, "smoke").result.value["error_rate"] < 1
    assert [r.state for r in runner.steps[5:]] == [StepState.PENDING] * 2
    edge.sim.state.set_scenario("outage")
    runner = await edge.run("complete-service-recovery")
    assert step(runner, "workers").state == StepState.FAILED  # on_fail: continue, the rest still checked
    assert step(runner, "workers").result.message == "HTTP 503"
    assert step(runner, "metrics").state == StepState.PASSED
    smoke = step(runner, "smoke")
    assert smoke.state == StepState.FAILED and smoke.result.value["error_rate"] > 50  # 86% of requests fail


async def test_smoke_test(edge):
    runner = await edge.run("smoke-test")
    assert passed(runner)
    assert [m for m, _, _ in edge.requests()] == ["GET", "GET"]


# -- Edge IP blocks (IP list + custom rule) -------------------------------------------------------------------
LISTS = "/client/v4/accounts/5100000000000000000000000000a001/rules/lists"
ENTRYPOINT = "/client/v4/zones/5100000000000000000000000000f001/rulesets/phases/http_request_firewall_custom/entrypoint"


async def test_edge_block_needs_the_setup_first_and_says_so(edge):
    runner = await edge.run("edge-block-ip", {"ip": "203.0.113.7", "reason": "ddos source"})
    first = runner.steps[0]
    assert first.state == StepState.FAILED and "could not read list_id" in first.result.message
    assert "edge-block-setup" in first.step.text
    assert [r.state for r in runner.steps[1:]] == [StepState.NOT_RUN] * 3  # nothing added
    assert assert_cloudflare_contract(edge) == 1


async def test_edge_block_setup_then_block_and_unblock_at_the_edge(edge):
    sim = edge.sim.state
    sim.set_scenario("ddos")
    runner = await edge.run("edge-block-setup")
    assert passed(runner)
    rules = edge.state()["edge"]["custom_rules"]
    assert {
        "ref": "edge_console_ip_block",
        "action": "block",
        "expression": "ip.src in $edge_console_blocked",
        "enabled": True,
    } in rules
    # look for the list, create it, read the entry point, add the rule, confirm it
    assert [m for m, _, _ in edge.requests("/client/v4")] == ["GET", "POST", "GET", "POST", "GET"]
    assert states(runner)["create-entrypoint"] == StepState.SKIPPED  # the zone has custom rules already
    assert assert_cloudflare_contract(edge) == 5

    edge.transport.requests.clear()
    edge.transport.responses.clear()
    sim.edge_rules.operation_seconds = 1.5  # the list operation completes later: the read-back retries
    before = edge.state()["edge"]["blocked_requests"]
    runner = await edge.run("edge-block-ip", {"ip": "203.0.113.7", "reason": "ddos source"})
    assert passed(runner)
    calls = edge.requests("/client/v4")
    base = edge.sim.base_url
    list_id = step(runner, "list").result.captures["list_id"]
    assert calls[:3] == [
        ("GET", base + LISTS, None),
        ("GET", base + ENTRYPOINT, None),
        ("POST", f"{base}{LISTS}/{list_id}/items", [{"ip": "203.0.113.7", "comment": "ddos source"}]),
    ]
    readbacks = calls[3:]
    assert len(readbacks) >= 2 and all(
        c == ("GET", f"{base}{LISTS}/{list_id}/items?search=203.0.113.7", None) for c in readbacks
    )
    assert re.fullmatch(r"[0-9a-f]{32}", step(runner, "add").result.captures["operation_id"])
    assert assert_cloudflare_contract(edge) == len(calls)
    state = edge.state()
    assert state["edge"]["edge_blocked_ips"] == ["203.0.113.7"]
    assert "203.0.113.7" not in state["blocked_ips"]  # not the KV flow: the Worker never sees these requests
    await wait_for(lambda: edge.state()["edge"]["blocked_requests"] > before, timeout=10, message="edge blocks")
    assert runner.summary().lines()[-1].startswith("to undo: run flow 'edge-unblock-ip'")

    edge.transport.requests.clear()
    edge.transport.responses.clear()
    sim.edge_rules.operation_seconds = 0.0
    sim.edge_rules.add_items(list_id, [{"ip": "203.0.113.70", "comment": "a neighbour the search also finds"}])
    runner = await edge.run("edge-unblock-ip", {"ip": "203.0.113.7"})
    assert passed(runner)
    removed = next(body for m, _, body in edge.requests("/client/v4") if m == "DELETE")
    assert removed == {"items": [{"id": step(runner, "find").result.captures["item_id"]}]}
    assert edge.state()["edge"]["edge_blocked_ips"] == ["203.0.113.70"]  # only the exact IP was removed
    assert assert_cloudflare_contract(edge) == 4


async def test_edge_block_setup_on_a_zone_without_custom_rules_creates_the_entry_point(edge):
    """A zone that never had custom rules has no http_request_firewall_custom entry point: the API answers
    404 (10003). The setup takes that as "none yet" and creates the entry point with the rule (PUT)."""
    sim = edge.sim.state
    sim.set_faults({"custom_entrypoint": "missing"})
    sim.set_scenario("ddos")
    runner = await edge.run("edge-block-setup")
    assert passed(runner)
    base = edge.sim.base_url
    calls = edge.requests("/client/v4")
    assert [(m, u) for m, u, _ in calls] == [
        ("GET", base + LISTS),
        ("POST", base + LISTS),
        ("GET", base + ENTRYPOINT),
        ("PUT", base + ENTRYPOINT),
        ("GET", base + ENTRYPOINT),
    ]
    read = step(runner, "entrypoint")
    assert read.result.http_status == 404 and read.result.captures == {"ruleset_id": False, "rule_id": False}
    assert read.result.message.startswith("HTTP 404, accepted as an answer (10003: could not find entrypoint")
    assert edge.transport.responses[2][1].json()["errors"][0]["code"] == 10003
    put = calls[3][2]
    assert put["rules"] == [
        {
            "ref": "edge_console_ip_block",
            "expression": "ip.src in $edge_console_blocked",
            "action": "block",
            "enabled": True,
            "description": "Edge Console: block the IPs of the list edge_console_blocked",
        }
    ]
    assert states(runner)["add-rule"] == StepState.SKIPPED  # the PUT made it
    assert edge.state()["edge"]["custom_rules"] == [
        {
            "ref": "edge_console_ip_block",
            "action": "block",
            "expression": "ip.src in $edge_console_blocked",
            "enabled": True,
        }
    ]
    assert assert_cloudflare_contract(edge) == 5  # the 404 answer included

    # ... and the block then works
    sim.edge_rules.operation_seconds = 0.0
    before = edge.state()["edge"]["blocked_requests"]
    runner = await edge.run("edge-block-ip", {"ip": "203.0.113.7", "reason": "ddos source"})
    assert passed(runner)
    assert edge.state()["edge"]["edge_blocked_ips"] == ["203.0.113.7"]
    await wait_for(lambda: edge.state()["edge"]["blocked_requests"] > before, timeout=10, message="edge blocks")
    assert assert_cloudflare_contract(edge) == len(edge.requests("/client/v4"))


async def test_edge_block_setup_run_twice_leaves_one_list_and_one_rule(edge):
    runner = await edge.run("edge-block-setup")
    assert passed(runner)
    first_list = step(runner, "create-list").result.captures["list_id"]
    edge.transport.requests.clear()
    runner = await edge.run("edge-block-setup")
    assert passed(runner)
    assert {k: v for k, v in states(runner).items()} == {
        "find-list": StepState.PASSED,
        "create-list": StepState.SKIPPED,
        "entrypoint": StepState.PASSED,
        "create-entrypoint": StepState.SKIPPED,
        "add-rule": StepState.SKIPPED,
        "confirm": StepState.PASSED,
    }
    assert step(runner, "find-list").result.captures["list_id"] == first_list  # found by name and reused
    assert [m for m, _, _ in edge.requests("/client/v4")] == ["GET", "GET", "GET"]  # nothing changed
    edge_state = edge.state()["edge"]
    assert [x["name"] for x in edge_state["lists"]] == ["edge_console_blocked"]
    assert [r["ref"] for r in edge_state["custom_rules"]].count("edge_console_ip_block") == 1
    assert [r["ref"] for r in edge_state["custom_rules"]] == ["geo_block", "edge_console_ip_block"]  # geo rule kept

    # a zone whose list exists but whose entry point does not (the rule was never added there): only the PUT
    edge.sim.state.set_faults({"custom_entrypoint": "missing"})
    edge.transport.requests.clear()
    runner = await edge.run("edge-block-setup")
    assert passed(runner)
    assert [m for m, _, _ in edge.requests("/client/v4")] == ["GET", "GET", "PUT", "GET"]
    assert [r["ref"] for r in edge.state()["edge"]["custom_rules"]] == ["edge_console_ip_block"]
    assert len(edge.state()["edge"]["lists"]) == 1
    assert assert_cloudflare_contract(edge) == 5 + 3 + 4


async def test_edge_block_setup_is_refused_read_only(edge):
    edge.sim.state.set_faults({"custom_entrypoint": "missing"})
    runner = await edge.run("edge-block-setup", read_only=True)
    assert runner.refusal is not None
    assert {run.step.id for run in runner.steps if run.state == StepState.REFUSED} == {
        "create-list",
        "create-entrypoint",
        "add-rule",
    }
    assert [m for m, _, _ in edge.requests("/client/v4")] == []  # nothing sent, nothing created
    assert edge.state()["edge"]["lists"] == [] and edge.state()["edge"]["custom_rules"] == []


def test_zz_every_builtin_flow_has_a_test_here():
    """Keeps this file honest: a new built-in flow needs a test on the simulated edge."""
    source = Path(__file__).read_text()
    missing = [flow_id for flow_id in RUNBOOK.flows if f'"{flow_id}"' not in source]
    assert missing == []


async def test_maintenance_silences_the_edges_alerts_for_its_window_with_a_real_alertmanager(edge, tmp_path):
    """cache-cleanup with alertmanager_url: "silence the edge's alerts for the window" first, expired at
    the end; "alertmanager-silence", "alertmanager-expire-silence" and "alertmanager-silences" run here too."""
    from tests.monitoring_servers import running_alertmanager

    # a real Alertmanager keeps real time: a silence stamped ahead of it by skipped rate windows would still be
    # pending when the flow checks it is active, so the rate windows here wait in real time (as before)
    edge.sleep = None
    with running_alertmanager(tmp_path) as url:
        edge.env.alertmanager_url = url
        edge.env.alertmanager_matchers = "env=production"
        runner = await edge.run("cache-cleanup", {"older_than": "3d", "silence_for": "1h30m"})
        assert passed(runner)
        silence_id = step(runner, "silence").result.captures["silence_id"]
        (silence,) = httpx.get(f"{url}/api/v2/silences", timeout=5, verify=shared_ssl_context()).json()
        assert silence["id"] == silence_id and silence["status"]["state"] == "expired"  # expired at the end
        assert silence["matchers"][0]["name"] == "env" and silence["comment"].startswith("maintenance: cache cleanup")

        created = await edge.run("alertmanager-silence", {"matchers": "alertname=EdgeHighErrorRate", "duration": "1h"})
        assert passed(created)
        listed = await edge.run("alertmanager-silences")
        assert passed(listed)
        assert any(created.captures["silence_id"] in line for line in step(listed, "list").result.lines)
        expired = await edge.run("alertmanager-expire-silence")  # defaults to the remembered id
        assert passed(expired)
        listing = httpx.get(f"{url}/api/v2/silences", timeout=5, verify=shared_ssl_context()).json()
        states = {s["id"]: s["status"]["state"] for s in listing}
        assert states[created.captures["silence_id"]] == "expired"
