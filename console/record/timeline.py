"""``ReplayTimeline``: the virtual clock a replay runs on, over a :class:`~console.record.reader.Recording`.

Nothing here sleeps: the UI advances it by the real time between its frames times the speed
(``advance(real_s)``), tests by any amount. ``seek`` moves anywhere (``[``/``]`` a minute); ``next_mark``
finds the next alert change or flow step. Every move returns the records that became due, in order.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from console.record.encode import ALERTS, FLOW, INCIDENT, POLL, TAIL

SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
MAX_SPEED = 1000.0


@dataclass
class Seeked:
    """What the UI needs after a jump: the polls up to the new position (to rebuild history and the
    alert engine), the tail events still in view, and the records due at the position itself."""

    polls: list[Any]
    tail: list[dict[str, Any]]


class ReplayTimeline:
    def __init__(self, records: list[dict[str, Any]], *, start: float | None = None, speed: float = 1.0) -> None:
        self.records = records
        self.times = [float(r["t"]) for r in records]
        self.begin = self.times[0] if self.times else 0.0
        self.end = self.times[-1] if self.times else 0.0
        self.speed = clamp_speed(speed)
        self.paused = False
        self.now = self.begin if start is None else min(max(start, self.begin), self.end)
        #: index of the next record not yet delivered
        self.cursor = bisect.bisect_left(self.times, self.now) if start is not None else 0

    # -- moving --------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.cursor >= len(self.records)

    def advance(self, real_s: float) -> list[dict[str, Any]]:
        """Move by ``real_s`` seconds of real time at the current speed (nothing while paused)."""
        if self.paused or real_s <= 0:
            return []
        return self.advance_to(self.now + real_s * self.speed)

    def advance_to(self, t: float) -> list[dict[str, Any]]:
        """Every record with a time up to ``t`` not yet delivered; the clock moves to ``t``."""
        t = min(t, self.end) if self.records else t
        end = bisect.bisect_right(self.times, t)
        due = self.records[self.cursor : end]
        self.cursor = max(self.cursor, end)
        self.now = max(self.now, t)
        return due

    def seek(self, t: float, *, tail_keep: int = 1000, poll_keep: int = 240) -> Seeked:
        """Jump to ``t`` (clamped to the recording). Returns the state the screen rebuilds from: the
        last ``poll_keep`` polls and ``tail_keep`` tail events at or before ``t``."""
        t = min(max(t, self.begin), self.end)
        end = bisect.bisect_right(self.times, t)
        polls: list[Any] = []
        tail: list[dict[str, Any]] = []
        for record in reversed(self.records[:end]):
            kind = record["k"]
            if kind == POLL and len(polls) < poll_keep:
                polls.append(record["_poll"])
            elif kind == TAIL and len(tail) < tail_keep:
                tail.append(record)
            if len(polls) >= poll_keep and len(tail) >= tail_keep:
                break
        polls.reverse()
        tail.reverse()
        self.cursor = end
        self.now = t
        return Seeked(polls=polls, tail=tail)

    def next_mark(self, after: float | None = None) -> float | None:
        """The time of the next alert change or flow step (or incident entry) after ``after``."""
        after = self.now if after is None else after
        previous_alerts: Any = None
        for i in range(len(self.records)):
            record = self.records[i]
            if record["k"] == ALERTS:
                signature = [(a.get("key"), a.get("level")) for a in record.get("alerts", [])]
                changed = signature != previous_alerts
                previous_alerts = signature
                if changed and self.times[i] > after and signature:
                    return self.times[i]
            elif record["k"] in (FLOW, INCIDENT) and self.times[i] > after:
                return self.times[i]
        return None

    # -- controls ------------------------------------------------------------------------------
    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        return self.paused

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        return self.speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        return self.speed


def clamp_speed(speed: float) -> float:
    try:
        speed = float(speed)
    except (TypeError, ValueError):
        return 1.0
    if not speed > 0:  # also NaN
        return 1.0
    return min(speed, MAX_SPEED)


def parse_from(text: str, begin: float, end: float) -> float:
    """``--from``: an offset from the start (``90``, ``90s``, ``5m``, ``1h``, ``+5m``), a UTC time of
    day (``12:03`` or ``12:03:30``, on the recording's day) or an ISO timestamp."""
    from datetime import datetime, timezone

    raw = text.strip()
    units = {"s": 1, "m": 60, "h": 3600}
    body = raw[1:] if raw.startswith("+") else raw
    try:
        if body and body[-1] in units:
            return begin + float(body[:-1]) * units[body[-1]]
        return begin + float(body)
    except ValueError:
        pass
    day = datetime.fromtimestamp(begin, timezone.utc)
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            clock = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return day.replace(hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=0).timestamp()
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--from {raw[:40]!r}: expected an offset (90s, 5m), a UTC time (12:03:30) or an ISO timestamp"
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()
