"""Runbook flows in the app: opening a flow modal, the context it runs with, the dashboard keys.

Wiring (in screens/app.py): ``class EdgeConsoleApp(FlowsMixin, ...)``, ``COMMANDS`` includes
``screens.commands.PROVIDERS``, ``self.events`` is the event bus and ``self.actions`` is the action
catalogue (``rebuild_actions(runbook)``); the dashboard calls ``install_flow_keys(self)`` after the first
frame.

- ``app.open_flow(id_or_section)``: a flow id opens its modal; otherwise a section slug (``security``)
  offers that section's flows (incident alert responses name flow ids or sections).
- ``get_metric`` reads the latest poll (``app.last_result``), ``tail_events`` the live tail buffer
  (``app.tail.store``) when it is streaming, and every audit record is published as an
  ``AuditRecorded`` event (``console.app.events``): the incident timeline, the audit view, a recording
  and a drill subscribe to it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from textual.app import App
from textual.screen import Screen

if TYPE_CHECKING:  # the runbook, its modal and engine load after the first frame: start-up time
    from console.runbook.clock import RunClock, Sleep
    from console.runbook.model import Runbook
    from console.app.flows import FlowContext
    from screens.app import EdgeConsoleApp


#: Parsed runbooks by the files they came from (path, mtime, size): parsing the YAML with line numbers
#: takes a noticeable fraction of a second, and the files rarely change while the console runs.
_RUNBOOKS: dict[tuple, Runbook] = {}


def _runbook_key(config: Any) -> tuple:
    from console.runbook import builtin_runbook_files

    paths = [*builtin_runbook_files(), *(getattr(config, "runbooks", []) or [])]
    key = []
    for path in paths:
        try:
            stat = Path(path).stat()
            key.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            key.append((str(path), None, None))  # the loader reports the missing file
    return tuple(key)


def load_runbook_cached(config: Any) -> Runbook:
    """``load_for_config`` once per set of file versions (raises RunbookError like it)."""
    from console.runbook import load_for_config

    key = _runbook_key(config)
    runbook = _RUNBOOKS.get(key)
    if runbook is None:
        runbook = load_for_config(config)
        _RUNBOOKS[key] = runbook
    return runbook


class FlowsMixin(App):
    _flow_runbook: Runbook | None = None
    _flow_runbook_loading = False
    flow_key_problems: list[str]
    #: the time flows run on (``FlowContext.clock``/``sleep``): None is the real one; a test sets a virtual clock
    flow_clock: RunClock | None = None
    flow_sleep: Sleep | None = None

    def on_mount(self) -> None:
        self.after_first_frame(self.report_unfinished_steps)  # type: ignore[attr-defined]

    # -- steps a dead console left half-done ------------------------------------------------
    def report_unfinished_steps(self) -> None:
        """Read the audit trail in a thread (never on the event loop) for steps whose console died
        mid-step; each is shown once as an "outcome unknown: check the edge" notice."""

        def check() -> None:
            from console.runbook.unfinished import report_unfinished

            lines = report_unfinished()
            if lines:
                try:
                    self.call_from_thread(self.show_unfinished_steps, lines)
                except RuntimeError:  # the app has gone
                    pass

        self.run_worker(check, name="unfinished steps", group="audit-unfinished", thread=True, exit_on_error=False)

    def show_unfinished_steps(self, lines: list[str]) -> None:
        from console.sanitize import clean_line

        self.unfinished_steps = [clean_line(line) for line in lines]
        self.notify(
            "\n".join(self.unfinished_steps),
            title="Outcome unknown: check the edge",
            severity="error",
            timeout=120,
            markup=False,
        )

    # -- runbook ------------------------------------------------------------------------------
    def _set_flow_runbook(self, runbook: Runbook | None, error: str) -> Runbook:
        if self._flow_runbook is None:
            from console.runbook.model import Runbook

            if error:
                self.notify(error, title="Runbook", severity="error", timeout=15, markup=False)
            self._flow_runbook = runbook if runbook is not None else Runbook(flows={})
            incident = self._incident_response  # type: ignore[attr-defined]
            if incident is not None:  # alerts answer with the runbook's responds_to
                incident.use_runbook(runbook)
        return self._flow_runbook

    def flow_runbook(self) -> Runbook:
        """The runbook (loaded now if the background load has not finished yet)."""
        if self._flow_runbook is None:
            from console.runbook import RunbookError

            try:
                return self._set_flow_runbook(load_runbook_cached(self.config), "")  # type: ignore[attr-defined]
            except RunbookError as exc:
                return self._set_flow_runbook(None, str(exc))
        return self._flow_runbook

    def load_flow_runbook_then(self, callback: Callable[[], Any]) -> None:
        """Parse the runbook in a thread worker (not on the event loop), then call ``callback``."""
        if self._flow_runbook is not None:
            callback()
            return

        def load() -> None:
            from console.runbook import RunbookError

            try:
                runbook, error = load_runbook_cached(self.config), ""  # type: ignore[attr-defined]
            except RunbookError as exc:
                runbook, error = None, str(exc)
            except Exception as exc:  # noqa: BLE001 - a broken file must not take the console down
                runbook, error = None, f"runbook: {type(exc).__name__}: {exc}"
            self.call_from_thread(done, runbook, error)

        def done(runbook: Runbook | None, error: str) -> None:
            self._set_flow_runbook(runbook, error)
            callback()

        self.run_worker(load, name="load runbook", group="runbook-load", thread=True, exit_on_error=False)

    # -- what a flow runs with ---------------------------------------------------------------
    def flow_metric(self, name: str) -> float | None:
        from console.runbook.values import from_derived

        result = self.last_result  # type: ignore[attr-defined]
        return from_derived(getattr(result, "derived", None), name)

    def flow_metric_history(self, name: str) -> list[float | None]:
        """The dashboard's recent values of ``name`` (sparklines in a flow's metrics step); Prometheus's
        history over the chosen window (``h``) when the environment has ``prometheus_url``."""
        from screens.monitoring_app import prometheus_series

        series = prometheus_series(self, name)
        if series is not None:
            return series
        return list(self.history.get(name, ()))  # type: ignore[attr-defined]

    def flow_tail_source(self) -> Callable[[], list[dict[str, Any]]] | None:
        """The live tail buffer when the log pane streams; None lets the engine run a short tail."""
        controller = self.tail  # type: ignore[attr-defined]
        if controller is None:
            return None
        store = controller.store
        if not store.received and controller.source.status.state != "streaming":
            return None
        return lambda: [e.raw for e in list(store.events) if getattr(e, "kind", "") != "notice"]

    def flow_audit_record(self, record: dict[str, Any]) -> None:
        """One audit record (already on disk) to every subscriber (``AuditRecorded``); the incident
        session is made first, so the step reaches the timeline even before the chrome is installed. A
        failing subscriber is logged by the bus and does not break the run."""
        from console.app.events import AuditRecorded

        app: EdgeConsoleApp = self  # type: ignore[assignment]
        app.incident_response  # noqa: B018 - created on first use; it subscribes itself
        app.events.publish(AuditRecorded(record))

    def flow_context(self) -> FlowContext:
        from console.runbook.values import MetricSource
        from console.app.flows import FlowContext

        from screens.monitoring_app import history_note

        session = self.session  # type: ignore[attr-defined]
        runbook = self.flow_runbook()
        metric_source = MetricSource(self.flow_metric, self.flow_metric_history)
        metric_source.history_note = history_note(self)  # type: ignore[attr-defined]  # Prometheus trends
        return FlowContext(
            config=session.config,
            env=session.env,
            read_only=bool(session.read_only),
            get_metric=metric_source,
            tail_events=self.flow_tail_source(),
            listeners=[self.flow_audit_record],
            titles={f.id: f.title for f in runbook.flows.values()},
            open_flow=self.open_flow,
            **{k: v for k, v in (("clock", self.flow_clock), ("sleep", self.flow_sleep)) if v is not None},
        )

    # -- quitting ----------------------------------------------------------------------------
    def running_flows(self) -> list[str]:
        """Each runbook flow in progress (its modal anywhere in the screen stack, started and not
        finished), named with its step: quitting asks first (``q``). Without ``screens.flow_modal``
        loaded no flow modal was ever opened: none runs (importing it to find none cost ``q`` ~0.1 s)."""
        flow_modal = sys.modules.get("screens.flow_modal")
        if flow_modal is None:
            return []
        FlowModal = flow_modal.FlowModal

        things = []
        for screen in self.screen_stack:
            if isinstance(screen, FlowModal):
                progress = screen.progress_text()
                if progress:
                    things.append(f"runbook flow {screen.flow.title!r} is running: {progress}")
        return things

    # -- opening -----------------------------------------------------------------------------
    def open_flow(self, target: str, inputs: dict[str, str] | None = None, why: str = "") -> None:
        from screens.flow_modal import FlowModal
        from console.app.flows import resolve_target

        if isinstance(self.screen, FlowModal):
            self.notify(
                f"Finish or cancel {self.screen.flow.title!r} first", severity="warning", timeout=4, markup=False
            )
            return
        runbook = self.flow_runbook()
        flows = resolve_target(runbook, target)
        if not flows:
            self.notify(f"No runbook flow or section {target!r}", severity="error", timeout=6, markup=False)
            return
        if len(flows) == 1:
            self.push_screen(FlowModal(flows[0], self.flow_context(), inputs))
            return
        from screens.flow_picker import FlowPickerScreen

        title = flows[0].section
        self.push_screen(FlowPickerScreen(title, flows, why), lambda chosen: chosen and self.open_flow(chosen))

    def action_run_flow(self, flow_id: str) -> None:
        self.open_flow(flow_id)

    def action_respond(self) -> None:
        """``r``: the runbook response to the active alerts (severity order), else to the worst metric;
        a DDoS offers the Under Attack / rate-limit flows (``console.incident.respond``)."""
        from console.incident.respond import choose_response

        incident = self._incident_response  # type: ignore[attr-defined]
        alerts = incident.engine.active() if incident is not None else []
        if not alerts:
            from screens.monitoring_app import respond_to_alertmanager

            if respond_to_alertmanager(self):  # a firing Alertmanager alert mapped to a flow
                return
        offer = choose_response(
            alerts,
            self.last_result,  # type: ignore[attr-defined]
            incident.engine.responses if incident is not None else None,
        )
        if offer is None:
            self.notify("No active alert and no metric in warning or critical: nothing to respond to", timeout=4)
            return
        if len(offer.targets) == 1:
            self.open_flow(offer.targets[0], why=offer.why)
            return
        self.offer_flows(offer.targets, offer.title or "Response", offer.why)

    def offer_flows(self, targets: tuple[str, ...] | list[str], title: str, why: str = "") -> None:
        """A picker of ``targets`` (flow ids or section slugs) that this configuration binds (read-only
        leaves out the flows that change the edge, and says so when nothing is left)."""
        from screens.flow_picker import FlowPickerScreen
        from console.app.flows import resolve_target

        runbook = self.flow_runbook()
        flows = [flow for target in targets for flow in resolve_target(runbook, target)]
        actions = self.actions  # type: ignore[attr-defined]
        usable = [f for f in flows if getattr(actions.get(f"flow.{f.id}"), "enabled", True)]
        if not usable:
            names = ", ".join(f.title for f in flows) or ", ".join(targets)
            self.notify(
                f"{why}: the response ({names}) changes the edge and this console is read-only",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        if len(usable) == 1:
            self.open_flow(usable[0].id, why=why)
            return
        self.push_screen(FlowPickerScreen(title, usable, why), lambda chosen: chosen and self.open_flow(chosen))

    def action_audit_view(self) -> None:
        from screens.audit_view import AuditScreen

        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen())


def install_flow_keys(screen: Screen) -> list[str]:
    """Bind the runbook's single-key flows on ``screen`` (the dashboard) once the runbook has loaded:
    the catalogue is rebuilt with the runbook's flows (user keymap and read-only applied: a flow that
    changes the edge is not bound read-only), the keymap goes to ``App.set_keymap`` and a
    :class:`widgets.flow_keys.FlowKeys` holding the flows' bindings is mounted and focused. A flow key
    that a code key already uses is left out (the palette still has it). Returns those problems."""
    app: EdgeConsoleApp = screen.app  # type: ignore[assignment]
    if app._flow_runbook is None:  # parse it off the event loop, bind when ready
        app.load_flow_runbook_then(lambda: install_flow_keys(screen) if screen.is_attached else None)
        return []
    from widgets.flow_keys import FlowKeys, flow_keys_widget

    if screen.query(FlowKeys):
        return list(app.flow_key_problems)
    catalogue = app.rebuild_actions(app.flow_runbook())
    holder = flow_keys_widget(catalogue.flows(), id="flow-keys")
    screen.mount(holder)

    def focus_if_on_top() -> None:
        # focusing a widget of a screen under another one disturbs that one's layout; a screen that is
        # not on top focuses it itself when it is back (Textual's AUTO_FOCUS)
        if app.screen is screen and screen.focused is None and holder.is_attached:
            screen.set_focus(holder, scroll_visible=False)  # it draws nothing: no scrolling to it

    screen.call_after_refresh(focus_if_on_top)
    problems = list(catalogue.problems)
    for problem in problems:
        app.log.warning(problem)
    app.flow_key_problems = problems
    app.flow_keys_bound = True
    screen.refresh_bindings()
    return problems
