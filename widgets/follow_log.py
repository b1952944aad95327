"""A ``Log`` that keeps its newest lines in view when its height changes while it shows them.

Textual's ``Log`` follows new lines only while it is scrolled to its end, and a resize keeps the top line:
when the log gets shorter (a flow's summary appears below it, the terminal shrinks) the newest lines drop
below the bottom, and the next line written no longer follows either. A caller that scrolls to the end
"after the refresh" cannot fix that for sure: Textual runs such callbacks before laying out while any
widget of the app is recomposing (``App.batch_update``), i.e. with the old height. This log re-scrolls to
its end on every resize if it was showing its end: what an operator watching output expects.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Log


class FollowLog(Log):
    """``Log`` that stays at its end across resizes while it was there (scrolled up, it stays put)."""

    _showing_end = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._showing_end = self.is_vertical_scroll_end

    def on_resize(self, event: events.Resize) -> None:
        if self._showing_end and not self.is_vertical_scroll_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
