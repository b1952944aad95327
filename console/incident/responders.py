"""Which runbook flow answers an alert on a metric (or health down): read from the runbook's ``responds_to``
(pure, no I/O, no Textual).

For each key of :data:`console.metrics.catalogue.RESPONDER_KEYS`:

1. a flow from a user runbook (not a built-in file) that lists the key in ``responds_to`` wins: an operator's
   own response replaces the built-in one (first in ``Runbook.responses_for`` order: diagnosis first);
2. else the catalogue's built-in response (``MetricDef.response``) when that flow declares ``responds_to`` for
   the key, or no flow does; when other built-in flows respond but not that one, the first of them. Several
   built-in flows respond to ``error_rate`` or ``cpu_time_ms`` (the Alertmanager mapping and the drill score
   read them all); the one an alert opens is the guided response the catalogue names, and ``tests/test_metric_catalogue.py`` checks that
   the shipped runbook's flow declares ``responds_to`` for it. Built-in flows that respond to a key without a
   catalogue response (``scale-workers`` for ``request_rate``) do not make it an alert response: a
   request-rate alert is answered by the DDoS rule in ``console.incident.respond``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from console.metrics import catalogue


@dataclass(frozen=True)
class Response:
    """The runbook response an alert points at."""

    flow_id: str
    title: str


def default_responses() -> dict[str, Response]:
    """The catalogue's built-in responses (used when no runbook is known, and per key when no user flow responds)."""
    out = {}
    for key in catalogue.RESPONDER_KEYS:
        default = catalogue.default_response(key)
        if default is not None:
            out[key] = Response(*default)
    return out


def _resolved(paths: Iterable[Any]) -> set[str]:
    out = set()
    for p in paths:
        try:
            out.add(str(Path(p).resolve()))
        except (OSError, RuntimeError):
            continue
    return out


def _is_builtin(flow: Any, builtin: set[str]) -> bool:
    file = getattr(flow, "file", None)
    if not file:
        return True
    return bool(_resolved([file]) & builtin)


def responses_from_runbook(runbook: Any, builtin_files: Iterable[Any] | None = None) -> dict[str, Response]:
    """key -> the flow that answers its alert (see the module doc); ``builtin_files`` defaults to the shipped
    runbook's files."""
    responses = default_responses()
    if runbook is None or not getattr(runbook, "flows", None):
        return responses
    if builtin_files is None:
        from console.runbook.loader import builtin_runbook_files

        builtin_files = builtin_runbook_files()
    builtin = _resolved(builtin_files)
    shipped: dict[Any, bool] = {}  # a flow's file -> built-in (each file resolved once: a flow per key shares it)

    def is_builtin(flow: Any) -> bool:
        file = getattr(flow, "file", None)
        if file not in shipped:
            shipped[file] = _is_builtin(flow, builtin)
        return shipped[file]

    for key in catalogue.RESPONDER_KEYS:
        flows = runbook.responses_for(key)
        user = [flow for flow in flows if not is_builtin(flow)]
        default = responses.get(key)
        if user:
            responses[key] = Response(user[0].id, user[0].title)
        elif default is not None and flows and all(flow.id != default.flow_id for flow in flows):
            responses[key] = Response(flows[0].id, flows[0].title)  # the runbook no longer names the default
    return responses
