"""Cache purges on the simulated edge (the zone's purge API and the edge's own admin purge) and the dip in the
cache hit ratio that follows each one.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock.
"""

from __future__ import annotations

import random
from typing import Any, Callable

PURGE_RECOVERY_S = 30.0


class CachePurges:
    def __init__(self) -> None:
        self.purges: list[dict[str, Any]] = []
        #: the latest dip: (start, floor, duration)
        self.dip: tuple[float, float, float] | None = None

    def hit_ratio(self, t: float, base: float) -> float:
        """The cache hit ratio at ``t``: ``base``, or on the way back to it after a purge."""
        if self.dip is None:
            return base
        start, floor, duration = self.dip
        elapsed = t - start
        if elapsed < 0 or elapsed >= duration:
            return base
        low = min(floor, base)
        return low + (base - low) * (elapsed / duration)

    def warming(self, now: float) -> bool:
        """The cache is refilling after a purge (the health check says ``warming``)."""
        dip = self.dip
        return dip is not None and 0 <= now - dip[0] < dip[2]

    def admin_purge(
        self, older_than: str, seconds: float, now: float, stamp: str, rng: random.Random
    ) -> dict[str, Any]:
        """``POST /admin/cache/purge``: entries older than ``seconds``; a short shallow dip."""
        days = seconds / 86400.0
        entries = int(1800 * min(days, 30) + rng.randint(0, 400))
        self.purges.append({"at": stamp, "kind": "admin", "older_than": older_than, "entries": entries})
        self.dip = (now, 0.82, 15.0)
        return {
            "success": True,
            "purged": entries,
            "bytes": entries * 5120,
            "older_than": older_than,
            "older_than_seconds": seconds,
            "timestamp": stamp,
        }

    def zone_purge(self, zone: str, kind: str, items: list[Any] | None, now: float, stamp: str) -> str:
        """The zone's ``purge_cache``: everything (a deep dip) or some files/tags/prefixes/hosts."""
        self.purges.append({"at": stamp, "kind": kind, "zone": zone, "items": list(items or [])[:50]})
        floor = 0.15 if kind == "purge_everything" else 0.6
        self.dip = (now, floor, PURGE_RECOVERY_S)
        return zone

    def snapshot(self, iso: Callable[[float], str]) -> dict[str, Any]:
        return {
            "purges": list(self.purges),
            "cache_dip": None
            if self.dip is None
            else {"since": iso(self.dip[0]), "floor": self.dip[1], "seconds": self.dip[2]},
        }
