"""Prometheus durations (``1h30m``, ``90s``, ``500ms``, ``2w``): parse and format (pure).

The syntax is Prometheus's own: one or more ``<integer><unit>`` terms, units from largest to smallest,
each at most once (``y w d h m s ms``; a year is 365 days). ``1h30m`` is 5400 s; ``30m1h`` and ``1.5h``
are refused, as Prometheus refuses them.
"""

from __future__ import annotations

import re

_UNITS = (
    ("y", 365 * 86400.0),
    ("w", 7 * 86400.0),
    ("d", 86400.0),
    ("h", 3600.0),
    ("m", 60.0),
    ("s", 1.0),
    ("ms", 0.001),
)
_DURATION = re.compile(
    "^"
    + "".join(f"(?:([0-9]{{1,9}}){unit}(?!s))?" if unit == "m" else f"(?:([0-9]{{1,9}}){unit})?" for unit, _ in _UNITS)
    + "$"
)
#: longer than any window the console asks for; a bigger number is a typo
MAX_SECONDS = 10 * 365 * 86400.0


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration; raises ValueError naming the text."""
    text = str(text).strip()
    match = _DURATION.match(text) if text and len(text) <= 64 else None
    if match is None or not any(match.groups()):
        raise ValueError(f"not a Prometheus duration: {text!r} (e.g. 30s, 5m, 1h30m)")
    seconds = sum(int(value) * size for value, (_, size) in zip(match.groups(), _UNITS) if value)
    if seconds <= 0:
        raise ValueError(f"duration must be longer than zero: {text!r}")
    if seconds > MAX_SECONDS:
        raise ValueError(f"duration too long: {text!r}")
    return seconds


def valid_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def format_duration(seconds: float) -> str:
    """The shortest Prometheus spelling of ``seconds`` (``5400`` -> ``1h30m``; ``0.5`` -> ``500ms``)."""
    millis = int(round(seconds * 1000))
    if millis <= 0:
        return "0s"
    parts = []
    for unit, size in _UNITS:
        size_ms = int(round(size * 1000))
        count, millis = divmod(millis, size_ms)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
