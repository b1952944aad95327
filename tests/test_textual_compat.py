"""One test per private-Textual hook in screens/textual_compat.py, against the installed Textual:
an upgrade that moves one of them fails here, by name."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.message import Message
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.widgets import Static

from screens.textual_compat import (
    CoveredBackground,
    OpaqueTopScreens,
    StyledOnMount,
    forward_input,
    notifications,
    set_virtual_height,
)
from tests.util import wait_for

pytestmark = pytest.mark.every_frame  # these tests count and compare the frames Textual composes


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


class _Noted(Message):
    pass


class _Source(Static, can_focus=True):
    def __init__(self) -> None:
        super().__init__("source")
        self.seen: list[str] = []
        self.pending_at_tab: object = None
        self.moved = 0

    def on_key(self, event) -> None:
        event.stop()
        self.seen.append(event.key)
        if event.key == "tab":
            self.pending_at_tab = self._pending_message
            self.moved = forward_input(self, self.app.query_one(_Target))

    def on__noted(self, message: _Noted) -> None:
        self.seen.append("noted")


class _Target(Static, can_focus=True):
    def __init__(self) -> None:
        super().__init__("target")
        self.seen: list[str] = []

    def on_key(self, event) -> None:
        event.stop()
        self.seen.append(event.key)

    def on_paste(self, event) -> None:
        event.stop()
        self.seen.append(f"paste {event.text}")


class _TwoApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Source()
        yield _Target()


async def test_forward_input_hook_moves_the_queued_keys_and_pastes_in_order():
    from textual import events

    app = _TwoApp()
    async with app.run_test() as pilot:
        source, target = app.query_one(_Source), app.query_one(_Target)
        # all queued before the source handles the first, as a burst is
        for message in (events.Key("a", "a"), events.Key("tab", "\t"), events.Key("b", "b"), _Noted()):
            source.post_message(message)
        source.post_message(events.Paste("pasted"))
        source.post_message(events.Key("c", "c"))
        await pilot.pause()
        await pilot.pause()
        # Textual took the key behind the tab off the queue to look at it (the private _pending_message)
        assert isinstance(source.pending_at_tab, events.Key) and source.pending_at_tab.key == "b"
        assert source.moved == 3
        assert source.seen == ["a", "tab", "noted"]  # another message stays with its widget
        assert target.seen == ["b", "paste pasted", "c"]


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


def _count_reparses(app: _Themed) -> None:
    """``app.reparses`` counts the stylesheet's re-parses from now on."""
    reparse = app.stylesheet.reparse

    def counting() -> None:
        app.reparses += 1
        reparse()

    app.stylesheet.reparse = counting  # type: ignore[method-assign]


async def _themed_state(how: str) -> tuple:
    app = _Themed(how)
    _count_reparses(app)
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
    _count_reparses(app)
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


# -- SharedRulesStylesheet: parsed CSS shared by the apps of a process -------------------------------------
_CSS_A = "Static { background: $primary; color: $text; } #themed { border: solid $accent; }"


def _shared_sheet(variables: dict[str, str]):
    from screens.textual_compat import SharedRulesStylesheet

    sheet = SharedRulesStylesheet(variables=variables)
    sheet.add_source(_CSS_A, read_from=("test.tcss", ""))
    return sheet


def _background(sheet) -> object:
    return next(rule for rule in sheet.rules if "Static" in rule.selector_names).styles.background


def test_shared_rules_hook_is_textuals_parse_cache_entry():
    from textual.css.stylesheet import Stylesheet

    assert callable(getattr(Stylesheet, "_parse_rules", None)), "Textual moved Stylesheet._parse_rules"
    assert isinstance(Stylesheet()._invalid_css, set), "Textual moved Stylesheet._invalid_css"


def test_shared_rules_are_reused_only_for_the_same_css_and_variables():
    import screens.textual_compat as compat

    red = {"primary": "#ff0000", "text": "#ffffff", "accent": "#00ff00"}
    blue = {**red, "primary": "#0000ff"}
    first = _shared_sheet(dict(red))
    second = _shared_sheet(dict(red))  # another app, the same theme: Textual's parse is not run again
    calls = []
    real = compat.Stylesheet._parse_rules

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    assert first.rules  # parsed (and shared) before counting starts
    compat.Stylesheet._parse_rules = counting
    try:
        assert second.rules[0] is first.rules[0]
        assert calls == []
        other = _shared_sheet(dict(blue))  # other variables: parsed with them
        assert _background(other) != _background(first) and len(calls) == 1
        assert str(_background(other).hex) == "#0000FF" and str(_background(first).hex) == "#FF0000"
        changed = compat.SharedRulesStylesheet(variables=dict(red))  # the same place, other CSS text
        changed.add_source(_CSS_A.replace("$primary", "$accent"), read_from=("test.tcss", ""))
        assert str(_background(changed).hex) == "#00FF00" and len(calls) == 2
    finally:
        compat.Stylesheet._parse_rules = real


