"""The key metrics: value, unit, state word and colour, and a one-line sparkline each."""

from __future__ import annotations

from typing import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from console.format import format_value, sparkline
from console.metrics.model import KEY_METRICS, MetricValue
from console.metrics.thresholds import State

STATE_CLASSES = {s: f"state-{s.value}" for s in State}


class MetricRow(Static):
    """One metric on one line. Only re-renders when its text or state changes."""

    DEFAULT_CLASSES = "metric-row"

    def __init__(self, key: str, label: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.key = key
        self.label = label
        self.metric: MetricValue | None = None
        self.history: Sequence[float | None] = ()
        self._signature: tuple | None = None

    def on_resize(self) -> None:
        self._render_row(force=True)

    def set_metric(self, metric: MetricValue | None, history: Sequence[float | None]) -> None:
        self.metric = metric
        self.history = history
        self._render_row()

    def _render_row(self, force: bool = False) -> None:
        width = self.size.width or 40
        metric = self.metric
        label_w = 15
        value_w = 12
        state_w = 5
        spark_w = max(0, width - label_w - value_w - state_w - 3)
        if metric is None:
            value_text, state, note = "—", State.UNKNOWN, "waiting for data"
        else:
            value_text, state, note = format_value(metric.value, metric.unit), metric.state, metric.note
        spark = sparkline(self.history, spark_w) if metric is not None and metric.value is not None else ""
        tail = spark if spark.strip() else note
        signature = (value_text, state, tail[:spark_w], width)
        if signature == self._signature and not force:
            return
        self._signature = signature
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{self.label:<{label_w}}")
        text.append(f"{value_text:>{value_w}} ", style="bold")
        text.append(f"{state.symbol:<{state_w}}", style=f"bold {state_style(state)}")
        text.append(" ")
        text.append(tail[:spark_w], style=state_style(state) if spark else "dim italic")
        for cls in STATE_CLASSES.values():
            self.remove_class(cls)
        self.add_class(STATE_CLASSES[state])
        self.update(text)


def state_style(state: State) -> str:
    return {State.NORMAL: "green", State.WARNING: "yellow", State.CRITICAL: "red", State.UNKNOWN: "dim"}[state]


class MetricsPane(Vertical):
    """All key metrics; fed with ``show(metrics, history)``."""

    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Key metrics"

    def compose(self) -> ComposeResult:
        for key, (label, _unit) in KEY_METRICS.items():
            yield MetricRow(key, label, id=f"metric-{key}")

    def show(self, metrics: Mapping[str, MetricValue], history: Mapping[str, Sequence[float | None]]) -> None:
        for row in self.query(MetricRow):
            row.set_metric(metrics.get(row.key), history.get(row.key, ()))
