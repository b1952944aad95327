"""Baseline for the start-up bench: a bare Textual app with four bordered panes."""

from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.widgets import Static

CSS = "Grid { grid-size: 2 2; } Static { border: round white; }"


class Bare(App):
    CSS = CSS

    def compose(self) -> ComposeResult:
        with Grid():
            for i in range(4):
                yield Static(f"bare pane {i}", id=f"p{i}")


if __name__ == "__main__":
    Bare().run()
