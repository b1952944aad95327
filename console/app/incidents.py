"""The incident session, the application side (no Textual): every decision and every write of incident
response. ``screens.incident_response.IncidentResponse`` is its Textual glue (modals, toasts, the banner
and bar on each screen) and the :class:`IncidentFrontEnd` it is given.

One per app, built on the UI thread. It owns the alert engine (each poll judged), the incident manager
and its writer thread (every append, load and scan runs there, in order: a lock held by another process
never freezes the UI), the contacts and the integrations. Outcomes come back to the UI thread through
``front.post``; what the operator must read is a :class:`Notice` handed to ``front.toast``.

- alerts: :meth:`IncidentSession.on_poll` (transitions and source changes to the timeline, the bell),
  :meth:`acknowledge_alert`;
- other writers: :meth:`check_other_writers` (a second console, ``incident note``), adopting an incident
  started elsewhere;
- resume: :meth:`scan_open_incidents`, :meth:`resume`;
- operator actions: :meth:`start` (with :meth:`start_proposal`), :meth:`submit_note`, :meth:`record_phase`,
  :meth:`set_severity`, :meth:`escalate`, :meth:`notify_plan` / :meth:`notify_channel`, :meth:`close`,
  :meth:`pending_review`, :meth:`mark_review`, :meth:`report`; runbook steps: :meth:`record_flow_step`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

from console.app.events import AuditRecorded, EventBus, PollCompleted
from console.app.incident_notify import (
    NotNotified,
    NotifyPlan,
    check_message,
    confirmation_problem,
    drill_message,
    known_secrets,
    plan_notify,
)
from console.childenv import secret_env_names
from console.config import ConfigError
from console.incident.alerts import Alert, AlertEngine, AlertSettings, Observation, Transition
from console.incident.contacts import Contacts, load_contacts, runbook_defaults
from console.incident.manager import IncidentManager
from console.incident.model import PHASE_TEXT, Incident, IncidentInputError
from console.incident.notify import run_notify
from console.incident.store import IncidentNotFound
from console.incident.writer import IncidentWriter, WriterClosed
from console.sanitize import clean_line

try:  # filelock's timeout when another process holds the lock for too long
    from filelock import Timeout as LockTimeout
except ImportError:  # pragma: no cover
    LockTimeout = OSError  # type: ignore[misc,assignment]

__all__ = [
    "WRITE_ERRORS",
    "IncidentFrontEnd",
    "IncidentSession",
    "Notice",
    "NotifyPlan",
    "StartProposal",
]

#: what an incident write may raise that is the operator's or the disk's problem (a toast, never a traceback)
WRITE_ERRORS = (IncidentInputError, IncidentNotFound, OSError, LockTimeout, WriterClosed)


@dataclass(frozen=True)
class Notice:
    """A one-line message for the operator (a toast in the TUI). Text from files or other processes is
    cleaned here; a front end shows every notice through ``console.sanitize.clean_line`` too, never as
    markup."""

    text: str
    title: str = ""
    severity: str = "information"  # information | warning | error
    timeout: float = 5.0


class IncidentFrontEnd(Protocol):
    """What the session needs from the UI (``screens.incident_response.TuiFrontEnd``)."""

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the UI thread soon; callable from any thread; never waits; nothing once
        the UI has gone."""

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """From another thread: run ``fn(*args)`` on the UI thread and wait for it."""

    def toast(self, notice: Notice) -> None: ...

    def bell(self) -> None: ...

    def redraw(self, incident: Incident | None = None) -> None:
        """Show the current incident and alerts (the UI skips it when nothing changed)."""

    def hint(self, action_id: str, words: str) -> str:
        """``"i to start one"`` from the action catalogue, or "" when the action has no key."""


@dataclass(frozen=True)
class StartProposal:
    """What the start form is filled with: the alert to answer (unacknowledged first), if any."""

    trigger: Alert | None = None
    severity: str | None = None
    title: str | None = None
    trigger_text: str | None = None

    def form_defaults(self) -> dict[str, Any]:
        if self.trigger is None:
            return {}
        return {"severity": self.severity, "title": self.title, "trigger": self.trigger_text}


def _at_second(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), timezone.utc)