def test_shared_rules_reparse_takes_new_variables_and_an_error_keeps_the_old_rules():
    from textual.css.stylesheet import StylesheetParseError

    sheet = _shared_sheet({"primary": "#ff0000", "text": "#ffffff", "accent": "#00ff00"})
    assert str(_background(sheet).hex) == "#FF0000"
    sheet.set_variables({"primary": "#123456", "text": "#ffffff", "accent": "#00ff00"})  # a theme switch
    sheet.reparse()
    assert str(_background(sheet).hex) == "#123456"
    before = sheet.rules
    sheet.add_source("Static { colour-of-nothing: 3; }", read_from=("bad.tcss", ""))
    with pytest.raises(StylesheetParseError):
        sheet.reparse()
    assert sheet._rules is before, "a failed re-parse replaced the rules"
    with pytest.raises(StylesheetParseError):
        sheet.reparse()  # the bad source is parsed again (and fails again), not skipped


def test_shared_rules_stylesheet_is_installed_before_any_css_is_read():
    from screens.textual_compat import SharedRulesStylesheet, share_parsed_css

    app = _Themed("hook")
    variables = dict(app.stylesheet._variables)
    share_parsed_css(app)
    assert isinstance(app.stylesheet, SharedRulesStylesheet)
    assert app.stylesheet._variables == variables
    app.stylesheet.add_source("Static {}", read_from=("x.tcss", ""))
    with pytest.raises(RuntimeError):
        share_parsed_css(app)


class _SharedThemed(_Themed):
    def __init__(self, theme: str) -> None:
        super().__init__("reactive")
        from screens.textual_compat import set_theme_before_run, share_parsed_css

        share_parsed_css(self)
        set_theme_before_run(self, theme)


async def test_apps_sharing_parsed_css_keep_their_own_theme_and_a_switch_restyles():
    """Two apps in one process, two themes, then a live switch to the other app's theme and back: the
    widget's colour follows the theme every time (no rule parsed for one theme reaches the other)."""

    async def background(theme: str, switch_to: str | None = None) -> list:
        app = _SharedThemed(theme)
        seen = []
        async with app.run_test() as pilot:
            await pilot.pause()
            seen.append(app.query_one("#themed").styles.background)
            if switch_to:
                app.theme = switch_to
                await pilot.pause()
                seen.append(app.query_one("#themed").styles.background)
                app.theme = theme
                await pilot.pause()
                seen.append(app.query_one("#themed").styles.background)
        return seen

    edge = await background("edge")
    ansi = await background("edge-ansi16", switch_to="edge")
    assert edge[0] != ansi[0], "two themes drew the same colour"
    assert ansi == [ansi[0], edge[0], ansi[0]], "a live switch did not restyle with the theme's colours"
    assert await background("edge") == edge


