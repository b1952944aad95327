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
from themes.look import state_label, state_style, state_tint, theme_of
from console.metrics.catalogue import METRICS

STATE_CLASSES = {s: f"state-{s.value}" for s in State}


class MetricRow(Static):
    """One metric on one line. Only re-renders when its text or state changes."""

    #: a row starts in the state it shows first ("waiting for data": unknown), so drawing it the first
    #: time changes no class (a class change restyles the node: ~2 ms a row before the first frame)
    DEFAULT_CLASSES = f"metric-row {STATE_CLASSES[State.UNKNOWN]}"

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

    def set_metric(self, metric: MetricValue | None, history: Sequence[float | None], now: float | None = None) -> None:
        self.metric = metric
        self.history = history
        self.stale_age = None
        if metric is not None and metric.stale:
            self.stale_age = (now - metric.as_of) if (now is not None and metric.as_of is not None) else -1.0
        self._render_row()

    def _render_row(self, force: bool = False) -> None:
        width = self.size.width or 40
        metric = self.metric
        theme = theme_of(self)
        if metric is None or metric.value is None:
            state = metric.state if metric is not None else State.UNKNOWN
            note = (metric.note if metric is not None else "") or "waiting for data"
            signature: tuple = ("note", note, state, width, theme)
        else:
            state = metric.state
            if self.stale_age is not None:
                age = format_duration(self.stale_age) if self.stale_age >= 0 else "?"
                spark = f"stale {age}"
            else:
                spark = sparkline(self.history, max(0, width - FULL_WIDTH))
            signature = (format_value(metric.value, metric.unit), state, spark, width, theme)
        if signature == self._signature and not force:
            return
        self._signature = signature
        stale = self.stale_age is not None
        if signature[0] == "note":
            text = row_text(width, self.label, self.key, signature[1], state, "", self, note=True)
        else:
            text = row_text(width, self.label, self.key, signature[0], state, signature[2], self, stale=stale)
        state_class = STATE_CLASSES[state]
        if not self.has_class(state_class):  # a class change restyles the node: only when the state moves
            # one batch: one restyle (remove_class then add_class restyled the row twice)
            self.update_classes({name: name == state_class for name in STATE_CLASSES.values()})
        self.update(text, layout=False)  # one fixed line: no layout pass


#: label, value and state at full width (the sparkline takes the rest)
LABEL_W, VALUE_W, STATE_W = 15, 11, 6
FULL_WIDTH = LABEL_W + VALUE_W + 1 + STATE_W + 1
#: labels for narrow panes (at most 8 cells): the catalogue's short labels
SHORT_LABELS = {m.key: m.short for m in METRICS}


def row_text(
    width: int,
    label: str,
    key: str,
    value: str,
    state: State,
    spark: str,
    node: object,
    *,
    stale: bool = False,
    note: bool = False,
) -> Text:
    """One metric row in ``width`` cells: label, value (or a note such as "no traffic"), state symbol and
    word, sparkline. What survives as the row narrows, in order: the state, the value, the label
    (shortened, then cut), the sparkline."""
    style = state_style(node, state)
    if width < STATE_W:  # not even the mark and word: the word alone
        return Text(state.symbol[:width], style=style, no_wrap=True, overflow="crop")
    rest = width - STATE_W
    value_w = min(max(VALUE_W, len(value)), max(0, rest - 1))
    label_room = max(0, rest - value_w - 2)
    if label_room >= LABEL_W:
        label_text = label
        label_w = LABEL_W
    else:
        short = SHORT_LABELS.get(key, label)
        label_text = (label if len(label) <= label_room else short)[:label_room]
        label_w = label_room
    text = Text(no_wrap=True, overflow="crop")
    if label_w:
        text.append(f"{label_text:<{label_w}} ")
    if value_w:
        value_style = "dim italic" if note else ("dim" if stale else "bold")
        text.append(f"{value[:value_w]:>{value_w}} ", style=value_style)
    text.append(state_label(state), style=style)
    spark_room = width - text.cell_len - 1
    if spark_room > 0 and spark:
        text.append(" ")
        text.append(spark[-spark_room:], style="dim italic" if stale else state_tint(node, state))
    return text


class MetricsPane(Vertical):
    """All key metrics; fed with ``show(metrics, history)``."""

    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "Key metrics"
        self._rows: list[MetricRow] = []

    def compose(self) -> ComposeResult:
        for key, (label, _unit) in KEY_METRICS.items():
            yield MetricRow(key, label, id=f"metric-{key}")

    def show(
        self,
        metrics: Mapping[str, MetricValue],
        history: Mapping[str, Sequence[float | None]],
        now: float | None = None,
    ) -> None:
        if not self._rows or self._rows[0].parent is not self:  # composed once: no DOM query per poll
            self._rows = list(self.query(MetricRow))
        for row in self._rows:
            row.set_metric(metrics.get(row.key), history.get(row.key, ()), now)
