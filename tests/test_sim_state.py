"""The simulated edge's traffic model, read the way the console reads it: two /metrics pages a
window apart, parsed with prometheus_client's parser. Time is a fake clock, so windows are exact
and nothing sleeps."""

from __future__ import annotations

import math
import threading
from collections import defaultdict

import pytest
from prometheus_client.parser import text_string_to_metric_families

from console.sim.exposition import FAMILIES, Exposition
from console.sim.state import KV_NAMESPACE_ID, MAIN_WORKER, SimError, SimState


class Clock:
    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def scrape(expo: Exposition) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    out: dict[str, list[tuple[str, dict[str, str], float]]] = defaultdict(list)
    for family in text_string_to_metric_families(expo.render().decode()):
        for sample in family.samples:
            out[family.name].append((sample.name, dict(sample.labels), sample.value))
    return out


def _sum(page, family, sample=None, **labels) -> float:
    return sum(
        v
        for name, lab, v in page.get(family, [])
        if (sample is None or name == sample) and all(lab.get(k) == x for k, x in labels.items())
    )


def _buckets(page, family, **labels) -> list[tuple[float, float]]:
    acc: dict[float, float] = defaultdict(float)
    for name, lab, v in page.get(family, []):
        if name == family + "_bucket" and all(lab.get(k) == x for k, x in labels.items()):
            acc[float(lab["le"])] += v
    return sorted(acc.items())


def quantile(q: float, before, after) -> float:
    """Prometheus histogram_quantile over the bucket deltas (linear interpolation)."""
    deltas = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
    total = deltas[-1][1]
    rank = q * total
    prev_le, prev_count = 0.0, 0.0
    for le, count in deltas:
        if count >= rank:
            if math.isinf(le):
                return prev_le
            return prev_le + (le - prev_le) * (rank - prev_count) / max(count - prev_count, 1e-12)
        prev_le, prev_count = le, count
    return prev_le


class Edge:
    """A SimState + exposition on a fake clock, with the console's derived numbers per window."""

    def __init__(self, scenario: str = "normal", seed: int = 7) -> None:
        self.clock = Clock()
        self.state = SimState(scenario=scenario, seed=seed, clock=self.clock)
        self.expo = Exposition(self.state)
        self.page = scrape(self.expo)

    def window(self, seconds: float = 10.0) -> dict[str, float]:
        before = self.page
        self.clock.tick(seconds)
        after = self.page = scrape(self.expo)
        d = lambda fam, **kw: _sum(after, fam, **kw) - _sum(before, fam, **kw)  # noqa: E731
        requests = d("edge_requests", sample="edge_requests_total")
        errors = d("edge_errors", sample="edge_errors_total")
        hits = d("edge_cache_hits", sample="edge_cache_hits_total")
        misses = d("edge_cache_misses", sample="edge_cache_misses_total")
        blocks = {
            rule: d("edge_security_blocks", sample="edge_security_blocks_total", rule=rule) / seconds
            for rule in ("waf", "geo_block", "rate_limit", "bot", "ip_block")
        }
        return {
            "request_rate": requests / seconds,
            "error_rate": 100.0 * errors / requests,
            "p95_latency_ms": 1000
            * quantile(
                0.95,
                _buckets(before, "edge_request_duration_seconds"),
                _buckets(after, "edge_request_duration_seconds"),
            ),
            "cache_hit_rate": 100.0 * hits / (hits + misses),
            "cpu_time_ms": quantile(0.95, _buckets(before, "edge_cpu_time_ms"), _buckets(after, "edge_cpu_time_ms")),
            "queue_backlog": _sum(after, "edge_queue_backlog"),
            "vau_backlog": _sum(after, "edge_queue_backlog", queue="vau-batch"),
            "memory_bytes": max(v for _, _, v in after["edge_memory_usage_bytes"]),
            "violations": d("edge_rate_limit_violations", sample="edge_rate_limit_violations_total") / seconds,
            **{f"blocks_{rule}": value for rule, value in blocks.items()},
        }


def test_exposition_has_exactly_the_runbook_families_with_their_labels():
    edge = Edge()
    edge.window(5)
    page = edge.page
    names = {family for family in page}
    expected = {name[: -len("_total")] if name.endswith("_total") else name for name in FAMILIES}
    assert names == expected
    labels = lambda fam: {k for _, lab, _ in page[fam] for k in lab}  # noqa: E731
    assert labels("edge_requests") == {"worker", "colo", "status"}
    assert labels("edge_errors") == {"worker", "type"}
    assert labels("edge_request_duration_seconds") == {"worker", "le"}
    assert labels("edge_cpu_time_ms") == {"le"}
    assert labels("edge_memory_usage_bytes") == {"worker"}
    assert {lab["queue"] for _, lab, _ in page["edge_queue_backlog"]} == {"vau-batch", "analytics", "dead-letter"}
    assert labels("edge_queue_processing_duration_seconds") == {"queue", "le"}
    assert {lab["rule"] for _, lab, _ in page["edge_security_blocks"]} == {
        "waf",
        "geo_block",
        "rate_limit",
        "bot",
        "ip_block",
    }
    assert [float(lab["le"]) for n, lab, _ in page["edge_cpu_time_ms"] if n.endswith("_bucket")] == [
        1,
        2,
        5,
        10,
        25,
        50,
        100,
        250,
        math.inf,
    ]


