"""One test per private-Textual hook in screens/textual_compat.py, against the installed Textual:
an upgrade that moves one of them fails here, by name."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widgets import Static

from screens.textual_compat import OpaqueTopScreens, notifications, set_virtual_height


class _Opaque(Screen):
    DEFAULT_CSS = "_Opaque { background: black; }"

    def compose(self) -> ComposeResult:
        yield Static("top")


class _App(OpaqueTopScreens, App[None]):
    def compose(self) -> ComposeResult:
        yield Static("base")


async def test_background_screens_hook_hides_screens_under_an_opaque_top_screen():
    assert isinstance(App.__dict__.get("_background_screens"), property), "Textual moved App._background_screens"
    app = _App()
    async with app.run_test() as pilot:
        base = app.screen
        assert app._background_screens == []  # one screen: nothing under it
        app.push_screen(_Opaque())
        await pilot.pause()
        assert app.screen is not base
        assert App._background_screens.fget(app), "Textual 8 counts the screen under the top one"
        assert app._background_screens == [], "an opaque top screen hides the one under it"


class _Scroller(ScrollView):
    pass


class _ScrollApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Scroller()


async def test_set_virtual_height_hook_updates_scrollbars_without_layout():
    app = _ScrollApp()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(_Scroller)
        set_virtual_height(view, _Scroller.virtual_size, Size(40, 500))
        await pilot.pause()
        assert view.virtual_size == Size(40, 500)
        assert view.max_scroll_y > 0, "the private _scroll_update no longer updates the scroll range"
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y == view.max_scroll_y


async def test_notifications_hook_lists_the_toasts_shown():
    app = _ScrollApp()
    async with app.run_test() as pilot:
        assert list(notifications(app)) == []
        app.notify("disk full", title="Audit", severity="error")
        await pilot.pause()
        shown = list(notifications(app))
        assert [n.message for n in shown] == ["disk full"]
        assert shown[0].severity == "error"


async def test_screen_text_lines_and_render_update_hooks_show_what_the_terminal_gets():
    from screens.textual_compat import render_update, screen_text_lines

    app = _App()
    async with app.run_test(size=(30, 4)) as pilot:
        await pilot.pause()
        lines = screen_text_lines(app)
        assert len(lines) == 4 and lines[0].startswith("base")
        assert render_update(app) is not None
