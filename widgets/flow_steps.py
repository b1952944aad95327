"""The steps of a running flow, one line each, with their state in words (not colour alone).

Receives data through :meth:`FlowSteps.show`; long flows show a window around the current step.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

#: state -> (mark, style). The state word is always printed next to the mark.
STATE_MARKS = {
    "pending": ("·", "dim"),
    "running": ("»", "bold yellow"),
    "passed": ("✓", "green"),
    "done": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "timeout": ("✗", "bold red"),
    "skipped": ("–", "dim"),
    "refused": ("⊘", "bold red"),
    "cancelled": ("✗", "yellow"),
    "not_run": ("–", "dim"),
}

KIND_WORDS = {"check": "check", "action": "CHANGE", "verify": "verify", "manual": "manual", "note": "note"}


@dataclass(frozen=True)
class StepRow:
    number: int
    kind: str
    title: str
    state: str
    current: bool = False


def window(rows: list[StepRow], size: int) -> tuple[list[StepRow], int, int]:
    """At most ``size`` rows around the current one: ``(shown, hidden_above, hidden_below)``."""
    if len(rows) <= size:
        return rows, 0, 0
    current = next((i for i, r in enumerate(rows) if r.current), 0)
    start = max(0, min(current - size // 2, len(rows) - size))
    return rows[start : start + size], start, len(rows) - start - size


def step_line(row: StepRow) -> Text:
    mark, style = STATE_MARKS.get(row.state, ("?", ""))
    line = Text()
    line.append("▶ " if row.current else "  ", style="bold")
    line.append(f"{row.number:>2}. ")
    line.append(f"{mark} {row.state.replace('_', ' '):<9} ", style=style)
    line.append(f"{KIND_WORDS.get(row.kind, row.kind):<6} ", style="bold" if row.kind == "action" else "dim")
    line.append(row.title, style="bold" if row.current else "")
    return line


class FlowSteps(Static):
    """The step list. ``show(rows)`` redraws only when something changed."""

    def __init__(self, *, size: int = 6, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.window_size = size
        self.rows: list[StepRow] = []

    def show(self, rows: list[StepRow]) -> None:
        if rows == self.rows and self.rows:
            return
        self.rows = list(rows)
        shown, above, below = window(self.rows, self.window_size)
        text = Text(no_wrap=True, overflow="ellipsis")
        if above:
            text.append(f"     … {above} earlier step{'s' if above != 1 else ''}\n", style="dim")
        for i, row in enumerate(shown):
            if i:
                text.append("\n")
            text.append_text(step_line(row))
        if below:
            text.append(f"\n     … {below} more step{'s' if below != 1 else ''}", style="dim")
        self.update(text)

    def plain(self) -> str:
        return "\n".join(step_line(r).plain for r in self.rows)
