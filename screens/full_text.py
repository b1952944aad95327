"""The full text of one row (a timeline entry, an error message of the breakdown, ...) in a modal:
sanitised, wrapped, scrollable; ``c`` copies it (OSC 52, where the terminal allows it), esc closes.

``FullTextScreen(title, text)`` takes outside text as a ``str`` (escaped here with
``console.sanitize.clean``, which keeps line breaks and tabs) or ``(label, value)`` pairs shown as
``label: value`` lines (the values escaped)."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.sanitize import clean
from screens.copy_text import copy_to_terminal
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.keybindings import bindings
from widgets.plain import plain

Fields = Sequence[tuple[str, str]]


def full_text(text: str | Fields) -> Text:
    """The shown text: outside text escaped, labels bold."""
    if isinstance(text, str):
        return Text(clean(text))
    out = Text()
    for index, (label, value) in enumerate(text):
        if index:
            out.append("\n")
        out.append(f"{label}: ", style="bold")
        out.append(clean(value))
    return out


class FullTextScreen(ModalScreen[None]):
    BINDINGS = bindings("detail")

    def __init__(self, title: str, text: str | Fields) -> None:
        super().__init__()
        self.title_text = title
        self.content = full_text(text)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="full-text-box"):
            yield Static(self.content, id="full-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one("#full-text-box")
        box.border_title = plain(self.title_text)  # a runbook flow's title: never markup
        hints = [self.app.hint(a, w) for a, w in (("detail.copy", "copies"), ("detail.close", "closes"))]  # type: ignore[attr-defined]
        box.border_subtitle = plain(" · ".join(h for h in hints if h))  # the keys as configured (keys:)
        box.focus()  # arrows and page keys scroll

    @property
    def plain(self) -> str:
        return self.content.plain

    def action_copy(self) -> None:
        copy_to_terminal(self.app, self.plain, what=self.title_text)
