"""How flows are reached from the dashboard (pure functions, no Textual): single keys from the runbook
data, the response flow for the worst metric, and resolving a response id that names a section.

The metric -> response map is the incident engine's (``console.incident.alerts.RESPONSES``), so the
dashboard's ``r`` and the alert banner's ``R`` agree. Some responses name a runbook section rather than
a flow (``p0-service-down`` is the section "P0 service down"); :func:`resolve_target` returns that
section's flows so the UI can offer a choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from console.incident.alerts import HEALTH_KEY, RESPONSES
from console.metrics.thresholds import State
from console.runbook.model import Flow, Runbook

#: When two metrics are equally bad, the one earlier here wins (service down first).
RESPONSE_ORDER = (HEALTH_KEY, "error_rate", "p95_latency_ms", "queue_backlog", "cache_hit_rate", "cpu_time_ms")


def section_slug(section: str) -> str:
    """``"P0 service down"`` -> ``"p0-service-down"``."""
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


@dataclass(frozen=True)
class ResponseChoice:
    """The metric that asks for a response and the runbook target for it."""

    metric: str
    label: str
    state: State
    target: str  # a flow id or a section slug, resolved with resolve_target


def worst_metric(result: Any) -> ResponseChoice | None:
    """The metric in the worst warning/critical state that has a runbook response, or None.
    Health down counts as critical."""
    if result is None:
        return None
    candidates: list[tuple[int, int, ResponseChoice]] = []
    health = getattr(result, "health", None)
    if health is not None and not getattr(health, "healthy", True) and HEALTH_KEY in RESPONSES:
        candidates.append((State.CRITICAL.rank, 0, ResponseChoice(HEALTH_KEY, "health", State.CRITICAL,
                                                                  RESPONSES[HEALTH_KEY].flow_id)))
    derived = getattr(result, "derived", None)
    metrics = getattr(derived, "metrics", None) or {}
    for key, metric in metrics.items():
        state = getattr(metric, "state", None)
        if key not in RESPONSES or state not in (State.WARNING, State.CRITICAL):
            continue
        order = RESPONSE_ORDER.index(key) if key in RESPONSE_ORDER else len(RESPONSE_ORDER)
        label = getattr(metric, "label", key) or key
        candidates.append((state.rank, order, ResponseChoice(key, label, state, RESPONSES[key].flow_id)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return candidates[0][2]


def resolve_target(runbook: Runbook, target: str) -> list[Flow]:
    """The flow with id ``target``; else the flows of the section whose slug is ``target``; else []."""
    flow = runbook.get(target)
    if flow is not None:
        return [flow]
    for section, flows in runbook.sections().items():
        if section_slug(section) == target:
            return list(flows)
    return []


@dataclass(frozen=True)
class FlowKey:
    key: str
    flow: Flow


def flow_keys(runbook: Runbook, taken: Iterable[str]) -> tuple[list[FlowKey], list[tuple[FlowKey, str]]]:
    """``(bound, skipped)``: the runbook's single-key flows, minus keys already bound elsewhere
    (``taken``); each skipped one comes with why, so the app can say so instead of silently shadowing
    another key."""
    used = set(taken)
    bound: list[FlowKey] = []
    skipped: list[tuple[FlowKey, str]] = []
    for key, flow in runbook.by_key().items():  # runbook order
        item = FlowKey(key, flow)
        if key in used:
            skipped.append((item, f"key {key!r} for flow {flow.id!r} is already bound; use the palette"))
            continue
        used.add(key)
        bound.append(item)
    return bound, skipped
