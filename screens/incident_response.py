"""The incident session's Textual glue: :class:`IncidentResponse` is :class:`console.app.incidents.IncidentSession`
(every decision and write, no Textual) plus what only a screen can do: open the forms and pickers, show
toasts, put the alert banner and the incident bar on every full screen (the strip on a full-size modal)
and keep them current, ring the bell. The keys and palette entries are in ``screens.incident_app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from console.app.incidents import IncidentSession, Notice
from console.incident.model import Incident
from console.sanitize import clean_line
from widgets.alert_banner import AlertBanner
from widgets.incident_bar import IncidentBar
from widgets.incident_strip import IncidentStrip

if TYPE_CHECKING:
    from screens.app import EdgeConsoleApp

__all__ = ["IncidentResponse", "TuiFrontEnd"]


def chrome(screen: Screen, kind: type[Widget]) -> list[Any]:
    """The ``kind`` widgets (banner, bar, strip) on ``screen``: :meth:`IncidentResponse._decorate` mounts them
    as the screen's own children, so only those are looked at. A query walked the whole screen (hundreds of
    widgets on the dashboard) three times per screen at each redraw of the chrome, each poll with an alert."""
    return [widget for widget in screen.children if isinstance(widget, kind)]


class TuiFrontEnd:
    """:class:`console.app.incidents.IncidentFrontEnd` for the app: toasts, the bell, the chrome."""

    def __init__(self, app: EdgeConsoleApp, redraw: Callable[[Incident | None], None]) -> None:
        self.app = app
        self._redraw = redraw

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        # call_later posts a message (thread-safe) and never waits for the screen, so the writer thread
        # does not stall behind it; once the app has stopped there is nothing to show it on
        try:
            self.app.call_later(fn, *args)
        except RuntimeError:
            pass

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        self.app.call_from_thread(fn, *args)

    def toast(self, notice: Notice) -> None:
        self.app.notify(
            clean_line(notice.text),
            title=notice.title,
            severity=notice.severity,  # type: ignore[arg-type]
            timeout=notice.timeout,
            markup=False,
        )

    def bell(self) -> None:
        self.app.bell()

    def redraw(self, incident: Incident | None = None) -> None:
        self._redraw(incident)

    def hint(self, action_id: str, words: str) -> str:
        return self.app.hint(action_id, words)


class IncidentResponse(IncidentSession):
    """One per app, on the UI thread (``app.incident_response``)."""

    #: the keys the alert banner names: (action id, what it does)
    BANNER_ACTIONS = (("alert.ack", "ack"), ("flow.respond", "respond"), ("incident.open", "incident"))

    def __init__(self, app: EdgeConsoleApp, *, state_dir: Any = None) -> None:
        self.app = app
        self._chrome_signature: Any = None
        self._keys_state: Any = None  # what the incident keys' check_action reads (screens/incident_app.py)
        super().__init__(
            TuiFrontEnd(app, self.update_chrome),
            app.session,
            clock=lambda: app.clock(),  # read at each call: tests and the replay set it
            runbook=app._flow_runbook,  # else FlowsMixin._set_flow_runbook passes it when loaded
            state_dir=state_dir,
        )

    # -- installation ------------------------------------------------------------------------
    def attach(self) -> None:
        """Listen to every poll and runbook audit record from now on."""
        self.subscribe(self.app.events)

    def install(self) -> None:
        """Once the first screen is up: chrome on every screen, the refresh timer, the resume offer."""
        if not self.app.is_running:
            return  # the operator quit before the first frame settled: nothing to install
        self.attach()
        self.app.screen_change_signal.subscribe(self.app, self._on_screen_change)
        refresh = float(self.app.refresh_seconds or 2.0)
        self._scan_interval = min(refresh, 2.0)
        self.app.set_interval(self._scan_interval, self._timed_scan)
        self.app.call_after_refresh(self._decorate, self.app.screen)
        for problem in self.problems:
            self.app.notify(problem, title="Incident config", severity="error", timeout=15, markup=False)
        self.scan_open_incidents(self._offer_resume)

    def _on_screen_change(self, screen: Screen) -> None:
        self.app.call_after_refresh(self._decorate, screen)
        flow = getattr(screen, "flow", None)
        if flow is not None and str(getattr(flow, "section", "")).upper().startswith("P0"):
            self.app.call_after_refresh(self.show_escalation_path, screen)

    def show_escalation_path(self, screen: Screen | None = None) -> None:
        """The escalation path inside a P0 flow, first, above its description (under it, the path was cut
        at 60x20; a toast would hide the preview at 80x24); a toast only when the flow screen has no
        description area."""
        from rich.text import Text

        text = self.escalation_text()
        desc = screen.query("#flow-desc") if screen is not None and screen.is_attached else None
        if desc:
            widget = desc.first()
            original = str(getattr(getattr(screen, "flow", None), "description", "") or "").strip()
            content = Text(text, style="bold")
            if original:
                content.append("\n" + original)
            widget.update(content)
            widget.display = True
        else:
            self.app.notify(text, title="P0 escalation path", timeout=12, markup=False)

    def _decorate(self, screen: Screen) -> None:
        """Put the alert banner and the incident bar on a full screen that does not have them yet."""
        if not screen.is_attached:
            return
        if isinstance(screen, ModalScreen):
            self._decorate_modal(screen)
            return
        if not chrome(screen, AlertBanner):
            headers = [w for w in screen.children if type(w).__name__ == "StatusHeader"]
            banner = AlertBanner(id="alert-banner")
            banner.alerts = self.engine.active()
            if headers:
                screen.mount(banner, after=headers[0])
            elif screen.children:
                screen.mount(banner, before=screen.children[0])
            else:
                screen.mount(banner)
        if not chrome(screen, IncidentBar):
            bar = IncidentBar(id="incident-bar")
            bar.clock = self.now
            bar.incident = self.manager.current
            footers = [w for w in screen.children if type(w).__name__ == "Footer"]
            if footers:
                screen.mount(bar, before=footers[0])
            else:
                screen.mount(bar)
        self.update_chrome(force=True)

    def _decorate_modal(self, screen: Screen) -> None:
        """A full-size modal that hides the bar and the banner below it (``INCIDENT_STRIP = True``, the
        flow modal) gets the one-line incident/alert strip at its top."""
        if not getattr(screen, "INCIDENT_STRIP", False) or chrome(screen, IncidentStrip):
            return
        strip = IncidentStrip(id="incident-strip")
        strip.clock = self.now
        strip.incident = self.manager.current
        strip.alerts = self.engine.active()
        if screen.children:
            screen.mount(strip, before=screen.children[0])
        else:
            screen.mount(strip)
        self.update_chrome(force=True)

    # -- drawing -------------------------------------------------------------------------------
    def update_chrome(self, incident: Incident | None = None, *, force: bool = False) -> None:
        """Push the incident and the alerts to every screen's widgets (skipped when nothing changed)."""
        if incident is None or incident.id != self.manager.current_id:
            incident = self.manager.current
        alerts = self.engine.active()
        signature = (
            None
            if incident is None
            else (incident.id, len(incident.entries), incident.phase, incident.severity, incident.closed_at),
            tuple((a.key, a.level, a.acknowledged, a.value) for a in alerts),
            tuple(id(screen) for screen in self.app.screen_stack),
            id(self.app.actions),
        )
        if signature == self._chrome_signature and not force:
            return
        self._chrome_signature = signature
        from screens.incident_app import pending_review_items

        keys_state = None if incident is None else (incident.id, incident.is_open, pending_review_items(incident))
        if keys_state != self._keys_state:  # closed, or a review item done: the keys that work changed
            self._keys_state = keys_state
            self.app.refresh_bindings()
        for screen in self.app.screen_stack:
            if not screen.is_mounted:  # pushed, not composed yet: its on_mount shows the incident as it is then
                continue
            banners = chrome(screen, AlertBanner)
            if banners:
                hints = self.banner_hints(screen)
                for banner in banners:
                    banner.show_alerts(alerts, hints)
            for bar in chrome(screen, IncidentBar):
                bar.show_incident(incident)
            for strip in chrome(screen, IncidentStrip):
                strip.show_incident(incident)
                strip.show_alerts(alerts)
            show = getattr(screen, "show_incident", None)
            if callable(show):
                show(incident)

    def banner_hints(self, screen: Screen) -> list[tuple[str, str]]:
        """``[("flow.respond", "r respond"), ...]`` for the banner's actions whose keys work on ``screen``
        (the catalogue's key as configured; an action not bound there is not named)."""
        actions = self.app.actions
        active = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        return [
            (action_id, actions.hint(action_id, words))
            for action_id, words in self.BANNER_ACTIONS
            if action_id in active and actions.hint(action_id, words)
        ]

    # -- resume ----------------------------------------------------------------------------------
    def _offer_resume(self, open_incidents: list[Incident]) -> None:
        if not self.app.is_running:
            return
        from screens.incident_prompt import ResumeScreen

        warnings = [w for i in open_incidents for w in i.warnings]

        def chosen(incident_id: str | None) -> None:
            if incident_id:
                self.resume(incident_id)
            self.update_chrome()

        self.app.push_screen(ResumeScreen(open_incidents, self.now(), warnings), chosen)

    # -- actions -----------------------------------------------------------------------------
    def start_or_open(self) -> None:
        incident = self.manager.current
        if incident is not None and incident.is_open:
            self.open_timeline()
            return
        from screens.incident_start import IncidentStartScreen

        proposal = self.start_proposal()

        async def submit(severity: str, title: str, impact: str) -> tuple[bool, str]:
            return await self.start(severity, title, impact, proposal)

        self.app.push_screen(IncidentStartScreen(submit, **proposal.form_defaults()), self.started)

    def add_note(self) -> None:
        if self.need_incident() is None:
            return
        from screens.incident_prompt import TextPromptScreen

        self.app.push_screen(
            TextPromptScreen("Note for the timeline", self.submit_note, placeholder="what you saw or did")
        )

    def mark_phase(self, phase: str | None = None) -> None:
        incident = self.need_incident()
        if incident is None:
            return
        if phase is not None:
            self.record_phase(phase)
            return
        from screens.incident_prompt import PhasePickerScreen

        self.app.push_screen(PhasePickerScreen(incident), lambda chosen: chosen and self.mark_phase(chosen))

    def change_severity(self) -> None:
        incident = self.need_incident()
        if incident is None:
            return
        from screens.incident_prompt import TextPromptScreen

        self.app.push_screen(
            TextPromptScreen(
                f"New severity for {incident.id} (now {incident.severity}): P0-P3 then a reason",
                self.set_severity,
                placeholder="P1 error rate above 1%",
            )
        )

    def acknowledge_alert(self) -> list[Any]:
        done = super().acknowledge_alert()
        if done:
            from screens.monitoring_app import silence_on_ack

            silence_on_ack(self.app, done)  # alertmanager.ack_silence: acking here stops the page too
        return done

    def open_runbook_response(self) -> None:
        """The runbook response to the active alerts: the same choice as ``r`` (``app.action_respond``)."""
        self.app.action_respond()

    def open_timeline(self) -> None:
        from screens.incident_timeline import IncidentTimelineScreen

        if not isinstance(self.app.screen, IncidentTimelineScreen):
            self.app.push_screen(IncidentTimelineScreen())

    def open_contacts(self) -> None:
        from screens.contacts import ContactsScreen

        if not isinstance(self.app.screen, ContactsScreen):
            self.app.push_screen(ContactsScreen(self.contacts))

    def ask_notify(self, channel_key: str) -> None:
        """The message (prefilled), then the confirmation every action needs, then :meth:`send_notify`."""
        plan = self.notify_plan(channel_key)
        if plan is None:
            return
        from screens.incident_prompt import TextPromptScreen

        def confirm(message: str | None) -> None:
            if not message:
                return

            def accept(typed: str) -> tuple[bool, str]:
                problem = self.confirmation_problem(plan, typed, self.app.keys_text("prompt.cancel", "cancels"))
                if problem:
                    return False, problem
                self.send_notify(plan.channel_key, message, typed)
                return True, ""

            self.app.push_screen(TextPromptScreen(plan.confirmation.prompt, accept))

        self.app.push_screen(
            TextPromptScreen(
                f"Message to {plan.channel_name} (sent on stdin to {plan.command})",
                self.check_message,
                value=plan.default_message,
            ),
            confirm,
        )

    def send_notify(self, channel_key: str, message: str, confirmation: str | None = None) -> None:
        """Send in a worker (the command runs as a child process; the core refuses read-only and
        unconfirmed sends)."""
        self.app.run_worker(
            self.notify_channel(channel_key, message, confirmation),
            group="incident-notify",
            exit_on_error=False,
        )

    def close_incident(self) -> None:
        incident = self.need_incident()
        if incident is None:
            return
        if not incident.is_open:
            self.show_report()
            return
        from screens.incident_close import IncidentCloseScreen

        def closed(path: str | None) -> None:
            self.update_chrome()
            if path:
                self.show_report()

        self.app.push_screen(IncidentCloseScreen(incident.id, lambda: self.app.last_result, self.close), closed)

    def review_item(self) -> None:
        incident = self.need_incident()
        if incident is None:
            return
        pending = self.pending_review(incident)
        if not pending:
            return
        from screens.incident_prompt import ChoiceScreen

        def chosen(key: str | None) -> None:
            if key:
                self.mark_review(key)

        self.app.push_screen(ChoiceScreen(f"Post-incident review of {incident.id}: mark done", pending), chosen)

    def show_report(self) -> None:
        incident = self.need_incident()
        if incident is None:
            return
        from screens.incident_report import IncidentReportScreen

        self.report(incident, lambda path, text: self.app.push_screen(IncidentReportScreen(path, text)))