async def test_footer_keys_are_styled_once_and_look_as_textuals():
    """screens.textual_compat.Footer: each key gets the footer's compact state before it mounts (Textual's
    FooterKey starts compact, then is bound to the footer's value: a restyle each way)."""
    from textual.binding import Binding
    from textual.css.stylesheet import Stylesheet
    from textual.widgets import Footer as TextualFooter
    from textual.widgets._footer import FooterKey

    from screens.textual_compat import Footer

    assert FooterKey.compact._default is True, "Textual's FooterKey no longer starts compact: the hook may go"

    class _Keys(App[None]):
        BINDINGS = [
            Binding("a", "bell", "Alpha"),
            Binding("b", "screenshot", "Beta"),
            Binding("c", "focus_next", "Gamma"),
        ]

        def __init__(self, footer_type: type, compact: bool) -> None:
            super().__init__()
            self.footer_type, self.compact = footer_type, compact

        def compose(self) -> ComposeResult:
            yield self.footer_type(compact=self.compact)

    async def run(footer_type: type, compact: bool) -> tuple:
        applied: list = []
        real = Stylesheet.apply

        def counting(self, node, **kwargs):
            if isinstance(node, FooterKey):
                applied.append(node)
            return real(self, node, **kwargs)

        Stylesheet.apply = counting  # type: ignore[method-assign]
        try:
            app = _Keys(footer_type, compact)
            async with app.run_test(size=(60, 3)) as pilot:
                await pilot.pause()
                # the keys come with a recompose after a refresh: one pause is not always enough under load
                await wait_for(lambda: len(app.query(FooterKey)) == 4, timeout=10, message="the footer's 4 keys")
                keys = list(app.query(FooterKey))
                text = screen_text_lines_of(app)
                classes = [sorted(k.classes) for k in keys]
                margins = [k.styles.margin for k in keys]
        finally:
            Stylesheet.apply = real  # type: ignore[method-assign]
        return len(keys), len(applied), text, classes, margins

    from screens.textual_compat import screen_text_lines as screen_text_lines_of

    for compact in (False, True):
        ours = await run(Footer, compact)
        textual = await run(TextualFooter, compact)
        assert ours[0] == textual[0] == 4  # three keys and the palette's
        assert ours[2:] == textual[2:], "the footer looks different from Textual's"
        assert ours[1] < textual[1]
        if not compact:  # each key once; the palette's key (not bound to the footer) twice, as in Textual
            assert ours[1] == ours[0] + 1, "a footer key was styled more than once"
        assert all(("-compact" in c) == compact for c in ours[3] if "-command-palette" not in c)
    assert Footer.__name__ == "Footer"


async def test_footer_recomposes_only_when_what_it_shows_changes():
    """Textual recomposes the footer at every bindings signal; screens.textual_compat.Footer only when a
    key, its state, its display or the footer's settings change (then it shows the change)."""
    from textual.binding import Binding

    from screens.textual_compat import Footer, screen_text_lines

    composed = []

    class _Counted(Footer):
        def compose(self) -> ComposeResult:
            composed.append(1)
            yield from super().compose()

    class _Keys(App[None]):
        BINDINGS = [Binding("a", "bell", "Alpha"), Binding("b", "screenshot", "Beta")]
        beta_on = True

        def compose(self) -> ComposeResult:
            yield _Counted()

        def check_action(self, action: str, parameters: tuple) -> bool | None:
            return (True if self.beta_on else None) if action == "screenshot" else True  # None: shown disabled

    app = _Keys()
    async with app.run_test(size=(60, 3)) as pilot:
        await pilot.pause()
        footer = app.query_one(_Counted)
        assert "a Alpha" in screen_text_lines(app)[-1]
        before = len(composed)
        for _ in range(3):  # the signal with nothing changed: the keys stay as they are
            app.screen.refresh_bindings()
            await pilot.pause()
        assert len(composed) == before
        app.beta_on = False  # a key's state changes: recomposed, the key shown disabled
        app.screen.refresh_bindings()
        await wait_for_footer(pilot, lambda: len(composed) == before + 1)
        assert [k.has_class("-disabled") for k in footer.query("FooterKey") if k.key == "b"] == [True]
        app.bind("d", "quit", description="Delta")  # a new key: recomposed, shown
        app.screen.refresh_bindings()
        await wait_for_footer(pilot, lambda: "d Delta" in screen_text_lines(app)[-1])
        assert len(composed) == before + 2


async def wait_for_footer(pilot, predicate) -> None:
    """Pause until ``predicate()`` holds (a bounded number of pauses: each lets the app process its queue)."""
    for _ in range(50):
        await pilot.pause()
        if predicate():
            return
    raise AssertionError("the footer did not change")


class _Box(Static):
    DEFAULT_CSS = "_Box { width: 100%; max-width: 40; height: 1fr; background: blue; }"


class _CoveringModal(ModalScreen[None]):
    """A translucent modal whose one child is as wide as the terminal up to 40 columns."""

    def compose(self) -> ComposeResult:
        yield _Box("box")


class _CoveredModal(CoveredBackground, _CoveringModal):
    pass


class _Counted(BackgroundScreen):
    """Textual's dimmed-screen renderable, counting its renders."""

    renders = 0

    def __rich_console__(self, console, options):  # type: ignore[no-untyped-def]
        type(self).renders += 1
        yield from super().__rich_console__(console, options)


