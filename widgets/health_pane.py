"""Health of the edge: overall status, version and each component, symbol plus colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.metrics.model import Health
from console.sanitize import clean_line

GOOD = {"ok", "healthy", "pass", "up"}


def component_mark(status: str) -> tuple[str, str]:
    s = status.lower()
    if s in GOOD:
        return "✓", "green"
    if s in ("degraded", "warn", "warning"):
        return "!", "yellow"
    return "✗", "red"


class HealthPane(Static):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for /health", **kwargs)
        self.border_title = "Health"
        self._plain = ""

    def show(self, health: Health | None) -> None:
        text = Text()
        if health is None:
            text.append("no answer yet", style="dim italic")
        else:
            word = "UP" if health.healthy else "DOWN"
            text.append(f"{word} ", style="bold green" if health.healthy else "bold red")
            text.append(clean_line(health.status if health.healthy else (health.error or health.status)))
            if health.version:
                text.append(f"  v{health.version}", style="dim")
            for name, status in health.components.items():
                mark, style = component_mark(status)
                text.append("\n" if name == next(iter(health.components)) else "  ")
                text.append(f"{mark} ", style=f"bold {style}")
                text.append(name if status.lower() in GOOD else f"{name} {status}")
        if text.plain != self._plain:
            self._plain = text.plain
            self.update(text)
