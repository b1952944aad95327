"""`?` help: the keys that work on the screen underneath, gathered from its live bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"question_mark": "?", "colon": ":", "slash": "/", "space": "space", "escape": "esc",
             "enter": "enter", "ctrl+p": "ctrl+p"}


def key_label(key: str) -> str:
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

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
            yield Static(Text("esc closes this help", style="dim italic"))

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"
