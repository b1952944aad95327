"""A ``verify`` step: sample a live metric every ``interval`` seconds until its condition holds (passed) or
``timeout`` seconds are up (timeout; failed when no value came at all). Time is the runner's clock and
sleep, so tests run it on virtual time."""

from __future__ import annotations

from console.runbook.expr import compare
from console.runbook.metricfmt import condition_text, metric_words, value_text
from console.runbook.results import RunEvent, StepResult, StepRun, StepState
from console.runbook.steps.base import OnLine, StepKind, read_metric


class VerifyStep(StepKind):
    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        runner = self.runner
        clock = runner.clock
        spec = run.step.verify
        assert spec is not None
        start = clock.monotonic()
        deadline = start + spec.timeout
        last: float | None = None
        seen = False
        condition, name = condition_text(spec.expr), metric_words(spec.metric)  # "error rate < 1 %"
        while True:
            value = await read_metric(runner.get_metric, spec.metric)
            elapsed = clock.monotonic() - start
            runner.emit(RunEvent("sample", run.index, value=value, elapsed=elapsed))
            on_line(f"{elapsed:5.1f}s  {name} = {value_text(spec.metric, value)}")
            if value is not None:
                seen = True
                last = value
                if compare(value, spec.expr.op, spec.expr.value):
                    result.state, result.value = StepState.PASSED, value
                    result.message = f"{condition} holds (is {value_text(spec.metric, value)}) after {elapsed:.0f}s"
                    return
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                result.value = last
                if seen:
                    result.state = StepState.TIMEOUT
                    result.message = (
                        f"{condition} did not hold within {spec.timeout:g}s (last {value_text(spec.metric, last)})"
                    )
                else:
                    result.state = StepState.FAILED
                    result.message = f"no value for {name} within {spec.timeout:g}s"
                return
            await runner.sleep(min(spec.interval, remaining))
