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


class _Themed(App[None]):
    CSS = "Static { background: $primary; }"

    def __init__(self, how: str) -> None:
        super().__init__()
        from themes.look import THEMES

        for theme in THEMES.values():
            self.register_theme(theme)
        self.reparses = 0
        if how == "hook":
            from screens.textual_compat import set_theme_before_run

            set_theme_before_run(self, "edge-ansi16")
        else:
            self.theme = "edge-ansi16"  # Textual's way: its watcher queues a full re-parse

    def compose(self) -> ComposeResult:
        yield Static("themed", id="themed")


async def _themed_state(how: str) -> tuple:
    app = _Themed(how)
    reparse = app.stylesheet.reparse

    def counting() -> None:
        app.reparses += 1
        reparse()

    app.stylesheet.reparse = counting  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        await pilot.pause()
        static = app.query_one("#themed")
        return (
            app.reparses,
            app.theme,
            sorted(c for c in app.classes if c.startswith("-")),
            static.styles.background,
            [type(f).__name__ for f in app._filters],
            [getattr(f, "enabled", None) for f in app._filters],
            dict(app.stylesheet._variables),
        )


async def test_set_theme_before_run_hook_matches_setting_the_theme_without_a_reparse():
    from textual.app import App as _App

    assert callable(getattr(_App, "_refresh_truecolor_filter", None)), "Textual moved App._refresh_truecolor_filter"
    hooked = await _themed_state("hook")
    textual_way = await _themed_state("reactive")
    assert textual_way[0] >= 1, "setting App.theme before run no longer re-parses: the hook may be unneeded"
    assert hooked[0] == 0, "the hook still re-parses the stylesheet at start-up"
    assert hooked[1:] == textual_way[1:], "the hook's theme differs from Textual's own"
    assert hooked[1] == "edge-ansi16" and "-theme-edge-ansi16" in hooked[2]


async def test_set_theme_before_run_hook_is_the_reactive_once_running():
    from screens.textual_compat import set_theme_before_run

    app = _Themed("hook")
    reparse = app.stylesheet.reparse

    def counting() -> None:
        app.reparses += 1
        reparse()

    app.stylesheet.reparse = counting  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        set_theme_before_run(app, "edge-mono")  # running: the ordinary switch, with its re-parse
        await pilot.pause()
        assert app.theme == "edge-mono" and "-theme-edge-mono" in app.classes
        assert "-theme-edge-ansi16" not in app.classes
        assert app.reparses >= 1  # Textual's switch re-parsed with the new theme's variables
        assert app.stylesheet._variables == app.get_css_variables()


async def test_later_css_is_added_after_the_first_frame_or_before_a_screen_is_pushed():
    """screens/later_css.py: the first frame's stylesheet has only ``themes.FIRST_FRAME_CSS``; the rest
    is read and applied by ``load_later_css`` (the app calls it once the first frame is shown) or by
    the next ``push_screen`` over the first screen (the app's default screen: the dashboard)."""
    from screens.later_css import LaterCss
    from themes import first_frame_css_paths, later_css_paths

    class _Css(LaterCss, App[None]):
        CSS_PATH = first_frame_css_paths()

        def compose(self) -> ComposeResult:
            yield Static("pane", id="am-alerts-pane")  # styled by monitoring.tcss (a later file)

    later = [str(p) for p in later_css_paths()]
    assert later and all(p.name != "edge.tcss" for p in later_css_paths())
    app = _Css()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not any(app.stylesheet.has_source(p, "") for p in later)
        pane = app.query_one("#am-alerts-pane")
        assert pane.styles.max_height is None  # monitoring.tcss not applied yet
        await app.push_screen(Screen())  # over the first screen (the app's dashboard): may need any CSS
        assert all(app.stylesheet.has_source(p, "") for p in later)
        await pilot.pause()
        assert pane.styles.max_height is not None and pane.styles.max_height.value == 10