class _BaseApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(("." * 25 + "start".ljust(20, ".") + "start\n") * 3)


def _styled_frame(app: App[None]) -> list[list[tuple[str, str]]]:
    """Every cell run of the frame with its style (hook: the private ``Screen._compositor``)."""
    return [[(s.text, str(s.style)) for s in strip] for strip in app.screen._compositor.render_strips()]


async def _modal_frames(
    modal_type: type, size: tuple[int, int], monkeypatch, widen: bool = False, narrow: bool = False
) -> tuple[list, int]:
    """The frame with ``modal_type`` on top after the base screen changed under it twice, and how often
    the dimmed base screen was drawn meanwhile."""
    import textual.screen

    monkeypatch.setattr(textual.screen, "BackgroundScreen", _Counted)
    _Counted.renders = 0
    app = _BaseApp()
    async with app.run_test(size=size) as pilot:
        base = app.query_one(Static)
        app.push_screen(modal_type())
        await pilot.pause()
        start = _Counted.renders
        for text in ("once", "twice"):
            base.update(("." * 25 + text.ljust(20, ".") + text + "\n") * 3)
            await pilot.pause()
        renders = _Counted.renders - start
        if widen:  # the terminal grows with the modal open: the base screen shows at the side now
            await pilot.resize_terminal(70, size[1])
            await pilot.pause()
        if narrow:  # the box gets narrower (a layout, no resize): the base screen shows at the side now
            app.screen.query_one(_Box).styles.max_width = 20
            await pilot.pause()
        return _styled_frame(app), renders


async def test_covered_background_hook_draws_the_screen_below_only_where_it_shows(monkeypatch):
    # 40 columns: the box covers every cell, and the base screen's changes are not drawn under it
    covered, covered_renders = await _modal_frames(_CoveredModal, (40, 6), monkeypatch)
    plain, plain_renders = await _modal_frames(_CoveringModal, (40, 6), monkeypatch)
    assert covered == plain, "the frame must be the one Textual draws"
    assert plain_renders >= 2, "Textual no longer redraws a covered background: the hook may be unneeded"
    assert covered_renders == 0
    # 70 columns: the base screen shows beside the box, dimmed and current, as Textual draws it
    wide, wide_renders = await _modal_frames(_CoveredModal, (70, 6), monkeypatch)
    wide_plain, _ = await _modal_frames(_CoveringModal, (70, 6), monkeypatch)
    assert wide == wide_plain and wide_renders >= 2
    assert "twice" in "".join(text for line in wide for text, _ in line)
    # covered, then uncovered by a wider terminal with the modal still open: drawn afresh, as Textual does
    widened, _ = await _modal_frames(_CoveredModal, (40, 6), monkeypatch, widen=True)
    widened_plain, _ = await _modal_frames(_CoveringModal, (40, 6), monkeypatch, widen=True)
    assert widened == widened_plain and "twice" in "".join(text for line in widened for text, _ in line)
    narrowed, _ = await _modal_frames(_CoveredModal, (40, 6), monkeypatch, narrow=True)
    narrowed_plain, _ = await _modal_frames(_CoveringModal, (40, 6), monkeypatch, narrow=True)
    assert narrowed == narrowed_plain and "twice" in "".join(text for line in narrowed for text, _ in line)


class _Form(Screen[None]):
    DEFAULT_CSS = """
    _Form Static { color: red; }
    _Form .later { color: green; }
    """

    def compose(self) -> ComposeResult:
        yield Static("one", id="one")
        yield Static("two", id="two", classes="later")


class _StyledOnceForm(StyledOnMount, _Form):
    pass


async def _shown(screen_type: type, monkeypatch) -> tuple[list, int, int]:
    """The styles of a fresh ``screen_type`` once shown, how many restyles its first showing cost, and how
    many its second (shown again after a screen over it was pushed and popped twice)."""
    from textual.dom import DOMNode

    restyles = [0]
    update = DOMNode.update_node_styles

    def counted(self, animate: bool = True) -> None:
        if isinstance(self, Screen):
            restyles[0] += 1
        update(self, animate=animate)

    monkeypatch.setattr(DOMNode, "update_node_styles", counted)
    app = _BaseApp()
    async with app.run_test(size=(40, 6)) as pilot:
        screen = screen_type()
        await app.push_screen(screen)
        await pilot.pause()
        first = restyles[0]
        styles = [(w.id, str(w.styles.color), str(w.rich_style)) for w in screen.query(Static)]
        app.pop_screen()
        await pilot.pause()
        await app.push_screen(screen)  # shown again
        await pilot.pause()
        return styles, first, restyles[0] - first


