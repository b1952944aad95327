"""Which key metric an Alertmanager alert is about, and which runbook flow responds to it (pure).

Flow, in order:

1. the alert's ``runbook_flow`` annotation (or label), when it names a flow (or a runbook section);
2. a flow whose ``responds_to`` lists the alert's ``alertname`` (``responds_to: [EdgeHighErrorRate]``);
3. the alert's metric (below): the runbook's responses to it (``Runbook.responses_for``), diagnosis first.

Metric: a ``metric`` label or annotation naming a key metric, else the key metric whose name (without
its unit suffix) is spelled inside the ``alertname``: ``EdgeHighErrorRate`` -> ``error_rate``,
``EdgeP95LatencyHigh`` -> ``p95_latency_ms``, ``EdgeQueueBacklog`` -> ``queue_backlog``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from console.alertmanager.model import AmAlert
from console.metrics.catalogue import METRIC_KEYS

#: key metrics an alert can be about (the runbook's ``responds_to`` vocabulary)
ALERT_METRICS = METRIC_KEYS
_UNIT_SUFFIX = re.compile(r"_(ms|bytes|per_s)$")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


#: squashed name -> metric key, longest first (``p95latency`` before ``latency``-like shorter names)
_SPELLINGS = sorted(
    ((_squash(_UNIT_SUFFIX.sub("", key)), key) for key in ALERT_METRICS), key=lambda pair: -len(pair[0])
)


def metric_for_alert(alert: AmAlert) -> str | None:
    for source in (alert.labels, alert.annotations):
        named = source.get("metric")
        if named in ALERT_METRICS:
            return named
    name = _squash(alert.alertname)
    if not name:
        return None
    for spelling, key in _SPELLINGS:
        if spelling and spelling in name:
            return key
    return None


@dataclass(frozen=True)
class AlertResponse:
    #: a flow id or a section slug, what ``open_flow`` takes
    target: str
    #: why this flow: shown to the operator
    why: str
    alert: AmAlert


def flow_for_alert(alert: AmAlert, runbook: Any) -> AlertResponse | None:
    """The runbook response to ``alert`` (see the module docstring), or None."""
    why = f"Alertmanager: {alert.describe()}"
    named = alert.annotations.get("runbook_flow") or alert.labels.get("runbook_flow")
    if named:
        if runbook.get(named) is not None:
            return AlertResponse(named, f"{why} (runbook_flow annotation)", alert)

        slug_match = [f for f in runbook.flows.values() if _slug(f.section) == named]
        if slug_match:
            return AlertResponse(named, f"{why} (runbook_flow annotation)", alert)
    if alert.alertname:
        for flow in runbook.flows.values():
            if alert.alertname in flow.responds_to:
                return AlertResponse(flow.id, f"{why} (responds_to {alert.alertname})", alert)
    metric = metric_for_alert(alert)
    if metric is not None:
        flows = runbook.responses_for(metric)
        if flows:
            return AlertResponse(flows[0].id, f"{why} ({metric})", alert)
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def respond_target(alerts: list[AmAlert], runbook: Any) -> AlertResponse | None:
    """What ``r`` opens for Alertmanager's alerts: the first firing (not silenced, not inhibited) alert
    that maps to a flow, critical before warning, oldest first."""

    def rank(alert: AmAlert) -> tuple:
        severity = alert.labels.get("severity", "").lower()
        order = {"critical": 0, "page": 0, "error": 1, "warning": 2}.get(severity, 3)
        return (order, alert.starts_at or 0.0, alert.fingerprint)

    for alert in sorted(alerts, key=rank):
        if alert.silenced or alert.inhibited:
            continue
        response = flow_for_alert(alert, runbook)
        if response is not None:
            return response
    return None
