"""The dashboard: key metrics, queues, security blocks and the log tail area."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Footer, Static

from console.format import format_duration
from screens.base import EdgeScreen
from widgets.health_pane import HealthPane
from widgets.metrics_pane import MetricsPane
from widgets.queue_pane import QueuePane
from widgets.security_pane import SecurityPane


class DashboardScreen(EdgeScreen):
    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Container(id="dashboard"):
            with Vertical(id="main-col"):
                yield MetricsPane(id="metrics-pane")
                yield HealthPane(id="health-pane")
            with Vertical(id="side"):
                yield QueuePane(id="queue-pane")
                yield SecurityPane(id="security-pane")
            with Container(id="log-area", classes="pane"):
                yield Static("log tail: starting…", id="log-placeholder")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#log-area").border_title = "Log tail"

    def apply_result(self, result: Any) -> None:
        super().apply_result(result)
        self.query_one(HealthPane).show(result.health)
        metrics_pane = self.query_one(MetricsPane)
        derived = result.derived
        source = result.metrics
        if source.state in ("live", "connecting") or source.error is None:
            metrics_pane.border_subtitle = ""
        else:
            age = source.age(self.app.clock())  # type: ignore[attr-defined]
            when = f"last good {format_duration(age)} ago" if age is not None else "no good scrape yet"
            metrics_pane.border_subtitle = f"{source.state.upper()}: {source.error} · {when}"
        if derived is None:
            return
        metrics_pane.show(derived.metrics, self.app.history)  # type: ignore[attr-defined]
        self.query_one(QueuePane).show(derived.queues)
        self.query_one(SecurityPane).show(derived.security, derived.security_per_s, derived.security_total,
                                          derived.rate_limit_violations_per_s)