class IncidentSession:
    """The alert engine and the incident manager for one console. The UI thread decides; every incident
    write (and the reads that go with it) runs on :attr:`writer`, one at a time in submission order, and
    its outcome comes back through ``front.post``."""

    def __init__(
        self,
        front: IncidentFrontEnd,
        session: Any,
        *,
        clock: Callable[[], float] | None = None,
        runbook: Any = None,
        state_dir: Any = None,
        integrations: bool = True,
    ) -> None:
        self.front = front
        self.session = session
        self.clock = clock
        #: the thread that built this: the UI's
        self.ui_thread: int = threading.get_ident()
        #: incident appends, loads and scans, off the UI thread and in order
        self.writer = IncidentWriter()
        self._scan_pending = False
        #: when the last scan for other writers was queued (monotonic), and the timer's interval
        self._scan_queued_at = float("-inf")
        self._scan_interval = 2.0
        config = session.config
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
        self.engine = AlertEngine(getattr(config, "thresholds", None), settings)
        if runbook is not None and runbook.flows:
            self.engine.use_runbook(runbook)  # alerts answer with the runbook's responds_to
        # on the simulated edge every incident is a drill (DRILL-..., kept apart from real ones)
        self.manager = IncidentManager(state_dir=state_dir, clock=self.now, drill=bool(session.simulated))
        self.manager.view_only = bool(session.shared)  # edge-console serve: a browser's view writes nothing
        #: PagerDuty, Slack and Grafana (when configured) hear about the timeline; a shared view tells nobody
        self.integrations: Any = None
        if integrations and not self.manager.view_only:
            from console.integrations.dispatch import attach

            try:
                self.integrations = attach(self.manager, config, session.env, self._integration_failed)
            except ConfigError as exc:
                self.problems.append(str(exc))
        self.last_observation = Observation()
        self.bells = 0
        self._known_ids: set[str] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        # entries land on the writer thread: the UI redraws on its own thread
        self.manager.listeners.append(lambda incident, entry: self.on_ui(self.front.redraw, incident))

    # -- time and wiring ----------------------------------------------------------------------
    def now(self) -> datetime:
        seconds = self.clock() if self.clock is not None else datetime.now(timezone.utc).timestamp()
        return _at_second(seconds)

    def subscribe(self, bus: EventBus) -> None:
        """Judge every poll and put every runbook audit record on the timeline (once per bus)."""
        if self._unsubscribe:
            return
        self._unsubscribe = [
            bus.subscribe(PollCompleted, lambda event: self.on_poll(event.result)),
            bus.subscribe(AuditRecorded, lambda event: self.record_flow_step(event.record)),
        ]

    def use_runbook(self, runbook: Any) -> None:
        """The runbook loaded after this was built: alerts answer with its ``responds_to``."""
        if runbook is not None:
            self.engine.use_runbook(runbook)

    @property
    def read_only(self) -> bool:
        env = self.session.env
        return bool(self.session.read_only or getattr(env, "read_only", False))

    @property
    def env_name(self) -> str:
        return str(getattr(self.session.env, "name", "") or "production")

    # -- the writer thread and the way back ---------------------------------------------------
    def on_ui(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the UI thread: now when already there, else posted (never waiting)."""
        if threading.get_ident() == self.ui_thread:
            fn(*args)
            return
        self.front.post(fn, *args)

    def write(
        self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], Any] | None = None, **kwargs: Any
    ) -> None:
        """Queue a manager write on the writer thread (after those queued before it). An operator error or
        a disk problem (a lock another process holds past its timeout) is a notice, never raised;
        ``then(result)`` runs on the UI thread when the write returned something."""
        try:
            future = self.writer.submit(fn, *args, **kwargs)
        except WriterClosed as exc:
            self.write_failed(exc)
            return
        future.add_done_callback(lambda f: self.on_ui(self._written, f, then))

    def _written(self, future: Any, then: Callable[[Any], Any] | None) -> None:
        exc = future.exception()
        if exc is not None:
            self.write_failed(exc)
            return
        result = future.result()
        if then is not None and result is not None:
            then(result)

    def write_failed(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, WRITE_ERRORS) else f"internal error: {type(exc).__name__}: {exc}"
        self.front.toast(Notice(clean_line(text), title="Incident", severity="error", timeout=10))

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Await a manager call run on the writer thread (in order); raises what it raised."""
        return await asyncio.wrap_future(self.writer.submit(fn, *args, **kwargs))

    async def _attempt(self, fn: Callable[..., Any], *args: Any) -> tuple[bool, str]:
        """A form's submit: (True, "") or (False, why) for the form to show."""
        try:
            await self.call(fn, *args)
        except WRITE_ERRORS as exc:
            return False, str(exc)
        return True, ""

    def _integration_failed(self, incident_id: str, outcome: Any) -> None:
        """From the integrations' thread: a message that did not go out is a timeline entry and a notice."""

        def record() -> None:
            self.write(self.manager.record_notify, outcome, incident_id)
            self.front.toast(
                Notice(clean_line(outcome.describe()), title="Not delivered", severity="warning", timeout=8)
            )

        self.on_ui(record)

    def shutdown(self) -> None:
        """On exit: let queued entries land (a few seconds at most), give queued messages a moment, then
        stop the integrations' thread."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.writer.close(timeout=5.0)
        if self.integrations is not None:
            self.integrations.flush(timeout=2.0)
            self.integrations.close()

    # -- alerts ---------------------------------------------------------------------------------
    def on_poll(self, result: Any) -> None:
        """Judge one poll: transitions and source changes go to the timeline, a new alert rings the bell."""
        obs = self.engine.observe(result, self.now().timestamp())
        self.last_observation = obs
        for transition in obs.transitions:
            self.write(self.manager.record_alert, transition)
        for change in obs.sources:
            self.write(self.manager.record_source, change)
        if obs.bell:
            self.bells += 1
            self.front.bell()
        self.check_other_writers()
        self.front.redraw()

    def acknowledge_alert(self) -> list[Alert]:
        """Acknowledge the first unacknowledged alert; recorded when an incident is open. Returns the
        alerts acknowledged (empty: there was none, and the operator is told)."""
        done = self.engine.acknowledge(next((a.key for a in self.engine.unacknowledged()), "-"))
        if not done:
            self.front.toast(Notice("No unacknowledged alert", timeout=3))
            return []
        for alert in done:
            if self.manager.current_id is not None:
                self.write(
                    self.manager.record_alert_event,
                    f"Alert acknowledged: {alert.describe()}",
                    {"metric": alert.key, "transition": "acknowledged"},
                )
        self.front.redraw()
        return done

    # -- other writers ----------------------------------------------------------------------------
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
        future.add_done_callback(lambda f: self.on_ui(self._scanned, f))

    def _scan_other_writers(self) -> tuple[bool, Incident | None]:
        """On the writer thread: did the current incident change, and which incident did we adopt."""
        changed = self.manager.refresh()
        return changed, self.adopt_new_incident()

    def _scanned(self, future: Any) -> None:
        self._scan_pending = False
        if future.exception() is not None:
            return  # a scan that could not read is retried on the next tick
        changed, adopted = future.result()
        if adopted is not None:
            by = adopted.entries[0].by if adopted.entries else "another console"
            self.front.toast(
                Notice(
                    clean_line(f"{adopted.id} {adopted.severity} {adopted.title} started by {by}"),
                    "Incident",
                    timeout=8,
                )
            )
        if changed or adopted is not None:
            self.front.redraw()

    def adopt_new_incident(self) -> Incident | None:
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

    # -- resume ---------------------------------------------------------------------------------
    def scan_open_incidents(self, offer: Callable[[list[Incident]], Any]) -> None:
        """Read the open incidents on the writer thread; ``offer(incidents)`` on the UI thread when there
        are some to offer (none was started or adopted here meanwhile). A read error is a notice. A
        view-only console (a browser's shared view, a replay) offers nothing: it cannot take an incident on."""
        if self.manager.view_only:
            return

        def scan() -> list[Incident]:
            self._known_ids = set(self.manager.store.ids(drills=self.manager.drill))
            return self.manager.open_incidents()

        def scanned(future: Any) -> None:
            exc = future.exception()
            if exc is not None:
                self.front.toast(Notice(clean_line(f"cannot read incidents: {exc}"), severity="error"))
                return
            incidents = future.result()
            if incidents and self.manager.current_id is None:
                offer(incidents)

        try:
            future = self.writer.submit(scan)
        except WriterClosed:
            return
        future.add_done_callback(lambda f: self.on_ui(scanned, f))

    def resume(self, incident_id: str) -> None:
        """Make ``incident_id`` this console's incident; the restart is itself a timeline entry."""
        if self.manager.view_only:
            self.front.toast(Notice("This console is a view: it cannot resume an incident", severity="warning"))
            return

        def job() -> Incident:
            incident = self.manager.resume(incident_id)
            self.manager.record_console_start(incident.id)
            return incident

        def done(incident: Incident) -> None:
            self.front.toast(Notice(f"Resumed {incident.id}: {len(incident.entries)} entries", timeout=5))
            self.front.redraw()

        self.write(job, then=done)

    # -- start ----------------------------------------------------------------------------------
    def start_proposal(self) -> StartProposal:
        """The alert the new incident answers (the first unacknowledged, else the first active)."""
        alert = next(iter(self.engine.unacknowledged() or self.engine.active()), None)
        if alert is None:
            return StartProposal()
        title = alert.response.title if alert.response else f"{alert.label} {alert.level.value}"
        return StartProposal(alert, alert.severity, title, alert.describe())

    async def start(self, severity: str, title: str, impact: str, proposal: StartProposal) -> tuple[bool, str]:
        """Start an incident (on the writer thread); the other active alerts are entries of it.
        (True, incident id) or (False, why)."""
        trigger = proposal.trigger
        others = [
            (f"Alert active at start: {a.describe()}", {"metric": a.key, "value": a.value})
            for a in self.engine.active()
            if a is not trigger
        ]

        def job() -> Incident:
            if trigger is not None:
                text = Transition("raised", trigger, trigger.level, trigger.since).describe()
                incident = self.manager.start(
                    severity,
                    title,
                    impact,
                    trigger=text,
                    trigger_data={"metric": trigger.key, "value": trigger.value, "flow": trigger.flow_id},
                    trigger_at=_at_second(trigger.since),
                )
            else:
                incident = self.manager.start(severity, title, impact)
            for text, data in others:
                try:
                    self.manager.record_alert_event(text, data)
                except WRITE_ERRORS as exc:
                    self.on_ui(self.write_failed, exc)
            return incident

        try:
            incident = await self.call(job)
        except WRITE_ERRORS as exc:
            return False, str(exc)
        return True, incident.id

    def started(self, incident_id: str | None) -> None:
        """After the start form closed (``incident_id`` when one was started)."""
        if incident_id:
            self.front.toast(Notice(f"{incident_id} started", timeout=4))
        self.front.redraw()

    # -- the open incident ------------------------------------------------------------------------
    def need_incident(self) -> Incident | None:
        """The current incident; None (and the operator is told how to start one) when there is none."""
        incident = self.manager.current
        if incident is None:
            hint = self.front.hint("incident.open", "to start one")
            how = f"press {hint}" if hint else "start one from the palette (Incident: start)"
            self.front.toast(Notice(f"No incident: {how}", severity="warning", timeout=4))
        return incident

    async def submit_note(self, text: str) -> tuple[bool, str]:
        return await self._attempt(self.manager.note, text)

    def record_phase(self, phase: str) -> None:
        self.write(
            self.manager.mark_phase,
            phase,
            then=lambda entry: self.front.toast(Notice(PHASE_TEXT.get(phase, phase), timeout=3)),
        )

    async def set_severity(self, text: str) -> tuple[bool, str]:
        """``"P1 error rate above 1%"``: the level, then the reason."""
        level, _, reason = text.strip().partition(" ")
        return await self._attempt(self.manager.set_severity, level, reason.strip())

    def escalation_text(self) -> str:
        """The escalation path on one line (wraps to two or three at 80 columns)."""
        path = " → ".join(f"{c.name} ({c.reach()})" for c in self.contacts.path())
        room = self.contacts.war_room()
        text = f"Escalate: {path}" if path else "Escalate: see contacts"
        if room is not None:
            text += f" · war room {room.url or room.name}"
        return text + " · c: contacts, escalate, notify"

    def escalate(self, contact_key: str) -> None:
        contact = self.contacts.contacts.get(contact_key)
        if contact is None or self.need_incident() is None:
            return
        self.write(
            self.manager.record_escalation,
            contact,
            then=lambda entry: self.front.toast(Notice(f"Recorded: escalated to {contact.name} ({contact.reach()})")),
        )

    # -- notify (the decisions: console/app/incident_notify.py) -----------------------------------
    def notify_plan(self, channel_key: str) -> NotifyPlan | None:
        """What sending to ``channel_key`` needs, or None (the operator is told why: no incident, no
        notify command, read-only)."""
        if channel_key not in self.contacts.channels:
            return None
        incident = self.need_incident()
        if incident is None:
            return None
        plan = plan_notify(self.contacts, channel_key, incident, read_only=self.read_only, env_name=self.env_name)
        if isinstance(plan, NotNotified):
            self.front.toast(Notice(plan.text, severity="error" if plan.refused else "information", timeout=6))
            return None
        return plan

    check_message = staticmethod(check_message)
    confirmation_problem = staticmethod(confirmation_problem)

    async def notify_channel(self, channel_key: str, message: str, confirmation: str | None = None) -> Any:
        """Run the channel's notify command (refused read-only or unconfirmed by ``run_notify`` itself),
        record the outcome on the incident it was meant for and tell the operator. Returns the outcome."""
        channel = self.contacts.channels[channel_key]
        incident_id = self.manager.current_id
        env = self.session.env
        outcome = await run_notify(
            channel.key,
            list(channel.notify),
            drill_message(message, self.manager.drill),
            read_only=self.read_only,
            env_name=self.env_name,
            confirmation=confirmation,
            env=getattr(env, "tool_env", None) or None,
            secrets=known_secrets(env),
            strip_env=secret_env_names(self.session.config, env),
        )
        self.write(self.manager.record_notify, outcome, incident_id)
        self.front.toast(
            Notice(clean_line(outcome.describe()), severity="information" if outcome.ok else "error", timeout=6)
        )
        return outcome

    # -- close, review, report ----------------------------------------------------------------------
    async def close(
        self, checks: Any, confirmed: Any, root_cause: str, resolution: str, items: Any
    ) -> tuple[bool, str]:
        """Recovery checks, the close and the report file, in one writer job: (True, report path) or
        (False, why)."""

        def job() -> Any:
            self.manager.record_recovery(checks, confirmed)
            self.manager.close(root_cause, resolution, items)
            path, _ = self.manager.write_report()
            return path

        try:
            path = await self.call(job)
        except WRITE_ERRORS as exc:
            return False, str(exc)
        return True, str(path)

    def pending_review(self, incident: Incident) -> list[tuple[str, str]]:
        """The review items not done yet, as (key, text); when there are none the operator is told why."""
        from console.incident.review import review_checklist

        pending = [
            (i.key, f"{i.text} (due {i.due:%Y-%m-%d %H:%M} UTC)")
            for i in review_checklist(incident)
            if i.done_at is None
        ]
        if not pending:
            self.front.toast(
                Notice(
                    "Close the incident first; then the review items are listed here"
                    if incident.is_open
                    else "Every review item is done",
                    timeout=4,
                )
            )
        return pending

    def mark_review(self, key: str) -> None:
        self.write(self.manager.mark_review, key)

    def report(self, incident: Incident, show: Callable[[str, str], Any]) -> None:
        """``show(path, markdown)``: a draft (no path) while the incident is open; once closed the report
        is written (writer thread) and shown with its path. A report written since the last entry (the one
        closing wrote a moment ago) is shown as it is, not written again."""
        from console.incident.report import render_report

        if incident.is_open:
            show("", render_report(incident))
            return
        self.write(self._report_file, incident, then=lambda result: show(str(result[0]), result[1]))

    def _report_file(self, incident: Incident) -> tuple[Path, str]:
        """On the writer thread (a stat, and maybe a write): the report file as it is, else written afresh."""
        from console.incident.report import render_report

        written = current_report(incident)
        if written is not None:
            return written, render_report(incident, self.manager.links_for(incident))
        return self.manager.write_report()

    # -- runbook flows --------------------------------------------------------------------------------
    def record_flow_step(self, record: dict[str, Any]) -> None:
        """A runbook audit record to the timeline (from any thread: the runner's waits for the UI's)."""
        if threading.get_ident() != self.ui_thread:
            self.front.call(self.record_flow_step, record)
            return
        self.write(self.manager.record_flow_step, record)


def current_report(incident: Incident) -> Path | None:
    """The report file of a closed incident when nothing was recorded after it was written (the report
    hides its own "Report written" entries, so it is what a new one would be); None otherwise."""
    last = max(incident.entries, key=lambda e: e.seq, default=None)
    if last is None or last.kind != "report" or last.data.get("draft") or incident.is_open:
        return None
    path = last.data.get("path")
    if not isinstance(path, str) or not Path(path).is_file():
        return None
    return Path(path)
