"""A long output line of a step is wrapped in the flow modal (``↪`` before each continuation row), not cut
at the frame with a one-cell horizontal scrollbar as the only sign (wrangler's "Writing the value ... to
key ... on namespace <32 hex>" at 80 columns)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from screens.textual_compat import screen_text_lines
from widgets.flow_output import FlowOutput

NAMESPACE = "5100000000000000000000000000c001"
LINE = f'Writing the value "abuse" to key "blocked:ip:203.0.113.9" on namespace {NAMESPACE}.'


class _Output(App[None]):
    CSS = "FlowOutput { height: 1fr; } #flow-log { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield FlowOutput()


async def test_a_long_output_line_wraps_and_log_text_keeps_it_whole():
    app = _Output()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        output = app.query_one(FlowOutput)
        output.begin("1. Block 203.0.113.9 (abuse)")
        output.add_line(LINE)
        await pilot.pause()
        rows = [row.rstrip() for row in screen_text_lines(app)]
        shown = "".join(row.removeprefix("↪ ") for row in rows if row)
        assert NAMESPACE in shown, rows
        assert any(row.startswith("↪ ") for row in rows), rows
        assert all(len(row) <= 60 for row in rows)
        assert LINE in output.log_text()  # as written, for a search of what was shown


async def test_a_narrower_terminal_wraps_the_written_lines_again():
    app = _Output()
    async with app.run_test(size=(120, 10)) as pilot:
        await pilot.pause()
        output = app.query_one(FlowOutput)
        output.add_line(LINE)  # fits at 120 columns: one row
        await pilot.pause()
        assert any(row.rstrip().endswith(f"{NAMESPACE}.") for row in screen_text_lines(app))
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        rows = [row.rstrip() for row in screen_text_lines(app)]
        assert any(row.startswith("↪ ") for row in rows), rows  # was cut at 60 columns
        assert NAMESPACE in "".join(row.removeprefix("↪ ") for row in rows if row), rows
        assert output.log_text() == LINE
