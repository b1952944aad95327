"""The simulated edge's ``/metrics`` page: a prometheus-client Collector over ``SimState``.

A private ``CollectorRegistry`` holds one custom collector; ``render_registry`` runs ``generate_latest`` over it and
``render`` writes the same bytes directly (``console.sim.exposition_text``).
Family names are the runbook's (``console.config.DEFAULT_METRIC_NAMES``).
"""

from __future__ import annotations

import math
from typing import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from console.sim.exposition_text import render_snapshot
from console.sim.state import SimState

#: family names as they appear in the exposition (counters end in ``_total``)
FAMILIES: tuple[str, ...] = (
    "edge_requests_total",
    "edge_errors_total",
    "edge_request_duration_seconds",
    "edge_cache_hits_total",
    "edge_cache_misses_total",
    "edge_cpu_time_ms",
    "edge_memory_usage_bytes",
    "edge_queue_backlog",
    "edge_queue_processing_duration_seconds",
    "edge_security_blocks_total",
    "edge_rate_limit_violations_total",
)


def _int(value: float) -> float:
    return float(math.floor(value + 1e-6))


def _family_matches(name: str, excluded: str | None) -> bool:
    if not excluded:
        return False
    base = excluded[: -len("_total")] if excluded.endswith("_total") else excluded
    return name in (excluded, base) or name == base + "_total"


class EdgeCollector(Collector):
    def __init__(self, state: SimState) -> None:
        self.state = state
        #: a family to leave out (fault ``missing:<family>``); read at each collect
        self.excluded: str | None = None

    def collect(self) -> Iterable[Metric]:
        snap = self.state.metrics_snapshot()
        out: list[Metric] = []

        requests = CounterMetricFamily(
            "edge_requests", "Requests that reached the workers", labels=["worker", "colo", "status"]
        )
        for (worker, colo, status), value in sorted(snap["requests"].items()):
            requests.add_metric([worker, colo, status], _int(value))
        out.append(requests)

        errors = CounterMetricFamily("edge_errors", "Requests that ended in an error", labels=["worker", "type"])
        for (worker, etype), value in sorted(snap["errors"].items()):
            errors.add_metric([worker, etype], _int(value))
        out.append(errors)

        duration = HistogramMetricFamily(
            "edge_request_duration_seconds", "Request duration in seconds", labels=["worker"]
        )
        for worker, (buckets, total) in snap["duration"].items():
            duration.add_metric([worker], buckets, total)
        out.append(duration)

        hits = CounterMetricFamily("edge_cache_hits", "Cache hits")
        hits.add_metric([], _int(snap["cache_hits"]))
        out.append(hits)
        misses = CounterMetricFamily("edge_cache_misses", "Cache misses")
        misses.add_metric([], _int(snap["cache_misses"]))
        out.append(misses)

        cpu_buckets, cpu_sum = snap["cpu"]
        cpu = HistogramMetricFamily("edge_cpu_time_ms", "CPU time per request in milliseconds")
        cpu.add_metric([], cpu_buckets, cpu_sum)
        out.append(cpu)

        memory = GaugeMetricFamily("edge_memory_usage_bytes", "Worker isolate memory in bytes", labels=["worker"])
        for worker, value in snap["memory"].items():
            memory.add_metric([worker], round(value))
        out.append(memory)

        backlog = GaugeMetricFamily("edge_queue_backlog", "Messages waiting in each queue", labels=["queue"])
        for queue, value in snap["backlog"].items():
            backlog.add_metric([queue], float(int(value)))
        out.append(backlog)

        processing = HistogramMetricFamily(
            "edge_queue_processing_duration_seconds", "Queue batch processing duration in seconds", labels=["queue"]
        )
        for queue, (buckets, total) in snap["queue_processing"].items():
            processing.add_metric([queue], buckets, total)
        out.append(processing)

        blocks = CounterMetricFamily("edge_security_blocks", "Requests blocked by the security layer", labels=["rule"])
        for rule, value in snap["blocks"].items():
            blocks.add_metric([rule], _int(value))
        out.append(blocks)

        violations = CounterMetricFamily("edge_rate_limit_violations", "Rate limit violations")
        violations.add_metric([], _int(snap["rate_limit_violations"]))
        out.append(violations)

        excluded = self.excluded
        return [m for m in out if not _family_matches(m.name, excluded)]


class Exposition:
    """One registry per server; ``render(missing=None)`` gives the exposition bytes."""

    def __init__(self, state: SimState) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = EdgeCollector(state)
        self.registry.register(self.collector)

    def render(self, missing: str | None = None) -> bytes:
        """The page, written straight from a snapshot (``console.sim.exposition_text``: the same bytes as
        ``render_registry``, a tenth of the CPU); the snapshot is a copy taken under the state's lock."""
        return render_snapshot(self.collector.state.metrics_snapshot(), lambda name: _family_matches(name, missing))

    def render_registry(self, missing: str | None = None) -> bytes:
        """The page as prometheus-client's ``generate_latest`` writes it from the collector (the reference the
        direct writer is held to)."""
        # the collector is shared between request threads: build under the state's lock
        with self.collector.state.lock:
            self.collector.excluded = missing
            try:
                return generate_latest(self.registry)
            finally:
                self.collector.excluded = None
