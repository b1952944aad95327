"""Quitting while something is open: a modal that names what is open and quits only on ``y``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from screens.textual_compat import Footer, StyledOnMount  # styled once when first shown

from widgets.keybindings import bindings, key_hints


class QuitConfirmScreen(StyledOnMount, ModalScreen[bool]):
    """``y`` quits (dismisses True); ``n``, ``escape`` or ``q`` again stay (False)."""

    BINDINGS = bindings("quit")

    def __init__(self, open_things: list[str], *, incident_open: bool = False) -> None:
        super().__init__()
        self.open_things = open_things
        self.incident_open = incident_open

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal"):
            yield Static(Text("Quit Edge Console?", style="bold"), classes="modal-title")
            for thing in self.open_things:
                yield Static(Text(f"! {thing}"), classes="quit-open")
            if self.incident_open:  # said only when there is one (a critical alert alone is no incident)
                yield Static(
                    Text("The incident stays open in its file; another console can resume it."), classes="modal-hint"
                )
            hint = key_hints(self.app, ("quit.confirm", "quits"), ("quit.cancel", "stays"))
            yield Static(Text(hint), classes="modal-hint")
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def action_answer(self, quit_: bool) -> None:
        self.dismiss(quit_)
