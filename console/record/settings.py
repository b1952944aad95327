"""The ``record:`` config section: ``auto_on_incident`` (default true: the TUI starts recording when an
incident opens, or when one is resumed, and the report links the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordSettings:
    auto_on_incident: bool = True


def record_settings(config: Any) -> RecordSettings:
    """Read and validate ``record:``; raises ConfigError naming the file, line and key."""
    section = config.section("record") if config is not None else None
    if section is None:
        return RecordSettings()
    if not isinstance(section, dict):
        raise config.error_at(("record",), "expected a mapping with auto_on_incident")
    for key in section:
        if key != "auto_on_incident":
            raise config.error_at(("record", str(key)), "unknown key (known: auto_on_incident)")
    auto = section.get("auto_on_incident", True)
    if not isinstance(auto, bool):
        raise config.error_at(("record", "auto_on_incident"), f"expected true or false, got {auto!r}")
    return RecordSettings(auto_on_incident=auto)
