"""The incident screen: summary, response clock and the timeline; keys for notes, phases, severity,
contacts, closing and the report."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from console.incident.model import Incident
from screens.base import EdgeScreen
from widgets.incident_timeline import IncidentTimeline


class IncidentTimelineScreen(EdgeScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "app.incident_severity", "Severity"),
        Binding("c", "app.incident_contacts", "Contacts"),
        Binding("x", "app.incident_close", "Close incident"),
        Binding("r", "app.incident_report", "Report"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="incident-summary")
        yield Static("", id="incident-warnings", classes="form-error")
        yield IncidentTimeline(id="incident-timeline")
        yield Footer()

    def on_mount(self) -> None:
        response = getattr(self.app, "incident_response", None)
        if response is not None:
            self.show_incident(response.manager.current)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        response = getattr(self.app, "incident_response", None)
        if response is not None:
            self.show_incident(response.manager.current)

    def show_incident(self, incident: Incident | None) -> None:
        summary = self.query_one("#incident-summary", Static)
        if incident is None:
            summary.update("No incident. Press i to start one.")
            return
        sev = incident.severity_info
        lines = [f"{incident.id}  {sev.label}  (respond within {sev.response_text})  phase: {incident.phase}",
                 f"{incident.title}" + (f" · impact: {incident.impact}" if incident.impact else "")]
        summary.update("\n".join(lines))
        self.query_one("#incident-warnings", Static).update("\n".join(incident.warnings))
        self.query_one(IncidentTimeline).show_entries(incident.entries)

    def apply_result(self, result: Any) -> None:
        super().apply_result(result)
