"""Runbook flows, the application side (no Textual): what a flow run needs from the app, and how flows are
reached from the dashboard.

:class:`FlowContext` is gathered by the app when a flow opens (``screens.flow_app.FlowApp.flow_context``)
and handed to the flow's modal. What ``r`` offers is decided in ``console.incident.respond`` (alerts in
severity order, then the worst metric; a DDoS offers the Under Attack / rate-limit flows). Some responses
name a runbook section rather than a flow (``p0-service-down`` is the section "P0 service down");
:func:`resolve_target` returns that section's flows so the UI can offer a choice. (Flow keys:
``console/actions.py``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from console.incident.respond import RESPONSE_ORDER, ResponseChoice, worst_metric
from console.runbook.clock import REAL_SLEEP, SYSTEM_CLOCK, RunClock, Sleep
from console.runbook.model import Flow, Runbook

__all__ = ["FlowContext", "RESPONSE_ORDER", "ResponseChoice", "resolve_target", "section_slug", "worst_metric"]


@dataclass
class FlowContext:
    """Everything a flow needs from the app, gathered when it opens."""

    config: Any
    env: Any
    read_only: bool
    get_metric: Callable[[str], Any] | None = None
    tail_events: Callable[[], list[dict[str, Any]]] | None = None
    listeners: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    #: flow id -> title, to name the undo flow
    titles: dict[str, str] = field(default_factory=dict)
    #: opens another flow by id (the undo flow at the end)
    open_flow: Callable[[str], None] | None = None
    #: the time the run reads (timestamps, verify deadlines) and waits on (retry and verify intervals):
    #: the real ones; tests give the app a virtual clock (``FlowsMixin.flow_clock``/``flow_sleep``)
    clock: RunClock = SYSTEM_CLOCK
    sleep: Sleep = REAL_SLEEP


def section_slug(section: str) -> str:
    """``"P0 service down"`` -> ``"p0-service-down"``."""
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def resolve_target(runbook: Runbook, target: str) -> list[Flow]:
    """The flow with id ``target``; else the flows of the section whose slug is ``target``; else []."""
    flow = runbook.get(target)
    if flow is not None:
        return [flow]
    for section, flows in runbook.sections().items():
        if section_slug(section) == target:
            return list(flows)
    return []
