"""Scenario profiles of the simulated edge: plain data, no behaviour.

Each profile gives the centre values the simulator varies around. The normal profile sits in the
runbook's "Normal Range" column (Key Metrics table); the others push chosen metrics past the
warning/critical bounds of that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from console.sim.names import SIM_QUEUE_IDS
from console.sim.terraform_defaults import TERRAFORM_DEFAULTS as TERRAFORM_DEFAULTS  # re-exported


@dataclass(frozen=True)
class Profile:
    #: legitimate requests per second reaching the edge (before security)
    legit_rps: float = 4200.0
    #: attack requests per second (ddos), spread over ``ATTACK_IPS``
    attack_rps: float = 0.0
    #: fraction of passed requests that end as errors (5xx)
    error_fraction: float = 0.0005
    #: error type weights for ``edge_errors_total{type}``
    error_types: dict[str, float] = field(
        default_factory=lambda: {"exception": 0.5, "timeout": 0.2, "upstream": 0.2, "validation": 0.1}
    )
    #: request latency: median and P95 in milliseconds (log-normal)
    latency_median_ms: float = 24.0
    latency_p95_ms: float = 68.0
    #: CPU time per request in milliseconds (log-normal)
    cpu_median_ms: float = 3.2
    cpu_p95_ms: float = 6.5
    #: cache hit ratio of cacheable requests
    cache_hit: float = 0.94
    #: memory multiplier on each worker's base usage
    memory_factor: float = 1.0
    #: queue ``vau-batch``: True = backlog above 1000 and growing
    queue_backlog: bool = False
    #: queue processing duration multiplier
    queue_slow: float = 1.0
    #: health: "healthy" / "down"
    health: str = "healthy"
    #: component health overrides
    components: dict[str, str] = field(default_factory=dict)
    #: baseline security blocks per second per rule
    blocks: dict[str, float] = field(
        default_factory=lambda: {"waf": 4.0, "geo_block": 1.5, "rate_limit": 2.5, "bot": 3.5, "ip_block": 0.2}
    )
    description: str = ""


NORMAL = Profile(description="everything inside the runbook's normal ranges")

SCENARIOS: dict[str, Profile] = {
    "normal": NORMAL,
    "error-spike": replace(
        NORMAL,
        error_fraction=0.04,
        legit_rps=4600.0,
        error_types={"exception": 0.75, "timeout": 0.1, "upstream": 0.1, "validation": 0.05},
        latency_median_ms=30.0,
        latency_p95_ms=120.0,
        components={"vau-processor": "degraded"},
        description="error rate above 1% (exceptions after a bad deployment)",
    ),
    "latency": replace(
        NORMAL,
        latency_median_ms=420.0,
        latency_p95_ms=1550.0,
        cpu_median_ms=21.0,
        cpu_p95_ms=72.0,
        error_fraction=0.002,
        memory_factor=1.6,
        cache_hit=0.91,
        components={"vau-processor": "degraded"},
        description="P95 latency above 1 s and CPU time above 50 ms",
    ),
    "ddos": replace(
        NORMAL,
        legit_rps=5200.0,
        attack_rps=23000.0,
        error_fraction=0.003,
        latency_median_ms=40.0,
        latency_p95_ms=190.0,
        cpu_median_ms=4.5,
        cpu_p95_ms=13.0,
        cache_hit=0.88,
        memory_factor=1.4,
        components={"security-waf": "degraded", "rate-limiter": "degraded"},
        description="request rate above 20k/s from a few IPs, security blocks spike",
    ),
    "queue-backlog": replace(
        NORMAL,
        queue_backlog=True,
        queue_slow=8.0,
        components={"queue-processor": "degraded"},
        description="vau-batch backlog above 1000 and growing",
    ),
    "cache-collapse": replace(
        NORMAL,
        cache_hit=0.6,
        latency_median_ms=48.0,
        latency_p95_ms=160.0,
        components={"cache": "degraded"},
        description="cache hit rate below 70%",
    ),
    "outage": replace(
        NORMAL,
        legit_rps=3100.0,
        error_fraction=0.86,
        error_types={"unavailable": 0.6, "upstream": 0.3, "timeout": 0.1},
        latency_median_ms=85.0,
        latency_p95_ms=640.0,
        cache_hit=0.84,
        memory_factor=1.3,
        health="down",
        components={"vau-processor": "down", "queue-processor": "degraded"},
        description="service down: health 503, most requests fail",
    ),
}

SCENARIO_NAMES: tuple[str, ...] = tuple(SCENARIOS)

#: Attack sources in the ddos scenario and the share of attack traffic each sends.
ATTACK_IPS: dict[str, float] = {
    "203.0.113.7": 0.34,
    "198.51.100.23": 0.26,
    "192.0.2.201": 0.19,
    "203.0.113.99": 0.13,
    "198.51.100.150": 0.08,
}

WORKERS: dict[str, float] = {
    "vau-processor-production": 0.72,
    "security-waf-production": 0.18,
    "queue-processor-production": 0.10,
}
WORKER_MEMORY_BYTES: dict[str, float] = {
    "vau-processor-production": 46e6,
    "security-waf-production": 24e6,
    "queue-processor-production": 31e6,
}
COLOS: dict[str, float] = {"FRA": 0.2, "AMS": 0.15, "LHR": 0.18, "IAD": 0.2, "SJC": 0.12, "SIN": 0.08, "NRT": 0.07}
#: non-error statuses and their share of successful traffic
OK_STATUSES: dict[str, float] = {"200": 0.87, "201": 0.05, "304": 0.05, "400": 0.02, "404": 0.01}
#: the HTTP status each error type ends with
ERROR_STATUS: dict[str, str] = {
    "exception": "500",
    "timeout": "504",
    "upstream": "502",
    "validation": "500",
    "unavailable": "503",
    "circuit_open": "503",
}
SECURITY_RULES: tuple[str, ...] = ("waf", "geo_block", "rate_limit", "bot", "ip_block")
QUEUES: dict[str, str] = dict(SIM_QUEUE_IDS)  # the config accepts exactly these non-hex IDs
COMPONENTS: tuple[str, ...] = ("vau-processor", "security-waf", "rate-limiter", "queue-processor", "cache")

REQUEST_BUCKETS_S: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
CPU_BUCKETS_MS: tuple[float, ...] = (1, 2, 5, 10, 25, 50, 100, 250)
QUEUE_BUCKETS_S: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


SECURITY_LEVELS: tuple[str, ...] = ("off", "essentially_off", "low", "medium", "high", "under_attack")

#: Endpoints the deployed worker's CACHE_RULES (src/cache.ts) cache at start; a deploy that adds others
#: raises the cache hit rate (see ``SimState.deploy_script``).
CACHE_RULES_BASELINE: tuple[str, ...] = ("/api/v1/stats", "/api/v1/config", "/static")
