"""State of the simulated edge: time-driven counters, scenario, and the control-plane state.

``SimState`` is thread-safe (one re-entrant lock) and driven by a clock (``time.time`` unless a
test passes its own). Every read first *advances* the state to the clock's current time:
counters grow by what the scenario's traffic would have produced in the elapsed time, so two
scrapes a few seconds apart give realistic rates. Control changes (scenario switch, KV writes,
secrets, zone settings, purges, terraform, rollbacks) advance first and then change the model, so
they take effect from the moment they happen and fully from the next scrape window.

Only this module and :mod:`console.sim.scenarios` know the traffic model; the HTTP server,
the exposition and the Cloudflare API routes read and change it through the methods below.
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import math
import random
import re
import secrets as _secrets
import threading
import time
import uuid
from collections import defaultdict
from typing import Any, Callable

from console.sim.edge_rules import EdgeRules, edge_blocked_share
from console.sim.histogram import Histogram
from console.sim.names import SIM_ACCOUNT_ID, SIM_GITHUB_REPO, SIM_KV_NAMESPACE_ID, SIM_ZONE_ID
from console.sim.tfvars import TfVarError, coerce_tf_var
from console.sim.scenarios import (
    ATTACK_IPS,
    CACHE_RULES_BASELINE,
    COLOS,
    COMPONENTS,
    CPU_BUCKETS_MS,
    ERROR_STATUS,
    OK_STATUSES,
    QUEUE_BUCKETS_S,
    QUEUES,
    REQUEST_BUCKETS_S,
    SCENARIO_NAMES,
    SCENARIOS,
    SECURITY_LEVELS,
    SECURITY_RULES,
    TERRAFORM_DEFAULTS,
    WORKER_MEMORY_BYTES,
    WORKERS,
    Profile,
)

VERSION = "2.4.1"
ACCOUNT_ID = SIM_ACCOUNT_ID  # the config accepts exactly these non-hex IDs (console.sim.names)
ZONE_ID = SIM_ZONE_ID
KV_NAMESPACE_ID = SIM_KV_NAMESPACE_ID
MAIN_WORKER = "vau-processor-production"
SCRIPTS = (
    "vau-processor-production",
    "vau-processor-staging",
    "security-waf-production",
    "rate-limiter-production",
    "queue-processor-production",
)
ROLLBACK_WORKFLOW = "rollback-edge.yml"
GH_REPO = SIM_GITHUB_REPO
#: longest simulated step; longer gaps are integrated in several steps
MAX_STEP_S = 1.0
MAX_STEPS = 120
PREWARM_S = 900.0
CACHEABLE_FRACTION = 0.55
PURGE_RECOVERY_S = 30.0
CB_DECAY_S = 0.8
CB_ERROR_FRACTION = 0.004
#: each endpoint cached beyond the baseline leaves this share of the cache hit gap (to 98.5%)
CACHE_RULE_GAP = 0.4
_CACHE_RULE_RE = re.compile(r"""CACHE_RULES\[\s*['"]([^'"]+)['"]\s*\]|^\s*['"](/[^'"]*)['"]\s*:\s*\{""", re.M)
SETTING_DEFAULTS: dict[str, Any] = {
    "security_level": "medium",
    "cache_level": "aggressive",
    "development_mode": "off",
    "always_online": "on",
    "browser_check": "on",
}
SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "security_level": SECURITY_LEVELS,
    "cache_level": ("bypass", "basic", "simplified", "aggressive", "cache_everything"),
    "development_mode": ("on", "off"),
    "always_online": ("on", "off"),
    "browser_check": ("on", "off"),
}
#: Cloudflare status page indicator -> description
CF_STATUS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
QUEUE_TARGETS = {"vau-batch": 45.0, "analytics": 20.0, "dead-letter": 2.0}
QUEUE_INFLOW = {"vau-batch": 180.0, "analytics": 60.0, "dead-letter": 0.3}
QUEUE_PROC_MEDIAN_S = {"vau-batch": 0.12, "analytics": 0.08, "dead-letter": 0.3}
QUEUE_MESSAGE_BYTES = {"vau-batch": 1400, "analytics": 620, "dead-letter": 1800}
#: vau-batch capacity (messages/s) at queue_batch_size=100 and worker_count=10
VAU_BATCH_CAPACITY = 200.0
BACKLOG_INFLOW = 230.0


class SimError(ValueError):
    """Bad input to the simulator's control plane; the message says what is wrong."""


class VersionNotDeployed(SimError):
    """A secret edit while the latest version is not the deployed one (a gradual rollout): the API's
    error 10215 (workers-sdk ``secret/index.ts``: ``VERSION_NOT_DEPLOYED_ERR_CODE``)."""


class SecretsChanged(SimError):
    """A rollback to a version whose secrets differ from today's: the API's error 10220 (workers-sdk
    ``versions/rollback/index.ts``: ``CANNOT_ROLLBACK_WITH_MODIFIED_SECERT_CODE``); wrangler asks and retries
    with ``force``."""

    def __init__(self, version_id: str, names: list[str]) -> None:
        super().__init__(
            f"A rollback to version {version_id} would revert secrets. "
            f"The following secrets have changed: {', '.join(names)}"
        )
        self.names = names


def iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_seconds(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: Any) -> float:
    """``"7d"`` -> seconds; raises SimError naming the accepted forms."""
    if not isinstance(text, str):
        raise SimError(f'older_than must be a string such as "7d", got {type(text).__name__}')
    m = _DURATION.match(text)
    if not m:
        raise SimError(f'older_than: cannot read {text!r}; use a number and a unit s, m, h, d or w (e.g. "7d")')
    return float(m.group(1)) * _UNIT_S[m.group(2)]


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


class SimState:
    """The whole simulated edge. All public methods are thread-safe."""

    def __init__(
        self, scenario: str = "normal", seed: int | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        if scenario not in SCENARIOS:
            raise SimError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIO_NAMES)})")
        self.lock = threading.RLock()
        self.clock = clock or time.time
        self.seed = seed
        self.rng = random.Random(seed)
        now = self.clock()
        self.started = now
        self.last = now
        self.scenario = scenario
        self.scenario_since = now
        self.scenario_history: list[dict[str, Any]] = [{"scenario": scenario, "at": iso(now)}]
        #: seconds a gh workflow run takes from dispatch to completion (tests may shorten it)
        self.gh_run_seconds = 3.0
        #: account IP Lists and the zone's custom rules (``console.sim.edge_rules``): the edge block flows
        self.edge_rules = EdgeRules(self.clock, iso, now)
        self.edge_blocked_requests = 0.0
        # -- counters ----------------------------------------------------------------------
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
        self.current: dict[str, Any] = {}
        # -- control plane -----------------------------------------------------------------
        self.kv: dict[str, dict[str, dict[str, Any]]] = {KV_NAMESPACE_ID: {}}
        self.local_kv: dict[str, dict[str, str]] = {}
        self.secrets: dict[str, dict[str, str]] = {s: {} for s in SCRIPTS}
        self.secret_history: list[dict[str, Any]] = []
        self.zone_settings: dict[str, dict[str, dict[str, Any]]] = {
            ZONE_ID: {k: {"value": v, "modified_on": None} for k, v in SETTING_DEFAULTS.items()}
        }
        self.setting_history: list[dict[str, Any]] = []
        self.purges: list[dict[str, Any]] = []
        self.cache_dip: tuple[float, float, float] | None = None  # (start, floor, duration)
        self.circuit_breaker_since: float | None = None
        self.tf_vars: dict[str, Any] = dict(TERRAFORM_DEFAULTS)
        self.tf_applies: list[dict[str, Any]] = []
        self.deployments: dict[str, list[dict[str, Any]]] = {}
        #: endpoints the deployed main worker caches (CACHE_RULES of its last upload)
        self.cache_rules: set[str] = set(CACHE_RULES_BASELINE)
        self.uploads: list[dict[str, Any]] = []
        self.gh_runs: list[dict[str, Any]] = []
        #: version id -> the upload whose code it runs (a secret change makes a new version of the same code)
        self.version_code: dict[str, str] = {}
        #: scripts with a gradual rollout in progress (the latest version is not at 100%)
        self.rollouts: set[str] = set()
        #: versions made by ``wrangler versions secret put`` (not deployed): script -> [{version_id, secret}]
        self.undeployed_versions: dict[str, list[dict[str, Any]]] = {}
        #: scripts created by an upload of an unknown name (``wrangler secret put`` makes a draft Worker)
        self.drafts: list[str] = []
        #: pull requests opened with ``gh pr create``
        self.pulls: list[dict[str, Any]] = []
        self.gh_next_conclusion = "success"
        self.rollbacks: list[dict[str, Any]] = []
        self.faults: dict[str, Any] = {"metrics": "none", "health": "none", "slow_seconds": 5.0, "cf_status": "none"}
        self._seed_control_plane(now)
        # counters of an edge that has been up for a while (a real edge's are never near zero),
        # accumulated in the normal scenario; the requested one starts now
        self.scenario = "normal"
        self._integrate(now - PREWARM_S, now, max_steps=8)
        self.scenario = scenario
        if SCENARIOS[scenario].queue_backlog:
            self.backlog["vau-batch"] = 1200.0 + self.rng.uniform(0, 150)

    # ------------------------------------------------------------------------------------
    # seeding
    def _seed_control_plane(self, now: float) -> None:
        rng = self.rng
        ns = self.kv[KV_NAMESPACE_ID]
        today = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).date()
        for back in range(4, -1, -1):
            week = (today - _dt.timedelta(weeks=back)).isocalendar()[1]
            ns[f"salt:week:{week}"] = {
                "value": "%032x" % rng.getrandbits(128),
                "metadata": {"rotated_by": "cron"},
                "expiration": None,
            }
        ns["blocked:ip:192.0.2.66"] = {"value": "scanner", "metadata": None, "expiration": None}
        ns["config:rate-limits"] = {"value": '{"api": 100, "vau": 1000}', "metadata": None, "expiration": None}
        ns["test-key"] = {"value": "kv-consistency-probe", "metadata": None, "expiration": None}
        for script in SCRIPTS:
            for name in ("ADMIN_TOKEN", "SALT_SECRET", "JWT_SIGNING_KEY"):
                self.secrets[script][name] = _secrets.token_hex(16)
        messages = [
            "Tune VAU batch validation",
            "Fix WAF rule ordering",
            "Bump compatibility date",
            "Add cache rules for /api/v1/stats",
            "Harden rate limiter",
            "Initial production release",
        ]
        authors = ["ci@twist.io", "alice@twist.io", "bob@twist.io"]
        for script in SCRIPTS:
            count = 5 if script == MAIN_WORKER else 2
            entries = []
            for i in range(count):
                created = now - (2 * 3600 if i == 0 else 86400 * (2**i)) - rng.uniform(0, 1800)
                entries.append(
                    self._deployment_entry(
                        created,
                        rng.choice(authors),
                        messages[i % len(messages)],
                        source="wrangler" if i % 2 == 0 else "api",
                    )
                )
            self.deployments[script] = entries  # newest first
        for i in range(2):
            created = now - 86400 * (9 + 6 * i)
            self.gh_runs.append(
                {
                    "databaseId": 11800000000 + i * 7919,
                    "number": 17 + i,
                    "status": "completed",
                    "conclusion": "success",
                    "created": created,
                    "inputs": {"environment": "staging", "reason": "drill"},
                    "workflow": ROLLBACK_WORKFLOW,
                    "effect_applied": True,
                }
            )
        self.gh_runs.sort(key=lambda r: r["created"], reverse=True)

    def _deployment_entry(
        self, created: float, author: str, message: str, source: str = "wrangler", triggered_by: str = "upload"
    ) -> dict[str, Any]:
        entry = self._new_deployment_entry(created, author, message, source, triggered_by)
        version = entry["versions"][0]["version_id"]
        self.version_code.setdefault(version, version)
        return entry

    def _new_deployment_entry(
        self, created: float, author: str, message: str, source: str, triggered_by: str
    ) -> dict[str, Any]:
        return {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "created_on": iso(created),
            "source": source,
            "strategy": "percentage",
            "author_email": author,
            "annotations": {"workers/message": message[:50], "workers/triggered_by": triggered_by},
            "versions": [{"version_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "percentage": 100}],
        }

    # ------------------------------------------------------------------------------------
    # time
    def advance(self) -> float:
        """Bring every counter up to the clock's current time; returns that time."""
        with self.lock:
            now = self.clock()
            if now <= self.last:
                return self.last
            self._integrate(self.last, now)
            self.last = now
            self._progress_runs(now)
            return now

    def _integrate(self, t0: float, t1: float, max_steps: int = MAX_STEPS) -> None:
        span = t1 - t0
        steps = min(max_steps, max(1, math.ceil(span / MAX_STEP_S)))
        width = span / steps
        for i in range(steps):
            a = t0 + i * width
            self._step(a, a + width)

    def _profile(self) -> Profile:
        return SCENARIOS[self.scenario]

    def _secret(self, name: str) -> str | None:
        return self.secrets.get(MAIN_WORKER, {}).get(name)

    def flags(self) -> dict[str, Any]:
        with self.lock:
            multiplier = self._rate_limit_multiplier()
            level = self.zone_settings[ZONE_ID]["security_level"]["value"]
            return {
                "circuit_breaker": _as_bool(self._secret("CIRCUIT_BREAKER_ENABLED") or "false"),
                "performance_mode": _as_bool(self._secret("PERFORMANCE_MODE") or "false"),
                "rate_limit_multiplier": multiplier,
                "security_level": level,
                "under_attack": level == "under_attack",
                "strict_waf": bool(self.tf_vars["enable_strict_waf"]),
            }

    def _rate_limit_multiplier(self) -> float:
        raw = self._secret("RATE_LIMIT_MULTIPLIER")
        if raw is None:
            return 1.0
        try:
            value = float(raw)
        except ValueError:
            return 1.0
        return value if value > 0 and math.isfinite(value) else 1.0

    def blocked_ips(self) -> list[str]:
        with self.lock:
            ns = self.kv.get(KV_NAMESPACE_ID, {})
            return sorted(k[len("blocked:ip:") :] for k in ns if k.startswith("blocked:ip:"))

    def _cache_hit_ratio(self, t: float, base: float) -> float:
        if self.cache_dip is None:
            return base
        start, floor, duration = self.cache_dip
        elapsed = t - start
        if elapsed < 0 or elapsed >= duration:
            return base
        low = min(floor, base)
        return low + (base - low) * (elapsed / duration)

    def _step(self, t0: float, t1: float) -> None:
        """Integrate traffic over [t0, t1] with the model evaluated at the midpoint."""
        dt = t1 - t0
        t = (t0 + t1) / 2.0
        rng = self.rng
        prof = self._profile()
        flags = self.flags()

        def jitter(scale: float = 0.05) -> float:
            return max(0.2, 1.0 + rng.gauss(0.0, scale))

        wave = 1.0 + 0.22 * math.sin(2 * math.pi * (t - self.started) / 600.0)
        legit = prof.legit_rps * wave * jitter(0.05)
        attack = prof.attack_rps * jitter(0.08)

        # -- the edge (before the Worker): IPs in a list that an enabled block rule references ---------
        edge_share = edge_blocked_share(self.edge_rules.edge_blocked(), ATTACK_IPS)
        self.edge_blocked_requests += attack * edge_share * dt
        attack *= 1.0 - edge_share

        # -- security layer: ip_block, then challenge (bot), waf, geo, rate limit ---------
        blocked = set(self.blocked_ips())
        level = flags["security_level"]
        rl_factor = min(20.0, max(0.2, 1.0 / flags["rate_limit_multiplier"]))
        api_limit = max(1.0, float(self.tf_vars["api_rate_limit"]))
        vau_limit = max(1.0, float(self.tf_vars["vau_rate_limit"]))
        rl_factor *= min(20.0, max(0.05, math.sqrt((100.0 / api_limit) * (1000.0 / vau_limit))))
        level_factor = {
            "off": 0.2,
            "essentially_off": 0.3,
            "low": 0.7,
            "medium": 1.0,
            "high": 1.5,
            "under_attack": 2.5,
        }.get(level, 1.0)
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
            since = self.circuit_breaker_since if self.circuit_breaker_since is not None else t
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
        extra_rules = len(self.cache_rules - set(CACHE_RULES_BASELINE))
        hit = hit + (0.985 - hit) * (1.0 - CACHE_RULE_GAP**extra_rules) if hit < 0.985 else hit
        hit = self._cache_hit_ratio(t, hit)

        # -- queues -----------------------------------------------------------------------
        workers = max(1.0, float(self.tf_vars["worker_count"]))
        batch = max(1.0, float(self.tf_vars["queue_batch_size"]))
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

    # ------------------------------------------------------------------------------------
    # scenario and health
    def set_scenario(self, name: str) -> None:
        with self.lock:
            if name not in SCENARIOS:
                raise SimError(f"unknown scenario {name!r} (known: {', '.join(SCENARIO_NAMES)})")
            now = self.advance()
            if name == self.scenario:
                return
            self.scenario = name
            self.scenario_since = now
            self.scenario_history.append({"scenario": name, "at": iso(now)})
            if SCENARIOS[name].queue_backlog:
                self.backlog["vau-batch"] = max(self.backlog["vau-batch"], 1200.0 + self.rng.uniform(0, 150))

    def health(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) of ``GET /health``."""
        with self.lock:
            now = self.advance()
            prof = self._profile()
            flags = self.flags()
            components = {c: "healthy" for c in COMPONENTS}
            components.update(prof.components)
            bad = prof.health == "down" or self.scenario == "error-spike"
            if flags["circuit_breaker"] and bad:
                status, code = "degraded", 200
                components = {c: ("degraded" if s != "healthy" else s) for c, s in components.items()}
            elif prof.health == "down":
                status, code = "down", 503
            else:
                status, code = "healthy", 200
            if self.cache_dip and 0 <= now - self.cache_dip[0] < self.cache_dip[2]:
                components["cache"] = "warming"
            body = {
                "status": status,
                "version": VERSION,
                "timestamp": iso(now),
                "uptime_seconds": round(now - self.started, 1),
                "components": components,
            }
            return code, body

    # ------------------------------------------------------------------------------------
    # metrics read-out (for the exposition)
    def metrics_snapshot(self) -> dict[str, Any]:
        with self.lock:
            self.advance()
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

    # ------------------------------------------------------------------------------------
    # faults
    FAULT_METRICS = ("none", "500", "html", "truncated", "garbage", "slow")
    FAULT_HEALTH = ("none", "down", "slow")

    def set_faults(self, body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise SimError('expected a JSON object such as {"metrics": "500"}')
        unknown = set(body) - {
            "metrics",
            "health",
            "slow_seconds",
            "gh_run",
            "cf_status",
            "queues_list",
            "custom_entrypoint",
        }
        if unknown:
            raise SimError(
                f"unknown fault keys: {', '.join(sorted(unknown))} "
                "(known: metrics, health, slow_seconds, gh_run, cf_status, queues_list, custom_entrypoint)"
            )
        if "custom_entrypoint" in body and body["custom_entrypoint"] not in ("missing", "present"):
            raise SimError(
                'custom_entrypoint: expected "missing" (a zone that never had custom rules: no entry '
                'point ruleset) or "present" (the seeded one with the geo rule)'
            )
        with self.lock:
            new = dict(self.faults)
            if "metrics" in body:
                value = body["metrics"]
                ok = isinstance(value, str) and (
                    value in self.FAULT_METRICS or (value.startswith("missing:") and len(value) > len("missing:"))
                )
                if not ok:
                    raise SimError(
                        f"metrics: unknown fault {value!r} (known: {', '.join(self.FAULT_METRICS)}, missing:<family>)"
                    )
                new["metrics"] = value
            if "health" in body:
                if body["health"] not in self.FAULT_HEALTH:
                    raise SimError(f"health: unknown fault {body['health']!r} (known: {', '.join(self.FAULT_HEALTH)})")
                new["health"] = body["health"]
            if "slow_seconds" in body:
                value = body["slow_seconds"]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 120:
                    raise SimError("slow_seconds: expected a number of seconds between 0 and 120")
                new["slow_seconds"] = float(value)
            if "cf_status" in body:
                if body["cf_status"] not in CF_STATUS:
                    raise SimError(f"cf_status: expected one of {', '.join(CF_STATUS)}")
                new["cf_status"] = body["cf_status"]
            if "queues_list" in body:  # "forbidden": the API token lacks Queues read (GET .../queues is a 403)
                if body["queues_list"] not in ("none", "forbidden"):
                    raise SimError('queues_list: expected "none" or "forbidden"')
                new["queues_list"] = body["queues_list"]
            if body.get("custom_entrypoint") == "missing":  # a state change, not a lasting fault
                self.edge_rules.drop_entrypoint()
            elif body.get("custom_entrypoint") == "present" and self.edge_rules.ruleset is None:
                self.edge_rules.seed_entrypoint()
            if "gh_run" in body:
                if body["gh_run"] not in ("success", "failure"):
                    raise SimError('gh_run: expected "success" or "failure" (conclusion of the next runs)')
                self.gh_next_conclusion = body["gh_run"]
            self.faults = new
            return dict(self.faults, gh_run=self.gh_next_conclusion)

    # ------------------------------------------------------------------------------------
    # admin cache purge (the edge's own endpoint)
    def admin_purge(self, older_than: Any) -> dict[str, Any]:
        seconds = parse_duration(older_than)
        with self.lock:
            now = self.advance()
            days = seconds / 86400.0
            entries = int(1800 * min(days, 30) + self.rng.randint(0, 400))
            record = {"at": iso(now), "kind": "admin", "older_than": older_than, "entries": entries}
            self.purges.append(record)
            self.cache_dip = (now, 0.82, 15.0)
            return {
                "success": True,
                "purged": entries,
                "bytes": entries * 5120,
                "older_than": older_than,
                "older_than_seconds": seconds,
                "timestamp": iso(now),
            }

    # ------------------------------------------------------------------------------------
    # Cloudflare: zone settings and purge
    def get_setting(self, zone: str, setting: str) -> dict[str, Any]:
        with self.lock:
            entry = self.zone_settings[zone][setting]
            return {"id": setting, "value": entry["value"], "editable": True, "modified_on": entry["modified_on"]}

    def set_setting(self, zone: str, setting: str, value: Any) -> dict[str, Any]:
        with self.lock:
            allowed = SETTING_VALUES.get(setting, ())
            if value not in allowed:
                raise SimError(f"Invalid value for zone setting {setting}: {value!r} (allowed: {', '.join(allowed)})")
            now = self.advance()
            entry = self.zone_settings[zone][setting]
            previous = entry["value"]
            entry["value"] = value
            entry["modified_on"] = iso(now)
            self.setting_history.append(
                {"at": iso(now), "zone": zone, "setting": setting, "previous": previous, "value": value}
            )
            return self.get_setting(zone, setting)

    def purge_cache(self, zone: str, kind: str, items: list[Any] | None) -> str:
        with self.lock:
            now = self.advance()
            self.purges.append({"at": iso(now), "kind": kind, "zone": zone, "items": list(items or [])[:50]})
            floor = 0.15 if kind == "purge_everything" else 0.6
            self.cache_dip = (now, floor, PURGE_RECOVERY_S)
            return zone

    # ------------------------------------------------------------------------------------
    # KV
    def kv_namespace(self, ns: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            if ns not in self.kv:
                raise KeyError(ns)
            return self.kv[ns]

    def kv_list(
        self, ns: str, prefix: str = "", cursor: str | None = None, limit: int = 1000
    ) -> tuple[list[dict[str, Any]], str]:
        with self.lock:
            keys = sorted(k for k in self.kv_namespace(ns) if k.startswith(prefix or ""))
            start = 0
            if cursor:
                try:
                    after = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
                except (ValueError, UnicodeDecodeError):
                    raise SimError("invalid cursor") from None
                start = next((i for i, k in enumerate(keys) if k > after), len(keys))
            page = keys[start : start + limit]
            more = start + limit < len(keys)
            next_cursor = base64.urlsafe_b64encode(page[-1].encode()).decode().rstrip("=") if more and page else ""
            out = []
            for key in page:
                entry = self.kv[ns][key]
                item: dict[str, Any] = {"name": key}
                if entry.get("expiration"):
                    item["expiration"] = entry["expiration"]
                if entry.get("metadata") is not None:
                    item["metadata"] = entry["metadata"]
                out.append(item)
            return out, next_cursor

    def kv_get(self, ns: str, key: str) -> str | None:
        with self.lock:
            entry = self.kv_namespace(ns).get(key)
            return None if entry is None else entry["value"]

    def kv_put(self, ns: str, key: str, value: str, metadata: Any = None, expiration: float | None = None) -> None:
        if not key or len(key.encode()) > 512:
            raise SimError("key name must be 1 to 512 bytes")
        with self.lock:
            self.advance()
            self.kv_namespace(ns)[key] = {"value": value, "metadata": metadata, "expiration": expiration}

    def kv_delete(self, ns: str, key: str) -> bool:
        with self.lock:
            self.advance()
            return self.kv_namespace(ns).pop(key, None) is not None

    def local_kv_op(self, op: str, ns: str, key: str | None = None, value: str | None = None) -> Any:
        """wrangler's local store (used when a KV command lacks --remote); never the remote state."""
        with self.lock:
            store = self.local_kv.setdefault(ns, {})
            if op == "list":
                return sorted(store)
            if op == "get":
                return store.get(key or "")
            if op == "put":
                store[key or ""] = value or ""
                return True
            if op == "delete":
                return store.pop(key or "", None) is not None
            raise SimError(f"unknown local kv op {op!r}")

    # ------------------------------------------------------------------------------------
    # secrets
    def put_secret(self, script: str, name: str, value: str) -> None:
        with self.lock:
            if script not in self.secrets:
                raise KeyError(script)
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
                raise SimError(f"invalid secret name {name!r}")
            if script in self.rollouts:
                raise VersionNotDeployed(
                    "Secret edit failed. You attempted to modify a secret, but the latest version of your Worker "
                    "isn't currently deployed. Please ensure that the latest version of your Worker is fully "
                    "deployed (wrangler versions deploy) before modifying secrets."
                )
            now = self.advance()
            before = self.flags()["circuit_breaker"]
            self.secrets[script][name] = value
            self.secret_history.append({"at": iso(now), "script": script, "name": name, "ts": now})
            self._secret_deployment(script, now)
            after = self.flags()["circuit_breaker"]
            if after and not before:
                self.circuit_breaker_since = now
            elif not after:
                self.circuit_breaker_since = None

    def delete_secret(self, script: str, name: str) -> bool:
        with self.lock:
            if script not in self.secrets:
                raise KeyError(script)
            self.advance()
            gone = self.secrets[script].pop(name, None) is not None
            if name == "CIRCUIT_BREAKER_ENABLED" and script == MAIN_WORKER:
                self.circuit_breaker_since = None
            return gone

    # ------------------------------------------------------------------------------------
    # queues
    def queue_id_to_name(self, queue_id: str) -> str | None:
        for name, qid in QUEUES.items():
            if qid == queue_id:
                return name
        return None

    def queue_details(self, name: str) -> dict[str, Any]:
        created = iso_seconds(self.started - 86400 * 120)
        producers = [] if name == "dead-letter" else [{"type": "worker", "script": MAIN_WORKER}]
        consumer = {
            "type": "worker",
            "script": "queue-processor-production",
            "queue_name": name,
            "settings": {
                "batch_size": int(self.tf_vars["queue_batch_size"]) if name == "vau-batch" else 50,
                "max_concurrency": int(self.tf_vars["worker_count"]) if name == "vau-batch" else 2,
                "max_retries": 3,
                "max_wait_time_ms": 5000,
            },
        }
        return {
            "queue_id": QUEUES[name],
            "queue_name": name,
            "created_on": created,
            "modified_on": created,
            "producers": producers,
            "producers_total_count": len(producers),
            "consumers": [consumer],
            "consumers_total_count": 1,
        }

    def queue_metrics(self, name: str) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            backlog = int(self.backlog[name])
            rate = max(1.0, QUEUE_INFLOW[name])
            oldest = now - backlog / rate if backlog else now
            return {
                "backlog_count": backlog,
                "backlog_bytes": backlog * QUEUE_MESSAGE_BYTES[name],
                "oldest_message_timestamp_ms": int(oldest * 1000),
            }

    # ------------------------------------------------------------------------------------
    # terraform
    def terraform_apply(self, changes: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(changes, dict):
            raise SimError("vars: expected an object of variable -> value")
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in TERRAFORM_DEFAULTS:
                raise SimError(f"undeclared variable {key!r} (declared: {', '.join(TERRAFORM_DEFAULTS)})")
            try:
                clean[key] = coerce_tf_var(key, value)
            except TfVarError as exc:
                raise SimError(str(exc)) from None
        with self.lock:
            now = self.advance()
            before = {k: self.tf_vars[k] for k in clean}
            self.tf_vars.update(clean)
            self.tf_applies.append({"at": iso(now), "vars": clean, "previous": before})
            return dict(self.tf_vars)

    # ------------------------------------------------------------------------------------
    # GitHub Actions rollback runs
    def gh_dispatch(self, workflow: str, inputs: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            if workflow != ROLLBACK_WORKFLOW:
                raise SimError(f"could not find any workflows named {workflow}")
            missing = [k for k in ("environment", "reason") if not str(inputs.get(k, "")).strip()]
            if missing:
                raise SimError(f"Required input '{missing[0]}' not provided")
            if inputs["environment"] not in ("production", "staging"):
                raise SimError(
                    f"Provided value '{inputs['environment']}' for input 'environment' not in the list "
                    "of allowed values"
                )
            unknown = set(inputs) - {"environment", "reason", "worker", "version_id"}
            if unknown:
                raise SimError(f"Unexpected inputs provided: {sorted(unknown)}")
            number = max((r["number"] for r in self.gh_runs), default=0) + 1
            run = {
                "databaseId": 11900000000 + number * 7919 + self.rng.randint(0, 999),
                "number": number,
                "status": "queued",
                "conclusion": "",
                "created": now,
                "inputs": dict(inputs),
                "workflow": workflow,
                "effect_applied": False,
                "planned": self.gh_next_conclusion,
                "duration": float(self.gh_run_seconds),
            }
            self.gh_runs.insert(0, run)
            return self._run_view(run)

    def _progress_runs(self, now: float) -> None:
        for run in self.gh_runs:
            if run["status"] == "completed":
                continue
            elapsed = now - run["created"]
            duration = run.get("duration", self.gh_run_seconds)
            if elapsed >= duration:
                self._complete_run(run, run["created"] + duration)
            elif elapsed >= min(0.5, duration / 4):
                run["status"] = "in_progress"

    def _complete_run(self, run: dict[str, Any], at: float) -> None:
        run["status"] = "completed"
        run["conclusion"] = run.get("planned", "success")
        run["completed"] = at
        if run["effect_applied"]:
            return
        run["effect_applied"] = True
        if run["conclusion"] != "success" or run["inputs"].get("environment") != "production":
            return
        # the workflow runs `wrangler rollback [VERSION_ID] --name WORKER --message REASON -y` in CI: without a
        # version wrangler takes the previous deployment's 100% version (after a secret change: the same code),
        # and a 10220 "secrets changed" is confirmed by wrangler's non-interactive fallback (yes)
        script = run["inputs"].get("worker") or MAIN_WORKER
        version = run["inputs"].get("version_id") or ""
        record = {
            "at": iso(at),
            "run": run["databaseId"],
            "reason": run["inputs"].get("reason"),
            "scenario_before": self.scenario,
            "worker": script,
            "requested_version": version or None,
        }
        try:
            if not version:
                version = self._default_rollback_version(script)
            result = self._rollback(
                script,
                version,
                "Rollback: " + str(run["inputs"].get("reason", "")),
                True,
                at,
                author="github-actions@twist.io",
            )
            record["version"] = version
            record["code_rolled_back"] = result["code_rolled_back"]
        except (KeyError, SimError) as exc:
            run["conclusion"] = "failure"
            record["error"] = str(exc)
        record["scenario_after"] = self.scenario
        self.rollbacks.append(record)

    def gh_complete(self, run_id: int) -> dict[str, Any]:
        """Finish a run now (``gh run watch`` calls this when its stream ends)."""
        with self.lock:
            now = self.advance()
            run = self._find_run(run_id)
            if run["status"] != "completed":
                self._complete_run(run, now)
            return self._run_view(run)

    def finish_run_in(self, run_id: int, seconds: float) -> None:
        """Let a running workflow run complete ``seconds`` from now (tests pace ``gh run watch``)."""
        with self.lock:
            now = self.advance()
            run = self._find_run(run_id)
            if run["status"] != "completed":
                run["duration"] = max(0.0, now - run["created"] + seconds)

    def _find_run(self, run_id: int) -> dict[str, Any]:
        for run in self.gh_runs:
            if run["databaseId"] == run_id:
                return run
        raise KeyError(run_id)

    def gh_run(self, run_id: int) -> dict[str, Any]:
        with self.lock:
            self.advance()
            return self._run_view(self._find_run(run_id))

    def gh_run_list(self, workflow: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            self.advance()
            return [self._run_view(r) for r in self.gh_runs if workflow in (None, "", r["workflow"])]

    def _run_view(self, run: dict[str, Any]) -> dict[str, Any]:
        created = run["created"]
        updated = run.get("completed", max(created, min(self.last, created + run.get("duration", 0))))
        return {
            "databaseId": run["databaseId"],
            "number": run["number"],
            "status": run["status"],
            "conclusion": run["conclusion"],
            "url": f"https://github.com/{GH_REPO}/actions/runs/{run['databaseId']}",
            "createdAt": iso_seconds(created),
            "startedAt": iso_seconds(created),
            "updatedAt": iso_seconds(updated),
            "name": "Rollback Edge",
            "displayTitle": f"Rollback Edge ({run['inputs'].get('environment')}): {run['inputs'].get('reason')}",
            "workflowName": "Rollback Edge",
            "headBranch": "main",
            "headSha": "%040x" % (run["databaseId"] * 2654435761 % (1 << 160)),
            "event": run.get("event", "workflow_dispatch"),
            "actor": run.get("actor", "twist-ops"),
            "inputs": dict(run["inputs"]),
        }

    # ------------------------------------------------------------------------------------
    # deployments
    def deploy_script(self, script: str, files: dict[str, str], message: str | None = None) -> dict[str, Any]:
        """A ``wrangler deploy``: a new version at 100%, newest first in ``deployments list``. An upload
        of the main worker takes its cache rules (``CACHE_RULES['/path'] = ...`` or ``'/path': {...}``
        entries in its modules) from then on."""
        with self.lock:
            now = self.advance()
            if script not in self.deployments:
                # an upload of an unknown name creates the Worker (how `wrangler secret put` makes its draft)
                self.deployments[script] = []
                self.secrets.setdefault(script, {})
                self.drafts.append(script)
            entry = self._deployment_entry(
                now, "wrangler@sim.twist.io", message or "Deployed with wrangler", source="wrangler"
            )
            self.deployments[script].insert(0, entry)
            rules = sorted({a or b for text in files.values() for a, b in _CACHE_RULE_RE.findall(text)})
            if script == MAIN_WORKER and rules:
                self.cache_rules = set(rules)
            self.uploads.append(
                {
                    "at": iso(now),
                    "script": script,
                    "deployment": entry["id"],
                    "modules": sorted(files),
                    "cache_rules": rules,
                }
            )
            return copy.deepcopy(entry)

    def deployment_list(self, script: str) -> list[dict[str, Any]]:
        with self.lock:
            self.advance()
            if script not in self.deployments:
                raise KeyError(script)
            return copy.deepcopy(self.deployments[script])

    # ------------------------------------------------------------------------------------
    # versions, gradual rollouts and rollbacks (wrangler 4's versions/deployments model)
    def _current_code(self, script: str) -> str | None:
        """The upload whose code takes the traffic now (a secret change keeps it)."""
        for entry in self.deployments.get(script, []):
            for version in entry["versions"]:
                if version.get("percentage") == 100:
                    return self.version_code.get(version["version_id"], version["version_id"])
        return None

    def _secret_deployment(self, script: str, now: float) -> None:
        """A secret change deploys a new version of the same code (``workers/triggered_by: secret``)."""
        entries = self.deployments.get(script)
        if not entries:
            return
        code = self._current_code(script)
        entry = self._new_deployment_entry(now, "wrangler@sim.twist.io", "Secret Change", "api", "secret")
        self.version_code[entry["versions"][0]["version_id"]] = code or entry["versions"][0]["version_id"]
        entries.insert(0, entry)

    def start_rollout(self, script: str, percentage: int = 10) -> dict[str, Any]:
        """Test knob: a gradual rollout of a new upload at ``percentage``% (the rest on the current version)."""
        with self.lock:
            now = self.advance()
            entries = self.deployments[script]
            current = next(v["version_id"] for v in entries[0]["versions"] if v.get("percentage") == 100)
            entry = self._deployment_entry(now, "alice@twist.io", "Gradual rollout", source="wrangler")
            entry["versions"] = [
                {"version_id": entry["versions"][0]["version_id"], "percentage": percentage},
                {"version_id": current, "percentage": 100 - percentage},
            ]
            entries.insert(0, entry)
            self.rollouts.add(script)
            return copy.deepcopy(entry)

    def versions_secret_put(self, script: str, name: str, value: str) -> dict[str, Any]:
        """``wrangler versions secret put``: a new version with the secret, not deployed."""
        with self.lock:
            if script not in self.deployments:
                raise KeyError(script)
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
                raise SimError(f"invalid secret name {name!r}")
            now = self.advance()
            version = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            self.version_code[version] = self._current_code(script) or version
            item = {"version_id": version, "secret": name, "at": iso(now)}
            self.undeployed_versions.setdefault(script, []).append(item)
            return dict(item)

    def _default_rollback_version(self, script: str) -> str:
        """What ``wrangler rollback`` picks without a version: the 100% version of the deployment before the
        current one (workers-sdk ``fetchDefaultRollbackVersionId``)."""
        entries = sorted(self.deployments[script], key=lambda d: d["created_on"], reverse=True)[1:]
        for entry in entries:
            for version in entry["versions"]:
                if version.get("percentage") == 100:
                    return version["version_id"]
        raise SimError(
            "Could not find stable Worker Version to rollback to. Please try again with an explicit Version ID."
        )

    def rollback(self, script: str, version_id: str, message: str = "Rollback", force: bool = False) -> dict[str, Any]:
        """A deployment of ``version_id`` at 100% (``POST .../deployments``, ``?force=true`` after 10220)."""
        with self.lock:
            now = self.advance()
            return self._rollback(script, version_id, message, force, now)

    def _rollback(
        self, script: str, version_id: str, message: str, force: bool, at: float, author: str = "wrangler@sim.twist.io"
    ) -> dict[str, Any]:
        entries = self.deployments[script]
        target = next((e for e in entries if any(v["version_id"] == version_id for v in e["versions"])), None)
        if target is None:
            raise SimError(f"version {version_id} is not one of the worker's deployed versions")
        since = _dt.datetime.fromisoformat(target["created_on"].replace("Z", "+00:00")).timestamp()
        changed = sorted({h["name"] for h in self.secret_history if h["script"] == script and h.get("ts", 0) > since})
        if changed and not force:
            raise SecretsChanged(version_id, changed)
        before_code = self._current_code(script)
        entry = self._new_deployment_entry(at, author, message, "api", "rollback")
        entry["versions"] = [{"version_id": version_id, "percentage": 100}]
        entry["annotations"]["workers/rollback_from"] = entries[0]["id"]
        entries.insert(0, entry)
        self.rollouts.discard(script)
        for name in changed:  # the target version's secrets come back: later changes are gone
            self.secrets[script].pop(name, None)
        if script == MAIN_WORKER and "CIRCUIT_BREAKER_ENABLED" in changed:
            self.circuit_breaker_since = None
        code_rolled_back = self.version_code.get(version_id, version_id) != before_code
        if script == MAIN_WORKER and code_rolled_back and self.scenario == "error-spike":
            self.scenario = "normal"
            self.scenario_since = at
            self.scenario_history.append({"scenario": "normal", "at": iso(at), "by": "rollback"})
        return {"deployment": copy.deepcopy(entry), "code_rolled_back": code_rolled_back, "secrets_reverted": changed}

    # ------------------------------------------------------------------------------------
    # pull requests (gh pr create) and other people's workflow runs
    def gh_pr_create(self, repo: str, head: str, base: str, title: str, body: str) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            if repo != GH_REPO:
                raise SimError(f"GraphQL: Could not resolve to a Repository with the name '{repo}'. (repository)")
            if not head:
                raise SimError("head branch required")
            if any(p["head"] == head and p["state"] == "OPEN" for p in self.pulls):
                raise SimError(f'a pull request for branch "{head}" into branch "{base}" already exists')
            number = 100 + len(self.pulls) + 1
            pull = {
                "number": number,
                "repo": repo,
                "head": head,
                "base": base or "main",
                "title": title,
                "body": body,
                "state": "OPEN",
                "created": iso(now),
                "url": f"https://github.com/{repo}/pull/{number}",
            }
            self.pulls.append(pull)
            return dict(pull)

    def gh_foreign_run(
        self, actor: str = "alice", event: str = "workflow_dispatch", environment: str = "staging"
    ) -> dict[str, Any]:
        """Test knob: someone else's rollback run (a teammate's dispatch, or a scheduled/push run)."""
        with self.lock:
            run = self.gh_dispatch(ROLLBACK_WORKFLOW, {"environment": environment, "reason": f"{actor}'s drill"})
            found = self._find_run(run["databaseId"])
            found["event"] = event
            found["actor"] = actor
            return self._run_view(found)

    # ------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (secret values are never included)."""
        with self.lock:
            now = self.advance()
            blocked = self.blocked_ips()
            prof = self._profile()
            return {
                "time": iso(now),
                "scenario": self.scenario,
                "scenario_since": iso(self.scenario_since),
                "scenario_description": prof.description,
                "scenarios": list(SCENARIO_NAMES),
                "scenario_history": list(self.scenario_history),
                "version": VERSION,
                "account_id": ACCOUNT_ID,
                "zone_id": ZONE_ID,
                "kv_namespace_id": KV_NAMESPACE_ID,
                "worker": MAIN_WORKER,
                "scripts": list(SCRIPTS),
                "flags": self.flags(),
                "current": dict(self.current),
                "security_level": self.zone_settings[ZONE_ID]["security_level"]["value"],
                "zone_settings": {z: {k: dict(v) for k, v in s.items()} for z, s in self.zone_settings.items()},
                "setting_history": list(self.setting_history),
                "attack_ips": [
                    {
                        "ip": ip,
                        "share": share,
                        "active": prof.attack_rps > 0,
                        "blocked": ip in blocked,
                        "blocks_total": int(self.blocks_by_ip.get(ip, 0.0)),
                    }
                    for ip, share in ATTACK_IPS.items()
                ],
                "blocked_ips": blocked,
                "edge": dict(self.edge_rules.snapshot(), blocked_requests=int(self.edge_blocked_requests)),
                "kv": {ns: {k: e["value"] for k, e in keys.items()} for ns, keys in self.kv.items()},
                "wrangler_local_kv": {ns: dict(keys) for ns, keys in self.local_kv.items()},
                "secrets": {script: sorted(names) for script, names in self.secrets.items()},
                "secret_history": list(self.secret_history),
                "purges": list(self.purges),
                "cache_dip": None
                if self.cache_dip is None
                else {"since": iso(self.cache_dip[0]), "floor": self.cache_dip[1], "seconds": self.cache_dip[2]},
                "queues": {q: {"queue_id": QUEUES[q], "backlog": int(b)} for q, b in self.backlog.items()},
                "terraform": {"vars": dict(self.tf_vars), "applies": list(self.tf_applies)},
                "deployments": {s: [d["id"] for d in entries] for s, entries in self.deployments.items()},
                "uploads": list(self.uploads),
                "cache_rules": sorted(self.cache_rules),
                "gh_runs": [self._run_view(r) for r in self.gh_runs],
                "rollbacks": list(self.rollbacks),
                "faults": dict(self.faults, gh_run=self.gh_next_conclusion),
                "gh_run_seconds": self.gh_run_seconds,
                "pulls": [dict(p) for p in self.pulls],
                "drafts": list(self.drafts),
                "rollouts": sorted(self.rollouts),
                "undeployed_versions": {k: list(v) for k, v in self.undeployed_versions.items()},
                "deployment_versions": {
                    s: [[v["version_id"] for v in d["versions"]] for d in entries]
                    for s, entries in self.deployments.items()
                },
            }
