"""What the runbook prescribes for each scenario of the simulated edge (the default ``expect`` of a drill
script's phase): the flows that are a correct mitigation, and the ones that are wrong or risky there.

A name is a flow id (any step of it that changes something) or ``flow/step`` (that step only).
From the operators' runbook: "Threat Response - DDoS Attack" (Under Attack Mode, tighten rate limits,
additional WAF rules; a rollback does nothing against an attack and redeploys under load), "P0 - Service
Down" / "P1 - High Error Rate" (rollback if deployment-related, circuit breaker), the alert responses for
the others (flows whose ``responds_to`` names the scenario's metric and that change something).
"""

from __future__ import annotations

from console.drill.script import Expectation

#: the key metric each scenario pushes past its threshold
SCENARIO_METRIC = {
    "error-spike": "error_rate",
    "latency": "p95_latency_ms",
    "ddos": "request_rate",
    "queue-backlog": "queue_backlog",
    "cache-collapse": "cache_hit_rate",
    "outage": "health",
}

DEFAULTS: dict[str, Expectation] = {
    "ddos": Expectation(
        mitigation=("under-attack-mode", "tighten-rate-limits", "enable-strict-waf"),
        risky=("rollback", "p0-service-down/rollback"),
    ),
    "error-spike": Expectation(
        mitigation=("rollback", "p0-service-down/rollback", "enable-circuit-breaker"), risky=("under-attack-mode",)
    ),
    "outage": Expectation(
        mitigation=("rollback", "p0-service-down/rollback", "enable-circuit-breaker"), risky=("under-attack-mode",)
    ),
    "latency": Expectation(mitigation=("enable-performance-mode", "scale-workers"), risky=()),
}

#: why a risky action is wrong in a scenario (shown in the score)
RISK_REASONS = {
    "ddos": "a rollback during a DDoS: the attack is not a deployment (runbook: Threat Response - DDoS Attack "
    "prescribes Under Attack Mode, tighter rate limits, strict WAF)",
    "error-spike": "Under Attack Mode during an error spike challenges every visitor; the errors come from a "
    "deployment (runbook: P1 - High Error Rate)",
    "outage": "Under Attack Mode during an outage challenges every visitor; the service is down "
    "(runbook: P0 - Service Down)",
}


def default_expectation(scenario: str) -> Expectation:
    if scenario in DEFAULTS:
        return DEFAULTS[scenario]
    metric = SCENARIO_METRIC.get(scenario)
    if metric is None:
        return Expectation((), ())
    from console.runbook import load_runbook

    flows = [
        f.id for f in load_runbook().flows.values() if metric in (getattr(f, "responds_to", None) or ()) and f.mutating
    ]
    return Expectation(tuple(flows), ())


def matches(name: str, flow: str, step: str) -> bool:
    """Does an audit record of ``flow``/``step`` match ``name`` (a flow id or ``flow/step``)?"""
    if "/" in name:
        return name == f"{flow}/{step}"
    return name == flow


def risk_reason(scenario: str, flow: str) -> str:
    return RISK_REASONS.get(scenario, f"{flow} is not what the runbook prescribes for {scenario}")
