"""A runbook flow as a guided modal: inputs, steps, preview, confirmation, run, result, summary.

Phases: ``form`` (typed inputs, validated with ``FlowRunner.check``, errors at their fields: nothing runs
on bad input) -> ``run`` (one step at a time: preview of exactly what will run, confirmation naming the
environment for a change, run in a Textual worker with output streamed into a bounded log) ->
``summary`` (what ran, what did not, undo flow). ``blocked`` when the flow cannot run here at all.

Keys: enter runs the current step (or ticks a checklist item), space ticks, s skips, escape cancels (a
running step is stopped) and shows what ran; at the end u opens the undo flow. While a step runs the
run key is disabled, and the engine never runs a step twice either.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.app.flows import FlowContext
from console.runbook import (
    ConfirmationRequired,
    Flow,
    FlowRunner,
    InputError,
    PreflightError,
    RunEvent,
    RunnerError,
    RunSummary,
    StepState,
)
from console.runbook.metricfmt import verify_condition
from console.runbook.policy import is_production
from screens.textual_compat import CoveredBackground, Footer, StyledOnMount  # Footer: each key styled once
from widgets.clipped_text import ClippedText
from widgets.flow_form import FlowForm
from widgets.flow_output import FlowOutput
from widgets.flow_preview import FlowBox, StepPanel
from widgets.flow_steps import FlowSteps, StepRow
from widgets.flow_summary import FlowSummary
from widgets.keybindings import bindings

#: rows of the description above the form (themes/flows.tcss #flow-desc); its last says when there is more
DESC_LINES = 6
#: rows of the finished flow's summary (#flow-summary: max-height 8, under its rule)
SUMMARY_LINES = 7


class FlowProgress(Message):
    """A RunEvent from the engine, delivered on the UI loop."""

    def __init__(self, event: RunEvent) -> None:
        super().__init__()
        self.event = event


def flow_title_text(flow: Flow, env_name: str, read_only: bool) -> Text:
    text = Text()
    text.append(flow.title, style="bold")
    text.append(f" · {flow.section} · ", style="dim")
    text.append(
        env_name.upper() if is_production(env_name) else env_name,
        style="bold red" if is_production(env_name) else "bold",
    )
    if read_only:
        text.append(" · READ-ONLY", style="bold yellow")
    return text


class FlowModal(StyledOnMount, CoveredBackground, ModalScreen[RunSummary | None]):
    #: One key, several meanings: the first binding whose action is enabled in this phase wins (and
    #: is the one the footer shows).
    BINDINGS = bindings("flow")

    AUTO_FOCUS = ""  # no auto focus: focus is placed by phase: the first field, the confirmation, or nothing
    #: it fills the screen, hiding the incident bar and alert banner: the app adds a one-line strip on top
    INCIDENT_STRIP = True

    def __init__(self, flow: Flow, context: FlowContext, inputs: dict[str, str] | None = None) -> None:
        super().__init__()
        self.flow = flow
        self.context = context
        self.preset = dict(inputs or {})
        self.runner: FlowRunner | None = None
        self.phase = "form"
        self.busy = False
        self.cancelling = False
        self.summary: RunSummary | None = None
        self.problem = ""

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        env_name = self.context.env.name
        with FlowBox(id="flow-box"):  # its step panel refits to the room left when its height changes
            yield Static(flow_title_text(self.flow, env_name, self.context.read_only), id="flow-title")
            yield ClippedText(
                Text(self.flow.description.strip()), max_lines=DESC_LINES, more=self.more_text, id="flow-desc"
            )
            yield Static("", id="flow-banner", markup=False)
            if self.flow.inputs:
                defaults = FlowRunner.defaults(self.flow, self.context.env)
                defaults.update({k: v for k, v in self.preset.items() if v is not None})
                yield FlowForm(self.flow.inputs, defaults, env=self.context.env, id="flow-form")
                yield Button("Continue ⏎", id="flow-continue", compact=True, variant="primary")
            yield FlowSteps(id="flow-steps")
            yield StepPanel(id="flow-step")
            yield FlowOutput(id="flow-output")
            yield FlowSummary("", max_lines=SUMMARY_LINES, more=self.more_text, id="flow-summary")
        yield Footer()

    def more_text(self, hidden: int) -> str:
        """The description's last row when ``hidden`` lines do not fit: how many, and the key (as configured)."""
        keys = self.app.keys_text("flow.describe", "shows all")  # type: ignore[attr-defined]
        return f"… {hidden} more line{'s' if hidden != 1 else ''}" + (f" · {keys}" if keys else "")

    def action_describe(self) -> None:
        """The whole of what is cut, in a modal: once finished the summary, else the description (a P0 flow's
        escalation path first, as shown above the form)."""
        from screens.full_text import FullTextScreen

        if self.phase == "summary":
            self.app.push_screen(FullTextScreen(f"{self.flow.title}: summary", self.query_one(FlowSummary).plain))
            return
        whole = self.query_one("#flow-desc", ClippedText).plain.strip()
        if whole:
            self.app.push_screen(FullTextScreen(self.flow.title, whole))

    def on_mount(self) -> None:
        self.query_one("#flow-box").border_title = "Runbook flow"
        self.query_one("#flow-desc").display = bool(self.flow.description.strip())
        self.query_one("#flow-banner").display = False
        for selector in ("#flow-steps", "#flow-step", "#flow-output", "#flow-summary"):
            self.query_one(selector).display = False
        if self.flow.inputs:
            form = self.query_one(FlowForm)
            if form.only_prefilled_choices():  # Enter on a select opens it: put the focus on Continue
                self.query_one("#flow-continue").focus()
            else:
                form.focus_first()
        else:
            self.start({})

    def banner(self, message: Any, *, error: bool = True) -> None:
        widget = self.query_one("#flow-banner", Static)
        widget.update(message)
        widget.set_class(error, "error")
        widget.display = bool(message)

    # -- form -----------------------------------------------------------------------------------
    def submit_form(self, submitted: Input.Submitted | None = None) -> None:
        form = self.query_one(FlowForm)
        raw = form.values()
        field = submitted.input.id if submitted is not None else None
        if submitted is not None and field and field.startswith("input-") and field[6:] in raw:
            # the field enter was pressed in, as it was then: a key read after the enter (a later read, before
            # this message arrived) was typed into the box, and would have changed what runs (an IP ...9 -> ...97)
            raw[field[6:]] = submitted.value
        _, errors = FlowRunner.check(self.flow, self.context.env, raw)
        form.show_errors(errors)
        if errors:
            count = len(errors)
            self.banner(f"✗ {count} input{'s' if count != 1 else ''} to fix: nothing ran")
            form.focus_first_error()
            return
        self.banner("")
        self.start(raw)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "flow-confirm":
            self.confirm(event.value)
        elif self.phase == "form":
            self.submit_form(event)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "flow-continue" and self.phase == "form":
            self.submit_form()

    def start(self, raw: dict[str, str]) -> None:
        ctx = self.context
        try:
            self.runner = FlowRunner(
                self.flow,
                ctx.env,
                raw,
                config=ctx.config,
                read_only=ctx.read_only,
                get_metric=ctx.get_metric,
                tail_events=ctx.tail_events,
                listeners=list(ctx.listeners),
                on_event=self._on_event,
                clock=ctx.clock,
                sleep=ctx.sleep,
            )
        except InputError as exc:
            if self.flow.inputs:
                self.query_one(FlowForm).show_errors({exc.field: exc.message})
                self.query_one(FlowForm).focus_first_error()
            self.banner(f"✗ {exc.field}: {exc.message}: nothing ran")
            return
        except PreflightError as exc:
            self.phase = "blocked"
            self.problem = exc.message
            self.banner(
                Text(
                    f"✗ cannot run on {ctx.env.name}: step {exc.step_id!r}: {exc.message}\nNothing ran. Esc closes.",
                    style="bold",
                )
            )
            self._show_run_widgets(False)
            self.sync_bindings()
            return
        self.phase = "run"
        if self.flow.inputs:
            self.query_one(FlowForm).display = False
            self.query_one("#flow-continue").display = False
        if self.runner.refusal:
            self.banner(Text(f"⊘ {self.runner.refusal}", style="bold"))
        self._show_run_widgets(True)
        self.update_view()

    def _show_run_widgets(self, show: bool) -> None:
        for selector in ("#flow-steps", "#flow-step", "#flow-output"):
            self.query_one(selector).display = show

    # -- state -> view --------------------------------------------------------------------------
    def focus_index(self) -> int | None:
        """The first step not settled yet, in order (checklist items included)."""
        if self.runner is None:
            return None
        for run in self.runner.steps:
            if run.state in (StepState.PENDING, StepState.RUNNING):
                return run.index
        return None

    def step_rows(self) -> list[StepRow]:
        runner = self.runner
        assert runner is not None
        current = self.focus_index()
        return [
            StepRow(
                run.index + 1, run.step.kind, runner.title_of(run.index), run.state.value, current=run.index == current
            )
            for run in runner.steps
        ]

    def update_view(self) -> None:
        runner = self.runner
        if runner is None or self.phase != "run":
            return
        self.query_one(FlowSteps).show(self.step_rows())
        if runner.finished:
            self.show_summary(runner.summary())
            return
        panel = self.query_one(StepPanel)
        index = self.focus_index()
        total = len(runner.steps)
        if self.busy:
            self.sync_bindings()
            return
        if index is None:
            panel.hide_confirmation()
            panel.show_text(Text("Every step has run.", style="bold"), "Enter finishes the flow.")
        else:
            run = runner.steps[index]
            preview = runner.preview(index)
            panel.show_preview(preview, index + 1, total)
            if run.step.kind == "manual":
                panel.hide_confirmation()
            elif preview.confirmation is not None and not preview.refusal and not runner.refusal:
                panel.ask_confirmation(preview.confirmation, preview.title)
                self.query_one("#flow-confirm", Input).focus()
            else:
                panel.hide_confirmation()
        if not self.query_one("#flow-confirm", Input).display and self.focused is not None:
            self.set_focus(None)
        self.sync_bindings()

    def show_summary(self, summary: RunSummary) -> None:
        if self.phase == "summary":
            return
        self.phase = "summary"
        self.summary = summary
        if self.runner is not None:
            self.query_one(FlowSteps).show(self.step_rows())
        self.query_one(StepPanel).display = False
        changed = bool(self.runner) and any(r.step.mutating and r.state == StepState.PASSED for r in self.runner.steps)  # type: ignore[union-attr]
        reverse_title = self.context.titles.get(summary.reverse or "")
        self.query_one(FlowSummary).show(summary, reverse_title, changed=changed)
        self.query_one(FlowSummary).display = True
        # the end of the output and its values stay in view: the step list gives up rows (the summary
        # names every step's state), and the log follows to its end once the new layout is drawn. The class
        # goes on the two widgets it resizes: on the modal it restyled every widget in it (form, footer keys)
        output = self.query_one(FlowOutput)
        for widget in (self.query_one(FlowSteps), output.query_one("#flow-log")):
            widget.add_class("-finished")
        output.follow_end_after_refresh()
        # the output has the focus: up/pageup/home scroll back through it at once (with nothing focused they
        # did nothing until Tab); enter and esc still close (the log binds neither)
        self.set_focus(output.query_one("#flow-log"))
        self.sync_bindings()

    # -- engine events --------------------------------------------------------------------------
    def _on_event(self, event: RunEvent) -> None:
        self.post_message(FlowProgress(event))

    def on_flow_progress(self, message: FlowProgress) -> None:
        event = message.event
        output = self.query_one(FlowOutput)
        runner = self.runner
        if runner is None:
            return
        if event.type == "step_started" and event.index is not None:
            self.query_one("#flow-desc").display = False  # room for the output from the first step on
            run = runner.steps[event.index]
            verify = run.step.verify
            output.begin(
                f"{event.index + 1}. {runner.title_of(event.index)}",
                verify_condition(verify) if verify is not None else None,  # "error rate < 1 % within 90s"
                verify.metric if verify is not None else None,
            )
            self.query_one(FlowSteps).show(self.step_rows())
        elif event.type == "output" and event.line is not None:
            output.add_line(event.line)
        elif event.type == "sample":
            output.add_sample(event.value, event.elapsed)
        elif event.type == "step_finished" and event.result is not None:
            if event.result.state not in (StepState.NOT_RUN,):
                output.show_result(event.result, None if event.index is None else event.index + 1)
            self.update_view()
            output.follow_end_after_refresh()  # the step's last lines and result in view
        elif event.type == "flow_finished" and event.summary is not None:
            if self.phase == "run":
                self.show_summary(event.summary)

    # -- actions --------------------------------------------------------------------------------
    def sync_bindings(self) -> None:
        """Redraw the footer only when what the keys do has changed (a footer redraw is not cheap)."""
        kind = self._focus_kind()
        state = (self.phase, self.busy, self.cancelling, kind, self.focus_index() is None)
        if state != getattr(self, "_bindings_state", None):
            self._bindings_state = state
            self.refresh_bindings()

    def _focus_kind(self) -> str | None:
        index = self.focus_index()
        if self.runner is None or index is None:
            return None
        return self.runner.steps[index].step.kind

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.phase == "run"
        idle = running and not self.busy and not self.cancelling
        refused = bool(self.runner is not None and self.runner.refusal)
        if action == "close":
            return self.phase in ("summary", "blocked")
        if action == "cancel":
            return self.phase in ("form", "run")
        if action == "continue_form":
            return self.phase == "form"
        if action == "tick":
            return idle and self._focus_kind() == "manual" and not refused
        if action == "finish":
            return idle and self.focus_index() is None
        if action == "run":
            if running and (self.busy or self.cancelling):
                return None  # shown greyed out: a second press does nothing
            return running and self.focus_index() is not None
        if action == "skip":
            return idle and self.focus_index() is not None and not refused
        if action == "describe":  # any time: the description is hidden once a step has started
            return self.phase == "summary" or bool(self.query_one("#flow-desc", ClippedText).plain.strip())
        if action == "reverse":  # the undo flow changes the edge: not bound read-only (the catalogue)
            undo = self.app.actions.get("flow.undo")  # type: ignore[attr-defined]
            if undo is not None and not undo.enabled:
                return False
            return self.phase == "summary" and bool(self.flow.reverse) and self.context.open_flow is not None
        return True

    async def action_hold_quit(self) -> None:
        if self.busy or self.cancelling:
            self.app.notify(self.running_hint(), severity="warning", timeout=5, markup=False)
            return
        await self.app.action_quit()  # names this flow and asks while it is in progress

    def running_hint(self) -> str:
        """What to press while a step runs (keys from the catalogue, as configured)."""
        keys = self.app.keys_text  # type: ignore[attr-defined]
        cancel, quit_ = keys("flow.cancel") or "cancelling", keys("app.quit") or "quitting"
        return f"A step is running: {cancel} stops it and shows what ran; then {quit_} quits"

    def action_continue_form(self) -> None:
        if self.phase == "form":
            self.submit_form()

    def action_close(self) -> None:
        if self.phase in ("summary", "blocked"):
            self.dismiss(self.summary)

    def action_finish(self) -> None:
        if self.phase == "run" and self.runner is not None and not self.busy and self.focus_index() is None:
            self.show_summary(self.runner.finish())

    def action_run(self) -> None:
        if self.phase != "run" or self.busy or self.cancelling or self.runner is None:
            return
        runner = self.runner
        index = self.focus_index()
        if index is None:
            self.action_finish()
            return
        run = runner.steps[index]
        if run.step.kind == "manual" and not runner.refusal:
            self.action_tick()
            return
        preview = runner.preview(index)
        if preview.confirmation is not None and not preview.refusal and not runner.refusal:
            panel = self.query_one(StepPanel)
            panel.ask_confirmation(preview.confirmation, preview.title)
            panel.reject(f"type {preview.confirmation.expected!r} in the box and press enter: nothing ran")
            self.query_one("#flow-confirm", Input).focus()
            return
        self.start_step(index, None)

    def confirm(self, typed: str) -> None:
        runner = self.runner
        if self.phase != "run" or runner is None or self.busy:
            return
        index = self.focus_index()
        if index is None:
            return
        confirmation = runner.confirmation(index)
        if confirmation is None:
            self.start_step(index, None)
            return
        if not confirmation.accepts(typed):
            shown = typed.strip() or "nothing"
            self.query_one(StepPanel).reject(
                f"{shown!r} is not {confirmation.expected!r}: nothing ran"
                if typed.strip()
                else f"{shown} typed: type {confirmation.expected!r} to run, "
                f"{self.app.keys_text('flow.cancel') or 'cancel'} to cancel the flow"  # type: ignore[attr-defined]
            )
            return
        self.start_step(index, typed)

    def start_step(self, index: int, typed: str | None) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one(StepPanel).hide_confirmation()
        if self.focused is not None:
            self.set_focus(None)
        self.sync_bindings()
        self.run_worker(
            self._run_step(index, typed), name=f"flow step {index + 1}", group="flow-step", exit_on_error=False
        )

    async def _run_step(self, index: int, typed: str | None) -> None:
        runner = self.runner
        assert runner is not None
        try:
            await runner.run_step(index, confirmation=typed)
        except ConfirmationRequired as exc:
            self.query_one(StepPanel).reject(f"not confirmed ({exc.confirmation.prompt}): nothing ran")
        except RunnerError as exc:
            self.banner(f"✗ {exc}")
        except Exception as exc:  # noqa: BLE001 - never a traceback in front of an operator
            self.banner(f"✗ internal error: {type(exc).__name__}: {runner.mask(str(exc))}")
        finally:
            self.busy = False
            self.update_view()

    def action_tick(self) -> None:
        runner = self.runner
        index = self.focus_index()
        if runner is None or index is None or self.busy or runner.steps[index].step.kind != "manual":
            return
        runner.tick(index)
        self.update_view()

    def action_skip(self) -> None:
        runner = self.runner
        index = self.focus_index()
        if runner is None or index is None or self.busy or self.phase != "run":
            return
        if runner.steps[index].step.kind == "manual":
            runner.tick(index, done=False)
        else:
            runner.skip(index)
        self.update_view()

    def action_cancel(self) -> None:
        if self.phase in ("form", "blocked"):
            self.app.notify(f"{self.flow.title}: cancelled, nothing ran", timeout=4, markup=False)
            self.dismiss(None)
            return
        if self.phase == "summary":
            self.dismiss(self.summary)
            return
        if self.cancelling or self.runner is None:
            return
        self.cancelling = True
        self.sync_bindings()
        self.run_worker(self._cancel(), name="flow cancel", group="flow-cancel", exit_on_error=False)

    async def _cancel(self) -> None:
        assert self.runner is not None
        try:
            summary = await self.runner.cancel()
        finally:
            self.cancelling = False
        self.busy = False
        self.show_summary(summary)

    def action_reverse(self) -> None:
        reverse = self.flow.reverse
        opener = self.context.open_flow
        if self.phase != "summary" or not reverse or opener is None:
            return
        self.dismiss(self.summary)
        self.app.call_after_refresh(opener, reverse)

    def progress_text(self) -> str:
        """Where a started, unfinished flow is ("step 2 of 5: Purge cache, running"); "" before it
        starts (the input form) and once it has ended (summary, blocked)."""
        runner = self.runner
        if self.phase != "run" or runner is None or runner.finished:
            return ""
        total = len(runner.steps)
        done = sum(1 for run in runner.steps if run.state not in (StepState.PENDING, StepState.RUNNING))
        index = self.focus_index()
        if index is None:
            return f"all {total} steps settled, not finished"
        state = "running" if self.busy or runner.steps[index].state == StepState.RUNNING else "next"
        return f"step {index + 1} of {total} ({runner.title_of(index)}, {state}); {done} settled"

    # -- for tests and the audit view -------------------------------------------------------------
    def visible_text(self) -> str:
        """Everything the modal shows as plain text (tests search it for secrets)."""

        def shown(widget: Any) -> bool:
            return all(node.display for node in widget.ancestors_with_self if node is not self.app)

        parts = [str(widget.render()) for widget in self.query(Static) if shown(widget)]
        parts.append(self.query_one(FlowOutput).log_text())
        parts.extend(field.value for field in self.query(Input) if shown(field))
        return "\n".join(parts)
