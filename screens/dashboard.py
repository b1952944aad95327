"""The dashboard: key metrics, queues, security blocks and the log tail area."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Static

from console.format import format_duration
from screens.base import EdgeScreen
from screens.messages import FleetUpdated
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.health_pane import HealthPane
from widgets.keybindings import bindings
from widgets.metrics_pane import MetricsPane
from widgets.plain import plain
from widgets.queue_pane import QueuePane
from widgets.security_pane import SecurityPane


class DashboardScreen(EdgeScreen):
    BINDINGS = bindings("dashboard")

    #: show fleet-wide numbers from Prometheus instead of the one endpoint's
    fleet_view = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_fleet", "history_window"):
            return bool(self.app.session.env.prometheus_url)  # type: ignore[attr-defined]
        return True

    def action_history_window(self) -> None:
        """``h``: Prometheus history over the last hour, overnight (12 h) or a day (24 h)."""
        from screens.monitoring_app import cycle_history_window

        window = cycle_history_window(self.app)
        self.notify(
            f"History: last {window} from Prometheus (fleet view sparklines, overnight review)", timeout=4, markup=False
        )

    def action_toggle_fleet(self) -> None:
        self.fleet_view = not self.fleet_view
        pane = self.query_one(MetricsPane)
        pane.border_title = "Key metrics"
        self._metrics_subtitle = None  # the fleet view wrote its own: set it again
        if self.app.last_result is not None:  # type: ignore[attr-defined]
            self.apply_result(self.app.last_result)  # type: ignore[attr-defined]
        self.show_fleet()

    def on_fleet_updated(self, message: FleetUpdated) -> None:
        self.show_fleet()

    def show_fleet(self) -> None:
        fleet = self.app.fleet_result  # type: ignore[attr-defined]
        if not self.fleet_view:
            return
        pane = self.query_one(MetricsPane)
        if fleet is None:
            pane.border_title = "Key metrics · fleet (Prometheus): waiting"
            return
        targets = "?" if fleet.targets is None else str(fleet.targets)
        window = self.app.prom_window  # type: ignore[attr-defined]
        pane.border_title = f"Key metrics · fleet, {targets} targets" + (f" · {window}" if window else "")
        source = fleet.source
        down = getattr(fleet, "down_targets", ())
        advice = [f"DOWN {len(down)}: " + ", ".join(down[:5]) + (" …" if len(down) > 5 else "")] if down else []
        advice += list(getattr(fleet, "warnings", ()))
        if source.state == "live" and not source.error:
            pane.border_subtitle = plain(" · ".join(advice)) if advice else ""
        else:
            age = source.age(self.app.clock())  # type: ignore[attr-defined]
            when = f"last good {format_duration(age)} ago" if age is not None else "no good answer yet"
            pane.border_subtitle = plain(f"PROMETHEUS {source.state.upper()}: {source.error} · {when}")
        from screens.monitoring_app import prometheus_series

        spark_w = max(2, pane.size.width - 4 - 33)  # the rows' sparkline width (widgets/metrics_pane.py)
        history = {
            key: prometheus_series(self.app, key, spark_w) or series for key, series in self.app.fleet_history.items()
        }  # type: ignore[attr-defined]
        pane.show(fleet.metrics, history)

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
        self.app.after_first_frame(self._start_panes)  # type: ignore[attr-defined]  # start-up time

    def _start_panes(self) -> None:
        if not self.is_attached:
            return
        from screens.log_view import mount_log_pane

        mount_log_pane(self)  # the live wrangler tail pane; `l` opens the full-screen log view
        from screens.flow_app import install_flow_keys

        install_flow_keys(self)  # runbook single-key flows, r respond, audit
        from screens.monitoring_app import mount_alerts_pane

        mount_alerts_pane(self)  # console + Alertmanager alerts, when alertmanager_url is configured

    #: the log area's least height (themes/edge.tcss #log-area min-height)
    LOG_MIN_HEIGHT = 4
    #: a pane's border: top and bottom
    BORDER_LINES = 2

    def _fit_side_panes(self, queue_lines: int, security_lines: int) -> None:
        """The side column (queues over security) gets the height the grid's first row can have while
        the log area keeps its least height. A pane that cannot have all its lines lists its worst rows
        (the core sorts them first) and one line saying how many more and their worst state; with less
        room than that it shows one summary line with its worst state. Nothing is cut off."""
        area = self._pane("#dashboard")
        height = area.size.height
        queues, security = self._pane(QueuePane), self._pane(SecurityPane)
        if not height:
            queues.max_lines = security.max_lines = None
            return
        budget = height - self.LOG_MIN_HEIGHT - 2 * self.BORDER_LINES
        if queue_lines + security_lines <= budget:
            queues.max_lines = security.max_lines = None
            return
        half = budget // 2
        queues.max_lines = max(1, min(queue_lines, half if security_lines > half else budget - security_lines))
        security.max_lines = max(1, budget - queues.max_lines)

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)  # the panes fit the new size

    def _refit(self) -> None:
        if self.is_attached and self.query(HealthPane) and self.query("#dashboard"):  # not while closing
            self.restyle()

    def action_open_log(self) -> None:
        from screens.log_view import open_log_view

        open_log_view(self.app)

    def _pane(self, what: Any) -> Any:
        """A composed pane (a class or a selector), looked up once: each poll used six DOM queries,
        each walking the screen's widgets; looked up again if it was removed."""
        panes = self.__dict__.setdefault("_panes", {})
        pane = panes.get(what)
        if pane is None or not pane.is_attached:
            pane = panes[what] = self.query_one(what)
        return pane

    def apply_result(self, result: Any) -> None:
        super().apply_result(result)
        self._pane(HealthPane).show(result.health)
        tail = self.app.tail  # type: ignore[attr-defined]
        if tail is not None:
            tail.glance_frame()  # the log pane's new events in this poll's frame
        derived = result.derived
        if self.fleet_view:
            self._show_side_panes(derived)
            return
        metrics_pane = self._pane(MetricsPane)
        source = result.metrics
        if source.error is None or source.state == "connecting":
            subtitle = ""
        elif source.state == "live":  # answered, but something is off (missing families)
            subtitle = str(source.error)
        else:
            age = source.age(self.app.clock())  # type: ignore[attr-defined]
            when = f"last good {format_duration(age)} ago" if age is not None else "no good scrape yet"
            subtitle = f"{source.state.upper()}: {source.error} · {when}"
        # the start-up's early rates (console/sources/early.py) are marked until a full window
        short = self.app.window_mark.note(derived, self.app.refresh_seconds)  # type: ignore[attr-defined]
        if short:
            subtitle = f"{subtitle} · {short}" if subtitle else short
        # setting a border title repaints the whole pane, borders included: only when it changes
        if subtitle != getattr(self, "_metrics_subtitle", ""):
            self._metrics_subtitle = subtitle
            metrics_pane.border_subtitle = plain(subtitle)  # outside text: escaped, never markup
        if derived is None:
            return
        metrics_pane.show(derived.metrics, self.app.history, now=self.app.clock())  # type: ignore[attr-defined]
        self._show_side_panes(derived)

    def _show_side_panes(self, derived: Any) -> None:
        if derived is None:
            return
        self._fit_side_panes(
            len(derived.queues) + (1 if derived.queues_more else 0),
            len(derived.security) + (1 if derived.security_more else 0) + 1,
        )
        self._pane(QueuePane).show(derived.queues, more=derived.queues_more, unread=derived.queues_unread)
        self._pane(SecurityPane).show(
            derived.security,
            derived.security_per_s,
            derived.security_total,
            derived.rate_limit_violations_per_s,
            more=derived.security_more,
            unread=derived.security_unread,
        )
