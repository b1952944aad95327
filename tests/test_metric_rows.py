"""The key metrics are drawn by one widget (issue #9, idle under 1% of a core): a poll costs one widget
update for all rows, an unchanged poll none; each row stays addressable (text, state, screen line) and
draws what the separate row widgets drew."""

from __future__ import annotations

from textual.app import App, ComposeResult

from console.metrics.model import KEY_METRICS, MetricValue
from console.metrics.thresholds import State
from tests.util import wait_for
from themes import THEME_DIR
from widgets.metrics_pane import MetricRows, MetricsPane, row_text


class PaneApp(App):
    CSS_PATH = [THEME_DIR / "edge.tcss"]

    def compose(self) -> ComposeResult:
        yield MetricsPane(classes="pane")


def metrics(scale: float) -> dict[str, MetricValue]:
    states = [State.NORMAL, State.WARNING, State.CRITICAL]
    return {
        key: MetricValue(key, label, unit, 10.0 * scale + i, states[i % 3])
        for i, (key, (label, unit)) in enumerate(KEY_METRICS.items())
    }


def history(scale: float) -> dict[str, list[float | None]]:
    return {key: [1.0, 2.0 * scale, 3.0, None, 5.0] for key in KEY_METRICS}


async def test_rows_are_one_widget_updated_once_per_changed_poll_and_not_on_an_unchanged_one():
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(MetricsPane)
        assert len(app.query(MetricRows)) == 1 and len(pane.rows) == len(KEY_METRICS)
        widget = app.query_one(MetricRows)
        updates: list[object] = []
        original = widget.update
        widget.update = lambda content="", *, layout=True: (updates.append(content), original(content, layout=layout))

        pane.show(metrics(1.0), history(1.0))
        await pilot.pause()
        assert len(updates) == 1  # all seven rows in one update
        screen = [str(line.text) for line in app.screen._compositor.render_strips()]
        for row in pane.rows:
            region = row.region
            drawn = screen[region.y][region.x : region.x + region.width]
            expected = row_text(region.width, row.label, row.key, *row_parts(row), widget)
            assert drawn.rstrip() == expected.plain.rstrip(), (row.key, drawn)
            assert row.has_class(f"state-{row.metric.state.value}") and not row.has_class("state-unknown")

        pane.show(metrics(1.0), history(1.0))  # the same numbers: nothing to repaint
        await pilot.pause()
        assert len(updates) == 1

        pane.show(metrics(2.0), history(2.0))  # every row moved: still one update
        await pilot.pause()
        assert len(updates) == 2
        await wait_for(lambda: "20" in str(pane.row(next(iter(KEY_METRICS))).render()), message="new value drawn")


def row_parts(row) -> tuple:
    """Value, state and sparkline of a drawn row, as the row keeps them in its signature."""
    value, state, spark = row._signature[:3]
    return value, state, spark
