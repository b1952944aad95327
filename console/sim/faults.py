"""The simulator's injected faults: what ``POST /admin/faults`` accepts and checks.

Pure: :func:`checked_faults` returns the new fault settings; :class:`console.sim.state.SimState` applies the
keys that change state instead (``gh_run``: the next runs' conclusion; ``custom_entrypoint``: the zone's rules).
"""

from __future__ import annotations

from typing import Any

from console.sim.errors import SimError

#: Cloudflare status page indicator -> description
CF_STATUS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
FAULT_METRICS = ("none", "500", "html", "truncated", "garbage", "slow")
FAULT_HEALTH = ("none", "down", "slow")
FAULT_KEYS = ("metrics", "health", "slow_seconds", "gh_run", "cf_status", "queues_list", "custom_entrypoint")
DEFAULT_FAULTS: dict[str, Any] = {"metrics": "none", "health": "none", "slow_seconds": 5.0, "cf_status": "none"}


def check_keys(body: Any) -> None:
    """The body is an object of known fault keys (checked before the simulator's lock is taken)."""
    if not isinstance(body, dict):
        raise SimError('expected a JSON object such as {"metrics": "500"}')
    unknown = set(body) - set(FAULT_KEYS)
    if unknown:
        raise SimError(f"unknown fault keys: {', '.join(sorted(unknown))} (known: {', '.join(FAULT_KEYS)})")
    if "custom_entrypoint" in body and body["custom_entrypoint"] not in ("missing", "present"):
        raise SimError(
            'custom_entrypoint: expected "missing" (a zone that never had custom rules: no entry '
            'point ruleset) or "present" (the seeded one with the geo rule)'
        )


def checked_faults(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``current`` with the body's lasting faults applied; SimError naming the first bad value."""
    new = dict(current)
    if "metrics" in body:
        value = body["metrics"]
        ok = isinstance(value, str) and (
            value in FAULT_METRICS or (value.startswith("missing:") and len(value) > len("missing:"))
        )
        if not ok:
            raise SimError(f"metrics: unknown fault {value!r} (known: {', '.join(FAULT_METRICS)}, missing:<family>)")
        new["metrics"] = value
    if "health" in body:
        if body["health"] not in FAULT_HEALTH:
            raise SimError(f"health: unknown fault {body['health']!r} (known: {', '.join(FAULT_HEALTH)})")
        new["health"] = body["health"]
    if "slow_seconds" in body:
        value = body["slow_seconds"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 120:
            raise SimError("slow_seconds: expected a number of seconds between 0 and 120")
        new["slow_seconds"] = float(value)
    if "cf_status" in body:
        if body["cf_status"] not in CF_STATUS:
            raise SimError(f"cf_status: expected one of {', '.join(CF_STATUS)}")
        new["cf_status"] = body["cf_status"]
    if "queues_list" in body:  # "forbidden": the API token lacks Queues read (GET .../queues is a 403)
        if body["queues_list"] not in ("none", "forbidden"):
            raise SimError('queues_list: expected "none" or "forbidden"')
        new["queues_list"] = body["queues_list"]
    return new


def check_gh_run(value: Any) -> str:
    if value not in ("success", "failure"):
        raise SimError('gh_run: expected "success" or "failure" (conclusion of the next runs)')
    return value
