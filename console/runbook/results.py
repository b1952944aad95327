"""What a flow run produces: step states and results, previews, progress events, the run summary, and the
runner's exceptions (plain data, no I/O). :class:`console.runbook.engine.FlowRunner` makes them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

from console.runbook.model import Step
from console.runbook.policy import Confirmation


class StepState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"  # check/action/verify succeeded
    FAILED = "failed"
    TIMEOUT = "timeout"  # a verify whose condition never held in time
    DONE = "done"  # a manual item ticked / a note read
    SKIPPED = "skipped"  # condition not met, operator skipped, or dry run
    REFUSED = "refused"  # read-only
    CANCELLED = "cancelled"
    NOT_RUN = "not_run"  # after a cancel or a stopping failure

    @property
    def final(self) -> bool:
        return self not in (StepState.PENDING, StepState.RUNNING)

    @property
    def bad(self) -> bool:
        return self in (StepState.FAILED, StepState.TIMEOUT)


class PreflightError(Exception):
    """The flow cannot run in this environment (missing config value or secret); nothing ran."""

    def __init__(self, step_id: str, message: str) -> None:
        self.step_id = step_id
        self.message = message
        super().__init__(f"step {step_id!r}: {message}")


class RunnerError(Exception):
    """The caller used the runner out of order (a step before the previous one finished)."""


class ConfirmationRequired(Exception):
    """A mutating step was started without the confirmation text; nothing ran."""

    def __init__(self, confirmation: Confirmation) -> None:
        self.confirmation = confirmation
        super().__init__(confirmation.prompt)


@dataclass
class StepResult:
    state: StepState
    message: str = ""
    started: float | None = None
    ended: float | None = None
    exit_code: int | None = None
    http_status: int | None = None
    envelope: dict[str, Any] | None = None
    #: masked output excerpt (bounded)
    output: str = ""
    #: summary / display lines (masked)
    lines: list[str] = field(default_factory=list)
    #: verify: the last value; metrics check: name -> value
    value: Any = None
    captures: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] | None = None


@dataclass
class Preview:
    """What a step will do, secrets masked: shown before it runs (and before confirmation)."""

    index: int
    step_id: str
    kind: str
    title: str
    text: str
    mutating: bool
    executor: str
    #: ``{"argv": [...], "stdin": "****", "cwd": ...}`` for commands
    command: dict[str, Any] | None = None
    #: ``{"method", "url", "headers", "json"}`` for HTTP
    request: dict[str, Any] | None = None
    #: one human-readable block: the argv line, or the request line, headers and body
    display: str = ""
    confirmation: Confirmation | None = None
    refusal: str | None = None
    #: a verify step: ``error_rate < 1 within 60s``
    condition: str | None = None


@dataclass
class RunEvent:
    """Progress for a UI. ``type``: step_started, output, sample, step_finished, flow_finished."""

    type: str
    index: int | None = None
    line: str | None = None
    value: float | None = None
    elapsed: float | None = None
    result: StepResult | None = None
    summary: "RunSummary | None" = None


@dataclass
class StepRun:
    index: int
    step: Step
    item: dict[str, Any] = field(default_factory=dict)
    state: StepState = StepState.PENDING
    result: StepResult | None = None
    task: "asyncio.Future[StepResult] | None" = None
    #: why the step was settled before the run started (condition not met, no queues ...)
    pre_state: StepState | None = None
    pre_message: str = ""
    #: the ``step_started`` audit record, once it is on disk (steps that change something)
    audit_started: dict[str, Any] | None = None


class StepOutcome(NamedTuple):
    """One line of a run summary."""

    id: str
    title: str
    state: StepState
    kind: str
    #: what a step that read live values found, for the summary ("2 CRIT: error rate 7.10 %, ...")
    note: str = ""


@dataclass
class RunSummary:
    """What ran and what did not; ``lines()`` is the text shown at the end of a flow (and after a cancel)."""

    flow: str
    title: str
    environment: str
    run_id: str
    steps: list[StepOutcome]
    cancelled: bool = False
    refused: str | None = None
    reverse: str | None = None
    dry_run: bool = False

    @property
    def ran(self) -> list[StepOutcome]:
        return [
            s
            for s in self.steps
            if s.state in (StepState.PASSED, StepState.FAILED, StepState.TIMEOUT, StepState.DONE, StepState.CANCELLED)
        ]

    @property
    def not_run(self) -> list[StepOutcome]:
        """Steps that did not run (cancelled or stopped flows, refusals); open checklist items are not here."""
        return [
            s
            for s in self.steps
            if s.state in (StepState.NOT_RUN, StepState.REFUSED)
            or (s.state == StepState.PENDING and s.kind != "manual")
        ]

    @property
    def pending_manual(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.state == StepState.PENDING and s.kind == "manual"]

    @property
    def failed(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.state.bad]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled and not self.refused

    def lines(self) -> list[str]:
        out = []
        if self.refused:
            out.append(self.refused)
        head = "cancelled" if self.cancelled else ("dry run" if self.dry_run else ("failed" if self.failed else "done"))
        out.append(f"flow {self.flow} on {self.environment}: {head}")
        for step in self.steps:
            out.append(f"  [{step.state.value:>9}] {step.title}" + (f": {step.note}" if step.note else ""))
        if self.cancelled and self.not_run:
            out.append("not run: " + ", ".join(s.id for s in self.not_run))
        if (
            self.reverse
            and not self.refused
            and not self.dry_run
            and any(s.state == StepState.PASSED and s.kind == "action" for s in self.steps)
        ):
            out.append(f"to undo: run flow {self.reverse!r} (edge-console run {self.reverse})")
        return out
