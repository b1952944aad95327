"""The simulated zone's settings (security level, cache level, ...) and the history of their changes.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock.
"""

from __future__ import annotations

from typing import Any

from console.sim.errors import SimError
from console.sim.scenarios import SECURITY_LEVELS

SETTING_DEFAULTS: dict[str, Any] = {
    "security_level": "medium",
    "cache_level": "aggressive",
    "development_mode": "off",
    "always_online": "on",
    "browser_check": "on",
}
SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "security_level": SECURITY_LEVELS,
    "cache_level": ("bypass", "basic", "simplified", "aggressive", "cache_everything"),
    "development_mode": ("on", "off"),
    "always_online": ("on", "off"),
    "browser_check": ("on", "off"),
}


class ZoneSettings:
    def __init__(self, zone_id: str) -> None:
        self.zone_id = zone_id
        #: zone -> setting -> {"value", "modified_on"}
        self.settings: dict[str, dict[str, dict[str, Any]]] = {
            zone_id: {k: {"value": v, "modified_on": None} for k, v in SETTING_DEFAULTS.items()}
        }
        self.history: list[dict[str, Any]] = []

    def security_level(self) -> str:
        return self.settings[self.zone_id]["security_level"]["value"]

    def get(self, zone: str, setting: str) -> dict[str, Any]:
        entry = self.settings[zone][setting]
        return {"id": setting, "value": entry["value"], "editable": True, "modified_on": entry["modified_on"]}

    @staticmethod
    def check(setting: str, value: Any) -> None:
        allowed = SETTING_VALUES.get(setting, ())
        if value not in allowed:
            raise SimError(f"Invalid value for zone setting {setting}: {value!r} (allowed: {', '.join(allowed)})")

    def set(self, zone: str, setting: str, value: Any, stamp: str) -> dict[str, Any]:
        entry = self.settings[zone][setting]
        previous = entry["value"]
        entry["value"] = value
        entry["modified_on"] = stamp
        self.history.append({"at": stamp, "zone": zone, "setting": setting, "previous": previous, "value": value})
        return self.get(zone, setting)

    def snapshot(self) -> dict[str, Any]:
        return {
            "security_level": self.security_level(),
            "zone_settings": {z: {k: dict(v) for k, v in s.items()} for z, s in self.settings.items()},
            "setting_history": list(self.history),
        }
