"""The incident bar: ID, severity, elapsed time, the response clock to the first ack, the phase."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from console.incident.model import DRILL_LABEL, Incident, format_duration
from console.sanitize import clean_line

SEVERITY_STYLE = {
    "P0": "bold white on red",
    "P1": "bold white on dark_orange3",
    "P2": "bold black on yellow",
    "P3": "bold black on grey70",
}


def append_response_clock(text: Text, incident: Incident, now: datetime) -> None:
    """The response clock to first acknowledgement, in words (the bar and the modal strip share it)."""
    state, delta = incident.response_clock(now)
    if state == "remaining":
        text.append(f" ack due in {format_duration(delta)} ", style="bold")
    elif state == "overdue":
        text.append(f" ACK OVERDUE {format_duration(delta)} ", style="bold white on red")
    elif state == "met":
        text.append(f" acked in {format_duration(delta)} ", style="green")
    else:
        text.append(f" acked late ({format_duration(delta)}) ", style="yellow")


def bar_text(incident: Incident, now: datetime) -> Text:
    sev = incident.severity_info
    text = Text()
    text.append(f" {incident.id} ", style="bold reverse")
    if incident.is_drill:
        text.append(f" {DRILL_LABEL} ", style="bold reverse")
    text.append(f" {sev.level} {sev.name} ", style=SEVERITY_STYLE.get(sev.level, "bold"))
    text.append(f" {format_duration(incident.elapsed(now))} ")
    append_response_clock(text, incident, now)
    text.append(f" phase: {clean_line(incident.phase)} ", style="italic")
    if not incident.is_open:
        text.append(" CLOSED ", style="bold")
    text.append(f" {clean_line(incident.title)}")  # the record's text: shown escaped
    return text


class IncidentBar(Static):
    """Fed by :meth:`show_incident`; ticks its clocks every second. Hidden without an incident."""

    DEFAULT_CLASSES = "incident-bar"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.incident: Incident | None = None
        #: returns an aware UTC datetime; the app pins it in tests
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    _timer: Timer | None = None
    _shown: Text | None = None
    #: seconds between clock ticks: the resolution shown (a test's subclass may tick faster)
    TICK_SECONDS: float = 1.0

    def on_mount(self) -> None:
        self.display = self.incident is not None
        # the clocks tick at the resolution shown (1 s), and only while there is an incident to show
        self._timer = self.set_interval(self.TICK_SECONDS, self._tick, pause=self.incident is None)

    def show_incident(self, incident: Incident | None) -> None:
        self.incident = incident
        self.display = incident is not None
        if self._timer is not None:
            if incident is None:
                self._timer.pause()
            else:
                self._timer.resume()
        self._tick()

    def _tick(self) -> None:
        if self.incident is None:
            return
        now = self.clock()
        state, _ = self.incident.response_clock(now)
        self.set_class(state == "overdue", "overdue")
        text = bar_text(self.incident, now)
        if text != self._shown:  # a closed incident's clocks stand still: no repaint of the same line
            self._shown = text
            self.update(text, layout=False)  # one line, as wide as the screen (CSS): no layout pass
