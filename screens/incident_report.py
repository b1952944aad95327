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

from console.incident.report import md_text
from screens.textual_compat import Footer, StyledOnMount  # Footer: Textual's, each key styled once
from widgets.keybindings import bindings


#: the most of a report the screen parses and lays out (characters): an incident file has no size bound and
#: markdown-it spends up to ~4.5 us a character of escaped text, in the UI loop; a report of a long incident
#: (hundreds of entries) is a few tens of KB
MAX_SHOWN = 100_000


def shown_part(markdown: str, path: str) -> str:
    """``markdown``, or its head (whole lines, at most :data:`MAX_SHOWN` characters) and a line that says where
    the whole report is."""
    if len(markdown) <= MAX_SHOWN:
        return markdown
    cut = markdown.rfind("\n", 0, MAX_SHOWN) + 1
    where = f"in {md_text(path)}" if path else "in the file `edge-console incident report` writes"
    return (
        markdown[:cut]
        + f"\n---\n\n*The screen shows the first {cut} of {len(markdown)} characters; the whole report is {where}.*\n"
    )


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
            # a bounded head of a huge report (the file holds it whole)
            yield Static(Markdown(shown_part(self.markdown, self.path), hyperlinks=False), id="report-markdown")
        yield Footer()