def test_histograms_cumulative_and_counters_monotonic_across_scrapes():
    edge = Edge("latency")
    pages = [edge.page]
    for seconds in (0.3, 2.0, 7.5, 0.01):
        edge.window(seconds)
        pages.append(edge.page)
    for fam in ("edge_request_duration_seconds", "edge_cpu_time_ms", "edge_queue_processing_duration_seconds"):
        for page in pages:
            series: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
            counts: dict[tuple, float] = {}
            for name, lab, v in page[fam]:
                key = tuple(sorted((k, x) for k, x in lab.items() if k != "le"))
                if name.endswith("_bucket"):
                    series[key].append((float(lab["le"]), v))
                elif name.endswith("_count"):
                    counts[key] = v
            for key, buckets in series.items():
                values = [v for _, v in sorted(buckets)]
                assert values == sorted(values), f"{fam}{key} buckets not cumulative"
                assert values[-1] == counts[key]
                assert all(v == int(v) for v in values)
    for fam, sample in (
        ("edge_requests", "edge_requests_total"),
        ("edge_cache_hits", "edge_cache_hits_total"),
        ("edge_security_blocks", "edge_security_blocks_total"),
    ):
        totals = [_sum(p, fam, sample=sample) for p in pages]
        assert totals == sorted(totals) and totals[-1] > totals[0]


def test_normal_is_inside_the_runbook_normal_ranges_over_many_windows():
    edge = Edge("normal", seed=11)
    for _ in range(12):
        w = edge.window(5)
        assert 1000 <= w["request_rate"] <= 10000
        assert w["error_rate"] < 0.1
        assert w["p95_latency_ms"] < 100
        assert w["cache_hit_rate"] > 90
        assert w["cpu_time_ms"] < 10
        assert w["queue_backlog"] < 100
        assert w["memory_bytes"] < 100 * 1024 * 1024


def test_values_vary_between_windows_and_seeds_reproduce():
    a, b = Edge(seed=3), Edge(seed=3)
    wa = [a.window(2) for _ in range(3)]
    wb = [b.window(2) for _ in range(3)]
    assert [w["request_rate"] for w in wa] == [w["request_rate"] for w in wb]
    assert len({round(w["request_rate"], 3) for w in wa}) == 3
    assert len({round(w["p95_latency_ms"], 3) for w in wa}) == 3


@pytest.mark.parametrize(
    "scenario, check",
    [
        ("error-spike", lambda w: w["error_rate"] > 1.0),
        ("latency", lambda w: w["p95_latency_ms"] > 1000 and w["cpu_time_ms"] > 50),
        ("ddos", lambda w: w["request_rate"] > 20000 and w["blocks_bot"] > 500 and w["blocks_rate_limit"] > 500),
        ("queue-backlog", lambda w: w["vau_backlog"] > 1000),
        ("cache-collapse", lambda w: w["cache_hit_rate"] < 70),
        ("outage", lambda w: w["error_rate"] > 50),
    ],
)
def test_switching_scenario_moves_numbers_from_the_next_full_window(scenario, check):
    edge = Edge("normal")
    baseline = edge.window(5)
    assert not check(baseline)
    edge.clock.tick(1.5)
    edge.state.set_scenario(scenario)  # mid-window: this window is mixed
    edge.window(3.5)
    full = edge.window(5)
    assert check(full), full
    edge.state.set_scenario("normal")
    edge.window(5)
    if scenario != "queue-backlog":  # a backlog takes a while to drain
        assert not check(edge.window(5))


def test_queue_backlog_grows_and_batch_size_and_workers_drain_it():
    edge = Edge("queue-backlog")
    first = edge.window(5)["vau_backlog"]
    second = edge.window(10)["vau_backlog"]
    assert first > 1000 and second > first
    edge.state.terraform_apply({"queue_batch_size": 200, "worker_count": 20})
    third = edge.window(1)["vau_backlog"]
    fourth = edge.window(1)["vau_backlog"]
    assert fourth < third < second
    assert edge.window(10)["vau_backlog"] < 100  # drained back to its normal level
    metrics = edge.state.queue_metrics("vau-batch")
    assert metrics["backlog_count"] == int(edge.state.backlog["vau-batch"])
    assert metrics["oldest_message_timestamp_ms"] < edge.clock.now * 1000


