"""Text formatting shared by the TUI and the headless commands (pure functions)."""

from __future__ import annotations

import math
from typing import Iterable

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def format_value(value: float | None, unit: str) -> str:
    """A short human value with its unit: ``1.2k req/s``, ``0.42 %``, ``87 ms``, ``64.0 MiB``."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
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


def format_duration(seconds: float | None) -> str:
    """``45s``, ``3m05s``, ``2h04m``, ``3d02h``; None -> ``—``."""
    if seconds is None or math.isnan(seconds):
        return "—"
    seconds = int(round(max(0.0, seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


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
