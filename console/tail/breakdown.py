"""The runbook's P1 "top 20 error messages by count" and the CPU-time distribution, as pure
functions over events (the live table recomputes them over the buffer or a time window)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from console.tail.model import TailEvent


@dataclass
class ErrorRow:
    message: str
    count: int
    source: str  # "log" (console.error) or "exception"
    last_ts: float
    outcomes: dict[str, int] = field(default_factory=dict)


def _in_window(events: Iterable[TailEvent], since_ms: float | None) -> Iterable[TailEvent]:
    if since_ms is None:
        return events
    return (e for e in events if e.ts >= since_ms)


def top_errors(events: Iterable[TailEvent], limit: int = 20, since_ms: float | None = None) -> list[ErrorRow]:
    """Error messages ranked by count: every ``level == "error"`` log message (as the runbook's jq
    does) and every exception (``Name: message``), most frequent first, ties by most recent."""
    rows: dict[tuple[str, str], ErrorRow] = {}
    for event in _in_window(events, since_ms):
        for source, message in event.errors:
            row = rows.get((source, message))
            if row is None:
                row = rows[(source, message)] = ErrorRow(message, 0, source, event.ts)
            row.count += 1
            if event.ts > row.last_ts:
                row.last_ts = event.ts
            row.outcomes[event.outcome] = row.outcomes.get(event.outcome, 0) + 1
    ranked = sorted(rows.values(), key=lambda r: (-r.count, -r.last_ts, r.message))
    return ranked[:limit]


#: Bucket upper bounds in ms; the runbook's thresholds are 10 (normal), 25 (warning), 50 (critical).
CPU_BUCKETS = (1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, float("inf"))


@dataclass
class CpuStats:
    count: int
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None
    over_25: int
    over_50: int
    buckets: list[tuple[float, int]]  # (upper bound ms, count)


def quantile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank quantile of already sorted values."""
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[index]


def cpu_distribution(events: Iterable[TailEvent], since_ms: float | None = None) -> CpuStats:
    values = sorted(e.cpu for e in _in_window(events, since_ms) if e.cpu is not None)
    counts = [0] * len(CPU_BUCKETS)
    for value in values:
        for i, bound in enumerate(CPU_BUCKETS):
            if value <= bound:
                counts[i] += 1
                break
    return CpuStats(
        count=len(values),
        p50=quantile(values, 0.50),
        p90=quantile(values, 0.90),
        p99=quantile(values, 0.99),
        max=values[-1] if values else None,
        over_25=sum(1 for v in values if v > 25),
        over_50=sum(1 for v in values if v > 50),
        buckets=list(zip(CPU_BUCKETS, counts)),
    )


def outcome_counts(events: Iterable[TailEvent], since_ms: float | None = None) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for event in _in_window(events, since_ms):
        counts[event.outcome] = counts.get(event.outcome, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
