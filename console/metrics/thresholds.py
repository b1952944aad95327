"""Threshold states from the runbook's Key Metrics table (pure functions, no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from console.metrics.catalogue import METRICS


class State(str, Enum):
    NORMAL = "normal"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return {"normal": 0, "unknown": 1, "warning": 2, "critical": 3}[self.value]

    @property
    def symbol(self) -> str:
        """A state mark that does not rely on colour."""
        return {"normal": "OK", "warning": "WARN", "critical": "CRIT", "unknown": "??"}[self.value]


@dataclass(frozen=True)
class ThresholdSpec:
    warning: float
    critical: float
    #: "above": bad when the value rises past the bounds; "below": bad when it falls under them.
    direction: str = "above"

    def problem(self) -> str | None:
        if self.direction == "above" and self.critical < self.warning:
            return f"critical ({self.critical}) must not be below warning ({self.warning})"
        if self.direction == "below" and self.critical > self.warning:
            return f"critical ({self.critical}) must not be above warning ({self.warning}) for a metric that is bad when low"
        return None


#: Defaults from the metric catalogue (console.metrics.catalogue: the runbook's Key Metrics table and why);
#: the config's ``thresholds:`` overrides them.
DEFAULT_THRESHOLDS: dict[str, ThresholdSpec] = {
    m.key: ThresholdSpec(m.warning, m.critical, m.direction)
    for m in METRICS
    if m.warning is not None and m.critical is not None
}


def evaluate(value: float | None, spec: ThresholdSpec | None) -> State:
    """The state of ``value`` against ``spec``; strictly past a bound counts (">1%" means 1.0 is a warning)."""
    if value is None or spec is None or (isinstance(value, float) and math.isnan(value)):
        return State.UNKNOWN
    if spec.direction == "below":
        if value < spec.critical:
            return State.CRITICAL
        if value < spec.warning:
            return State.WARNING
        return State.NORMAL
    if value > spec.critical:
        return State.CRITICAL
    if value > spec.warning:
        return State.WARNING
    return State.NORMAL


def worst(states: "list[State]") -> State:
    return max(states, key=lambda s: s.rank, default=State.UNKNOWN)
