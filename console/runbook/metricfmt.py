"""How a runbook ``metrics`` step shows a value: label, unit, state mark and sparkline; how a ``verify`` step
shows its condition and the value it watches, with the unit (pure functions).

Labels, units and the formatter come from the metric catalogue (:mod:`console.metrics.catalogue`), the
same as the dashboard and ``check``; a missing value is ``console.format.MISSING``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from console.format import format_bytes, sparkline
from console.metrics.catalogue import format_metric as format_value  # noqa: F401 - (name, value) -> text
from console.metrics.catalogue import get as get_metric
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


#: from this size on a value is shown as ``1.000e+15``
HUGE = 10**15

#: comparisons a condition on a metric is shown in words for (``error_rate < 1`` -> ``error rate < 1 %``)
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


def metric_words(name: str) -> str:
    """A metric's label as words in a sentence: ``error rate``, ``P95 latency``, ``CPU time P95``."""
    label, _ = label_unit(name)
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def value_text(name: str, value: float | None) -> str:
    """A watched value with its unit, precise enough to compare with a threshold: ``0.424 %``, ``36 msgs``,
    ``228.4 ms``, ``24,713 req/s``, ``64.0 MiB``; ``no value`` for none (NaN, an infinity). (The dashboard's
    formatter rounds to two digits: ``0.995 %`` would read ``1.00 %`` next to ``error rate < 1 %``.) From
    10^15 on, in scientific notation (``1.000e+20 req/s``): a line, not hundreds of digits."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return "no value"
    if isinstance(value, float) and not math.isfinite(value):
        return "no value"
    _, unit = label_unit(name)
    if abs(value) >= HUGE:
        number = f"{Decimal(value):.3e}".replace("E", "e")  # exact for an int past a float's range
        unit = "B" if unit == "bytes" else unit
    elif unit == "bytes":
        return format_bytes(value)
    elif value == int(value):
        number = f"{int(value):,}"
    elif abs(value) < 0.001:  # three significant digits: 0.0004 is not '0.000' next to '< 0.0005 %'
        number = f"{value:.3g}"
    elif abs(value) < 100:
        number = f"{value:.3f}"
    elif abs(value) < 10_000:
        number = f"{value:,.1f}"
    else:
        number = f"{value:,.0f}"
    return f"{number} {unit}".strip()


def threshold_text(name: str, value: float) -> str:
    """A condition's number as the runbook gives it, with the unit: ``0.0005 %``, ``12,345.67 req/s``;
    bytes in KiB/MiB/GiB when that is exact (``100.0 MiB``), else in bytes (``104,857,000 B``). Never
    rounded: ``value_text``'s three decimals showed ``error_rate < 0.0005`` as ``< 0.001 %``."""
    _, unit = label_unit(name)
    if abs(value) >= HUGE:
        return value_text(name, value)
    if unit == "bytes":
        shown = format_bytes(value)
        number, prefix = shown.split()
        if float(number) * 1024 ** ("B", "KiB", "MiB", "GiB").index(prefix) == value:
            return shown
        unit = "B"
    number = f"{int(value):,}" if value == int(value) else f"{value:,}"
    return f"{number} {unit}".strip()


def condition_text(expr: Any) -> str:
    """A condition on a metric in words with the threshold's unit (``error rate < 1 %``); any other
    condition as written."""
    name, op, value = getattr(expr, "path", ""), getattr(expr, "op", None), getattr(expr, "value", None)
    if (
        op in _COMPARISONS
        and get_metric(name) is not None
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return f"{metric_words(name)} {op} {threshold_text(name, value)}"
    return str(getattr(expr, "text", expr))


def verify_condition(spec: Any) -> str:
    """A verify step's condition and deadline: ``error rate < 1 % within 90s``."""
    return f"{condition_text(spec.expr)} within {spec.timeout:g}s"
