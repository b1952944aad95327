"""widgets/follow_log.py: a log showing its end keeps showing it when it gets shorter, even when the
"scroll to the end after the refresh" ran before the layout (Textual runs such callbacks at once, before
laying out, while any widget of the app is recomposing: the flow modal's output lost its last step when
its summary came, tests/test_flow_finish_view.py). A log the user scrolled up stays where it is."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tests.util import wait_for
from widgets.follow_log import FollowLog


class LogApp(App):
    CSS = "#log { height: 1fr; } #below { height: 12; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield FollowLog(id="log", auto_scroll=True)
            yield Static("summary", id="below")

    def on_mount(self) -> None:
        self.query_one("#below").display = False


async def _shrink_while_a_recompose_runs(app: LogApp, pilot) -> FollowLog:
    """Show the widget below the log (the log gets 12 rows shorter) while the app is in a batch, with
    the scroll to the end asked for after the refresh, as the flow modal does when its summary comes."""
    log = app.query_one(FollowLog)
    with app.batch_update():  # a widget elsewhere recomposing (a footer, a pane)
        app.query_one("#below").display = True
        log.call_after_refresh(log.scroll_end, animate=False, immediate=True)
        await pilot.pause()
        await pilot.pause()
        assert log.size.height == 24, "laid out inside the batch: the case is not the one under test"
    await pilot.pause()  # the batch is over: the layout, then the log's resize
    await wait_for(lambda: log.size.height == 24 - 12, message="the log laid out shorter")
    await pilot.pause()
    return log


async def _filled(app, pilot) -> FollowLog:
    """The app's log with 40 lines, drawn."""
    log = app.query_one(FollowLog)
    log.write_lines([f"line {i}" for i in range(40)])
    await pilot.pause()
    return log


async def test_a_log_at_its_end_shows_its_last_line_after_it_got_shorter():
    app = LogApp()
    async with app.run_test(size=(40, 24)) as pilot:
        log = await _filled(app, pilot)
        tall = log.max_scroll_y
        assert log.is_vertical_scroll_end and tall > 0
        await _shrink_while_a_recompose_runs(app, pilot)
        assert log.scroll_y == log.max_scroll_y == tall + 12, (log.scroll_y, log.max_scroll_y, tall)
        log.write_line("line 40")  # and it follows new lines again
        await pilot.pause()
        assert log.scroll_y == tall + 13


async def test_a_log_scrolled_up_stays_where_the_reader_left_it():
    app = LogApp()
    async with app.run_test(size=(40, 24)) as pilot:
        log = await _filled(app, pilot)
        log.scroll_to(y=5, animate=False, immediate=True)  # the reader scrolled up to read
        await pilot.pause()
        app.query_one("#below").display = True
        await pilot.pause()
        await wait_for(lambda: log.size.height == 24 - 12, message="the log laid out shorter")
        await pilot.pause()
        assert log.scroll_y == 5
