"""Data that flows from the metrics core to the UI and the headless check (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.metrics.catalogue import METRICS
from console.metrics.thresholds import State

#: The key metrics in display order: key -> (label, unit), from the catalogue (console.metrics.catalogue).
KEY_METRICS: dict[str, tuple[str, str]] = {m.key: (m.label, m.unit) for m in METRICS if m.key_metric}


@dataclass(frozen=True)
class MetricValue:
    key: str
    label: str
    unit: str
    value: float | None
    state: State
    #: Why there is no value, or a qualifier: "no traffic", "missing edge_cache_hits_total", ...
    note: str = ""
    #: wall-clock time of the scrape the value comes from (older than Derived.at when it was
    #: carried over from the last good page because its family went missing)
    as_of: float | None = None
    #: True when the value is the last good one, carried over (see ``note`` for why)
    stale: bool = False


@dataclass(frozen=True)
class QueueInfo:
    name: str
    backlog: float
    state: State
    #: messages per second, positive when the backlog grows; None on the first scrape
    trend_per_s: float | None = None
    #: seconds until the backlog reaches zero at the current trend; None when not draining
    drain_eta_s: float | None = None
    processing_p95_ms: float | None = None
    #: why the backlog cannot be trusted ("negative backlog -5", "NaN backlog"); state is then unknown
    invalid: str = ""


@dataclass(frozen=True)
class SecurityRule:
    rule: str
    total: float
    per_second: float | None
    #: per_second > SPIKE_FACTOR x baseline_per_s and > SPIKE_MIN_PER_S (console.metrics.derive)
    spike: bool = False
    #: the rule's usual blocks/s: a moving average of earlier windows (None until one is known)
    baseline_per_s: float | None = None


@dataclass
class Derived:
    """Everything derived from two consecutive scrapes."""

    at: float  # wall-clock time (time.time()) of the newer scrape
    window_s: float
    metrics: dict[str, MetricValue]
    #: at most console.limits.MAX_SERIES_SHOWN queues: the fullest (invalid ones first), by name
    queues: list[QueueInfo] = field(default_factory=list)
    #: queues on the page not in ``queues`` ("+N more"; the queue_backlog metric is the total of all read)
    queues_more: int = 0
    #: at most MAX_SERIES_SHOWN rules (spiking ones first), sorted busiest first
    security: list[SecurityRule] = field(default_factory=list)
    #: rules on the page not in ``security`` ("+N more"; security_total/per_s count all of them)
    security_more: int = 0
    #: of ``queues_more`` / ``security_more``: series over the parser's per-family cap
    #: (console.limits.MAX_SERIES_RANKED), counted but not read, so not in the totals either
    queues_unread: int = 0
    security_unread: int = 0
    security_per_s: float | None = None
    security_total: float = 0.0
    rate_limit_violations_per_s: float | None = None
    #: problems with the page that did not stop derivation (missing families, bad lines)
    warnings: list[str] = field(default_factory=list)
    #: configured metric families that are not on the page
    missing: list[str] = field(default_factory=list)
    #: rates need two scrapes: False on the first one ("warming up")
    has_window: bool = True


@dataclass(frozen=True)
class Health:
    healthy: bool
    status: str
    components: dict[str, str] = field(default_factory=dict)
    version: str | None = None
    error: str | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class SourceStatus:
    """The state of one data source as the header shows it."""

    name: str
    state: str  # "connecting" | "live" | "stale" | "down"
    last_ok: float | None = None  # wall-clock time of the last good answer
    error: str | None = None

    def age(self, now: float) -> float | None:
        return None if self.last_ok is None else max(0.0, now - self.last_ok)
