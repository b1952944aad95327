"""``{incident}`` in runbook templates: the id of the newest open incident (read only when used).

A silence's comment defaults to it (``default: "{incident|edge-console}"``), so Alertmanager shows which
incident a silence belongs to. Reading the incident store costs a directory listing and a few files, so
the builtin is computed on first use, never for flows that do not mention it.
"""

from __future__ import annotations

from typing import Any


def open_incident_id() -> str | None:
    """The newest open incident's id, or None (no state dir, no incident, unreadable files)."""
    try:
        from console.incident.store import IncidentStore
        from console.paths import state_dir

        store = IncidentStore(state_dir())
        ids = sorted(store.ids(), reverse=True)[:20]  # ids sort by date and number: newest first
        for incident_id in ids:
            try:
                incident = store.load(incident_id)
            except Exception:  # noqa: BLE001 - an unreadable incident is not the open one
                continue
            if incident.is_open and incident.started is not None:
                return incident.id
    except Exception:  # noqa: BLE001 - no incident known is "no value" (the template's fallback)
        return None
    return None


class LazyBuiltins(dict):
    """The template builtins; ``incident`` is looked up when first read."""

    def _fill(self) -> None:
        if "incident" not in self:
            value = open_incident_id()
            dict.__setitem__(self, "incident", value if value else "")

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "incident":
            self._fill()
        return dict.get(self, key, default)

    def __getitem__(self, key: Any) -> Any:
        if key == "incident":
            self._fill()
        return dict.__getitem__(self, key)
