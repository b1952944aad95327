"""A ``Static`` that shows at most a number of wrapped lines and says when there is more: its last row reads
``… 3 more lines · ctrl+o shows all`` (the key given by the screen) instead of a silent cut mid-sentence."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.widgets import Static


class ClippedText(Static):
    """``update`` takes the whole text; what fits ``max_lines`` rows at the widget's width is shown.
    ``more(n)`` is the last row's words when ``n`` lines do not fit (the key that shows them all)."""

    def __init__(self, content: Any = "", *, max_lines: int, more: Callable[[int], str], **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.max_lines = max_lines
        self.more = more
        self.whole = Text(content) if isinstance(content, str) else content
        self.hidden_lines = 0

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        self.whole = Text(content) if isinstance(content, str) else content
        self._fit()

    @property
    def plain(self) -> str:
        """The whole text (shown or not)."""
        return self.whole.plain if isinstance(self.whole, Text) else str(self.whole)

    def _fit(self) -> None:
        text = self.whole
        width = self.content_region.width if self.is_mounted else 0
        lines = text.wrap(self.app.console, width) if width > 0 and isinstance(text, Text) else None
        if lines is None or len(lines) <= self.max_lines:
            self.hidden_lines = 0
            super().update(text)
            return
        kept = lines[: self.max_lines - 1]
        self.hidden_lines = len(lines) - len(kept)
        for line in kept:  # wrap() keeps each line's trailing space
            line.rstrip()
        shown = Text("\n").join(kept)
        shown.append("\n")
        shown.append(self.more(self.hidden_lines)[:width], style="italic")
        super().update(shown)
