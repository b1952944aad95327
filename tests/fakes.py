"""Deterministic stand-ins for the data sources, for layout and snapshot tests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from console.metrics.model import KEY_METRICS, Derived, Health, MetricValue, QueueInfo, SecurityRule, SourceStatus
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, evaluate


@dataclass
class FakeResult:
    derived: Derived | None
    metrics: SourceStatus
    health: Health | None
    health_source: SourceStatus
    at: float


def make_derived(values: dict[str, float | None], at: float | None = None, ddos: bool = False) -> Derived:
    """Fixed values; ``ddos``: the DDoS picture (two spiking rules, a critical queue backlog)."""
    metrics = {}
    for key, (label, unit) in KEY_METRICS.items():
        value = values.get(key)
        metrics[key] = MetricValue(
            key=key,
            label=label,
            unit=unit,
            value=value,
            state=evaluate(value, DEFAULT_THRESHOLDS.get(key)),
            note="" if value is not None else "no traffic",
        )
    if ddos:
        queues = [
            QueueInfo("vau-batch", 1240, State.CRITICAL, 35.0, None, 950.0),
            QueueInfo("analytics", 610, State.WARNING, 12.0, None, 400.0),
            QueueInfo("dead-letter", 3, State.NORMAL, 0.0, None, None),
        ]
        security = [
            SecurityRule("rate_limit", 98_000, 2450.0, spike=True),
            SecurityRule("waf", 41_000, 880.0, spike=True),
            SecurityRule("bot", 9_000, 120.0),
            SecurityRule("geo_block", 100, 0.3),
            SecurityRule("ip_block", 12, 0.0),
        ]
        return Derived(
            at=at or time.time(),
            window_s=2.0,
            metrics=metrics,
            queues=queues,
            security=security,
            security_per_s=3450.3,
            security_total=148_112,
            rate_limit_violations_per_s=2450.0,
        )
    queues = [
        QueueInfo("vau-batch", 42, State.NORMAL, -1.5, 28.0, 180.0),
        QueueInfo("analytics", 7, State.NORMAL, 0.0, None, 95.0),
        QueueInfo("dead-letter", 0, State.NORMAL, None, None, None),
    ]
    security = [
        SecurityRule("waf", 1200, 4.2),
        SecurityRule("rate_limit", 800, 2.1),
        SecurityRule("bot", 300, 1.0),
        SecurityRule("geo_block", 100, 0.3, spike=False),
        SecurityRule("ip_block", 12, 0.0),
    ]
    return Derived(
        at=at or time.time(),
        window_s=2.0,
        metrics=metrics,
        queues=queues,
        security=security,
        security_per_s=7.6,
        security_total=2412,
        rate_limit_violations_per_s=0.4,
    )


#: the key metrics during the simulated DDoS (request rate, errors, latency and backlog critical)
DDOS_VALUES = {
    "request_rate": 23_600.0,
    "error_rate": 2.5,
    "p95_latency_ms": 1400.0,
    "cache_hit_rate": 75.0,
    "cpu_time_ms": 30.0,
    "memory_bytes": 50e6,
    "queue_backlog": 1240.0,
}

NORMAL_VALUES = {
    "request_rate": 4210.0,
    "error_rate": 0.05,
    "p95_latency_ms": 84.0,
    "cache_hit_rate": 93.2,
    "cpu_time_ms": 6.1,
    "memory_bytes": 41 * 1024 * 1024,
    "queue_backlog": 49.0,
}


class StaticPoller:
    """Answers every poll with the same values (fixed clock when ``now`` is given)."""

    def __init__(
        self, values: dict[str, float | None] | None = None, now: float | None = None, ddos: bool = False
    ) -> None:
        self.ddos = ddos
        self.values = dict((DDOS_VALUES if ddos else NORMAL_VALUES) if values is None else values)
        self.now = now
        self.polls = 0

    async def poll(self) -> Any:
        self.polls += 1
        now = self.now if self.now is not None else time.time()
        live = SourceStatus("metrics", "live", last_ok=now)
        return FakeResult(
            derived=make_derived(self.values, at=now + self.polls, ddos=self.ddos),
            metrics=live,
            health=Health(True, "healthy", {"vau-processor": "healthy"}, "1.4.2"),
            health_source=SourceStatus("health", "live", last_ok=now),
            at=now,
        )

    async def aclose(self) -> None:
        pass
