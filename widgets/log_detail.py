"""The expanded event: all logs, exceptions with stacks, request headers and cf fields."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.tail.format import detail_pieces
from console.tail.model import TailEvent


class LogDetail(Static):
    COMPONENT_CLASSES = {
        f"log-detail--{key}" for key in ("ok", "notice", "warn", "error", "dim", "heading", "plain", "time")
    }

    def __init__(self, event: TailEvent, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.event = event

    def on_mount(self) -> None:
        self.show(self.event)

    def show(self, event: TailEvent) -> None:
        self.event = event
        text = Text()
        for chunk, style in detail_pieces(event):
            text.append(chunk, self.get_component_rich_style(f"log-detail--{style}", partial=True))
        text.rstrip()
        self.update(text)
