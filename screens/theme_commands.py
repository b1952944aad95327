"""Command palette: ``Theme: <title> (<name>)`` switches the console's theme live (default colours,
16 ANSI colours, monochrome). Added to ``EdgeConsoleApp.COMMANDS``; the switch is
``EdgeConsoleApp.use_theme(name)`` (``screens/theme_app.py``)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.termcaps import THEME_NAMES
from themes.look import THEME_TITLES


def theme_command_text(name: str) -> str:
    return f"Theme: {THEME_TITLES[name]} ({name})"


class ThemeCommands(Provider):
    HELP = "switch the console's colours now (states keep their words and symbols)"

    def _hits(self) -> list[tuple[str, object]]:
        use = self.app.use_theme  # type: ignore[attr-defined]
        current = self.app.theme
        return [
            (theme_command_text(name) + (" · current" if name == current else ""), partial(use, name))
            for name in THEME_NAMES
        ]

    async def discover(self) -> Hits:
        for text, action in self._hits():
            yield DiscoveryHit(text, action, help=self.HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, action in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, text=text, help=self.HELP)
