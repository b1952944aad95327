"""The app's side of themes: registers the console's themes with Textual, applies the one
``console/termcaps.py`` chooses (``--theme``, the config's ``theme:``, the terminal), switches live
(``use_theme``, the palette's ``Theme:`` entries), and adds the VT glyph filter on ``TERM=linux``/``vt*``."""

from __future__ import annotations

import os
from typing import Any, Sequence

from textual.filter import LineFilter, Monochrome, NoColor

from console.termcaps import VT_GLYPHS, TermChoice, choose, config_theme
from console.termcaps import MONO_THEME
from screens.textual_compat import set_theme_before_run
from themes.look import THEMES, VTGlyphFilter

_NO_COLOR = NoColor()


class ThemeMixin:
    """A base of ``EdgeConsoleApp``; ``setup_look(flag)`` runs in its ``__init__``."""

    term_choice: TermChoice
    glyph_filter: LineFilter | None = None

    def setup_look(self, flag: str | None, environ: Any = None) -> None:
        environ = os.environ if environ is None else environ
        for theme in THEMES.values():
            self.register_theme(theme)  # type: ignore[attr-defined]
        self.term_choice = choose(environ, flag=flag, config_value=config_theme(self.config))  # type: ignore[attr-defined]
        self.glyph_filter = VTGlyphFilter() if self.term_choice.glyphs == VT_GLYPHS else None
        set_theme_before_run(self, self.term_choice.theme)  # type: ignore[arg-type]

    def use_theme(self, name: str) -> None:
        """Switch theme now (the palette's ``Theme:`` entries)."""
        self.theme = name  # type: ignore[attr-defined]
        self.notify(f"theme {name}", timeout=3)  # type: ignore[attr-defined]

    def watch_theme(self, name: str) -> None:
        """Any switch (ours or Textual's own "Change theme"): every pane redraws with the new state
        styles once the new CSS is applied."""
        self._filters_key = None
        if self.is_running:  # type: ignore[attr-defined]
            self.call_after_refresh(self._restyle_states)  # type: ignore[attr-defined]

    def _restyle_states(self) -> None:
        from widgets.log_pane import LogPane

        for screen in self.screen_stack:  # type: ignore[attr-defined]
            restyle = getattr(screen, "restyle", None)
            if callable(restyle):
                restyle()
            for pane in screen.query(LogPane):  # on the dashboard and in the log view
                pane.restyle()

    _filters_key: tuple | None = None
    _filters_cache: Sequence[LineFilter] = ()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, with the two changes above; asked for at every widget render, so kept
        until the theme or the ANSI setting changes."""
        key = (self.theme, self.native_ansi_color, self.ansi_color)  # type: ignore[attr-defined]
        if key != self._filters_key:
            self._filters_cache = self._make_line_filters()
            self._filters_key = key
        return self._filters_cache

    def _make_line_filters(self) -> Sequence[LineFilter]:
        filters = list(super().get_line_filters())  # type: ignore[misc]
        if getattr(self, "no_color", False) and self.native_ansi_color:  # type: ignore[attr-defined]
            # NO_COLOR with a theme in the terminal's own colours: drop colours, keep bold and reverse
            # (Textual's greyscale filter would turn "default" into a fixed grey)
            filters = [_NO_COLOR if isinstance(f, Monochrome) else f for f in filters]
        if self.theme == MONO_THEME and not any(isinstance(f, (NoColor, Monochrome)) for f in filters):  # type: ignore[attr-defined]
            # the monochrome theme has no colour at all: text styled by a widget (a red FAILED, a green
            # "acked in") keeps its bold/reverse/underline and its words, never a colour
            filters.append(_NO_COLOR)
        if self.glyph_filter is not None:
            filters.append(self.glyph_filter)
        return filters
