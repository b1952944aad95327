"""The key metrics: value, unit, state word and colour, and a one-line sparkline each."""

from __future__ import annotations

from typing import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from console.format import format_duration, format_value, sparkline
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
        #: age in seconds when the value is a carried-over last good one (its family went missing)
        self.stale_age: float | None = None

    def on_resize(self) -> None:
        self._render_row(force=True)

    def set_metric(self, metric: MetricValue | None, history: Sequence[float | None],
                   now: float | None = None) -> None:
        self.metric = metric
        self.history = history
        self.stale_age = None
        if metric is not None and metric.stale:
            self.stale_age = (now - metric.as_of) if (now is not None and metric.as_of is not None) else -1.0
        self._render_row()

    def _render_row(self, force: bool = False) -> None:
        width = self.size.width or 40
        metric = self.metric
        label_w, value_w, state_w = 15, 11, 5
        spark_w = max(0, width - label_w - value_w - state_w - 2)
        if metric is None or metric.value is None:
            state = metric.state if metric is not None else State.UNKNOWN
            note = (metric.note if metric is not None else "") or "waiting for data"
            signature: tuple = ("note", note, state, width)
        else:
            state = metric.state
            if self.stale_age is not None:
                age = format_duration(self.stale_age) if self.stale_age >= 0 else "?"
                spark = f"stale {age}"[:spark_w]
            else:
                spark = sparkline(self.history, spark_w)
            signature = (format_value(metric.value, metric.unit), state, spark, width)
        if signature == self._signature and not force:
            return
        self._signature = signature
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{self.label:<{label_w}}")
        if signature[0] == "note":
            text.append(f"{signature[1]:>{value_w}}", style="dim italic")
        else:
            value_text, _, spark, _ = signature
            stale = self.stale_age is not None
            text.append(f"{value_text:>{value_w}} ", style="dim" if stale else "bold")
            text.append(f"{state.symbol:<{state_w}}", style=f"bold {state_style(state)}")
            text.append(spark, style="dim italic" if stale else state_style(state))
        state_class = STATE_CLASSES[state]
        if not self.has_class(state_class):  # a class change restyles the node: only when the state moves
            self.remove_class(*STATE_CLASSES.values())
            self.add_class(state_class)
        self.update(text, layout=False)  # one fixed line: no layout pass


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

    def show(self, metrics: Mapping[str, MetricValue], history: Mapping[str, Sequence[float | None]],
             now: float | None = None) -> None:
        for row in self.query(MetricRow):
            row.set_metric(metrics.get(row.key), history.get(row.key, ()), now)
