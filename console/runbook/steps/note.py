"""A ``note`` step: guidance text, done when it is reached (no audit record)."""

from __future__ import annotations

from console.runbook.results import StepResult, StepRun, StepState
from console.runbook.steps.base import OnLine, StepKind


class NoteStep(StepKind):
    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        result.state, result.message = StepState.DONE, ""
