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


def make_derived(values: dict[str, float | None], at: float | None = None) -> Derived:
    metrics = {}
    for key, (label, unit) in KEY_METRICS.items():
        value = values.get(key)
        metrics[key] = MetricValue(key=key, label=label, unit=unit, value=value,
                                   state=evaluate(value, DEFAULT_THRESHOLDS.get(key)),
                                   note="" if value is not None else "no traffic")
    queues = [
        QueueInfo("vau-batch", 42, State.NORMAL, -1.5, 28.0, 180.0),
        QueueInfo("analytics", 7, State.NORMAL, 0.0, None, 95.0),
        QueueInfo("dead-letter", 0, State.NORMAL, None, None, None),
    ]
    security = [
        SecurityRule("waf", 1200, 4.2), SecurityRule("rate_limit", 800, 2.1),
        SecurityRule("bot", 300, 1.0), SecurityRule("geo_block", 100, 0.3, spike=False),
        SecurityRule("ip_block", 12, 0.0),
    ]
    return Derived(at=at or time.time(), window_s=2.0, metrics=metrics, queues=queues, security=security,
                   security_per_s=7.6, security_total=2412, rate_limit_violations_per_s=0.4)


NORMAL_VALUES = {"request_rate": 4210.0, "error_rate": 0.05, "p95_latency_ms": 84.0, "cache_hit_rate": 93.2,
                 "cpu_time_ms": 6.1, "memory_bytes": 41 * 1024 * 1024, "queue_backlog": 49.0}


class StaticPoller:
    """Answers every poll with the same values (fixed clock when ``now`` is given)."""

    def __init__(self, values: dict[str, float | None] | None = None, now: float | None = None) -> None:
        self.values = dict(NORMAL_VALUES if values is None else values)
        self.now = now
        self.polls = 0

    async def poll(self) -> Any:
        self.polls += 1
        now = self.now if self.now is not None else time.time()
        live = SourceStatus("metrics", "live", last_ok=now)
        return FakeResult(derived=make_derived(self.values, at=now + self.polls), metrics=live,
                          health=Health(True, "healthy", {"vau-processor": "healthy"}, "1.4.2"),
                          health_source=SourceStatus("health", "live", last_ok=now), at=now)

    async def aclose(self) -> None:
        pass
