"""``edge-console drill FILE`` in the TUI: the script plays on the console's simulated edge, the responder
works as usual, the score is shown at the end (and written as JSON).

``DrillController(app, script, speed=, score_out=)`` is started with ``app.after_first_frame(ctl.start)``:
it ticks the :class:`console.drill.runner.DrillRunner` twice a second, hands it every poll, audit record
(runbook steps), incident start/acknowledgement and alert acknowledgement, toasts each timeline event, and
at the end writes the score (in a thread) and pushes :class:`DrillScoreScreen`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.app.events import AuditRecorded, PollCompleted
from console.drill.runner import DrillRunner, SessionControl
from console.drill.score import score_lines
from console.drill.script import DrillScript, TimelineItem
from console.sanitize import clean_line
from widgets.keybindings import bindings

TICK_S = 0.5


class DrillScoreScreen(ModalScreen[None]):
    BINDINGS = bindings("drill.score")

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal", id="drill-score"):
            yield Static(
                Text(clean_line(f"Drill over: {self.result['score']}/{self.result['max']}")),
                classes="modal-title",
                id="drill-score-title",
            )
            with VerticalScroll():
                body = "\n".join(clean_line(line) for line in score_lines(self.result))
                where = self.result.get("score_file")
                if where:
                    body += "\n\nScore written to " + clean_line(str(where))
                for error in self.result.get("errors", []):
                    body += "\n" + clean_line(error)
                yield Static(Text(body), id="drill-score-body")
            yield Static("enter or esc closes", classes="modal-hint")


class DrillController:
    def __init__(
        self,
        app: Any,
        script: DrillScript,
        *,
        speed: float = 1.0,
        score_out: Path | None = None,
        monotonic: Any = time.monotonic,
    ) -> None:
        self.app = app
        self.script = script
        self.speed = speed
        self.score_out = score_out
        self.monotonic = monotonic
        self.runner: DrillRunner | None = None
        self.t0: float | None = None
        self.result: dict[str, Any] | None = None
        self._acked_alerts: set[str] = set()
        self._timer: Any = None
        self._ticking = False
        #: the UI thread (set by ``start``, which runs on the app's loop)
        self._ui_thread: int | None = None

    def clock(self) -> float:
        return 0.0 if self.t0 is None else (self.monotonic() - self.t0) * self.speed

    def start(self) -> None:
        if self.runner is not None or not self.app.is_running:
            return
        self.app.drill = self  # the script drives the scenario: the z switch is off
        self._ui_thread = threading.get_ident()
        self.t0 = self.monotonic()
        self.runner = DrillRunner(self.script, SessionControl(self.app.session), self.clock, speed=self.speed)
        self.runner.listeners.append(self._announce)
        runner = self.runner
        self.app.events.subscribe(PollCompleted, lambda event: runner.observe_poll(event.result))
        self.app.events.subscribe(AuditRecorded, lambda event: self._on_audit(event.record))
        response = self.app.incident_response
        response.manager.listeners.append(self._on_incident_entry)
        self.app.sub_title = clean_line(f"SIMULATED DRILL: {self.script.name}")
        self._timer = self.app.set_interval(TICK_S, self.tick)
        self.tick()

    def _announce(self, item: TimelineItem) -> None:
        """Called on the tick's thread."""
        what = []
        if item.scenario:
            what.append(f"scenario {item.scenario}")
        if item.fault:
            what.append("fault " + ", ".join(f"{k} {v}" for k, v in item.fault.items()))
        self.app.call_from_thread(
            self.app.notify,
            clean_line(f"{item.note + ': ' if item.note else ''}{'; '.join(what)}"),
            title="Drill",
            timeout=6,
            markup=False,
        )

    def _on_audit(self, record: dict[str, Any]) -> None:
        """Audit records come from the runner's thread or the UI thread."""
        if self.runner is None or self.result is not None:
            return
        if not self.on_ui_thread():
            self.app.call_from_thread(self._on_audit, record)
            return
        self.runner.observe_audit(record)

    def on_ui_thread(self) -> bool:
        """True on the app's thread (where ``start`` ran), or before the drill started."""
        return self._ui_thread in (None, threading.get_ident())

    def _on_incident_entry(self, incident: Any, entry: Any) -> None:
        """Called on the incident writer thread: the observation is handed to the UI thread, where the
        drill's polls and audit records are observed (the runner's observer is not shared across threads)."""
        if entry.kind == "start":
            how = f"incident {incident.id} started"
        elif entry.kind == "phase" and entry.data.get("phase") == "acknowledged":
            how = f"incident {incident.id} acknowledged"
        else:
            return
        self.app.incident_response.on_ui(self._observe_ack, how)

    def _observe_ack(self, how: str) -> None:
        if self.runner is not None and self.result is None:
            self.runner.observe_ack(how)

    def _check_alert_acks(self) -> None:
        response = self.app._incident_response
        if response is None or self.runner is None:
            return
        for alert in response.engine.active():
            key = f"{alert.key}@{alert.since}"
            if alert.acknowledged and key not in self._acked_alerts:
                self._acked_alerts.add(key)
                self.runner.observe_ack(f"alert {alert.key} acknowledged")

    def tick(self) -> None:
        if self.runner is None or self.result is not None:
            return
        self._check_alert_acks()
        if not self._ticking:  # events switch the scenario and rewrite the published entry: off the UI loop
            self._ticking = True
            self.app.run_worker(self._tick_in_thread, thread=True, group="drill-tick", exit_on_error=False)

    def _tick_in_thread(self) -> None:
        try:
            over = self.runner.tick() if self.runner is not None else False
        finally:
            self._ticking = False
        if over:
            self.app.call_from_thread(self._start_finish)

    def _start_finish(self) -> None:
        if self.result is None:
            self.app.run_worker(self._finish(), group="drill-finish", exclusive=True, exit_on_error=False)

    async def _finish(self) -> None:
        if self.result is not None or self.runner is None:
            return
        if self._timer is not None:
            self._timer.stop()
        try:
            result = await asyncio.to_thread(self.runner.finish, score_out=self.score_out)  # writes a file
        except OSError as exc:
            self.app.notify(
                f"cannot write the drill's score: {exc}", title="Drill", severity="error", timeout=15, markup=False
            )
            result = self.runner.observer.score()
        self.result = result
        self.app.push_screen(DrillScoreScreen(result))
