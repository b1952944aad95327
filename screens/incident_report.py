"""The incident report (markdown) as written to disk, with its path.

The Markdown is drawn by Rich's renderer into one widget: Textual's ``Markdown`` widget mounts and styles a
widget per block, list item and table cell (a report of a dozen entries is ~100 widgets, each with its
component styles), which cost ~1.5 CPU-s per open of this screen against ~0.15 s here; the text, headings,
lists and the Response times table are the same."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

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
            # hyperlinks=False: a link (the report escapes link syntax in entry text) shows its address as text
            yield Static(Markdown(self.markdown, hyperlinks=False), id="report-markdown")
        yield Footer()
