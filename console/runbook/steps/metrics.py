"""A ``metrics`` step: the current value of each named live metric, its threshold state, and with ``trend: N``
its recent history as a sparkline; passes unless ``expect`` does not hold or no value came at all."""

from __future__ import annotations

from typing import Any

from console.runbook.expr import evaluate
from console.runbook.results import StepResult, StepRun, StepState
from console.runbook.steps.base import OnLine, StepKind, read_metric


class MetricsStep(StepKind):
    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        from console.metrics.thresholds import State, evaluate as threshold_state
        from console.runbook import metricfmt

        runner = self.runner
        get_metric = runner.get_metric
        thresholds = getattr(runner.config, "thresholds", {}) or {}
        values: dict[str, float | None] = {}
        states: dict[str, State] = {}
        if get_metric is None:
            result.state, result.message = StepState.SKIPPED, "no live metrics source here"
            return
        history_of = getattr(get_metric, "history", None) if run.step.trend else None
        collect = getattr(get_metric, "collect", None) if run.step.trend else None
        if collect is not None:
            on_line(f"sampling {run.step.trend} scrapes for the trends ...")
            try:
                await collect(run.step.trend)
            except Exception as exc:  # noqa: BLE001 - a failed scrape shows as missing values below
                on_line(f"sampling stopped: {exc}")
        for note in (getattr(get_metric, "history_note", None) or []) if history_of else []:
            on_line(note)  # where the trends come from (Prometheus history and its window)
        for name in run.step.metrics:
            value = await read_metric(get_metric, name)
            values[name] = value
            spec = thresholds.get(name)
            states[name] = threshold_state(value, spec)
            mark = metricfmt.state_mark(value, spec, states[name])
            on_line(metricfmt.metric_line(name, value, mark, history_of(name) if history_of else None))
        result.value = values
        result.lines = [f"{n}={v}" for n, v in values.items()]
        missing = [n for n, v in values.items() if v is None]
        if run.step.expect is not None:
            expect = run.step.expect
            holds, actual = evaluate(expect, values)
            result.state = StepState.PASSED if holds else StepState.FAILED
            condition = metricfmt.condition_text(expect)  # "error rate < 1 %"
            shown = metricfmt.value_text(expect.path, actual) if expect.path in values else repr(actual)
            result.message = f"{condition} (is {shown})" if holds else f"expected {condition}, got {shown}"
        elif missing and len(missing) == len(values):
            result.state, result.message = StepState.FAILED, "no live values (is the metrics endpoint reachable?)"
        else:
            result.state = StepState.PASSED
            result.message = state_summary(values, states)


def state_summary(values: dict[str, float | None], states: dict[str, Any]) -> str:
    """What the values say, by name: ``2 CRIT: error rate 7.10 %, P95 latency 2,300 ms; 1 WARN: cache hit
    rate 75.0 %; no value: queue backlog``, or ``all OK (5 metrics)``; a metric without thresholds is
    shown above, not judged here."""
    from console.metrics.thresholds import State
    from console.runbook import metricfmt

    def named(state: State) -> list[str]:
        return [
            f"{metricfmt.metric_words(n)} {metricfmt.format_value(n, v)}"
            for n, v in values.items()
            if v is not None and states.get(n) == state
        ]

    parts = [
        f"{len(names)} {word}: {', '.join(names)}"
        for state, word in ((State.CRITICAL, "CRIT"), (State.WARNING, "WARN"))
        if (names := named(state))
    ]
    missing = [metricfmt.metric_words(n) for n, v in values.items() if v is None]
    if not parts:
        ok = [n for n, v in values.items() if v is not None and states.get(n) == State.NORMAL]
        unjudged = len(values) - len(ok) - len(missing)  # no thresholds for them
        if ok and not unjudged:
            parts.append(f"all OK ({len(ok)} metric{'s' if len(ok) != 1 else ''})" if not missing else f"{len(ok)} OK")
        else:
            parts.append("no CRIT or WARN")
    if missing:
        parts.append(f"no value: {', '.join(missing)}")
    return "; ".join(parts)