async def test_styled_on_mount_hook_skips_only_the_second_styling_of_a_fresh_screen(monkeypatch):
    hooked, hooked_first, hooked_again = await _shown(_StyledOnceForm, monkeypatch)
    plain, plain_first, plain_again = await _shown(_Form, monkeypatch)
    assert hooked == plain and hooked[1][1] != hooked[0][1], "the same styles, each rule applied"
    assert plain_first >= 1, "Textual no longer restyles a screen it shows the first time: the hook is unneeded"
    assert hooked_first == plain_first - 1
    assert hooked_again == plain_again >= 1, "a screen shown again is restyled as Textual does"


async def test_skip_unseen_frames_hook_composes_no_frame_yet_reads_the_same_screen():
    from textual._compositor import Compositor

    from screens.textual_compat import screen_text_lines, skip_unseen_frames

    assert "_compositor_refresh" in Screen.__dict__, "Textual moved Screen._compositor_refresh"
    original = Screen.__dict__["_compositor_refresh"]
    calls = []
    render_update = Compositor.render_update

    def counting(self, *args, **kwargs):
        calls.append(1)
        return render_update(self, *args, **kwargs)

    async def frames_and_text() -> tuple[int, list[str], bool]:  # frames composed, screen text, hovered
        calls.clear()
        app = _App()
        async with app.run_test(size=(30, 5)) as pilot:
            label = app.query_one(Static)
            for n in range(5):
                label.update(f"base {n}")
                await pilot.pause()
            drawn = len(calls)
            await pilot.hover(Static)
            await pilot.pause()
            return drawn, screen_text_lines(app), app.mouse_over is label  # the mouse-over update is kept

    Compositor.render_update = counting
    try:
        drawn, text, hovered = await frames_and_text()
        undo = skip_unseen_frames()
        try:
            assert Screen.__dict__["_compositor_refresh"] is not original
            skipped, skipped_text, skipped_hovered = await frames_and_text()
        finally:
            undo()
    finally:
        Compositor.render_update = render_update
    assert Screen.__dict__["_compositor_refresh"] is original
    assert drawn >= 5 and skipped == 0  # no frame composed for the headless terminal
    assert skipped_text == text and "base 4" in text[0]  # what a test reads is the same frame
    assert hovered and skipped_hovered


async def test_footer_key_width_hook_measures_as_textual_without_drawing():
    """screens.textual_compat.footer_key_width: every key of our footer (keys of a compact group, drawn
    without their description as the runbook's flow keys are; keys with one; compact or not; the palette's
    key) is as wide as Textual's own measure says, at any container width, and the measure draws nothing."""
    from textual.binding import Binding
    from textual.widget import Widget
    from textual.widgets._footer import FooterKey

    from screens.textual_compat import Footer, footer_key_width

    _GROUP = Binding.Group("flows", compact=True)

    class _Keys(App[None]):
        BINDINGS = [
            Binding("a", "bell", "Alpha"),
            Binding("b", "screenshot", "Beta wide ✓"),
            Binding("x", "xray", "Xray", group=_GROUP),  # a compact group: its keys drawn without description
            Binding("y", "yank", "Yank", group=_GROUP),
        ]

        def __init__(self, compact: bool) -> None:
            super().__init__()
            self.compact = compact

        def compose(self) -> ComposeResult:
            yield Footer(compact=self.compact)

    def check(app) -> list[str]:
        keys = list(app.screen.query(FooterKey))
        drawn = []
        for key in keys:
            assert key.get_content_width.func is footer_key_width, "the footer's key is measured by Textual"
            for width in (0, 15, 80):
                key._content_width_cache = (None, 0)
                key._layout_cache.clear()
                real = key.render
                key.render = lambda real=real: drawn.append(1) or real()  # type: ignore[method-assign]
                ours = key.get_content_width(Size(width, 1), Size(80, 24))
                assert not drawn, "measuring a key drew it"
                del key.render
                assert ours == Widget.get_content_width(key, Size(width, 1), Size(80, 24)), (key.key, key.description)
        return [key.description for key in keys]

    for compact in (False, True):
        app = _Keys(compact)
        async with app.run_test(size=(80, 3)) as pilot:
            await pilot.pause()
            assert check(app) == ["Alpha", "Beta wide ✓", "", "", "palette"]


