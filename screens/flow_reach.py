"""How flows are reached from the dashboard (pure functions, no Textual): the response flow for the worst
metric, and resolving a response id that names a section. (Flow keys: ``console/actions.py``.)

What ``r`` offers is decided in ``console.incident.respond`` (alerts in severity order, then the worst
metric; a DDoS offers the Under Attack / rate-limit flows). Some responses name a runbook section rather than
a flow (``p0-service-down`` is the section "P0 service down"); :func:`resolve_target` returns that
section's flows so the UI can offer a choice.
"""

from __future__ import annotations

import re

from console.incident.respond import RESPONSE_ORDER, ResponseChoice, worst_metric  # noqa: F401 - re-exported
from console.runbook.model import Flow, Runbook


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
