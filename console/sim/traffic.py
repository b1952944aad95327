"""The simulated edge's traffic model: request rates, errors, latencies, cache, security blocks, queues.

:class:`TrafficModel` holds the counters and histograms the exposition shows and integrates them over time
(:meth:`TrafficModel.step`): the scenario's :class:`~console.sim.scenarios.Profile` sets the base traffic and
:class:`TrafficControls` carries what the control plane changes about it (flags from secrets and zone settings,
Terraform variables, blocked IPs, the edge's block rules, cache rules, a purge's cache dip). It holds no
lock and knows nothing of the control plane's state: :class:`console.sim.state.SimState` calls it under its
lock and builds the controls.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from console.sim.edge_rules import edge_blocked_share
from console.sim.histogram import Histogram
from console.sim.scenarios import (
    ATTACK_IPS,
    CACHE_RULES_BASELINE,
    COLOS,
    CPU_BUCKETS_MS,
    ERROR_STATUS,
    OK_STATUSES,
    QUEUE_BUCKETS_S,
    QUEUES,
    REQUEST_BUCKETS_S,
    SECURITY_RULES,
    WORKER_MEMORY_BYTES,
    WORKERS,
    Profile,
)
from console.sim.timefmt import iso

CACHEABLE_FRACTION = 0.55
CB_DECAY_S = 0.8
CB_ERROR_FRACTION = 0.004
#: each endpoint cached beyond the baseline leaves this share of the cache hit gap (to 98.5%)
CACHE_RULE_GAP = 0.4
QUEUE_TARGETS = {"vau-batch": 45.0, "analytics": 20.0, "dead-letter": 2.0}
QUEUE_INFLOW = {"vau-batch": 180.0, "analytics": 60.0, "dead-letter": 0.3}
QUEUE_PROC_MEDIAN_S = {"vau-batch": 0.12, "analytics": 0.08, "dead-letter": 0.3}
QUEUE_MESSAGE_BYTES = {"vau-batch": 1400, "analytics": 620, "dead-letter": 1800}
#: vau-batch capacity (messages/s) at queue_batch_size=100 and worker_count=10
VAU_BATCH_CAPACITY = 200.0
BACKLOG_INFLOW = 230.0
LEVEL_FACTOR = {
    "off": 0.2,
    "essentially_off": 0.3,
    "low": 0.7,
    "medium": 1.0,
    "high": 1.5,
    "under_attack": 2.5,
}


@dataclass
class TrafficControls:
    """What the control plane sets that changes the traffic, as of one step."""

    flags: dict[str, Any]  # circuit_breaker, performance_mode, rate_limit_multiplier, security_level, strict_waf
    blocked_ips: list[str]  # the Worker's KV block list
    edge_blocked: list[str]  # IPs blocked at the edge (an enabled custom rule referencing a list)
    tf_vars: dict[str, Any]
    cache_rules: set[str]
    circuit_breaker_since: float | None
    cache_hit_ratio: Callable[[float, float], float]  # (t, base) -> the ratio after a purge's dip


class TrafficModel:
    def __init__(self, rng: random.Random, started: float) -> None:
        self.rng = rng
        self.started = started
        self.edge_blocked_requests = 0.0
        self.requests: dict[tuple[str, str, str], float] = defaultdict(float)
        self.errors: dict[tuple[str, str], float] = defaultdict(float)
        self.duration = {w: Histogram(REQUEST_BUCKETS_S) for w in WORKERS}
        self.cpu = Histogram(CPU_BUCKETS_MS)
        self.cache_hits = 0.0
        self.cache_misses = 0.0
        self.memory = {w: base for w, base in WORKER_MEMORY_BYTES.items()}
        self.backlog = dict(QUEUE_TARGETS)
        self.queue_processing = {q: Histogram(QUEUE_BUCKETS_S) for q in QUEUES}
        self.blocks: dict[str, float] = {rule: 0.0 for rule in SECURITY_RULES}
        self.rate_limit_violations = 0.0
        self.blocks_by_ip: dict[str, float] = defaultdict(float)
        #: the model's values at the end of the last step (rates per second)
        self.current: dict[str, Any] = {}

    def start_backlog(self) -> None:
        """A queue-backlog scenario begins: vau-batch holds over a thousand messages."""
        self.backlog["vau-batch"] = max(self.backlog["vau-batch"], 1200.0 + self.rng.uniform(0, 150))

    def step(self, t0: float, t1: float, prof: Profile, controls: TrafficControls) -> None:
        """Integrate traffic over [t0, t1] with the model evaluated at the midpoint."""
        dt = t1 - t0
        t = (t0 + t1) / 2.0
        rng = self.rng
        flags = controls.flags
        tf_vars = controls.tf_vars

        def jitter(scale: float = 0.05) -> float:
            return max(0.2, 1.0 + rng.gauss(0.0, scale))

        wave = 1.0 + 0.22 * math.sin(2 * math.pi * (t - self.started) / 600.0)
        legit = prof.legit_rps * wave * jitter(0.05)
        attack = prof.attack_rps * jitter(0.08)

        # -- the edge (before the Worker): IPs in a list that an enabled block rule references ---------
        edge_share = edge_blocked_share(controls.edge_blocked, ATTACK_IPS)
        self.edge_blocked_requests += attack * edge_share * dt
        attack *= 1.0 - edge_share

        # -- security layer: ip_block, then challenge (bot), waf, geo, rate limit ---------
        blocked = set(controls.blocked_ips)
        level = flags["security_level"]
        rl_factor = min(20.0, max(0.2, 1.0 / flags["rate_limit_multiplier"]))
        api_limit = max(1.0, float(tf_vars["api_rate_limit"]))
        vau_limit = max(1.0, float(tf_vars["vau_rate_limit"]))
        rl_factor *= min(20.0, max(0.05, math.sqrt((100.0 / api_limit) * (1000.0 / vau_limit))))
        level_factor = LEVEL_FACTOR.get(level, 1.0)
        base = prof.blocks
        per_rule = {rule: base.get(rule, 0.0) * jitter(0.15) for rule in SECURITY_RULES}
        per_rule["bot"] *= level_factor
        per_rule["rate_limit"] *= rl_factor
        if flags["strict_waf"]:
            per_rule["waf"] *= 2.5
        ip_blocks: dict[str, float] = {}
        for ip in blocked:
            share = ATTACK_IPS.get(ip)
            rate = attack * share if share is not None else 0.3
            ip_blocks[ip] = rate
        per_rule["ip_block"] += sum(ip_blocks.values())
        remaining = attack * (1.0 - sum(ATTACK_IPS.get(ip, 0.0) for ip in blocked))
        remaining = max(0.0, remaining)
        if attack > 0:
            bot_fraction = {"under_attack": 0.72, "high": 0.18}.get(level, 0.07)
            bot = remaining * bot_fraction
            remaining -= bot
            waf = remaining * (0.02 + (0.12 if flags["strict_waf"] else 0.0) + (0.08 if level == "under_attack" else 0))
            remaining -= waf
            geo = remaining * 0.03
            remaining -= geo
            rl = remaining * min(0.9, 0.05 * rl_factor)
            remaining -= rl
            per_rule["bot"] += bot
            per_rule["waf"] += waf
            per_rule["geo_block"] += geo
            per_rule["rate_limit"] += rl
        legit_blocked = 0.0
        if level == "under_attack":
            per_rule["bot"] += legit * 0.03
            legit_blocked += legit * 0.03
        legit_rl = legit * min(0.05, 0.0006 * rl_factor)
        per_rule["rate_limit"] += legit_rl
        legit_blocked += legit_rl
        if flags["strict_waf"]:
            per_rule["waf"] += legit * 0.001
            legit_blocked += legit * 0.001
        passed = max(0.0, legit - legit_blocked) + remaining
        violations = per_rule["rate_limit"] * 1.15 + legit * 0.0004 * rl_factor

        # -- errors -----------------------------------------------------------------------
        error_fraction = prof.error_fraction * jitter(0.12)
        if prof.legit_rps and passed > 1.3 * prof.legit_rps and attack:
            error_fraction += 0.002  # overload under an attack that gets through
        if flags["circuit_breaker"]:
            since = controls.circuit_breaker_since if controls.circuit_breaker_since is not None else t
            target = min(error_fraction, CB_ERROR_FRACTION * jitter(0.1))
            decay = math.exp(-max(0.0, t - since) / CB_DECAY_S)
            error_fraction = target + (error_fraction - target) * decay
        error_fraction = min(0.99, max(0.0, error_fraction))

        # -- latency / cpu ------------------------------------------------------------------
        lat_med, lat_p95 = prof.latency_median_ms, prof.latency_p95_ms
        cpu_med, cpu_p95 = prof.cpu_median_ms, prof.cpu_p95_ms
        if flags["performance_mode"]:
            lat_med, lat_p95 = lat_med * 0.45, lat_p95 * 0.45
            cpu_med, cpu_p95 = cpu_med * 0.4, cpu_p95 * 0.4
        j = jitter(0.06)
        lat_med, lat_p95 = lat_med * j, lat_p95 * j
        j = jitter(0.06)
        cpu_med, cpu_p95 = cpu_med * j, cpu_p95 * j

        # -- cache ------------------------------------------------------------------------
        hit = min(0.995, max(0.0, prof.cache_hit + rng.gauss(0.0, 0.008)))
        extra_rules = len(controls.cache_rules - set(CACHE_RULES_BASELINE))
        hit = hit + (0.985 - hit) * (1.0 - CACHE_RULE_GAP**extra_rules) if hit < 0.985 else hit
        hit = controls.cache_hit_ratio(t, hit)

        # -- queues -----------------------------------------------------------------------
        workers = max(1.0, float(tf_vars["worker_count"]))
        batch = max(1.0, float(tf_vars["queue_batch_size"]))
        capacity = VAU_BATCH_CAPACITY * (batch / 100.0) * (workers / 10.0)
        processed: dict[str, float] = {}
        for queue, target in QUEUE_TARGETS.items():
            current = self.backlog[queue]
            if queue == "vau-batch" and prof.queue_backlog:
                inflow = BACKLOG_INFLOW * jitter(0.05)  # more than the default capacity: it grows
                drain = capacity
                new = max(target, current + (inflow - drain) * dt)
                processed[queue] = drain
            elif current > target * 3 and queue == "vau-batch":
                drain = capacity
                new = max(target, current - (drain - QUEUE_INFLOW[queue]) * dt)
                processed[queue] = drain
            else:
                pull = 1.0 - math.exp(-dt / 20.0)
                noise = rng.gauss(0.0, target * 0.08) * math.sqrt(max(dt, 1e-6))
                if prof.health == "down" and queue == "dead-letter" and not flags["circuit_breaker"]:
                    new = current + 1.5 * dt
                else:
                    new = max(0.0, current + (target - current) * pull + noise)
                processed[queue] = QUEUE_INFLOW[queue] * jitter(0.05)
            self.backlog[queue] = new

        # -- write counters -----------------------------------------------------------------
        if dt > 0:
            n = passed * dt
            n_err = n * error_fraction
            n_ok = n - n_err
            types = prof.error_types
            type_total = sum(types.values()) or 1.0
            for worker, w_share in WORKERS.items():
                w_n_ok = n_ok * w_share
                w_n_err = n_err * w_share
                for colo, c_share in COLOS.items():
                    cell = jitter(0.03) * c_share
                    for status, s_share in OK_STATUSES.items():
                        self.requests[(worker, colo, status)] += w_n_ok * cell * s_share
                    for etype, e_share in types.items():
                        self.requests[(worker, colo, ERROR_STATUS.get(etype, "500"))] += (
                            w_n_err * cell * e_share / type_total
                        )
                for etype, e_share in types.items():
                    self.errors[(worker, etype)] += w_n_err * e_share / type_total
                self.duration[worker].observe_batch(n * w_share, lat_med / 1000.0, lat_p95 / 1000.0)
            self.cpu.observe_batch(n, cpu_med, cpu_p95)
            cacheable = n * CACHEABLE_FRACTION
            self.cache_hits += cacheable * hit
            self.cache_misses += cacheable * (1.0 - hit)
            for rule, rate in per_rule.items():
                self.blocks[rule] += max(0.0, rate) * dt
            for ip, rate in ip_blocks.items():
                self.blocks_by_ip[ip] += rate * dt
            self.rate_limit_violations += max(0.0, violations) * dt
            for queue, rate in processed.items():
                median = QUEUE_PROC_MEDIAN_S[queue] * (prof.queue_slow if queue == "vau-batch" else 1.0)
                self.queue_processing[queue].observe_batch(rate * dt, median, median * 3.2)
        for worker, base_bytes in WORKER_MEMORY_BYTES.items():
            self.memory[worker] = base_bytes * prof.memory_factor * jitter(0.03)

        self.current = {
            "at": iso(t1),
            "incoming_rps": round(legit + attack, 1),
            "legit_rps": round(legit, 1),
            "attack_rps": round(attack, 1),
            "passed_rps": round(passed, 1),
            "error_fraction": round(error_fraction, 6),
            "latency_median_ms": round(lat_med, 2),
            "latency_p95_ms": round(lat_p95, 2),
            "cpu_median_ms": round(cpu_med, 3),
            "cpu_p95_ms": round(cpu_p95, 3),
            "cache_hit_ratio": round(hit, 4),
            "blocks_per_s": {rule: round(rate, 2) for rule, rate in per_rule.items()},
            "rate_limit_violations_per_s": round(violations, 2),
            "vau_batch_capacity": round(capacity, 1),
        }

    def metrics_snapshot(self) -> dict[str, Any]:
        """The counters for the exposition (copies)."""
        return {
            "requests": dict(self.requests),
            "errors": dict(self.errors),
            "duration": {w: h.exposed() for w, h in self.duration.items()},
            "cpu": self.cpu.exposed(),
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "memory": dict(self.memory),
            "backlog": dict(self.backlog),
            "queue_processing": {q: h.exposed() for q, h in self.queue_processing.items()},
            "blocks": dict(self.blocks),
            "rate_limit_violations": self.rate_limit_violations,
        }

    def queue_metrics(self, name: str, now: float) -> dict[str, Any]:
        """A queue's backlog as the Queues API reports it."""
        backlog = int(self.backlog[name])
        rate = max(1.0, QUEUE_INFLOW[name])
        oldest = now - backlog / rate if backlog else now
        return {
            "backlog_count": backlog,
            "backlog_bytes": backlog * QUEUE_MESSAGE_BYTES[name],
            "oldest_message_timestamp_ms": int(oldest * 1000),
        }
