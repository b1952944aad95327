"""Acknowledging an alert in the console can also silence it in Alertmanager (pure: what to silence).

With ``alertmanager: {ack_silence: 15m}`` and an ``alertmanager_url``, acking a console alert whose
metric has firing Alertmanager alerts runs the ``alertmanager-silence`` flow (audited, refused
read-only, on the incident timeline) for those alert names within the environment's
``alertmanager_matchers``, for ``ack_silence``; so acking here stops the page too. Setting
``ack_silence`` is the operator's standing consent for that silence: it is not asked again.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from console.alertmanager.mapping import metric_for_alert
from console.alertmanager.matchers import MatcherError, format_matchers, parse_matchers
from console.alertmanager.model import AmAlert

SILENCE_FLOW = "alertmanager-silence"


def ack_silence_inputs(
    metric: str, description: str, am_alerts: Iterable[AmAlert], env: Any, duration: str
) -> dict[str, str] | None:
    """The silence flow's inputs for acking the console alert on ``metric``, or None when nothing in
    Alertmanager is about it (or already silenced). One silence covers every such alert name."""
    names = sorted({a.alertname for a in am_alerts if a.alertname and not a.silenced and metric_for_alert(a) == metric})
    if not names or not duration:
        return None
    # the names come from Alertmanager: each is escaped so that it matches only itself
    name_matcher = {
        "name": "alertname",
        "value": names[0] if len(names) == 1 else "|".join(map(re.escape, names)),
        "isRegex": len(names) > 1,
        "isEqual": True,
    }
    try:
        scope = [m for m in parse_matchers(getattr(env, "alertmanager_matchers", "") or "") if m["name"] != "alertname"]
    except MatcherError:
        scope = []
    return {
        "matchers": format_matchers([name_matcher, *scope]),
        "duration": duration,
        "comment": f"acknowledged in edge-console: {description}"[:400],
    }
