"""The incident controller behind the TUI: one per app, on the UI thread; its disk I/O (file locks,
fsync, loads) runs on one writer thread (:mod:`console.incident.writer`), in order, and posts back.

Feeds every poll to the alert engine and records transitions on the current incident, keeps the
alert banner and the incident bar on every full screen current, notices what other processes
append, and runs the operator's incident actions (start, note, phase, severity, escalate, notify,
close, report, review). The keys and palette entries are in ``screens.incident_app``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone
from typing import Any

from textual.app import App
from textual.screen import ModalScreen, Screen

from console.childenv import secret_env_names
from console.config import ConfigError
from console.incident.alerts import AlertEngine, AlertSettings, Observation
from console.incident.contacts import Contacts, load_contacts, runbook_defaults
from console.incident.manager import IncidentManager
from console.incident.model import PHASE_TEXT, Incident, IncidentInputError
from console.incident.notify import notify_confirmation, notify_refusal, run_notify
from console.incident.store import IncidentNotFound
from console.incident.writer import IncidentWriter, WriterClosed
from console.sanitize import clean_line
from widgets.alert_banner import AlertBanner
from widgets.incident_bar import IncidentBar
from widgets.incident_strip import IncidentStrip

try:  # filelock's timeout when another process holds the lock for too long
    from filelock import Timeout as LockTimeout
except ImportError:  # pragma: no cover
    LockTimeout = OSError  # type: ignore[misc,assignment]

WRITE_ERRORS = (IncidentInputError, IncidentNotFound, OSError, LockTimeout, WriterClosed)


def known_secrets(env: Any) -> list[str | None]:
    """The environment's tokens, so a notify command's output never shows them."""
    from console.secrets import SecretError, read_secret

    out: list[str | None] = []
    for var, file in (
        (getattr(env, "api_token_env", None), getattr(env, "api_token_file", None)),
        (getattr(env, "admin_token_env", None), getattr(env, "admin_token_file", None)),
    ):
        try:
            out.append(read_secret(var, file))
        except (SecretError, OSError):
            continue
    return out


class IncidentResponse:
    """Owns the alert engine and the incident manager for one app. The UI thread decides; every incident
    write (and the reads that go with it) runs on :attr:`writer`, one at a time in submission order, and
    its outcome comes back to the UI thread (a lock held by another process never freezes the screen)."""

    def __init__(self, app: App, *, state_dir: Any = None) -> None:
        self.app = app
        #: the thread that built this (the app's, which runs its event loop on the thread that made it)
        self._ui_thread: int | None = threading.get_ident()
        #: incident appends, loads and scans, off the UI thread and in order
        self.writer = IncidentWriter()
        self._scan_pending = False
        #: when the last scan for other writers was queued (monotonic), and the timer's interval
        self._scan_queued_at = float("-inf")
        self._scan_interval = 2.0
        config = getattr(app, "config", None)
        self.problems: list[str] = []
        try:
            settings = AlertSettings.from_config(config)
        except ConfigError as exc:
            self.problems.append(str(exc))
            settings = AlertSettings()
        self.contacts: Contacts
        try:
            self.contacts = load_contacts(config)
        except ConfigError as exc:
            self.problems.append(str(exc))
            self.contacts = runbook_defaults()
        thresholds = getattr(config, "thresholds", None)
        self.engine = AlertEngine(thresholds, settings)
        runbook = getattr(app, "_flow_runbook", None)  # else FlowsMixin._set_flow_runbook passes it when loaded
        if runbook is not None and getattr(runbook, "flows", None):
            self.engine.use_runbook(runbook)  # alerts answer with the runbook's responds_to
        session = getattr(app, "session", None)
        # on the simulated edge every incident is a drill (DRILL-..., kept apart from real ones)
        self.manager = IncidentManager(
            state_dir=state_dir, clock=self.now, drill=bool(getattr(session, "simulated", False))
        )
        self.manager.view_only = bool(getattr(getattr(app, "session", None), "shared", False))  # edge-console serve
        #: PagerDuty, Slack and Grafana (when configured) hear about the timeline; a shared view tells nobody
        self.integrations: Any = None
        if not self.manager.view_only:
            from console.integrations.dispatch import attach

            try:
                self.integrations = attach(
                    self.manager, config, getattr(getattr(app, "session", None), "env", None), self._integration_failed
                )
            except ConfigError as exc:
                self.problems.append(str(exc))
        self.last_observation = Observation()
        self.bells = 0
        self._known_ids: set[str] = set()
        self._chrome_signature: Any = None
        # entries land on the writer thread: the chrome is redrawn on the UI thread
        self.manager.listeners.append(lambda incident, entry: self._on_ui(self.update_chrome, incident))

    # -- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        clock = getattr(self.app, "clock", None)
        seconds = clock() if callable(clock) else datetime.now(timezone.utc).timestamp()
        return datetime.fromtimestamp(int(seconds), timezone.utc)

    # -- installation ------------------------------------------------------------------------
    def attach(self) -> None:
        """Listen to every poll from the first one on."""
        listeners = getattr(self.app, "poll_listeners", None)
        if isinstance(listeners, list) and self.on_poll not in listeners:
            listeners.append(self.on_poll)
        audit = getattr(self.app, "audit_listeners", None)  # runbook audit records, as written
        if isinstance(audit, list) and self.record_flow_step not in audit:
            audit.append(self.record_flow_step)

    def install(self) -> None:
        """Once the first screen is up: chrome on every screen, the refresh timer, the resume offer."""
        if not self.app.is_running:
            return  # the operator quit before the first frame settled: nothing to install
        self.attach()
        self.app.screen_change_signal.subscribe(self.app, self._on_screen_change)
        refresh = float(getattr(self.app, "refresh_seconds", 2.0) or 2.0)
        self._scan_interval = min(refresh, 2.0)
        self.app.set_interval(self._scan_interval, self._timed_scan)
        self.app.call_after_refresh(self._decorate, self.app.screen)
        for problem in self.problems:
            self.app.notify(problem, title="Incident config", severity="error", timeout=15, markup=False)
        self.offer_resume()

    def _on_screen_change(self, screen: Screen) -> None:
        self.app.call_after_refresh(self._decorate, screen)
        flow = getattr(screen, "flow", None)
        if flow is not None and str(getattr(flow, "section", "")).upper().startswith("P0"):
            self.app.call_after_refresh(self.show_escalation_path, screen)

    def escalation_text(self) -> str:
        """The escalation path on one line (wraps to two or three at 80 columns)."""
        path = " → ".join(f"{c.name} ({c.reach()})" for c in self.contacts.path())
        room = self.contacts.war_room()
        text = f"Escalate: {path}" if path else "Escalate: see contacts"
        if room is not None:
            text += f" · war room {room.url or room.name}"
        return text + " · c: contacts, escalate, notify"

    def show_escalation_path(self, screen: Screen | None = None) -> None:
        """The escalation path inside a P0 flow, under its description (a toast would hide the preview
        at 80x24); a toast only when the flow screen has no description area."""
        from rich.text import Text

        text = self.escalation_text()
        desc = screen.query("#flow-desc") if screen is not None and screen.is_attached else None
        if desc:
            widget = desc.first()
            original = str(getattr(getattr(screen, "flow", None), "description", "") or "").strip()
            content = Text(original + "\n") if original else Text()
            content.append(text, style="bold")
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
        if not screen.query(AlertBanner):
            headers = [w for w in screen.children if type(w).__name__ == "StatusHeader"]
            banner = AlertBanner(id="alert-banner")
            banner.alerts = self.engine.active()
            if headers:
                screen.mount(banner, after=headers[0])
            elif screen.children:
                screen.mount(banner, before=screen.children[0])
            else:
                screen.mount(banner)
        if not screen.query(IncidentBar):
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
        if not getattr(screen, "INCIDENT_STRIP", False) or screen.query(IncidentStrip):
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

    # -- feeding -----------------------------------------------------------------------------
    def on_poll(self, result: Any) -> None:
        obs = self.engine.observe(result, self.now().timestamp())
        self.last_observation = obs
        for transition in obs.transitions:
            self._write(self.manager.record_alert, transition)
        for change in obs.sources:
            self._write(self.manager.record_source, change)
        if obs.bell:
            self.bells += 1
            self.app.bell()
        self.check_other_writers()
        self.update_chrome()

    def _timed_scan(self) -> None:
        """The timer's scan, for when polls are slow (an edge that does not answer); each poll scans
        already, so a scan queued within the interval is enough (the idle dashboard scanned twice)."""
        if time.monotonic() - self._scan_queued_at >= self._scan_interval * 0.9:
            self.check_other_writers()

    def check_other_writers(self) -> None:
        """Entries appended by another process (a second console, ``incident note``) show here. The scan
        runs on the writer thread (after the writes queued before it); one scan queued at a time."""
        if self._scan_pending:
            return
        self._scan_pending = True
        self._scan_queued_at = time.monotonic()
        try:
            future = self.writer.submit(self._scan_other_writers)
        except WriterClosed:
            self._scan_pending = False
            return
        future.add_done_callback(lambda f: self._on_ui(self._scanned, f))

    def _scan_other_writers(self) -> tuple[bool, Incident | None]:
        """On the writer thread: did the current incident change, and which incident did we adopt."""
        changed = self.manager.refresh()
        return changed, self._adopt_new_incident()

    def _scanned(self, future: Any) -> None:
        self._scan_pending = False
        if future.exception() is not None:
            return  # a scan that could not read is retried on the next tick
        changed, adopted = future.result()
        if adopted is not None:
            by = adopted.entries[0].by if adopted.entries else "another console"
            self.app.notify(
                clean_line(f"{adopted.id} {adopted.severity} {adopted.title} started by {by}"),
                title="Incident",
                timeout=8,
                markup=False,
            )
        if changed or adopted is not None:
            self.update_chrome()

    def _adopt_new_incident(self) -> Incident | None:
        """An incident started elsewhere (another console, ``incident start``) while this console has
        none open becomes this console's incident, so both show the same timeline (writer thread)."""
        ids = set(self.manager.store.ids(drills=self.manager.drill))
        new = sorted(ids - self._known_ids)
        self._known_ids = ids
        current = self.manager.current
        if not new or (current is not None and current.is_open):
            return None
        for incident_id in reversed(new):  # the newest open one
            incident = self.manager.store.load(incident_id)
            if incident.is_open and incident.started is not None:
                self.manager.resume(incident_id)
                return incident
        return None

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
            id(getattr(self.app, "actions", None)),
        )
        if signature == self._chrome_signature and not force:
            return
        self._chrome_signature = signature
        for screen in self.app.screen_stack:
            banners = screen.query(AlertBanner)
            if banners:
                hints = self.banner_hints(screen)
                for banner in banners:
                    banner.show_alerts(alerts, hints)
            for bar in screen.query(IncidentBar):
                bar.show_incident(incident)
            for strip in screen.query(IncidentStrip):
                strip.show_incident(incident)
                strip.show_alerts(alerts)
            show = getattr(screen, "show_incident", None)
            if callable(show):
                show(incident)

    #: the keys the alert banner names: (action id, what it does)
    BANNER_ACTIONS = (("alert.ack", "ack"), ("flow.respond", "respond"), ("incident.open", "incident"))

    def banner_hints(self, screen: Screen) -> list[tuple[str, str]]:
        """``[("flow.respond", "r respond"), ...]`` for the banner's actions whose keys work on ``screen``
        (the catalogue's key as configured; an action not bound there is not named)."""
        actions = getattr(self.app, "actions", None)
        if actions is None:
            return []
        active = {b.binding.id for b in screen.active_bindings.values()}
        return [
            (action_id, actions.hint(action_id, words))
            for action_id, words in self.BANNER_ACTIONS
            if action_id in active and actions.hint(action_id, words)
        ]

    def key_hint(self, action_id: str, words: str, otherwise: str = "") -> str:
        """``"press i to start one"`` from the catalogue, or ``otherwise`` when the action has no key."""
        hint = getattr(self.app, "hint", lambda *_: "")(action_id, words)
        return f"press {hint}" if hint else otherwise

    # -- the writer thread and the way back ----------------------------------------------------
    def _on_ui(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` on the UI thread: now when already there, else posted to the app's queue
        (``call_later`` posts a message, which is thread-safe; never waiting for the screen, so the writer
        thread does not stall behind it). Once the app has stopped there is nothing to show it on."""
        if threading.get_ident() == self._ui_thread:
            fn(*args)
            return
        try:
            self.app.call_later(fn, *args)
        except RuntimeError:
            pass

    def _write(self, fn: Any, *args: Any, then: Any = None, **kwargs: Any) -> None:
        """Queue a manager write on the writer thread (in order after those queued before it). An operator
        error or a disk problem (a lock another process holds past its timeout) is a toast, never raised;
        ``then(result)`` runs on the UI thread when the write returned something."""
        try:
            future = self.writer.submit(fn, *args, **kwargs)
        except WriterClosed as exc:
            self._write_failed(exc)
            return
        future.add_done_callback(lambda f: self._on_ui(self._written, f, then))

    def _written(self, future: Any, then: Any) -> None:
        exc = future.exception()
        if exc is not None:
            self._write_failed(exc)
            return
        result = future.result()
        if then is not None and result is not None:
            then(result)

    def _write_failed(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, WRITE_ERRORS) else f"internal error: {type(exc).__name__}: {exc}"
        self.app.notify(clean_line(text), title="Incident", severity="error", timeout=10, markup=False)

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Await a manager call run on the writer thread (in order); raises what it raised."""
        return await asyncio.wrap_future(self.writer.submit(fn, *args, **kwargs))

    def _integration_failed(self, incident_id: str, outcome: Any) -> None:
        """From the integrations' thread: a message that did not go out is a timeline entry and a toast."""

        def record() -> None:
            self._write(self.manager.record_notify, outcome, incident_id)
            self.app.notify(outcome.describe(), title="Not delivered", severity="warning", timeout=8, markup=False)

        self._on_ui(record)

    def shutdown(self) -> None:
        """On exit: let queued entries land (a few seconds at most), give queued messages a moment, then
        stop the integrations' thread."""
        self.writer.close(timeout=5.0)
        if self.integrations is not None:
            self.integrations.flush(timeout=2.0)
            self.integrations.close()

    # -- runbook flows -----------------------------------------------------------------------
    def record_flow_step(self, record: dict[str, Any]) -> None:
        """Listener for the runbook runner's audit records (safe to call from any thread)."""
        if self._ui_thread is not None and self._ui_thread != threading.get_ident():
            self.app.call_from_thread(self.record_flow_step, record)
            return
        self._write(self.manager.record_flow_step, record)

    # -- actions -----------------------------------------------------------------------------
    def offer_resume(self) -> None:
        """Read the open incidents on the writer thread, then offer them here."""

        def scan() -> list[Incident]:
            self._known_ids = set(self.manager.store.ids(drills=self.manager.drill))
            return self.manager.open_incidents()

        future = self.writer.submit(scan)
        future.add_done_callback(lambda f: self._on_ui(self._offer_resume, f))

    def _offer_resume(self, future: Any) -> None:
        exc = future.exception()
        if exc is not None:
            self.app.notify(clean_line(f"cannot read incidents: {exc}"), severity="error", markup=False)
            return
        open_incidents = future.result()
        if not open_incidents or not self.app.is_running or self.manager.current_id is not None:
            return  # nothing to offer, or an incident was started or adopted here while the scan ran
        from screens.incident_prompt import ResumeScreen

        warnings = [w for i in open_incidents for w in i.warnings]

        def resume_job(incident_id: str) -> Incident:
            incident = self.manager.resume(incident_id)
            # the console restarted during the incident: that is itself a timeline entry
            self.manager.record_console_start(incident.id)
            return incident

        def resumed_done(incident: Incident) -> None:
            self.app.notify(f"Resumed {incident.id}: {len(incident.entries)} entries", timeout=5, markup=False)
            self.update_chrome()

        def resumed(incident_id: str | None) -> None:
            if incident_id:
                self._write(resume_job, incident_id, then=resumed_done)
            self.update_chrome()

        self.app.push_screen(ResumeScreen(open_incidents, self.now(), warnings), resumed)

    def start_or_open(self) -> None:
        incident = self.manager.current
        if incident is not None and incident.is_open:
            self.open_timeline()
            return
        from screens.incident_start import IncidentStartScreen

        alert = next(iter(self.engine.unacknowledged() or self.engine.active()), None)
        kwargs: dict[str, Any] = {}
        trigger = None
        if alert is not None:
            trigger = alert
            title = alert.response.title if alert.response else f"{alert.label} {alert.level.value}"
            kwargs = {"severity": alert.severity, "title": title, "trigger": alert.describe()}

        def start(severity: str, title: str, impact: str, others: list[Any]) -> Incident:  # writer thread
            if trigger is not None:
                from console.incident.alerts import Transition

                text = Transition("raised", trigger, trigger.level, trigger.since).describe()
                incident = self.manager.start(
                    severity,
                    title,
                    impact,
                    trigger=text,
                    trigger_data={"metric": trigger.key, "value": trigger.value, "flow": trigger.flow_id},
                    trigger_at=datetime.fromtimestamp(int(trigger.since), timezone.utc),
                )
            else:
                incident = self.manager.start(severity, title, impact)
            for text, data in others:
                try:
                    self.manager.record_alert_event(text, data)
                except WRITE_ERRORS as exc:
                    self._on_ui(self._write_failed, exc)
            return incident

        async def submit(severity: str, title: str, impact: str) -> tuple[bool, str]:
            others = [
                (f"Alert active at start: {a.describe()}", {"metric": a.key, "value": a.value})
                for a in self.engine.active()
                if a is not trigger
            ]
            try:
                incident = await self._call(start, severity, title, impact, others)
            except WRITE_ERRORS as exc:
                return False, str(exc)
            return True, incident.id

        def started(incident_id: str | None) -> None:
            if incident_id:
                self.app.notify(f"{incident_id} started", timeout=4, markup=False)
            self.update_chrome()

        self.app.push_screen(IncidentStartScreen(submit, **kwargs), started)

    def _need_incident(self) -> Incident | None:
        incident = self.manager.current
        if incident is None:
            how = self.key_hint("incident.open", "to start one", "start one from the palette (Incident: start)")
            self.app.notify(f"No incident: {how}", severity="warning", timeout=4, markup=False)
        return incident

    def add_note(self) -> None:
        if self._need_incident() is None:
            return
        from screens.incident_prompt import TextPromptScreen

        async def submit(text: str) -> tuple[bool, str]:
            try:
                await self._call(self.manager.note, text)
            except WRITE_ERRORS as exc:
                return False, str(exc)
            return True, ""

        self.app.push_screen(TextPromptScreen("Note for the timeline", submit, placeholder="what you saw or did"))

    def mark_phase(self, phase: str | None = None) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        if phase is not None:
            self._write(
                self.manager.mark_phase,
                phase,
                then=lambda entry: self.app.notify(PHASE_TEXT.get(phase, phase), timeout=3, markup=False),
            )
            return
        from screens.incident_prompt import PhasePickerScreen

        self.app.push_screen(PhasePickerScreen(incident), lambda chosen: chosen and self.mark_phase(chosen))

    def change_severity(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        from screens.incident_prompt import TextPromptScreen

        async def submit(text: str) -> tuple[bool, str]:
            level, _, reason = text.strip().partition(" ")
            try:
                await self._call(self.manager.set_severity, level, reason.strip())
            except WRITE_ERRORS as exc:
                return False, str(exc)
            return True, ""

        self.app.push_screen(
            TextPromptScreen(
                f"New severity for {incident.id} (now {incident.severity}): P0-P3 then a reason",
                submit,
                placeholder="P1 error rate above 1%",
            )
        )

    def acknowledge_alert(self) -> None:
        done = self.engine.acknowledge(next((a.key for a in self.engine.unacknowledged()), "-"))
        if not done:
            self.app.notify("No unacknowledged alert", timeout=3, markup=False)
            return
        for alert in done:  # recorded when an incident is open (checked on the writer thread)
            if self.manager.current_id is not None:
                self._write(
                    self.manager.record_alert_event,
                    f"Alert acknowledged: {alert.describe()}",
                    {"metric": alert.key, "transition": "acknowledged"},
                )
        self.update_chrome()
        from screens.monitoring_app import silence_on_ack

        silence_on_ack(self.app, done)  # alertmanager.ack_silence: acking here stops the page too

    def open_runbook_response(self) -> None:
        """The runbook response to the active alerts: the same choice as ``r`` (``app.action_respond``)."""
        respond = getattr(self.app, "action_respond", None)
        if callable(respond):
            respond()
            return
        alert = next((a for a in self.engine.active() if a.response is not None), None)
        if alert is None or alert.response is None:
            self.app.notify("No alert with a runbook response", timeout=3, markup=False)
            return
        self.app.notify(
            f"Runbook: {alert.response.title} (flow {alert.response.flow_id}); headless: "
            f"edge-console run {alert.response.flow_id}",
            timeout=8,
            markup=False,
        )

    def open_timeline(self) -> None:
        from screens.incident_timeline import IncidentTimelineScreen

        if not isinstance(self.app.screen, IncidentTimelineScreen):
            self.app.push_screen(IncidentTimelineScreen())

    def open_contacts(self) -> None:
        from screens.contacts import ContactsScreen

        if not isinstance(self.app.screen, ContactsScreen):
            self.app.push_screen(ContactsScreen(self.contacts))

    def escalate(self, contact_key: str) -> None:
        contact = self.contacts.contacts.get(contact_key)
        if contact is None or self._need_incident() is None:
            return
        self._write(
            self.manager.record_escalation,
            contact,
            then=lambda entry: self.app.notify(
                f"Recorded: escalated to {contact.name} ({contact.reach()})", timeout=5, markup=False
            ),
        )

    def ask_notify(self, channel_key: str) -> None:
        channel = self.contacts.channels.get(channel_key)
        incident = self._need_incident()
        if channel is None or incident is None:
            return
        if not channel.notify:
            self.app.notify(
                f"{channel.name}: no notify command in config (notify.{channel.key})", timeout=6, markup=False
            )
            return
        read_only, env_name = self._action_context()
        refusal = notify_refusal(channel.key, read_only, env_name)
        if refusal:  # a notify command is an action
            self.app.notify(refusal, severity="error", timeout=6, markup=False)
            return
        from screens.incident_prompt import TextPromptScreen

        war_room = self.contacts.war_room()
        default = f"{incident.id} {incident.severity} {incident.title} - phase {incident.phase}" + (
            f" - war room {war_room.url}" if war_room and war_room.url else ""
        )

        def submit(text: str) -> tuple[bool, str]:
            if not text.strip():
                return False, "message: must not be empty"
            return True, ""

        def confirm(message: str | None) -> None:  # then the confirmation every action needs
            if not message:
                return
            needed = notify_confirmation(channel.key, env_name)

            def accept(typed: str) -> tuple[bool, str]:
                if not needed.accepts(typed):
                    cancel = getattr(self.app, "keys_text", lambda *_: "")("prompt.cancel", "cancels")
                    return False, f"type {needed.expected!r} to send{f' ({cancel})' if cancel else ''}: nothing sent"
                self.send_notify(channel.key, message, typed)
                return True, ""

            self.app.push_screen(TextPromptScreen(needed.prompt, accept))

        self.app.push_screen(
            TextPromptScreen(
                f"Message to {channel.name} (sent on stdin to {channel.notify[0]})", submit, value=default
            ),
            confirm,
        )

    def _action_context(self) -> tuple[bool, str]:
        session = getattr(self.app, "session", None)
        env = getattr(session, "env", None)
        read_only = bool(getattr(session, "read_only", False) or getattr(env, "read_only", False))
        return read_only, str(getattr(env, "name", "") or "production")

    def send_notify(self, channel_key: str, message: str, confirmation: str | None = None) -> None:
        channel = self.contacts.channels[channel_key]
        incident_id = self.manager.current_id
        read_only, env_name = self._action_context()
        if self.manager.drill and not message.startswith("[SIMULATED DRILL]"):
            message = "[SIMULATED DRILL] " + message  # whoever reads the channel must not take it for real

        async def run() -> None:
            env = getattr(getattr(self.app, "session", None), "env", None)
            outcome = await run_notify(
                channel.key,
                list(channel.notify),
                message,
                read_only=read_only,
                env_name=env_name,
                confirmation=confirmation,
                env=getattr(env, "tool_env", None) or None,
                secrets=known_secrets(env),
                strip_env=secret_env_names(getattr(getattr(self.app, "session", None), "config", None), env),
            )
            self._write(self.manager.record_notify, outcome, incident_id)
            self.app.notify(
                clean_line(outcome.describe()),
                severity="information" if outcome.ok else "error",
                timeout=6,
                markup=False,
            )

        self.app.run_worker(run(), group="incident-notify", exit_on_error=False)

    def close_incident(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        if not incident.is_open:
            self.show_report()
            return
        from screens.incident_close import IncidentCloseScreen

        def close(checks, confirmed, root_cause, resolution, items) -> Any:  # writer thread
            self.manager.record_recovery(checks, confirmed)
            self.manager.close(root_cause, resolution, items)
            path, _ = self.manager.write_report()
            return path

        async def submit(checks, confirmed, root_cause, resolution, items) -> tuple[bool, str]:
            try:
                path = await self._call(close, checks, confirmed, root_cause, resolution, items)
            except WRITE_ERRORS as exc:
                return False, str(exc)
            return True, str(path)

        def closed(path: str | None) -> None:
            self.update_chrome()
            if path:
                self.show_report()

        self.app.push_screen(
            IncidentCloseScreen(incident.id, lambda: getattr(self.app, "last_result", None), submit), closed
        )

    def review_item(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        from console.incident.review import review_checklist

        pending = [
            (i.key, f"{i.text} (due {i.due:%Y-%m-%d %H:%M} UTC)")
            for i in review_checklist(incident)
            if i.done_at is None
        ]
        if not pending:
            self.app.notify(
                "Close the incident first; then the review items are listed here"
                if incident.is_open
                else "Every review item is done",
                timeout=4,
                markup=False,
            )
            return
        from screens.incident_prompt import ChoiceScreen

        def chosen(key: str | None) -> None:
            if key:
                self._write(self.manager.mark_review, key)

        self.app.push_screen(ChoiceScreen(f"Post-incident review of {incident.id}: mark done", pending), chosen)

    def show_report(self) -> None:
        incident = self._need_incident()
        if incident is None:
            return
        from screens.incident_report import IncidentReportScreen

        if incident.is_open:  # a draft to look at; the file is written when the incident closes
            from console.incident.report import render_report

            self.app.push_screen(IncidentReportScreen("", render_report(incident)))
            return
        self._write(
            self.manager.write_report,
            then=lambda result: self.app.push_screen(IncidentReportScreen(str(result[0]), result[1])),
        )