def test_circuit_breaker_brings_error_rate_below_one_percent_within_seconds():
    for scenario in ("error-spike", "outage"):
        edge = Edge(scenario)
        assert edge.window(5)["error_rate"] > 1
        assert edge.state.health()[0] == (503 if scenario == "outage" else 200)
        edge.state.put_secret(MAIN_WORKER, "CIRCUIT_BREAKER_ENABLED", "true")
        edge.window(3)  # the breaker trips within a few seconds
        assert edge.window(5)["error_rate"] < 1.0
        code, body = edge.state.health()
        assert code == 200 and body["status"] == "degraded"
        edge.state.put_secret(MAIN_WORKER, "CIRCUIT_BREAKER_ENABLED", "false")
        edge.window(2)
        assert edge.window(5)["error_rate"] > 1


def test_secret_on_another_script_has_no_effect():
    edge = Edge("error-spike")
    edge.state.put_secret("vau-processor-staging", "CIRCUIT_BREAKER_ENABLED", "true")
    edge.window(3)
    assert edge.window(5)["error_rate"] > 1


def test_blocking_the_attack_ips_raises_ip_block_and_lowers_passed_traffic():
    edge = Edge("ddos")
    before = edge.window(5)
    top = sorted(edge.state.snapshot()["attack_ips"], key=lambda a: -a["share"])[:3]
    for entry in top:
        edge.state.kv_put(KV_NAMESPACE_ID, f"blocked:ip:{entry['ip']}", "ddos")
    after = edge.window(5)
    assert after["blocks_ip_block"] > 50 * max(before["blocks_ip_block"], 1)
    assert after["request_rate"] < before["request_rate"] * 0.6
    snap = edge.state.snapshot()
    assert {a["ip"] for a in snap["attack_ips"] if a["blocked"]} == {e["ip"] for e in top}
    assert all(a["blocks_total"] > 0 for a in snap["attack_ips"] if a["blocked"])
    # a blocked IP outside the attack still produces a trickle of ip_block blocks in normal traffic
    calm = Edge("normal")
    base = calm.window(10)["blocks_ip_block"]
    calm.state.kv_put(KV_NAMESPACE_ID, "blocked:ip:198.18.0.9", "abuse")
    assert calm.window(10)["blocks_ip_block"] > base


def test_under_attack_mode_raises_bot_and_waf_blocks_and_lowers_passed_rate():
    edge = Edge("ddos")
    before = edge.window(5)
    edge.state.set_setting("5100000000000000000000000000f001", "security_level", "under_attack")
    after = edge.window(5)
    assert after["blocks_bot"] > 3 * before["blocks_bot"]
    assert after["blocks_waf"] > before["blocks_waf"]
    assert after["request_rate"] < 0.6 * before["request_rate"]
    with pytest.raises(SimError):
        edge.state.set_setting("5100000000000000000000000000f001", "security_level", "panic")


def test_rate_limit_multiplier_and_terraform_limits_change_rate_limit_blocks():
    edge = Edge("normal")
    base = edge.window(10)
    edge.state.put_secret(MAIN_WORKER, "RATE_LIMIT_MULTIPLIER", "0.1")
    tight = edge.window(10)
    assert tight["blocks_rate_limit"] > 4 * base["blocks_rate_limit"]
    assert tight["violations"] > 4 * base["violations"]
    edge.state.put_secret(MAIN_WORKER, "RATE_LIMIT_MULTIPLIER", "1")
    edge.window(1)
    normal = edge.window(10)
    edge.state.terraform_apply({"api_rate_limit": 400, "vau_rate_limit": 4000})
    loose = edge.window(10)
    assert loose["blocks_rate_limit"] < normal["blocks_rate_limit"]
    edge.state.terraform_apply({"enable_strict_waf": True})
    assert edge.window(10)["blocks_waf"] > 2 * loose["blocks_waf"]


def test_performance_mode_lowers_cpu_time():
    edge = Edge("latency")
    before = edge.window(5)
    edge.state.put_secret(MAIN_WORKER, "PERFORMANCE_MODE", "true")
    after = edge.window(5)
    assert after["cpu_time_ms"] < 0.6 * before["cpu_time_ms"]
    assert after["p95_latency_ms"] < before["p95_latency_ms"]


def test_cache_purge_dips_hit_rate_then_it_recovers_in_about_30s():
    edge = Edge("normal")
    assert edge.window(5)["cache_hit_rate"] > 90
    edge.state.purge_cache("5100000000000000000000000000f001", "purge_everything", [])
    dip = edge.window(5)["cache_hit_rate"]
    assert dip < 50
    middle = edge.window(10)["cache_hit_rate"]
    assert dip < middle
    edge.window(16)
    assert edge.window(5)["cache_hit_rate"] > 90


