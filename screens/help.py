"""`?` help: the keys that work on the screen underneath (its live bindings, described by the catalogue)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.actions import key_label
from widgets.keybindings import bindings
from screens.textual_compat import Footer  # Textual's, each key styled once


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")

    def __init__(self, bindings: list[tuple[str, str]], notes: list[str] | None = None) -> None:
        super().__init__()
        self.rows = bindings
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("key", no_wrap=True)
        table.add_column("what it does")
        for key, description in self.rows:
            table.add_row(Text(key_label(key), style="bold"), description)
        with VerticalScroll(id="help-box"):
            yield Static(Text("Edge Console keys", style="bold"))
            yield Static(table)
            for note in self.notes:
                yield Static(Text(note, style="dim"))
            close = self.app.hint("help.close", "closes this help")  # type: ignore[attr-defined]
            if close:
                yield Static(Text(close, style="dim italic"))
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"
