"""How a runbook ``metrics`` step shows a value: label, unit, state mark and sparkline (pure functions).

Labels, units and the formatter come from the metric catalogue (:mod:`console.metrics.catalogue`), the
same as the dashboard and ``check``; a missing value is ``console.format.MISSING``.
"""

from __future__ import annotations

from typing import Any

from console.format import sparkline
from console.metrics.catalogue import format_metric as format_value  # noqa: F401 - (name, value) -> text
from console.metrics.catalogue import label_unit


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
