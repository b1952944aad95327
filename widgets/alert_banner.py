"""The alert banner: active alerts, worst first, with the keys that act on them. Hidden when quiet."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from console.incident.alerts import Alert
from console.metrics.thresholds import State

LEVEL_STYLE = {State.CRITICAL: "bold white on red", State.WARNING: "bold black on yellow"}


def banner_text(alerts: Sequence[Alert]) -> Text:
    text = Text()
    if not alerts:
        return text
    top = alerts[0]
    text.append(f" ALERT {top.level.symbol} ", style=LEVEL_STYLE.get(top.level, "bold"))
    text.append(" " + top.describe().split(" ", 1)[1])
    if top.acknowledged:
        text.append(" [acked]", style="dim")
    if len(alerts) > 1:
        others = ", ".join(f"{a.level.symbol} {a.label}" for a in alerts[1:])
        text.append(f"  +{len(alerts) - 1}: {others}")
    keys = "  a ack · R runbook · i incident" if not top.acknowledged else "  R runbook · i incident"
    text.append(keys, style="dim")
    return text


class AlertBanner(Static):
    """Fed by :meth:`show_alerts` with the engine's active alerts; never fetches anything."""

    DEFAULT_CLASSES = "alert-banner"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.alerts: list[Alert] = []

    def on_mount(self) -> None:
        self.display = bool(self.alerts)

    def show_alerts(self, alerts: Sequence[Alert]) -> None:
        self.alerts = list(alerts)
        self.display = bool(self.alerts)
        self.set_class(bool(self.alerts) and self.alerts[0].level == State.CRITICAL, "state-critical")
        self.set_class(bool(self.alerts) and self.alerts[0].level == State.WARNING, "state-warning")
        self.set_class(bool(self.alerts) and all(a.acknowledged for a in self.alerts), "acknowledged")
        self.update(banner_text(self.alerts))
