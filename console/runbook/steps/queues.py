"""``foreach: account.queues``: a command step run once per queue of the account
(:func:`console.runbook.queue_lookup.run_each_queue` looks the queues up and runs each)."""

from __future__ import annotations

from console.runbook.queue_lookup import run_each_queue
from console.runbook.results import StepResult, StepRun
from console.runbook.steps.base import OnLine, StepKind


class QueueStep(StepKind):
    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        await run_each_queue(self.runner, run, result, on_line)