async def test_shared_rules_stylesheet_shares_component_styles_only_between_alike_siblings():
    """SharedRulesStylesheet._process_component_classes: siblings mounted together that Textual's pass cache
    treats as alike share their components' rules (one full styling per component); an id, a class or a
    rule testing the order of siblings keeps them apart; every widget's component styles are what Textual
    computes for it alone."""
    from textual.css.stylesheet import Stylesheet
    from textual.dom import DOMNode
    from textual.widget import Widget

    from screens.textual_compat import share_parsed_css

    class Part(Widget):
        COMPONENT_CLASSES = {"part--text", "part--edge"}

    class _Parts(App[None]):
        CSS = """
        Part .part--text { color: red; }
        #blue .part--text { color: blue; }
        Part.green .part--text { color: green; }
        Part:first-child .part--edge { text-style: bold; }
        """

        def __init__(self) -> None:
            super().__init__()
            share_parsed_css(self)

        def compose(self) -> ComposeResult:
            yield Part()
            yield Part(id="blue")
            yield Part(classes="green")
            yield Part()
            yield Part()

    styled: list[str] = []
    real = Stylesheet.apply

    def counting(self, node, **kwargs):
        if type(node) is DOMNode:
            styled.append(next(iter(node.classes)))
        return real(self, node, **kwargs)

    Stylesheet.apply = counting  # type: ignore[method-assign]
    try:
        app = _Parts()
        async with app.run_test(size=(40, 8)) as pilot:
            await pilot.pause()
            parts = list(app.query(Part))
            mounted = list(styled)
            ours = [{c: p.get_component_styles(c).get_rules() for c in Part.COMPONENT_CLASSES} for p in parts]
            for part in parts:  # Textual's own styling of each widget's components, one widget at a time
                Stylesheet._process_component_classes(app.stylesheet, part)
            textual = [{c: p.get_component_styles(c).get_rules() for c in Part.COMPONENT_CLASSES} for p in parts]
    finally:
        Stylesheet.apply = real  # type: ignore[method-assign]
    assert ours == textual
    assert [str(r["part--text"]["color"]) for r in ours] == [
        "Color(255, 0, 0)",
        "Color(0, 0, 255)",
        "Color(0, 128, 0)",
        "Color(255, 0, 0)",
        "Color(255, 0, 0)",
    ]
    assert ["text_style" in r["part--edge"] for r in ours] == [True, False, False, False, False]
    # in each styling pass (mounted; the screen's first resume restyles them) the three plain parts share one
    # styling of part--text; part--edge is tested with :first-child, so each part has its own
    passes = mounted.count("part--edge") // 5
    assert passes >= 1 and mounted.count("part--edge") == 5 * passes, mounted
    assert mounted.count("part--text") == 3 * passes, mounted


