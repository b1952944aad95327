"""Recording from the TUI: ``ctrl+t`` starts/stops a recording of what the console sees, and a recording
starts by itself when an incident opens (``record: {auto_on_incident: true}``, the default); the
incident's timeline (and so its report) gets the file's path.

Wiring (one edit in screens/app.py): ``RecordingMixin`` among ``EdgeConsoleApp``'s bases. The
:class:`RecordingController` subscribes where the rest of the app does: ``app.events`` ``PollCompleted``
(each poll, then the alert engine's active alerts once it has judged that poll), ``AuditRecorded`` (flow
steps), the incident manager's listeners (timeline entries) and the log tail's store (events newer than
the last recorded one, at each poll). Writing happens on the recorder's thread; opening and closing the
file in a worker thread: the UI loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.app import App

from console.app.events import AuditRecorded, PollCompleted
from console.config import ConfigError

if TYPE_CHECKING:
    from screens.app import EdgeConsoleApp

__all__ = ["RecordingMixin", "RecordingController"]


class RecordingController:
    """One per app, on the UI thread. ``recorder`` is the open recording (None when not recording)."""

    def __init__(self, app: EdgeConsoleApp) -> None:
        from console.record import encode
        from console.record.settings import RecordSettings, record_settings

        self.encode = encode  # imported after the first frame (start-up time)

        self.app = app
        self.recorder: Any = None
        self.auto = False  # the current recording was started by an incident
        self.problem = ""
        try:
            self.settings = record_settings(app.config)
        except ConfigError as exc:
            self.settings = RecordSettings(auto_on_incident=False)
            self.problem = str(exc)
        self._last_seq = 0
        self._last_alerts: Any = None
        self._starting = False
        self._incident_id: str | None = None

    @property
    def recording(self) -> bool:
        return self.recorder is not None

    # -- listening ---------------------------------------------------------------------------
    def attach(self) -> None:
        app = self.app
        app.events.subscribe(PollCompleted, self._on_poll_event)  # once: the same handler is kept once
        app.events.subscribe(AuditRecorded, self._on_audit_event)
        manager = app.incident_response.manager
        if self.on_incident_entry not in manager.listeners:
            manager.listeners.append(self.on_incident_entry)
        if self.problem:
            app.notify(self.problem, title="Record config", severity="error", timeout=15, markup=False)

    def _on_poll_event(self, event: PollCompleted) -> None:
        self.on_poll(event.result)

    def _on_audit_event(self, event: AuditRecorded) -> None:
        self.on_flow_step(event.record)

    def on_poll(self, result: Any) -> None:
        if self.recorder is None:
            self._maybe_auto_start()
            return
        now = self.app.clock()
        self._write_tail(now)
        self.recorder.write(self.encode.poll_to_json(result, t=now))
        self.app.call_later(self._write_alerts, now)  # after the alert engine has judged this poll

    def _write_alerts(self, now: float) -> None:
        response = self.app._incident_response
        if self.recorder is None or response is None:
            return
        active = response.engine.active()
        signature = [(a.key, a.level.value, a.acknowledged) for a in active]
        if signature != self._last_alerts:
            self._last_alerts = signature
            self.recorder.write(self.encode.alerts_to_json(active, now))

    def _write_tail(self, now: float) -> None:
        if self.app.tail is None:
            return
        store = self.app.tail.store
        fresh = [e for e in store.events if e.seq > self._last_seq]
        if fresh:
            self._last_seq = fresh[-1].seq
            for event in fresh:
                self.recorder.write(self.encode.tail_to_json(event, now))

    def on_flow_step(self, record: dict[str, Any]) -> None:
        if self.recorder is not None and isinstance(record, dict):
            self.recorder.write(self.encode.flow_to_json(record, self.app.clock()))

    def on_incident_entry(self, incident: Any, entry: Any) -> None:
        """A manager listener: called on the incident writer thread, so the work is posted to the UI thread
        (the recorder and Textual's workers are the UI thread's)."""
        response = self.app._incident_response
        if response is None:
            return
        response.on_ui(self._incident_entry, incident, entry)

    def _incident_entry(self, incident: Any, entry: Any) -> None:
        if self.recorder is not None:
            self.recorder.write(self.encode.incident_to_json(incident.id, entry, self.app.clock()))
        if entry.kind == "close" and self.auto and self.recorder is not None:
            self.stop()
        elif incident.is_open and self.recorder is None:
            self._maybe_auto_start()

    def _maybe_auto_start(self) -> None:
        response = self.app._incident_response
        current = response.manager.current_id if response is not None else None
        if not self.settings.auto_on_incident or not current or self._starting or self.recorder is not None:
            return
        if self.app.session.shared:
            return  # a browser's view under `edge-console serve`: the operator's console records, not every tab
        if current == self._incident_id:
            return  # recorded this one already (and it was stopped by hand)
        self._incident_id = current
        self.start(stem=current, auto=True)

    # -- start/stop --------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.recorder is not None:
            self.stop()
        else:
            self.start()

    def start(self, *, stem: str = "", auto: bool = False) -> None:
        if self._starting or self.recorder is not None:
            return
        self._starting = True
        self.app.run_worker(self._start(stem, auto), group="recording", exit_on_error=False)

    async def _start(self, stem: str, auto: bool) -> None:
        from console.record.live import header_for
        from console.record.writer import Recorder, resolve_out, secret_values

        session = self.app.session
        try:

            def open_file() -> Any:
                path = resolve_out(None, stem or "console")
                return Recorder(
                    path,
                    secrets=secret_values(session.config, session.env),
                    header=header_for(session),
                    clock=self.app.clock,
                )

            recorder = await asyncio.to_thread(open_file)
        except OSError as exc:
            self.app.notify(
                f"recording not started: {exc}", title="Recording", severity="error", timeout=10, markup=False
            )
            return
        finally:
            self._starting = False
        self.recorder, self.auto = recorder, auto
        self._last_alerts = None
        store = self.app.tail.store if self.app.tail is not None else None
        self._last_seq = store.events[-1].seq if store is not None and store.events else 0
        if self.app.last_result is not None:
            self.on_poll(self.app.last_result)  # the state at the start
        await self._link_incident(recorder.path)
        why = " (incident opened)" if auto else ""
        self.app.notify(f"recording to {recorder.path}{why}; ctrl+t stops", title="Recording", timeout=6, markup=False)

    async def _link_incident(self, path: Any) -> None:
        """The recording's path on the incident timeline, written on the incident writer thread after what is
        queued there (the incident's start and the alert that prompted it come first)."""
        response = self.app._incident_response
        manager = response.manager if response is not None else None
        if response is None or manager is None or not manager.current_id:
            return
        try:
            await response.call(manager.record_recording, str(path))
        except Exception as exc:  # noqa: BLE001 - the recording goes on; say why the link is missing
            self.app.notify(
                f"the incident timeline did not get the recording's path: {exc}",
                title="Recording",
                severity="warning",
                timeout=8,
                markup=False,
            )

    def stop(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        self.auto = False

        async def close() -> None:
            await asyncio.to_thread(recorder.close)
            error = f" ({recorder.error})" if recorder.error else ""
            self.app.notify(
                f"recording stopped: {recorder.records} records in {recorder.path}{error}",
                title="Recording",
                severity="error" if error else "information",
                timeout=6,
                markup=False,
            )

        self.app.run_worker(close(), group="recording-close", exit_on_error=False)

    def close_now(self) -> None:
        """At exit: finish the file on this thread (the app is going away)."""
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()


class RecordingMixin(App):
    """``ctrl+t`` and a palette entry; the controller starts listening after the first frame."""

    # its key (record.toggle) is an app-wide action of the catalogue (console/actions.py)

    _recording: RecordingController | None = None
    #: ``edge-console replay`` (screens/replay_app.py ``ReplayApp``): nothing is recorded
    REPLAY = False

    @property
    def recording(self) -> RecordingController:
        controller = self._recording
        if controller is None:
            controller = self._recording = RecordingController(self)  # type: ignore[arg-type]
        return controller

    def on_mount(self) -> None:
        if not self.REPLAY:
            self.after_first_frame(self._install_recording)  # type: ignore[attr-defined]

    def _install_recording(self) -> None:
        if self.is_running:
            self.recording.attach()

    def action_record_toggle(self) -> None:
        if self.REPLAY:
            self.notify("REPLAY: this is a recording already", title="Recording", timeout=3)
            return
        self.recording.toggle()

    async def on_unmount(self) -> None:
        if self._recording is not None:
            await asyncio.to_thread(self._recording.close_now)
