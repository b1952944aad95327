"""The metric catalogue: every metric the console shows, judges or lets a runbook read, defined once
(pure data, no I/O, no Textual).

Each :class:`MetricDef` holds the key (the name used in the config's ``thresholds:``, the runbook's
``metrics:``/``expect``/``responds_to`` and ``check --json``), the label and a short label, the unit
(which picks the formatting in :func:`console.format.format_value`), the default thresholds and the
direction (bad when high or bad when low; the config's ``thresholds:`` overrides the numbers), and the
built-in alert response: the flow that answers the metric's alert when no runbook flow declares
``responds_to`` for it (:mod:`console.incident.responders` decides from the runbook first).

Everything else derives from :data:`METRICS`: ``KEY_METRICS`` (console.metrics.model),
``DEFAULT_THRESHOLDS`` (console.metrics.thresholds), the runbook vocabulary ``METRIC_KEYS``
(console.schema.runbook_model) and the Alertmanager mapping's metric list.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.format import format_value

MIB = 1024 * 1024
#: Health down is an alert of its own (not a metric with a value): its key in alerts and ``responds_to``.
HEALTH_KEY = "health"


@dataclass(frozen=True)
class MetricDef:
    key: str
    label: str
    #: at most 8 characters, for narrow tables and the 60-column layout
    short: str
    unit: str
    #: default thresholds (None: the metric is shown but never judged); the config overrides them
    warning: float | None = None
    critical: float | None = None
    #: "above": bad when high; "below": bad when low
    direction: str = "above"
    #: a dashboard key metric (judged, alerted, in ``check``); False for derived rates a runbook reads
    key_metric: bool = True
    #: the built-in alert response (flow id, title) used only when no runbook flow responds to the metric
    response: tuple[str, str] | None = None

    def format(self, value: float | None) -> str:
        """The value with its unit; the shared missing-value mark (``console.format.MISSING``) for none."""
        return format_value(value, self.unit)

    @property
    def bad_when(self) -> str:
        return "high" if self.direction == "above" else "low"


#: Thresholds from the runbook's Key Metrics table: Request Rate >15k/s, >20k/s; Error Rate >0.5%, >1%;
#: P95 >500ms, >1s; Cache Hit Rate <80%, <70%; CPU Time >25ms, >50ms; Queue Backlog >500, >1000.
#: Memory is not in the table: Workers are limited to 128 MB, so warn at 100 MiB, critical at 120 MiB.
#: Display order: the dashboard's metrics pane, ``check`` and the alert engine follow it.
METRICS: tuple[MetricDef, ...] = (
    MetricDef("request_rate", "Request rate", "Requests", "req/s", 15_000, 20_000),
    MetricDef(
        "error_rate", "Error rate", "Errors", "%", 0.5, 1.0, response=("p1-high-error-rate", "P1 - High Error Rate")
    ),
    MetricDef(
        "p95_latency_ms", "P95 latency", "P95 lat", "ms", 500, 1000, response=("high-latency", "High Latency Alert")
    ),
    MetricDef(
        "cache_hit_rate",
        "Cache hit rate",
        "Cache",
        "%",
        80,
        70,
        "below",
        response=("low-cache-hit-rate", "Low Cache Hit Rate"),
    ),
    MetricDef("cpu_time_ms", "CPU time P95", "CPU P95", "ms", 25, 50, response=("high-latency", "High Latency Alert")),
    MetricDef("memory_bytes", "Memory", "Memory", "bytes", 100 * MIB, 120 * MIB),
    MetricDef(
        "queue_backlog",
        "Queue backlog",
        "Backlog",
        "msgs",
        500,
        1000,
        response=("queue-processing-delays", "Queue Processing Delays"),
    ),
    MetricDef("security_per_s", "Security blocks", "Blocks", "blocks/s", key_metric=False),
    MetricDef("rate_limit_violations_per_s", "Rate-limit violations", "RL viol", "viol/s", key_metric=False),
)

BY_KEY: dict[str, MetricDef] = {m.key: m for m in METRICS}
#: every metric a runbook step may read (``metrics:``, ``expect``) or respond to
METRIC_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS)
#: the dashboard's key metrics, in display order
KEY_METRIC_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS if m.key_metric)
#: what a flow's ``responds_to`` may name besides Alertmanager alert names: the metrics and health down
RESPONDER_KEYS: tuple[str, ...] = (*METRIC_KEYS, HEALTH_KEY)
#: the built-in response to health down, used only when no runbook flow declares ``responds_to: [health]``
HEALTH_RESPONSE: tuple[str, str] = ("p0-service-down", "P0 - Service Down")
#: ``r`` (console.incident.respond): when two metrics are equally bad, the one earlier here wins (service down
#: first, then what users feel most).
RESPONSE_ORDER: tuple[str, ...] = (
    HEALTH_KEY,
    "error_rate",
    "p95_latency_ms",
    "queue_backlog",
    "cache_hit_rate",
    "cpu_time_ms",
    "request_rate",
)


def get(key: str) -> MetricDef | None:
    return BY_KEY.get(key)


def label_unit(key: str) -> tuple[str, str]:
    """(label, unit) of a known metric; an unknown name becomes its words without a unit."""
    m = BY_KEY.get(key)
    return (m.label, m.unit) if m else (key.replace("_", " "), "")


def format_metric(key: str, value: float | None) -> str:
    """``value`` of metric ``key`` with its unit (the one formatter every screen and command uses)."""
    return format_value(value, label_unit(key)[1])


def default_response(key: str) -> tuple[str, str] | None:
    """The built-in (flow id, title) for an alert on ``key``, used only when no runbook flow responds."""
    if key == HEALTH_KEY:
        return HEALTH_RESPONSE
    m = BY_KEY.get(key)
    return m.response if m else None
