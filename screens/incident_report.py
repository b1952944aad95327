"""The incident report (markdown) as written to disk, with its path."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from screens.textual_compat import Footer, StyledOnMount  # Footer: Textual's, each key styled once
from widgets.keybindings import bindings


class IncidentReportScreen(StyledOnMount, Screen):
    BINDINGS = bindings("incident.report")

    def __init__(self, path: str, markdown: str) -> None:
        super().__init__()
        self.path = path
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        where = (
            f"Report written to {self.path}"
            if self.path
            else "Draft: the incident is open (x closes it and writes the report)"
        )
        yield Static(Text(where), id="report-path")
        with VerticalScroll(id="report-scroll"):
            yield Markdown(self.markdown, id="report-markdown")
        yield Footer()
