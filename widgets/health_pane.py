"""Health of the edge: overall status, version and each component, symbol plus colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.metrics.model import Health
from console.metrics.thresholds import State
from console.sanitize import clean_line
from themes.look import state_mark, state_style, state_tint, theme_of

GOOD = {"ok", "healthy", "pass", "up"}


def component_state(status: str) -> State:
    s = status.lower()
    if s in GOOD:
        return State.NORMAL
    if s in ("degraded", "warn", "warning"):
        return State.WARNING
    return State.CRITICAL


def component_mark(status: str) -> tuple[str, State]:
    state = component_state(status)
    return state_mark(state), state


class HealthPane(Static):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for /health", **kwargs)
        self.border_title = "Health"
        self._plain: tuple = ()
        self._last: Health | None = None

    def show(self, health: Health | None) -> None:
        text = Text()
        if health is None:
            text.append("no answer yet", style="dim italic")
        else:
            word = "UP" if health.healthy else "DOWN"
            up_state = State.NORMAL if health.healthy else State.CRITICAL
            text.append(f"{state_mark(up_state)} {word}", style=f"bold {state_style(self, up_state)}")
            text.append(" ")
            text.append(clean_line(health.status if health.healthy else (health.error or health.status)))
            if health.version:
                text.append(f"  v{health.version}", style="dim")
            units = []
            for name, status in health.components.items():
                mark, state = component_mark(status)
                unit = Text()
                unit.append(f"{mark} ", style=f"bold {state_tint(self, state)}")
                unit.append(name if status.lower() in GOOD else f"{name} {status}")
                units.append(unit)
            if units:
                text.append("\n")
                text.append_text(flow_units(units, self.content_size.width))
        self._last = health
        signature = (text.plain, theme_of(self))
        if signature != self._plain:
            self._plain = signature
            self.update(text)

    def restyle(self) -> None:
        self.show(self._last)

    def on_resize(self) -> None:
        self.show(self._last)  # the components flow into the new width


def flow_units(units: list[Text], width: int, gap: str = "  ") -> Text:
    """The units side by side, a new line where the next one would not fit in ``width`` (0: one line).
    A unit (a component's mark and name) is never split from its mark, so a wrapped line never ends
    with the mark of the component on the next line."""
    out = Text()
    used = 0
    for unit in units:
        size = unit.cell_len
        if used and (not width or used + len(gap) + size <= width):
            out.append(gap)
            used += len(gap)
        elif used:
            out.append("\n")
            used = 0
        out.append_text(unit)
        used += size
    return out
