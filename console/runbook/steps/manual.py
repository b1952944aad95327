"""A ``manual`` step: a checklist item the operator ticks (done) or skips; never run by the console."""

from __future__ import annotations

from console.runbook.results import StepResult, StepRun, StepState
from console.runbook.steps.base import StepKind


class ManualStep(StepKind):
    def tick(self, run: StepRun, done: bool = True, note: str = "") -> StepResult:
        """The result of ticking (``done``) or skipping the item now."""
        now = self.runner.clock.time()
        state = StepState.DONE if done else StepState.SKIPPED
        return StepResult(state, note or ("ticked" if done else "skipped by operator"), started=now, ended=now)

    def left_pending(self, run: StepRun) -> StepResult:
        """Headless: the item is left for the operator (recorded as pending)."""
        now = self.runner.clock.time()
        return StepResult(StepState.PENDING, "left for the operator", started=now, ended=now)
