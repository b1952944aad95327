"""The app's CSS in two parts: what the dashboard's first frame needs (``CSS_PATH``), and the rest
(``themes.later_css_paths``), added once that frame is on the terminal or, at the latest, before any
other screen is pushed. Textual parses every stylesheet source before it applies a style, so a smaller
first set means an earlier first frame; the rest is added to the same stylesheet (its parse cache keeps
what is already parsed) and applied to the nodes already mounted."""

from __future__ import annotations

from typing import Any

from screens.textual_compat import restyle_for_added_rules
from themes import later_css_paths


class LaterCss:
    """Mixin for the App: ``load_later_css()`` (idempotent); ``push_screen`` calls it first."""

    _later_css_loaded = False

    def load_later_css(self) -> None:
        if self._later_css_loaded:
            return
        self._later_css_loaded = True
        stylesheet = self.stylesheet  # type: ignore[attr-defined]
        before = {id(rule) for rule in stylesheet.rules} if self.is_running else set()  # type: ignore[attr-defined]
        for path in later_css_paths():
            if not stylesheet.has_source(str(path), ""):
                stylesheet.read(path)
        if self.is_running:  # type: ignore[attr-defined]
            # the app and the screen on top with their widgets, and the screens under it: only the nodes an
            # added rule can style (a full restyle of the dashboard cost ~25 ms for the few they name)
            restyle_for_added_rules(stylesheet, [self, *self.screen_stack[:-1]], before)  # type: ignore[attr-defined]

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        if self.screen_stack:  # type: ignore[attr-defined]
            self.load_later_css()  # any screen over the dashboard (the first screen) may use it
        return super().push_screen(screen, *args, **kwargs)  # type: ignore[misc]
