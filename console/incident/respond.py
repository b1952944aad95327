"""What ``r`` (respond) offers: the runbook response to the active alerts, else to the worst metric
(pure, no Textual, no I/O).

:func:`choose_response` takes the active alerts (any source: the console's own alert engine today,
others later) and the latest poll result. Alerts are considered in severity order (P0 first, then
critical before warning, then the oldest); the first one with a response wins. A request-rate alert
while security blocks are up is a DDoS: the offer is the Under Attack / rate-limit flows
(:data:`DDOS_FLOWS`), never a rollback; when an alert before it wins (an error rate gone to P1 under the
attack), the DDoS flows are offered beside its response, in one picker. With no alert that has a response,
the worst metric in warning or critical decides (:func:`worst_metric`), with the same DDoS rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from console.incident.responders import Response, default_responses
from console.metrics import catalogue
from console.metrics.catalogue import HEALTH_KEY
from console.metrics.thresholds import State

#: When two metrics are equally bad, the one earlier here wins (service down first): from the catalogue.
RESPONSE_ORDER = catalogue.RESPONSE_ORDER
#: The runbook's DDoS response (Security section): Under Attack Mode, then tighter rate limits.
DDOS_FLOWS = ("under-attack-mode", "tighten-rate-limits")
#: Security blocks count as "up" when a rule spikes against its baseline, or when at least this share
#: of all requests is blocked (the simulated attack blocks ~15%; normal traffic ~0.3%).
DDOS_BLOCKED_SHARE = 0.05


@dataclass(frozen=True)
class ResponseChoice:
    """The metric that asks for a response and the runbook target for it."""

    metric: str
    label: str
    state: State
    target: str  # a flow id or a section slug, resolved with console.app.flows.resolve_target


@dataclass(frozen=True)
class ResponseOffer:
    """What ``r`` opens: one target (a flow id or a section slug), or several flows to pick from."""

    targets: tuple[str, ...]
    why: str
    metric: str
    title: str = ""  # the picker's title when there are several

    @property
    def ddos(self) -> bool:
        """The DDoS flows are offered (alone, or beside an alert that came first)."""
        return all(flow in self.targets for flow in DDOS_FLOWS)


def security_blocks_up(derived: Any) -> bool:
    """A security rule spikes, or blocks are at least :data:`DDOS_BLOCKED_SHARE` of the requests."""
    if derived is None:
        return False
    if any(getattr(rule, "spike", False) for rule in getattr(derived, "security", None) or ()):
        return True
    blocked = getattr(derived, "security_per_s", None)
    rate = getattr((getattr(derived, "metrics", None) or {}).get("request_rate"), "value", None)
    return bool(blocked and rate and blocked >= DDOS_BLOCKED_SHARE * rate)


def _ddos_offer(label: str, state: State, derived: Any) -> ResponseOffer:
    blocked = getattr(derived, "security_per_s", None)
    extra = f", security blocks {blocked:,.0f}/s" if blocked else ", security blocks spiking"
    return ResponseOffer(
        DDOS_FLOWS, f"{label} {state.value.upper()}{extra}: DDoS", "request_rate", title="DDoS response"
    )


def worst_metric(result: Any, responses: Mapping[str, Response] | None = None) -> ResponseChoice | None:
    """The metric in the worst warning/critical state that has a runbook response, or None.
    Health down counts as critical; the request rate counts only as a DDoS (security blocks up).
    ``responses``: metric -> responding flow (``AlertEngine.responses``: the runbook's ``responds_to``);
    the catalogue's defaults without one."""
    if result is None:
        return None
    RESPONSES = default_responses() if responses is None else responses
    candidates: list[tuple[int, int, ResponseChoice]] = []
    health = getattr(result, "health", None)
    if health is not None and not getattr(health, "healthy", True) and HEALTH_KEY in RESPONSES:
        candidates.append(
            (
                State.CRITICAL.rank,
                0,
                ResponseChoice(HEALTH_KEY, "health", State.CRITICAL, RESPONSES[HEALTH_KEY].flow_id),
            )
        )
    derived = getattr(result, "derived", None)
    metrics = getattr(derived, "metrics", None) or {}
    ddos = security_blocks_up(derived)
    for key, metric in metrics.items():
        state = getattr(metric, "state", None)
        if state not in (State.WARNING, State.CRITICAL):
            continue
        if key == "request_rate" and ddos:
            target = "ddos"
        elif key in RESPONSES:
            target = RESPONSES[key].flow_id
        else:
            continue
        order = RESPONSE_ORDER.index(key) if key in RESPONSE_ORDER else len(RESPONSE_ORDER)
        label = getattr(metric, "label", key) or key
        candidates.append((state.rank, order, ResponseChoice(key, label, state, target)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return candidates[0][2]


def _severity_order(alert: Any) -> tuple:
    return (getattr(alert, "severity", "P3"), -alert.level.rank, getattr(alert, "since", 0.0))


def choose_response(
    alerts: Sequence[Any], result: Any = None, responses: Mapping[str, Response] | None = None
) -> ResponseOffer | None:
    """The response ``r`` opens for ``alerts`` (active ones, any order) and the latest ``result``;
    ``responses`` as for :func:`worst_metric` (the alerts carry their own, from the same source)."""
    derived = getattr(result, "derived", None)
    ddos = security_blocks_up(derived)
    rate_alert = next((a for a in alerts if a.key == "request_rate"), None) if ddos else None
    for alert in sorted(alerts, key=_severity_order):
        if alert.key == "request_rate" and ddos:
            return _ddos_offer(alert.label, alert.level, derived)
        response = getattr(alert, "response", None)
        if response is not None:
            what = "health DOWN" if alert.key == HEALTH_KEY else f"{alert.label} {alert.level.value.upper()}"
            if rate_alert is not None:  # under a DDoS: its flows beside this alert's response, one picker
                attack = _ddos_offer(rate_alert.label, rate_alert.level, derived)
                targets = (response.flow_id, *(f for f in DDOS_FLOWS if f != response.flow_id))
                return ResponseOffer(targets, f"alert: {what}; {attack.why}", alert.key, title="Response (DDoS too)")
            return ResponseOffer((response.flow_id,), f"alert: {what}", alert.key)
    choice = worst_metric(result, responses)
    if choice is None:
        return None
    if choice.target == "ddos":
        return _ddos_offer(choice.label, choice.state, derived)
    return ResponseOffer((choice.target,), f"{choice.label} is {choice.state.value.upper()}", choice.metric)
