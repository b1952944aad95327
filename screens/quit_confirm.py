"""Quitting while something is open: a modal that names what is open and quits only on ``y``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class QuitConfirmScreen(ModalScreen[bool]):
    """``y`` quits (dismisses True); ``n``, ``escape`` or ``q`` again stay (False)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Quit anyway", id="quit.confirm"),
        Binding("n,escape,q", "answer(False)", "Stay", id="quit.cancel"),
    ]

    def __init__(self, open_things: list[str]) -> None:
        super().__init__()
        self.open_things = open_things

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal"):
            yield Static(Text("Quit Edge Console?", style="bold"), classes="modal-title")
            for thing in self.open_things:
                yield Static(Text(f"! {thing}"), classes="quit-open")
            yield Static(Text("The incident stays open in its file; another console can resume it."),
                         classes="modal-hint")
            yield Static(Text("y quits · n or esc stays"), classes="modal-hint")

    def action_answer(self, quit_: bool) -> None:
        self.dismiss(quit_)
