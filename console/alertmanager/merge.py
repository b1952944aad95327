"""The console's own alerts next to Alertmanager's, one row where they are about the same metric (pure).

A console alert is anything with ``key`` (the metric), ``level`` (a ``State`` or its name) and
``describe()``: the TUI's :class:`console.incident.alerts.Alert` or a headless :class:`ConsoleAlert`.
An Alertmanager alert whose metric (:func:`console.alertmanager.mapping.metric_for_alert`) is a console
alert's joins that row (``source: both``); the others get rows of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from console.alertmanager.mapping import metric_for_alert
from console.alertmanager.model import AmAlert


@dataclass(frozen=True)
class ConsoleAlert:
    key: str
    level: str
    text: str
    since: float | None = None

    def describe(self) -> str:
        return self.text


@dataclass
class AlertRow:
    #: ``console``, ``alertmanager`` or ``both``
    source: str
    metric: str | None
    level: str
    text: str
    since: float | None = None
    alertmanager: list[AmAlert] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``firing``, or ``silenced``/``inhibited`` when every Alertmanager alert of the row is."""
        if self.source == "alertmanager" and self.alertmanager:
            states = {a.status_text for a in self.alertmanager}
            if len(states) == 1 and states <= {"silenced", "inhibited"}:
                return states.pop()
        return "firing"

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "metric": self.metric,
            "level": self.level,
            "text": self.text,
            "since": self.since,
            "status": self.status,
            "alertmanager": [a.as_json() for a in self.alertmanager],
        }


def _level_name(level: Any) -> str:
    name = getattr(level, "name", None) or str(level)
    return name.lower()


def _am_level(alert: AmAlert) -> str:
    severity = alert.labels.get("severity", "").lower()
    return severity if severity in ("critical", "warning", "info") else "warning"


def merge_alerts(console_alerts: Iterable[Any], am_alerts: Iterable[AmAlert]) -> list[AlertRow]:
    rows: list[AlertRow] = []
    by_metric: dict[str, AlertRow] = {}
    for alert in console_alerts:
        row = AlertRow("console", alert.key, _level_name(alert.level), alert.describe(), getattr(alert, "since", None))
        rows.append(row)
        by_metric.setdefault(alert.key, row)
    for alert in am_alerts:
        metric = metric_for_alert(alert)
        row = by_metric.get(metric) if metric is not None else None
        if row is not None:
            row.source = "both"
            row.alertmanager.append(alert)
            continue
        rows.append(AlertRow("alertmanager", metric, _am_level(alert), alert.describe(), alert.starts_at, [alert]))
    return rows
