"""The simulator's time formats: ISO 8601 UTC stamps and ``"7d"``-style durations."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from console.sim.errors import SimError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_seconds(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """The epoch seconds of an :func:`iso` stamp."""
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def parse_duration(text: Any) -> float:
    """``"7d"`` -> seconds; raises SimError naming the accepted forms."""
    if not isinstance(text, str):
        raise SimError(f'older_than must be a string such as "7d", got {type(text).__name__}')
    m = _DURATION.match(text)
    if not m:
        raise SimError(f'older_than: cannot read {text!r}; use a number and a unit s, m, h, d or w (e.g. "7d")')
    return float(m.group(1)) * _UNIT_S[m.group(2)]
