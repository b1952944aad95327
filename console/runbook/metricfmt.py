"""How a runbook ``metrics`` step shows a value: label, unit, state mark and sparkline (pure functions).

The dashboard's key metrics keep the labels of :data:`console.metrics.model.KEY_METRICS`; the derived
rates the runbook also reads (security blocks, rate-limit violations) get theirs here. Memory is shown
in MiB (the Workers limit is 128 MB), never as raw bytes.
"""

from __future__ import annotations

import math
from typing import Any

from console.format import sparkline
from console.metrics.model import KEY_METRICS

EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "security_per_s": ("Security blocks", "blocks/s"),
    "rate_limit_violations_per_s": ("Rate-limit violations", "viol/s"),
}
MIB = 1024 * 1024


def label_unit(name: str) -> tuple[str, str]:
    return KEY_METRICS.get(name) or EXTRA_LABELS.get(name) or (name.replace("_", " "), "")


def format_value(name: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    _, unit = label_unit(name)
    if unit == "bytes":
        return f"{value / MIB:,.1f} MiB"
    return f"{value:,.2f} {unit}".strip()


def state_mark(value: float | None, spec: Any, state: Any) -> str:
    """OK/WARN/CRIT against the metric's thresholds; ``-`` for a metric the runbook gives none."""
    if spec is None and value is not None:
        return "-"
    return str(getattr(state, "symbol", state))


def metric_line(name: str, value: float | None, mark: str, history: list[float | None] | None = None) -> str:
    label, _ = label_unit(name)
    line = f"{label:<22} {format_value(name, value):>16}  {mark:<4}"
    if history and len([v for v in history if v is not None]) >= 2:
        line += f"  {sparkline(history)}"
    return line.rstrip()
