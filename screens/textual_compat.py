"""The only place that touches Textual's private API (pinned: textual>=8.0,<9).

Each hook below exists because Textual 8 has no public way to do the job; each has a test in
tests/test_textual_compat.py against the installed Textual, so an upgrade that moves one fails
there, by name, and not somewhere in a screen.
"""

from __future__ import annotations

from typing import Any, Iterable

from textual.app import App
from textual.geometry import Size
from textual.notifications import Notification
from textual.widget import Widget


class OpaqueTopScreens:
    """Mixin for the App: only a translucent top screen (a modal) lets the screens under it show.

    Textual 8 always counts the screen right under the top one as visible, even when the top one is
    opaque; then every redraw of the covered dashboard (footer, clock, log pane) repainted the whole
    top screen and laid out a screen nobody sees (measured: most frames of the log view under a
    flood were full repaints). Hook: the private ``App._background_screens`` property."""

    @property
    def _background_screens(self) -> list[Any]:
        screens = App._background_screens.fget(self)  # type: ignore[attr-defined]
        stack = self.screen_stack  # type: ignore[attr-defined]
        if screens and stack and stack[-1].styles.background.a == 1:
            return []
        return screens


def set_virtual_height(widget: Widget, reactive: Any, size: Size) -> None:
    """Grow a scrolling widget's virtual size without a layout pass (the box does not change, only
    its content height; a full-screen layout per tail batch costs more than the batch). Hook: the
    private ``Widget._scroll_update``, which is what Textual itself calls after such a change."""
    widget.set_reactive(reactive, size)
    widget._scroll_update(size)  # type: ignore[attr-defined]


def notifications(app: App[Any]) -> Iterable[Notification]:
    """The toasts currently shown (tests read them). Hook: the private ``App._notifications``."""
    return list(app._notifications)  # type: ignore[attr-defined]


def background_screens(app: App[Any]) -> list[Any]:
    """The screens Textual draws under the top one (after :class:`OpaqueTopScreens`); tests read it."""
    return list(app._background_screens)  # type: ignore[attr-defined]


def screen_text_lines(app: App[Any]) -> list[str]:
    """The terminal's rows as composed (plain text), what a user sees; tests read it. Hook: the
    private ``Screen._compositor``."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]  # type: ignore[attr-defined]


def render_update(app: App[Any]) -> Any:
    """The full frame the terminal is sent (after the app's line filters); tests print it. Hook: the
    private ``Screen._compositor`` and ``App._background_screens``."""
    return app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # type: ignore[attr-defined]


def set_theme_before_run(app: App[Any], name: str) -> None:
    """Make ``name`` the app's theme before it runs, without the CSS re-parse that setting ``app.theme``
    queues: ``App._watch_theme`` schedules ``refresh_css``, which parses every stylesheet source afresh
    (its parse cache is dropped) once the app starts; at start-up nothing is parsed yet, so giving the
    stylesheet the theme's variables is enough (measured: one full parse less, ~35 ms of CPU before the
    first frame). Does what the watcher does otherwise: the ``-theme-*``/``-dark-mode`` classes, the ANSI
    filter for the theme. Hook: the private ``App._refresh_truecolor_filter``; only before the app runs
    (after that, set ``app.theme``)."""
    if app.is_running:
        app.theme = name
        return
    app.set_reactive(App.theme, name)
    theme = app.current_theme
    classes = {c: False for c in app.classes if c.startswith("-theme-")}
    classes.update({f"-theme-{theme.name}": True, "-dark-mode": theme.dark, "-light-mode": not theme.dark})
    app.update_classes(classes, update=False)
    app._refresh_truecolor_filter(app.ansi_theme)  # type: ignore[attr-defined]
    app.stylesheet.set_variables(app.get_css_variables())
