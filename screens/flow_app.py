"""Runbook flows in the app: opening a flow modal, the context it runs with, the dashboard keys.

Wiring (in screens/app.py): ``class EdgeConsoleApp(FlowsMixin, ...)``, ``COMMANDS`` includes
``screens.commands.PROVIDERS``, and ``self.audit_listeners`` is a list; the dashboard calls
``install_flow_keys(self)`` on mount.

- ``app.open_flow(id_or_section)``: a flow id opens its modal; a section slug (``p0-service-down``,
  which the incident alerts use) offers that section's flows.
- ``get_metric`` reads the latest poll (``app.last_result``), ``tail_events`` the live tail buffer
  (``app.tail.store``) when it is streaming, and every audit record goes to ``app.audit_listeners``
  and the incident timeline (``app.incident_response.record_flow_step``).
"""

from __future__ import annotations

from typing import Any, Callable

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from console.runbook import RunbookError, load_for_config
from console.runbook.model import Runbook
from console.runbook.values import from_derived
from screens.flow_modal import FlowContext, FlowModal
from screens.flow_reach import flow_keys, resolve_target, worst_metric

#: The audit view's key on the dashboard: the first of these that nothing else uses.
AUDIT_KEYS = ("a", "u")
RESPOND_KEY = "r"
FLOW_GROUP = Binding.Group("Flows", compact=True)


class FlowsMixin(App):
    _flow_runbook: Runbook | None = None
    flow_key_problems: list[str]

    # -- runbook ------------------------------------------------------------------------------
    def flow_runbook(self) -> Runbook:
        if self._flow_runbook is None:
            try:
                self._flow_runbook = load_for_config(getattr(self, "config", None))
            except RunbookError as exc:
                self.notify(str(exc), title="Runbook", severity="error", timeout=15)
                self._flow_runbook = Runbook(flows={})
        return self._flow_runbook

    # -- what a flow runs with ---------------------------------------------------------------
    def flow_metric(self, name: str) -> float | None:
        result = getattr(self, "last_result", None)
        return from_derived(getattr(result, "derived", None), name)

    def flow_tail_source(self) -> Callable[[], list[dict[str, Any]]] | None:
        """The live tail buffer when the log pane streams; None lets the engine run a short tail."""
        controller = getattr(self, "tail", None)
        store = getattr(controller, "store", None)
        if store is None:
            return None
        status = getattr(getattr(controller, "source", None), "status", None)
        if not getattr(store, "received", 0) and getattr(status, "state", "") != "streaming":
            return None
        return lambda: [e.raw for e in list(store.events) if getattr(e, "kind", "") != "notice"]

    def flow_audit_record(self, record: dict[str, Any]) -> None:
        """One audit record (already on disk) to every subscriber, read at call time."""
        receivers = list(getattr(self, "audit_listeners", []) or [])
        incident = getattr(self, "incident_response", None)
        record_step = getattr(incident, "record_flow_step", None)
        if record_step is not None and record_step not in receivers:
            receivers.append(record_step)
        for receiver in receivers:
            try:
                receiver(record)
            except Exception as exc:  # noqa: BLE001 - a subscriber must not break a run
                self.log.error(f"audit listener {receiver!r} failed: {exc!r}")

    def flow_context(self) -> FlowContext:
        session = getattr(self, "session")
        runbook = self.flow_runbook()
        return FlowContext(config=session.config, env=session.env, read_only=bool(session.read_only),
                           get_metric=self.flow_metric, tail_events=self.flow_tail_source(),
                           listeners=[self.flow_audit_record],
                           titles={f.id: f.title for f in runbook.flows.values()}, open_flow=self.open_flow)

    # -- opening -----------------------------------------------------------------------------
    def open_flow(self, target: str, inputs: dict[str, str] | None = None, why: str = "") -> None:
        if isinstance(self.screen, FlowModal):
            self.notify(f"Finish or cancel {self.screen.flow.title!r} first", severity="warning", timeout=4)
            return
        runbook = self.flow_runbook()
        flows = resolve_target(runbook, target)
        if not flows:
            self.notify(f"No runbook flow or section {target!r}", severity="error", timeout=6)
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
        choice = worst_metric(getattr(self, "last_result", None))
        if choice is None:
            self.notify("No metric in warning or critical: nothing to respond to", timeout=4)
            return
        why = f"{choice.label} is {choice.state.value.upper()}"
        self.open_flow(choice.target, why=why)

    def action_audit_view(self) -> None:
        from screens.audit_view import AuditScreen

        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen())


def install_flow_keys(screen: Screen) -> list[str]:
    """Bind the runbook's single-key flows, ``r`` (respond) and the audit key on ``screen`` (the
    dashboard), skipping keys something else already binds. Returns what was skipped and why."""
    app = screen.app
    runbook_getter = getattr(app, "flow_runbook", None)
    if not callable(runbook_getter):
        return []
    taken = set(app._bindings.key_to_bindings) | set(screen._bindings.key_to_bindings)
    problems: list[str] = []
    if RESPOND_KEY not in taken:
        screen._bindings.bind(RESPOND_KEY, "app.respond", "Respond", show=True)
        taken.add(RESPOND_KEY)
    else:
        problems.append(f"key {RESPOND_KEY!r} (respond) is already bound")
    audit_key = next((k for k in AUDIT_KEYS if k not in taken), None)
    if audit_key is not None:
        screen._bindings.bind(audit_key, "app.audit_view", "Audit", show=True)
        taken.add(audit_key)
    bound, skipped = flow_keys(runbook_getter(), taken)
    for item in bound:  # one footer entry for all ("HATB… Flows"); `?` help lists each by title
        binding = Binding(item.key, f"app.run_flow({item.flow.id!r})", item.flow.title, show=True, group=FLOW_GROUP)
        screen._bindings.key_to_bindings.setdefault(item.key, []).append(binding)
    problems.extend(why for _, why in skipped)
    for problem in problems:
        app.log.warning(problem)
    app.flow_key_problems = problems  # type: ignore[attr-defined]
    screen.refresh_bindings()
    return problems
