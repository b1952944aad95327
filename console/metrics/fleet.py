"""Fleet-wide key metrics as PromQL: what one endpoint cannot tell (pure; no I/O).

A single /metrics endpoint is one isolate's or one colo's view. A Prometheus server that scrapes
every endpoint answers for the whole fleet; these queries mirror the per-endpoint derivation in
:mod:`console.metrics.derive` (same units, same thresholds).
"""

from __future__ import annotations

import re
from typing import Mapping

_WINDOW = re.compile(r"^[0-9]+(ms|s|m|h|d)$")


def valid_window(window: str) -> bool:
    return bool(_WINDOW.match(window))


def fleet_queries(names: Mapping[str, str], window: str = "1m") -> dict[str, str]:
    """Key metric -> PromQL instant query. ``names`` are the configured family names."""
    if not valid_window(window):
        raise ValueError(f"not a PromQL range: {window!r} (e.g. 30s, 1m, 5m)")
    n = dict(names)
    w = window

    def rate(family: str) -> str:
        return f"sum(rate({family}[{w}]))"

    hits, misses = rate(n["cache_hits"]), rate(n["cache_misses"])
    return {
        "request_rate": rate(n["requests"]),
        "error_rate": f"100 * {rate(n['errors'])} / {rate(n['requests'])}",
        "p95_latency_ms": f"1000 * histogram_quantile(0.95, sum by (le) (rate({n['request_duration']}_bucket[{w}])))",
        "cache_hit_rate": f"100 * {hits} / ({hits} + {misses})",
        "cpu_time_ms": f"histogram_quantile(0.95, sum by (le) (rate({n['cpu_time']}_bucket[{w}])))",
        "memory_bytes": f"max({n['memory']})",
        "queue_backlog": f"sum({n['queue_backlog']})",
    }


def targets_query(names: Mapping[str, str]) -> str:
    """How many scrape targets report the request counter (the size of the fleet Prometheus sees)."""
    return f"count(count by (instance) ({names['requests']}))"

