"""The highlighted row of a list reads without colour: ``›`` before it. In the monochrome theme (NO_COLOR)
the DDoS response picker's cursor was only a bold title (Textual's option style drops reverse)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets.option_list import Option

from console.termcaps import MONO_THEME
from screens.textual_compat import screen_text_lines
from themes.look import THEMES
from widgets.cursor_option_list import CursorOptionList


class _Pick(App[None]):
    def compose(self) -> ComposeResult:
        yield CursorOptionList(Option("Enable Under Attack Mode", id="u"), Option("Tighten rate limits", id="t"))

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = MONO_THEME
        self.query_one(CursorOptionList).focus()


async def test_the_highlighted_option_is_marked_and_the_mark_follows_it():
    app = _Pick()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        rows = [line.strip("▊▎ ") for line in screen_text_lines(app)]
        assert "› Enable Under Attack Mode" in rows and "Tighten rate limits" in rows, rows
        await pilot.press("down")
        await pilot.pause()
        rows = [line.strip("▊▎ ") for line in screen_text_lines(app)]
        assert "› Tighten rate limits" in rows and "Enable Under Attack Mode" in rows, rows
        assert app.query_one(CursorOptionList).get_option_at_index(1).id == "t"  # ids are unchanged
