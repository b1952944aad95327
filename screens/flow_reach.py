"""How flows are reached from the dashboard: moved to the application layer, :mod:`console.app.flows`
(no Textual); re-exported here so older imports keep working."""

from __future__ import annotations

from console.app.flows import (  # noqa: F401 - re-exported
    RESPONSE_ORDER,
    ResponseChoice,
    resolve_target,
    section_slug,
    worst_metric,
)
