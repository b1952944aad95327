"""The key metrics: value, unit, state word and colour, and a one-line sparkline each. The rows are
drawn by one widget (``MetricRows``): an idle poll costs one widget update and one repaint, not seven."""

from __future__ import annotations

from typing import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region

from console.format import format_duration, format_value, sparkline
from console.metrics.model import KEY_METRICS, MetricValue
from console.metrics.thresholds import State
from themes.look import state_label, state_style, state_tint, theme_of
from widgets.text_lines import TextLines
from console.metrics.catalogue import METRICS

STATE_CLASSES = {s: f"state-{s.value}" for s in State}


class MetricRow:
    """One metric on one line of the pane's ``MetricRows`` widget (not a widget itself: the rows are drawn
    as one widget, one update per poll instead of one per row). Its text is rebuilt only when its
    signature (value, state, sparkline, width, theme) changes."""

    def __init__(self, key: str, label: str, index: int, widget: MetricRows) -> None:
        self.key = key
        self.label = label
        self.index = index
        self._widget = widget
        self.metric: MetricValue | None = None
        self.history: Sequence[float | None] = ()
        self._signature: tuple | None = None
        self._text = Text("")
        #: the state drawn (None before the first draw)
        self.state: State | None = None
        #: age in seconds when the value is a carried-over last good one (its family went missing)
        self.stale_age: float | None = None

    @property
    def region(self) -> Region:
        """The row's line on screen."""
        area = self._widget.content_region
        return Region(area.x, area.y + self.index, area.width, 1)

    def render(self) -> Text:
        """The row as drawn."""
        return self._text

    def has_class(self, name: str) -> bool:
        """The row's state as a class name (``state-critical``...), as the rows had as widgets."""
        return self.state is not None and STATE_CLASSES[self.state] == name

    def set_metric(self, metric: MetricValue | None, history: Sequence[float | None], now: float | None = None) -> None:
        self.metric = metric
        self.history = history
        self.stale_age = None
        if metric is not None and metric.stale:
            self.stale_age = (now - metric.as_of) if (now is not None and metric.as_of is not None) else -1.0

    def build(self, width: int, theme: object, force: bool = False) -> bool:
        """Rebuild the row's text for ``width`` cells; False when nothing changed (a cheap signature)."""
        metric = self.metric
        node = self._widget
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
            return False
        self._signature = signature
        self.state = state
        stale = self.stale_age is not None
        if signature[0] == "note":
            self._text = row_text(width, self.label, self.key, signature[1], state, "", node, note=True)
        else:
            self._text = row_text(width, self.label, self.key, signature[0], state, signature[2], node, stale=stale)
        return True


class MetricRows(TextLines):
    """Every key metric's row, drawn as one widget: one line per metric, repainted only when a row's
    text changed (and then only the rows whose text changed are drawn again: ``TextLines``)."""

    DEFAULT_CLASSES = "metric-rows"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.rows = [MetricRow(key, label, i, self) for i, (key, (label, _unit)) in enumerate(KEY_METRICS.items())]
        self.styles.height = len(self.rows)  # one line per metric: updates need no layout pass
        self._drawn = False

    def on_resize(self) -> None:
        self.draw(force=True)

    def draw(self, force: bool = False) -> None:
        width = self.size.width or 40
        theme = theme_of(self)
        changed = False
        for row in self.rows:
            changed = row.build(width, theme, force) or changed
        if changed or not self._drawn:
            self._drawn = True
            self.set_lines([row.render() for row in self.rows], layout=False)  # fixed height


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
        self._widget: MetricRows | None = None

    def compose(self) -> ComposeResult:
        yield MetricRows(id="metric-rows")

    @property
    def rows(self) -> list[MetricRow]:
        """The metric rows, in the pane's order."""
        return self.query_one(MetricRows).rows

    def row(self, key: str) -> MetricRow:
        """The row of metric ``key`` (KeyError when there is none)."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def show(
        self,
        metrics: Mapping[str, MetricValue],
        history: Mapping[str, Sequence[float | None]],
        now: float | None = None,
    ) -> None:
        widget = self._widget
        if widget is None or widget.parent is not self:  # composed once: no DOM query per poll
            widget = self._widget = self.query_one(MetricRows)
        for row in widget.rows:
            row.set_metric(metrics.get(row.key), history.get(row.key, ()), now)
        widget.draw()