async def test_restyle_for_added_rules_restyles_the_nodes_a_new_rule_names_as_a_full_update_would():
    """screens.textual_compat.restyle_for_added_rules: after CSS is added, only the nodes an added rule can
    apply to (by type, class, id or one of their component classes) are styled again, and every node ends
    with the styles Textual's full ``Stylesheet.update`` gives; a rule ending in ``*`` restyles all."""
    from textual.containers import VerticalScroll
    from textual.widget import Widget

    from screens.textual_compat import restyle_for_added_rules

    class Part(Widget):
        COMPONENT_CLASSES = {"part--text"}

    class _Nodes(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("a", id="a", classes="x")
            yield Static("b", classes="y")
            yield Part()
            with VerticalScroll():  # its scrollbar is styled with it (not a node of the tree)
                yield Static("\n".join("tall" for _ in range(20)))

    def styles(app) -> list:
        nodes = [app, *app.screen.walk_children(with_self=True)]
        bars = [n.vertical_scrollbar for n in nodes if isinstance(n, VerticalScroll)]
        assert bars and all(bar.display for bar in bars)
        return [(n.styles.get_rules(), {c: s.get_rules() for c, s in n._component_styles.items()}) for n in nodes] + [
            (bar.styles.get_rules(), {}) for bar in bars
        ]

    async def add(css: str) -> tuple[int, list, list]:
        app = _Nodes()
        async with app.run_test(size=(30, 6)) as pilot:
            await pilot.pause()
            before = {id(rule) for rule in app.stylesheet.rules}
            app.stylesheet.add_source(css, read_from=("test", ""))
            restyled = restyle_for_added_rules(app.stylesheet, [app], before)
            ours = styles(app)
            app.stylesheet.update(app)
            return restyled, ours, styles(app)

    restyled, ours, textual = await add(".x { color: red; } .part--text { color: blue; } #nowhere { color: green; }")
    assert restyled == 2  # the Static with class x and the Part (its component)
    assert ours == textual
    assert any(str(rules.get("color")) == "Color(255, 0, 0)" for rules, _ in ours)
    assert any(str(c.get("part--text", {}).get("color")) == "Color(0, 0, 255)" for _, c in ours)
    restyled, ours, textual = await add("* { text-style: bold; }")
    assert restyled == len(ours) - 1 and ours == textual  # every node (and the scrollbar with its widget)
    restyled, ours, textual = await add("ScrollBar { scrollbar-color: red; }")
    assert restyled == len(ours) - 1 and ours == textual  # a scrollbar's rule: a full restyle


async def test_drawn_option_list_draws_rows_from_option_text_and_keeps_the_prompts():
    """screens.textual_compat.DrawnOptionList: rows drawn by ``option_text`` (hooks: OptionList._get_visual,
    _option_to_index, _option_render_cache), the options' prompts left as given."""
    from textual.widgets.option_list import Option

    from screens.textual_compat import DrawnOptionList, screen_text_lines

    class _Rows(DrawnOptionList):
        def option_text(self, option, highlighted):
            return f"{'>' if highlighted else '-'} {option.prompt}"

    class _App(App[None]):
        def compose(self) -> ComposeResult:
            yield _Rows(Option("alpha", id="a"), Option("beta", id="b"))

    app = _App()
    async with app.run_test(size=(20, 6)) as pilot:
        app.query_one(_Rows).focus()
        await pilot.pause()
        assert any("> alpha" in row for row in screen_text_lines(app)) and any(
            "- beta" in row for row in screen_text_lines(app)
        )
        await pilot.press("down")
        await pilot.pause()
        rows = screen_text_lines(app)
        assert any("- alpha" in row for row in rows) and any("> beta" in row for row in rows), rows
        assert [str(o.prompt) for o in app.query_one(_Rows).options] == ["alpha", "beta"]


async def test_drawn_toggle_button_draws_its_button_from_button_face():
    """screens.textual_compat.DrawnToggleButton: the button drawn by ``button_face`` (hook: the private
    ToggleButton._button property)."""
    from textual.content import Content
    from textual.widgets import Checkbox

    from screens.textual_compat import DrawnToggleButton, screen_text_lines

    class _Box(DrawnToggleButton, Checkbox):
        def button_face(self) -> Content:
            return Content("<on>" if self.value else "<off>")

    class _App(App[None]):
        def compose(self) -> ComposeResult:
            yield _Box("done")

    app = _App()
    async with app.run_test(size=(20, 4)) as pilot:
        await pilot.pause()
        assert any("<off> done" in row for row in screen_text_lines(app)), screen_text_lines(app)
        app.query_one(_Box).value = True
        await pilot.pause()
        assert any("<on> done" in row for row in screen_text_lines(app)), screen_text_lines(app)


async def test_footer_puts_help_and_quit_first():
    """screens.textual_compat.Footer: the keys of the help and quit actions come first (a footer too long
    for the terminal is cut at its right edge, where the app's Help and Quit were)."""
    from textual.binding import Binding

    from screens.textual_compat import Footer, screen_text_lines

    class _Keys(App[None]):
        BINDINGS = [
            Binding("a", "bell", "Alpha"),
            Binding("b", "screenshot", "Beta"),
            Binding("q", "quit", "Quit"),
            Binding("question_mark", "help", "Help", key_display="?"),
        ]

        def action_help(self) -> None:
            pass

        def compose(self) -> ComposeResult:
            yield Footer(show_command_palette=False)

    app = _Keys()
    async with app.run_test(size=(40, 3)) as pilot:
        await wait_for(lambda: "Help" in screen_text_lines(app)[-1], message="the footer")
        await pilot.pause()
        row = screen_text_lines(app)[-1]
        assert row.split() == ["?", "Help", "q", "Quit", "a", "Alpha", "b", "Beta"], row  # was a, b, q, ?
