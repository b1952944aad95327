"""Text formatting shared by the TUI and the headless commands (pure functions)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Iterable

SPARK_CHARS = "▁▂▃▄▅▆▇█"
#: How every screen, command and report shows a value that is not there (no scrape yet, no traffic, NaN):
#: one cell wide (fits the 60-column layout), not a digit, so it cannot be read as 0, and not a hyphen, so
#: it cannot be read as a minus sign or the runbook's "no thresholds" mark ``-``.
MISSING = "—"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def format_value(value: float | None, unit: str) -> str:
    """A short human value with its unit: ``1.2k req/s``, ``0.42 %``, ``87 ms``, ``64.0 MiB``; a missing
    value is :data:`MISSING`. The one value formatter (``console.metrics.catalogue.format_metric`` picks the
    unit by metric key)."""
    if _missing(value):
        return MISSING
    if unit == "bytes":
        return format_bytes(value)
    if unit == "%":
        return f"{value:.2f} %" if value < 10 else f"{value:.1f} %"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit in ("req/s", "/s"):
        return f"{compact(value)} {unit}"
    return f"{compact(value)} {unit}".strip()


def compact(value: float) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{sign}{value / 1000:.1f}k"
    if value >= 100 or value == int(value):
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:.1f}"


def format_bytes(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


def format_duration(elapsed: timedelta | float | None) -> str:
    """An elapsed time: ``45s``, ``12m 03s``, ``1h 05m``, ``2d 3h``; negative values get a leading minus;
    None or NaN -> :data:`MISSING`. The one formatter for elapsed times (ages, ETAs, incident clocks);
    Prometheus durations (``1h30m``) are ``console.metrics.promduration``'s job."""
    seconds = elapsed.total_seconds() if isinstance(elapsed, timedelta) else elapsed
    if _missing(seconds):
        return MISSING
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    days, rem = divmod(s, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def sparkline(values: Iterable[float | None], width: int = 24) -> str:
    """The last ``width`` values as block characters scaled between their min and max (a gap for None,
    empty without data). The scale spans at least 10% of the largest magnitude, so the jitter of a steady
    value stays flat instead of looking like a spike."""
    points = list(values)[-width:] if width > 0 else []
    numbers = [v for v in points if v is not None and not math.isnan(v)]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    floor = 0.1 * max(abs(low), abs(high))
    if high - low < floor:
        middle = (high + low) / 2
        low, high = middle - floor / 2, middle + floor / 2
    span = high - low
    top = len(SPARK_CHARS) - 1
    out = []
    for v in points:
        if v is None or math.isnan(v):
            out.append(" ")
        elif span <= 0:
            out.append(SPARK_CHARS[len(SPARK_CHARS) // 2])
        else:
            out.append(SPARK_CHARS[min(top, int((v - low) / span * top + 0.5))])
    return "".join(out)
