"""Incident response actions for the app (their keys and palette entries come from ``console/actions.py``).

Wiring (one edit in screens/app.py): ``class EdgeConsoleApp(IncidentResponseMixin, App[int])``.
``app.incident_response`` (a :class:`screens.incident_response.IncidentResponse`: the Textual glue of
:class:`console.app.incidents.IncidentSession`) is created on first use and subscribes itself to the
``PollCompleted`` and ``AuditRecorded`` events of ``app.events``; the mixin's ``on_mount`` (after the
app's own, Textual calls each class's handler) creates it after the first frame, before the first poll
can answer, installs the chrome on every screen and offers to resume an open incident. Runbook steps
reach the timeline as ``AuditRecorded`` events (``FlowsMixin.flow_audit_record``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:  # imported when first used, after the first frame (start-up time)
    from console.incident.model import Incident
    from screens.incident_response import IncidentResponse

__all__ = ["IncidentResponseMixin"]

#: actions a closed incident refuses (the record takes no more of them)
CLOSED_REFUSES = frozenset({"incident_note", "incident_phase", "incident_severity", "incident_close"})


def pending_review_items(incident: Incident) -> int:
    """How many post-incident review items are not done (none while the incident is open)."""
    from console.incident.review import review_checklist

    return sum(1 for item in review_checklist(incident) if item.done_at is None)


class IncidentResponseMixin(App):
    """Incident actions on every screen (keys and palette entries: ``console/actions.py``)."""

    _incident_response: IncidentResponse | None = None

    @property
    def incident_response(self) -> IncidentResponse:
        """Created on first use: the install after the first frame, or a key pressed before it.
        From then on it listens to every poll (polling starts after the first frame too)."""
        response = self._incident_response
        if response is None:
            from screens.incident_response import IncidentResponse

            response = self._incident_response = IncidentResponse(self)
            response.attach()
        return response

    def on_mount(self) -> None:
        # once the first frame is on screen, right after polling starts (the first poll cannot
        # answer before this runs: it awaits a thread and the network)
        self.after_first_frame(self._install_incident_response)  # type: ignore[attr-defined]

    def _install_incident_response(self) -> None:
        if self.is_running:
            fresh = self._incident_response is None
            response = self.incident_response
            response.install()
            latest = self.last_result  # type: ignore[attr-defined]
            if fresh and latest is not None:  # the start-up's early numbers were drawn before this ran
                response.on_poll(latest)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The incident's keys that can work now (the footer, ``?`` and the palette leave the others out):
        a closed incident takes no note, phase, severity or close (each was offered and then refused: "... is
        closed"; at 80 columns they pushed v, q and ? off the timeline's footer), and its review is marked
        only once it is closed with an item left."""
        if action not in CLOSED_REFUSES and action not in ("incident", "incident_review"):
            return super().check_action(action, parameters)
        response = self._incident_response
        incident = response.manager.current if response is not None else None
        if action == "incident":  # on an open incident's own timeline it would open what is shown
            from screens.incident_timeline import IncidentTimelineScreen

            if isinstance(self.screen, IncidentTimelineScreen) and incident is not None and incident.is_open:
                return False
            return super().check_action(action, parameters)
        if action == "incident_review":
            return incident is not None and pending_review_items(incident) > 0
        return incident is None or incident.is_open  # no incident: the key says how to start one

    def action_incident(self) -> None:
        self.incident_response.start_or_open()

    def action_incident_note(self) -> None:
        self.incident_response.add_note()

    def action_incident_phase(self) -> None:
        self.incident_response.mark_phase()

    def action_incident_severity(self) -> None:
        self.incident_response.change_severity()

    def action_alert_ack(self) -> None:
        self.incident_response.acknowledge_alert()

    def action_alert_runbook(self) -> None:
        self.incident_response.open_runbook_response()

    def action_incident_contacts(self) -> None:
        self.incident_response.open_contacts()

    def action_incident_close(self) -> None:
        self.incident_response.close_incident()

    def action_incident_report(self) -> None:
        self.incident_response.show_report()

    def action_incident_review(self) -> None:
        self.incident_response.review_item()

    def action_incident_timeline(self) -> None:
        self.incident_response.open_timeline()
