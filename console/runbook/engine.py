"""The flow execution engine: the state machine of one run (order, confirmation, run/tick/skip/cancel/finish,
summary). It validates inputs on construction (raising :class:`InputError`), checks every template and
secret before anything runs (raising :class:`PreflightError`), and then runs steps one at a time, in order,
either driven by a UI (:meth:`FlowRunner.preview`, :meth:`FlowRunner.run_step`, :meth:`FlowRunner.tick`,
:meth:`FlowRunner.cancel`) or headless (:meth:`FlowRunner.run_all`).

It delegates: what a run produces to :mod:`console.runbook.results`, rendering commands and secrets to
:mod:`console.runbook.preparation` and :mod:`console.runbook.run_secrets`, each kind of step to
:mod:`console.runbook.steps`, the audit records to :mod:`console.runbook.run_audit`, and time (timestamps,
retry and verify intervals, verify deadlines) to an injectable clock and sleep (:mod:`console.runbook.clock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import uuid
from typing import Any, Awaitable, Callable, Mapping

from console.runbook import policy
from console.runbook.audit import AuditLog, user_at_host
from console.runbook.clock import REAL_SLEEP, SYSTEM_CLOCK, RunClock, Sleep
from console.runbook.executors import PreparedCommand, PreparedHttp, excerpt
from console.runbook.expr import evaluate
from console.runbook.inputs import check_inputs, default_for
from console.runbook.memory import Memory
from console.runbook.metricfmt import verify_condition
from console.runbook.model import Flow, InputError
from console.runbook.policy import Confirmation
from console.runbook.preparation import (
    CLOUDFLARE_TOOLS,
    TFVARS_PR_TOOL,
    CommandPreparer,
    now_builtins,
    plan_file_for,
)
from console.runbook.queue_lookup import PLACEHOLDER_ITEM as QUEUE_PLACEHOLDER
from console.runbook.queue_lookup import SOURCE as QUEUE_SOURCE
from console.runbook.results import (
    ConfirmationRequired,
    PreflightError,
    Preview,
    RunEvent,
    RunnerError,
    RunSummary,
    StepOutcome,
    StepResult,
    StepRun,
    StepState,
)
from console.runbook.run_audit import AuditListener, RunAudit
from console.runbook.run_secrets import OPTIONAL_SECRETS, RunSecrets
from console.runbook.steps import kind_for
from console.runbook.steps.base import StepKind
from console.runbook.steps.command import CommandStep
from console.runbook.steps.manual import ManualStep
from console.runbook.steps.metrics import MetricsStep
from console.runbook.steps.note import NoteStep
from console.runbook.steps.queues import QueueStep
from console.runbook.steps.verify import VerifyStep
from console.runbook.template import (
    Context,
    DotSegment,
    ListValueError,
    OptionInjection,
    TemplateError,
    render,
)
from console.sanitize import clean, clean_line

__all__ = [
    "CLOUDFLARE_TOOLS",
    "OPTIONAL_SECRETS",
    "RUNTIME_WHEN_PREFIX",
    "TFVARS_PR_TOOL",
    "AuditListener",
    "ConfirmationRequired",
    "EventSink",
    "FlowRunner",
    "MetricGetter",
    "PreflightError",
    "Preview",
    "RunEvent",
    "RunSummary",
    "RunnerError",
    "StepOutcome",
    "StepResult",
    "StepRun",
    "StepState",
]

#: A ``when`` over ``capture.NAME`` is decided when the step is reached (the value comes from a step before).
RUNTIME_WHEN_PREFIX = "capture."

MetricGetter = Callable[[str], "float | None | Awaitable[float | None]"]
EventSink = Callable[["RunEvent"], None]


class FlowRunner:
    """Runs one flow on one environment.

    ``inputs`` are the raw strings the operator typed (``--set k=v`` or a form); missing ones take their
    defaults. ``get_metric(name)`` returns a live value (or an awaitable of one) for verify and metrics
    steps. ``tail_events()`` returns recent ``wrangler tail`` events (dicts) when a UI already streams
    them; otherwise tail steps run ``wrangler tail WORKER --format json`` briefly. ``listeners`` receive
    each audit record after it is durably written; ``on_event`` receives :class:`RunEvent` progress.
    ``clock`` (``time()``, ``monotonic()``) and ``sleep`` are the time the run reads and waits on
    (the real ones by default; tests pass a virtual clock).
    """

    def __init__(
        self,
        flow: Flow,
        env: Any,
        inputs: Mapping[str, Any] | None = None,
        *,
        config: Any = None,
        read_only: bool = False,
        dry_run: bool = False,
        get_metric: MetricGetter | None = None,
        tail_events: Callable[[], list[dict[str, Any]]] | None = None,
        listeners: list[AuditListener] | tuple[AuditListener, ...] = (),
        on_event: EventSink | None = None,
        audit: AuditLog | None = None,
        memory: Memory | None = None,
        http_transport: Any = None,
        user: str | None = None,
        tail_seconds: float | None = None,
        clock: RunClock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.flow = flow
        self.env = env
        self.config = config
        self.read_only = bool(read_only or getattr(env, "read_only", False))
        self.dry_run = dry_run
        self.get_metric = get_metric
        self.tail_events = tail_events
        self.listeners: list[AuditListener] = list(listeners)
        self.on_event = on_event
        self.clock: RunClock = clock if clock is not None else SYSTEM_CLOCK
        self.sleep: Sleep = sleep if sleep is not None else REAL_SLEEP
        self.audit = RunAudit(self, audit if audit is not None else AuditLog(), self.listeners)
        self.memory = memory if memory is not None else Memory()
        self.http_transport = http_transport
        #: caps how long tail steps collect events (tests, impatient operators)
        self.tail_seconds = tail_seconds
        self.user = user or user_at_host()
        self.run_id = uuid.uuid4().hex[:12]
        self.captures: dict[str, Any] = {}
        self.cancelled = False
        self._finished = False
        #: dry run: what would stop a real run (missing secret or config value)
        self.problems: list[str] = []
        self.secrets = RunSecrets(env)
        self.memory_values = self.memory.values(env.name)
        self._builtins = now_builtins(self.clock.time(), env)
        self._builtins["plan_file"] = plan_file_for(flow.id, self.run_id)
        self.preparer = CommandPreparer(
            env,
            config,
            self.secrets,
            memory_values=self.memory_values,
            captures=self.captures,
            builtins=self._builtins,
            tail_seconds=tail_seconds,
        )
        self.command_step = CommandStep(self)
        self.manual_step = ManualStep(self)
        self._kinds: dict[str, StepKind] = {
            "command": self.command_step,
            "queues": QueueStep(self),
            "metrics": MetricsStep(self),
            "verify": VerifyStep(self),
            "note": NoteStep(self),
        }

        values, errors = check_inputs(flow, dict(inputs or {}), self.preparer.context({}))
        if errors:
            name = next(iter(errors))
            raise InputError(name, errors[name])
        self.inputs: dict[str, Any] = values
        self.preparer.inputs = values
        self.secrets.preload()
        self.steps: list[StepRun] = self._expand()
        would_change = [r for r in self.steps if r.step.mutating and r.pre_state is None]
        self.refusal = (
            policy.read_only_refusal(flow, self.read_only, [self.title_of(r.index) for r in would_change], env.name)
            if would_change
            else None
        )
        if self.refusal is None:
            self._preflight()

    # -- construction helpers -------------------------------------------------------------------
    @property
    def audit_log(self) -> AuditLog:
        return self.audit.log

    @property
    def audit_error(self) -> str | None:
        """Why the audit trail could not be written (a step that changes something is then refused)."""
        return self.audit.error

    @staticmethod
    def defaults(
        flow: Flow, env: Any, memory: Memory | None = None, clock: RunClock | None = None
    ) -> dict[str, str | None]:
        """Form defaults for each input (templates over the environment/memory resolved)."""
        mem = (memory or Memory()).values(env.name)
        ctx = Context(env=env, memory=mem, builtins=now_builtins((clock or SYSTEM_CLOCK).time(), env))
        return {spec.name: default_for(spec, ctx) for spec in flow.inputs}

    @staticmethod
    def check(
        flow: Flow, env: Any, raw: Mapping[str, Any], memory: Memory | None = None, clock: RunClock | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Validate a form without building a runner: ``(values, errors by field)``."""
        mem = (memory or Memory()).values(env.name)
        builtins = now_builtins((clock or SYSTEM_CLOCK).time(), env)
        return check_inputs(flow, raw, Context(env=env, memory=mem, builtins=builtins))

    def mask(self, text: str) -> str:
        return self.secrets.mask(text)

    def _when_data(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.inputs)
        data["env"] = {
            k: getattr(self.env, k, None)
            for k in (
                "name",
                "worker",
                "zone_id",
                "account_id",
                "kv_namespace_id",
                "simulated",
                "paths",
                "queues",
                "alertmanager_url",
            )
        }
        data["config"] = dict(getattr(self.config, "raw", {}) or {})
        return data

    def _expand(self) -> list[StepRun]:
        runs: list[StepRun] = []
        when_data = self._when_data()
        for step in self.flow.steps:
            pre_state, pre_message = None, ""
            if step.when is not None and not step.when.path.startswith(RUNTIME_WHEN_PREFIX):
                holds, _ = evaluate(step.when, when_data)
                if not holds:
                    pre_state, pre_message = StepState.SKIPPED, f"condition not met: {step.when.text}"
            if step.foreach == QUEUE_SOURCE:  # one run; the queues are looked up when it runs
                concrete = copy.copy(step)
                concrete.title = render(step.title, self.preparer.context(dict(QUEUE_PLACEHOLDER)))
                runs.append(
                    StepRun(len(runs), concrete, dict(QUEUE_PLACEHOLDER), pre_state=pre_state, pre_message=pre_message)
                )
            elif step.foreach:
                mapping = getattr(self.env, step.foreach.split(".", 1)[1], None) or {}
                if not mapping:
                    runs.append(
                        StepRun(
                            len(runs),
                            step,
                            {},
                            pre_state=StepState.SKIPPED,
                            pre_message=pre_message or f"nothing in {step.foreach} for {self.env.name}",
                        )
                    )
                    continue
                for key, value in sorted(mapping.items()):
                    concrete = copy.copy(step)
                    concrete.id = f"{step.id}-{key}"
                    concrete.title = render(step.title, self.preparer.context({"key": key, "value": value}))
                    runs.append(
                        StepRun(
                            len(runs),
                            concrete,
                            {"key": key, "value": value},
                            pre_state=pre_state,
                            pre_message=pre_message,
                        )
                    )
            else:
                runs.append(StepRun(len(runs), step, pre_state=pre_state, pre_message=pre_message))
        for run in runs:
            if run.pre_state is not None:
                run.state = run.pre_state
                run.result = StepResult(run.pre_state, run.pre_message)
        return runs

    def _preflight(self) -> None:
        """Render everything that will run (captures as placeholders, secrets for real) so a missing
        config value or secret stops the flow before its first step."""
        for run in self.steps:
            if run.pre_state is not None:
                continue
            try:
                self.preparer.prepare(run, masked=False, placeholders=True)
            except TemplateError as exc:
                if not self.dry_run:
                    from console.runbook.amconvert import BadValue

                    if (
                        isinstance(exc, (OptionInjection, DotSegment, BadValue, ListValueError))
                        and exc.ref.scope == "input"
                    ):
                        raise InputError(exc.ref.name, exc.detail) from None
                    raise PreflightError(run.step.id, str(exc)) from None
                # a dry run still shows every step; the problem is reported instead
                self.problems.append(f"step {run.step.id!r}: {exc}")

    # -- state ------------------------------------------------------------------------------------
    @property
    def current_index(self) -> int | None:
        """The next step to run (manual items left open do not block), or None when finished."""
        for run in self.steps:
            if run.state == StepState.PENDING and run.step.kind != "manual":
                return run.index
            if run.state == StepState.RUNNING:
                return run.index
        return None

    @property
    def finished(self) -> bool:
        return self._finished

    def states(self) -> list[StepState]:
        return [run.state for run in self.steps]

    def emit(self, event: RunEvent) -> None:
        """Hand ``event`` to the UI's sink; a failing sink never breaks the run."""
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a UI callback must not break a run
                pass

    # -- preview ----------------------------------------------------------------------------------
    def preview(self, index: int) -> Preview:
        run = self.steps[index]
        step = run.step
        ctx = self.preparer.context(run.item, placeholders=True)
        title = self.title_of(index)
        try:
            text = render(step.text, ctx, masked=True) if step.text else ""
        except TemplateError:
            text = step.text
        out = Preview(
            index=index,
            step_id=step.id,
            kind=step.kind,
            title=title,
            text=text,
            mutating=step.mutating,
            executor=step.executor,
            confirmation=policy.confirmation_for(step, self.env.name),
            refusal=policy.step_refusal(step, self.read_only, self.env.name)
            or (self.refusal if step.mutating else None),
        )
        try:
            prepared = self.preparer.prepare(run, masked=True, placeholders=True)
        except TemplateError as exc:
            prepared = None
            out.display = f"cannot prepare: {exc}"
        if isinstance(prepared, PreparedCommand):
            out.command = prepared.display()
            out.display = prepared.display_text()
        elif isinstance(prepared, PreparedHttp):
            out.request = prepared.display()
            out.display = prepared.display_text()
        elif step.verify is not None:
            out.condition = verify_condition(step.verify)
            out.display = f"watch {out.condition}"
        elif step.metrics:
            out.display = "current values: " + ", ".join(step.metrics)
        out.display, out.text = clean(self.mask(out.display)), clean(out.text)
        return out

    def title_of(self, index: int) -> str:
        """A step's title with its references filled in (secrets masked)."""
        run = self.steps[index]
        try:
            return clean_line(render(run.step.title, self.preparer.context(run.item, placeholders=True), masked=True))
        except TemplateError:
            return run.step.title

    def confirmation(self, index: int) -> Confirmation | None:
        return policy.confirmation_for(self.steps[index].step, self.env.name)

    # -- running ----------------------------------------------------------------------------------
    def _check_order(self, index: int) -> None:
        if self._finished:
            raise RunnerError(f"flow {self.flow.id} has finished")
        for run in self.steps[:index]:
            if run.state in (StepState.PENDING, StepState.RUNNING) and run.step.kind != "manual":
                raise RunnerError(f"step {run.step.id!r} has not finished yet")

    async def run_step(self, index: int, *, confirmation: str | None = None) -> StepResult:
        """Run step ``index`` once. A second call (a double key press) returns the same result without
        running it again, awaiting the first if it is still running."""
        run = self.steps[index]
        if run.task is not None:
            return await asyncio.shield(run.task)
        if run.state != StepState.PENDING:
            assert run.result is not None
            return run.result
        if self.refusal:
            self._refuse_all()
            assert run.result is not None
            return run.result
        step = run.step
        if step.kind == "manual":
            raise RunnerError(f"step {step.id!r} is a manual item: tick it")
        self._check_order(index)
        if step.when is not None and step.when.path.startswith(RUNTIME_WHEN_PREFIX):
            holds, _ = evaluate(step.when, {"capture": dict(self.captures)})
            if not holds:
                now = self.clock.time()
                return self._settle(
                    run,
                    StepResult(StepState.SKIPPED, f"condition not met: {step.when.text}", started=now, ended=now),
                    audit=True,
                )
        refusal = policy.step_refusal(step, self.read_only, self.env.name)
        if refusal:
            return self._settle(run, StepResult(StepState.REFUSED, refusal), audit=True)
        if step.mutating and not self.dry_run:
            needed = policy.confirmation_for(step, self.env.name)
            if needed is not None and not needed.accepts(confirmation):
                raise ConfirmationRequired(needed)
        run.state = StepState.RUNNING
        run.task = asyncio.ensure_future(self._execute(run))
        return await asyncio.shield(run.task)

    def tick(self, index: int, done: bool = True, note: str = "") -> StepResult:
        """Tick (or, with ``done=False``, skip) a manual checklist item; recorded in the audit trail."""
        run = self.steps[index]
        if run.step.kind != "manual":
            raise RunnerError(f"step {run.step.id!r} is not a manual item")
        if run.state != StepState.PENDING:
            assert run.result is not None
            return run.result
        return self._settle(run, self.manual_step.tick(run, done, note), audit=True)

    def skip(self, index: int, reason: str = "skipped by operator") -> StepResult:
        """Skip a pending step on purpose without running it (recorded)."""
        run = self.steps[index]
        if run.task is not None and not run.task.done():
            raise RunnerError(f"step {run.step.id!r} is running: cancel the flow to stop it")
        if run.state != StepState.PENDING:
            return run.result if run.result is not None else StepResult(run.state)
        now = self.clock.time()
        return self._settle(run, StepResult(StepState.SKIPPED, reason, started=now, ended=now), audit=True)

    def leave_pending(self, index: int) -> None:
        """Headless: a manual item is listed as pending and recorded so; the flow moves on."""
        run = self.steps[index]
        if run.step.kind == "manual" and run.state == StepState.PENDING:
            self.audit.write(self.audit.record(run, self.manual_step.left_pending(run)))

    async def _settle_off_loop(self, run: StepRun, result: StepResult) -> StepResult:
        """:meth:`_settle` with ``audit=True``, its record written off the event loop."""
        if self.dry_run or run.step.kind == "note":
            return self._settle(run, result, audit=False)
        self._clean_result(result)
        written = await self.audit.write_off_loop(self.audit.record(run, result))
        return self._settle(run, result, audit=False, written=(written,))

    @staticmethod
    def _clean_result(result: StepResult) -> None:
        # what a step says comes from outside (child output, HTTP answers): shown and recorded escaped
        result.message, result.output = clean_line(result.message), clean(result.output)
        result.lines = [clean_line(line) for line in result.lines]

    def _settle(
        self, run: StepRun, result: StepResult, *, audit: bool, written: tuple[dict[str, Any] | None] | None = None
    ) -> StepResult:
        """``written``: the record :meth:`_settle_off_loop` already wrote (or None in it: it could not)."""
        self._clean_result(result)
        if audit and not self.dry_run and run.step.kind != "note":
            written = (self.audit.write(self.audit.record(run, result)),)
        if written is not None:
            result.audit = written[0]
            if result.audit is None and run.audit_started is not None:
                result.message = (
                    f"{result.message}; its outcome is not in the audit trail: {self.audit_error}"
                ).lstrip("; ")
        run.result = result
        run.state = result.state
        self.emit(RunEvent("step_finished", run.index, result=result))
        if result.state.bad and run.step.on_fail == "stop":
            self._stop_rest(run.index, f"not run: step {run.step.id!r} {result.state.value}")
        if all(r.state.final for r in self.steps):
            self._finish()
        return result

    def _stop_rest(self, after: int, message: str) -> None:
        for other in self.steps[after + 1 :]:
            if other.state == StepState.PENDING and other.step.kind != "manual":
                other.state = StepState.NOT_RUN
                other.result = StepResult(StepState.NOT_RUN, message)

    def refuse(self) -> RunSummary:
        """Read-only: record the refusal of every mutating step (nothing runs) and close the run."""
        self._refuse_all()
        return self.summary()

    def _refuse_all(self) -> None:
        if self._finished:
            return
        for run in self.steps:
            if run.state == StepState.PENDING:
                state = StepState.REFUSED if run.step.mutating else StepState.NOT_RUN
                run.state = state
                run.result = StepResult(state, self.refusal or "")
                if state == StepState.REFUSED:
                    now = self.clock.time()
                    self.audit.write(
                        self.audit.record(run, StepResult(state, self.refusal or "", started=now, ended=now))
                    )
        self._finish()

    async def _execute(self, run: StepRun) -> StepResult:
        step = run.step
        started = self.clock.time()
        self.emit(RunEvent("step_started", run.index))
        if step.mutating and not self.dry_run and not await self.audit.started(run, started):
            # no record of the change on disk: the step is refused (nothing ran) and the rest is not run
            message = f"{self.audit_error}: step refused, nothing ran"
            self._stop_rest(run.index, "not run: the audit trail cannot be written")
            return await self._settle_off_loop(
                run, StepResult(StepState.REFUSED, message, started=started, ended=self.clock.time())
            )
        result = StepResult(StepState.RUNNING, started=started)
        lines: list[str] = []

        def on_line(line: str) -> None:
            line = clean_line(self.mask(line))
            lines.append(line)
            if len(lines) > 2000:
                del lines[:1000]
            self.emit(RunEvent("output", run.index, line=line))

        try:
            if self.dry_run:
                result.state, result.message = StepState.SKIPPED, "dry run: not run"
                result.ended = self.clock.time()
                return self._settle(run, result, audit=False)
            await self._kinds[kind_for(step)].run(run, result, on_line)
        except asyncio.CancelledError:
            result.state, result.message = StepState.CANCELLED, "cancelled by operator"
        except TemplateError as exc:
            result.state, result.message = StepState.FAILED, str(exc)
        except Exception as exc:  # noqa: BLE001 - never a traceback in front of an operator
            result.state, result.message = StepState.FAILED, self.mask(f"internal error: {type(exc).__name__}: {exc}")
        result.ended = self.clock.time()
        if step.mutating and result.state == StepState.PASSED:
            # later metrics steps measure the effect: their rates must not reach back before the change
            changed = getattr(self.get_metric, "changed", None)
            if callable(changed):
                changed()
        if not result.output and lines:
            result.output = excerpt("\n".join(lines))
        return await self._settle_off_loop(run, result)

    # -- cancel / finish ----------------------------------------------------------------------------
    async def cancel(self, reason: str = "cancelled by operator") -> RunSummary:
        """Stop the running step (its process group is killed), leave the rest not run, and say so."""
        if self._finished:
            return self.summary()
        self.cancelled = True
        for run in self.steps:
            if run.task is not None and not run.task.done():
                run.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await run.task
        for run in self.steps:
            if run.state == StepState.PENDING:
                run.state = StepState.NOT_RUN
                run.result = StepResult(StepState.NOT_RUN, reason)
                if not self.dry_run and self.audit.declined_item(run, StepState.NOT_RUN):
                    now = self.clock.time()
                    self.audit.write(
                        self.audit.record(run, StepResult(StepState.NOT_RUN, reason, started=now, ended=now))
                    )
        self._finish()
        return self.summary()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        summary = self.summary()
        if not self.dry_run:
            self.audit.write(self.audit.flow_end(summary, self.clock.time()))
        self.emit(RunEvent("flow_finished", summary=summary))

    def finish(self) -> RunSummary:
        """Close the run (remaining manual items stay pending) and return the summary."""
        self._finish()
        return self.summary()

    def summary(self) -> RunSummary:
        return RunSummary(
            flow=self.flow.id,
            title=self.flow.title,
            environment=self.env.name,
            run_id=self.run_id,
            steps=[
                StepOutcome(r.step.id, self.title_of(r.index), r.state, r.step.kind, self._note(r)) for r in self.steps
            ],
            cancelled=self.cancelled,
            refused=self.refusal,
            reverse=self.flow.reverse,
            dry_run=self.dry_run,
        )

    @staticmethod
    def _note(run: StepRun) -> str:
        """The summary's word on a step that read live metrics: what it found (CRIT/WARN by name)."""
        result = run.result
        if not run.step.metrics or result is None or run.state not in (StepState.PASSED, StepState.FAILED):
            return ""
        return result.message

    # -- headless -------------------------------------------------------------------------------------
    async def run_all(
        self, confirm: Callable[[Preview], "str | None | Awaitable[str | None]"] | None = None
    ) -> RunSummary:
        """Run every step in order. ``confirm(preview)`` returns the confirmation text for a mutating step
        (None declines, which cancels the flow). Manual items are left pending and recorded as such."""
        if self.refusal:
            self._refuse_all()
            return self.summary()
        for run in self.steps:
            if self._finished:
                break
            if run.state != StepState.PENDING:
                continue
            if run.step.kind == "manual":
                if not self.dry_run:
                    self.leave_pending(run.index)
                continue
            typed: str | None = None
            if run.step.mutating and not self.dry_run:
                answer = confirm(self.preview(run.index)) if confirm is not None else None
                typed = await answer if inspect.isawaitable(answer) else answer
                conf = policy.confirmation_for(run.step, self.env.name)
                if conf is not None and not conf.accepts(typed):
                    if run.step.if_declined:  # declining it is a choice, recorded; the flow goes on
                        self.skip(run.index, "declined by operator")
                        continue
                    await self.cancel(f"not confirmed: {run.step.title}")
                    break
            await self.run_step(run.index, confirmation=typed)
        return self.finish()
