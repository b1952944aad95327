"""The incident/alert strip: one line for full-size modals (the flow modal) that hide the incident bar
and the alert banner of the screen below. The incident's ID, severity and response clock come first,
then the top alert, then the elapsed time and the phase (cut with an ellipsis when the line is full)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Sequence

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from console.incident.alerts import Alert, format_value
from console.incident.model import Incident, format_duration
from console.metrics.thresholds import State
from console.sanitize import clean_line
from widgets.alert_banner import LEVEL_STYLE
from widgets.incident_bar import SEVERITY_STYLE, append_response_clock


def strip_text(incident: Incident | None, alerts: Sequence[Alert], now: datetime) -> Text:
    """The strip's line (pure): empty when there is neither an incident nor an alert."""
    text = Text()
    if incident is not None:
        sev = incident.severity_info
        text.append(f" {incident.id} ", style="bold reverse")
        if incident.is_drill:
            text.append(" DRILL ", style="bold reverse")  # the ID says so too; one word fits at 60 columns
        text.append(f" {sev.level} ", style=SEVERITY_STYLE.get(sev.level, "bold"))
        append_response_clock(text, incident, now)
    if alerts:
        top = alerts[0]
        if incident is not None:
            text.append("│", style="dim")
        text.append(f" {top.level.symbol} ", style=LEVEL_STYLE.get(top.level, "bold"))
        what = "Health DOWN" if top.key == "health" else f"{top.label} {format_value(top.value, top.unit)}"
        text.append(what, style="bold")
        if top.acknowledged:
            text.append(" acked", style="dim")
        if len(alerts) > 1:
            text.append(f" +{len(alerts) - 1}", style="bold")
        text.append(" ")
    if incident is not None:
        text.append("│", style="dim")
        text.append(f" {format_duration(incident.elapsed(now))} · {clean_line(incident.phase)}", style="italic")
        if not incident.is_open:
            text.append(" CLOSED", style="bold")
    return text


class IncidentStrip(Static):
    """Fed by :meth:`show_incident` and :meth:`show_alerts`; ticks the clocks every second.
    Hidden when there is neither an incident nor an alert."""

    DEFAULT_CLASSES = "incident-strip"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.incident: Incident | None = None
        self.alerts: list[Alert] = []
        #: returns an aware UTC datetime; the app pins it in tests
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    _timer: Timer | None = None
    _shown: Text | None = None

    def on_mount(self) -> None:
        self._tick()
        # the clocks are the incident's: tick (at the 1 s shown) only while there is one
        self._timer = self.set_interval(1.0, self._tick, pause=self.incident is None)

    def show_incident(self, incident: Incident | None) -> None:
        self.incident = incident
        if self._timer is not None:
            if incident is None:
                self._timer.pause()
            else:
                self._timer.resume()
        self._tick()

    def show_alerts(self, alerts: Sequence[Alert]) -> None:
        self.alerts = list(alerts)
        self._tick()

    def _tick(self) -> None:
        shown = self.incident is not None or bool(self.alerts)
        self.display = shown
        if not shown:
            return
        now = self.clock()
        overdue = self.incident is not None and self.incident.response_clock(now)[0] == "overdue"
        critical = bool(self.alerts) and self.alerts[0].level == State.CRITICAL and not self.alerts[0].acknowledged
        self.set_class(overdue or critical, "urgent")
        text = strip_text(self.incident, self.alerts, now)
        if text != self._shown:  # the same line (clocks standing still): no repaint
            self._shown = text
            self.update(text, layout=False)  # one line, as wide as the screen (CSS): no layout pass