def test_admin_purge_parses_durations_and_rejects_bad_ones():
    state = SimState(seed=1, clock=Clock())
    result = state.admin_purge("7d")
    assert result["older_than_seconds"] == 7 * 86400 and result["purged"] > 0
    for bad in ("7 days", "", "-1d", 7, None):
        with pytest.raises(SimError):
            state.admin_purge(bad)


def test_rollback_run_completing_ends_error_spike_and_adds_a_deployment():
    clock = Clock()
    state = SimState("error-spike", seed=2, clock=clock)
    before = state.deployment_list(MAIN_WORKER)
    run = state.gh_dispatch("rollback-edge.yml", {"environment": "production", "reason": "bad deploy"})
    assert run["status"] == "queued" and run["conclusion"] == ""
    clock.tick(1)
    assert state.gh_run(run["databaseId"])["status"] == "in_progress"
    assert state.scenario == "error-spike"
    clock.tick(state.gh_run_seconds)
    done = state.gh_run(run["databaseId"])
    assert (done["status"], done["conclusion"]) == ("completed", "success")
    assert state.scenario == "normal"
    after = state.deployment_list(MAIN_WORKER)
    assert len(after) == len(before) + 1
    assert after[0]["annotations"]["workers/triggered_by"] == "rollback"
    assert after[0]["versions"] == before[1]["versions"]
    assert state.snapshot()["rollbacks"][-1]["scenario_before"] == "error-spike"
    for bad in (
        {"environment": "production"},
        {"environment": "moon", "reason": "x"},
        {"environment": "production", "reason": "x", "extra": "1"},
    ):
        with pytest.raises(SimError):
            state.gh_dispatch("rollback-edge.yml", bad)
    with pytest.raises(SimError):
        state.gh_dispatch("deploy.yml", {"environment": "production", "reason": "x"})


def test_failed_rollback_changes_nothing():
    clock = Clock()
    state = SimState("error-spike", seed=2, clock=clock)
    state.set_faults({"gh_run": "failure"})
    run = state.gh_dispatch("rollback-edge.yml", {"environment": "production", "reason": "x"})
    clock.tick(10)
    assert state.gh_run(run["databaseId"])["conclusion"] == "failure"
    assert state.scenario == "error-spike"


def test_kv_seeded_salts_and_list_pagination():
    state = SimState(seed=5, clock=Clock())
    keys, cursor = state.kv_list(KV_NAMESPACE_ID, "salt:week:")
    assert len(keys) >= 4 and cursor == ""
    assert all(k["name"].split(":")[-1].isdigit() for k in keys)
    with pytest.raises(KeyError):
        state.kv_list("nope")


def test_snapshot_lists_state_without_secret_values():
    state = SimState("ddos", seed=5, clock=Clock())
    state.put_secret(MAIN_WORKER, "RATE_LIMIT_MULTIPLIER", "0.123456")
    snap = state.snapshot()
    for key in (
        "scenario",
        "flags",
        "kv",
        "security_level",
        "gh_runs",
        "terraform",
        "attack_ips",
        "blocked_ips",
        "queues",
        "faults",
        "deployments",
        "current",
    ):
        assert key in snap
    assert snap["flags"]["rate_limit_multiplier"] == pytest.approx(0.123456)
    assert "RATE_LIMIT_MULTIPLIER" in snap["secrets"][MAIN_WORKER]
    import json

    text = json.dumps(snap)
    assert all(value not in text for value in state.secrets[MAIN_WORKER].values() if value != "0.123456")
    assert all(a["active"] for a in snap["attack_ips"])


def test_unknown_scenario_and_faults_are_rejected_with_the_known_names():
    with pytest.raises(SimError, match="known: normal"):
        SimState("chaos")
    state = SimState(seed=1, clock=Clock())
    with pytest.raises(SimError, match="known"):
        state.set_scenario("chaos")
    for bad in ({"metrics": "boom"}, {"health": "sideways"}, {"slow_seconds": -1}, {"x": 1}, {"metrics": "missing:"}):
        with pytest.raises(SimError):
            state.set_faults(bad)


def test_reads_from_many_threads_stay_consistent():
    edge = Edge("normal")
    errors: list[BaseException] = []

    def reader():
        try:
            for _ in range(8):
                page = scrape(edge.expo)
                assert _sum(page, "edge_requests", sample="edge_requests_total") > 0
                edge.state.snapshot()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def ticker():
        for _ in range(20):
            edge.clock.tick(0.25)
            edge.state.set_scenario("ddos" if edge.state.scenario == "normal" else "normal")

    threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=ticker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
