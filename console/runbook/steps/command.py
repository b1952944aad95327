"""A step that runs an HTTP request, an argv command (never a shell) or a short ``wrangler tail``: a check
or an action. A failing check is tried again ``retry_attempts`` times in all, ``retry_interval`` seconds
apart (the runner's sleep). The answer goes through the step's summary, ``expect`` and ``capture``;
captured values named in ``remember`` are kept for the reverse flow."""

from __future__ import annotations

from typing import Any

import yaml

from console.runbook import policy
from console.runbook.executors import ExecResult, PreparedCommand, PreparedHttp, envelope_text, run_command, run_http
from console.runbook.expr import evaluate, is_template, lookup, path_refs
from console.runbook.model import Expr
from console.runbook.results import StepResult, StepRun, StepState
from console.runbook.steps.base import OnLine, StepKind
from console.runbook.summaries import SUMMARIES, Summary
from console.runbook.template import TemplateError, render
from console.runbook.toolhints import failure_hint
from console.yamlpaths import YamlLimitError, load_literal


class CommandStep(StepKind):
    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        attempts = max(1, run.step.retry_attempts)
        for attempt in range(1, attempts + 1):
            await self.execute_once(run, result, on_line)
            if result.state == StepState.PASSED or attempt == attempts:
                break
            on_line(f"attempt {attempt}/{attempts}: {result.message}; again in {run.step.retry_interval:g}s")
            await self.runner.sleep(run.step.retry_interval)

    async def execute_once(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:
        """Run the step once and judge its answer (``result.state`` passed or failed)."""
        runner = self.runner
        step = run.step
        data: Any
        exec_result: ExecResult
        # With a summary, the raw output (JSON, tail events) is kept in the record but not streamed:
        # the summary lines are what the operator reads.
        sink = (lambda line: None) if step.summary else on_line
        if step.tail_seconds is not None and runner.tail_events is not None:
            events = list(runner.tail_events() or [])
            exec_result = ExecResult(True, text=f"{len(events)} events from the live tail", data=events)
        else:
            prepared = runner.preparer.prepare(run, masked=False)
            if isinstance(prepared, PreparedHttp):
                exec_result = await run_http(prepared, on_line=sink, mask=runner.mask, transport=runner.http_transport)
            elif isinstance(prepared, PreparedCommand):
                tool = step.command.tool if step.command is not None else None
                prefix = runner.env.tool(tool) if tool else []
                refused = (
                    policy.rendered_command_problem(
                        step, prepared.argv[len(prefix) :], getattr(runner.env, "paths", None)
                    )
                    if tool
                    else None
                )
                if refused:  # nothing runs
                    exec_result = ExecResult(False, error=refused)
                else:
                    prepared.argv = runner.preparer.as_run(step, prepared.argv)
                    runner.preparer.ensure_plan_dir(prepared.argv)
                    if prepared.collect_seconds is not None:
                        on_line(f"collecting {prepared.collect_seconds:g}s of events: {' '.join(prepared.argv[-4:])}")
                    exec_result = await run_command(prepared, on_line=sink, mask=runner.mask)
            else:  # pragma: no cover - the loader guarantees an executor
                raise TemplateError("step has nothing to run")
        data = exec_result.data
        result.exit_code = exec_result.exit_code
        result.http_status = exec_result.http_status
        result.envelope = exec_result.envelope
        result.output = runner.mask(exec_result.text)
        ok = exec_result.ok
        message = exec_result.error or ""
        if exec_result.collected:
            message = f"collected {len(data or [])} events"
        if not ok and step.command is not None:
            prefix_len = len(runner.env.tool(step.command.tool)) if step.command.tool else 0
            args = (runner.preparer.prepare(run, masked=True, placeholders=True) or PreparedCommand(argv=[])).argv[
                prefix_len:
            ]
            hint = failure_hint(
                step.command.tool, args, f"{exec_result.text}\n{exec_result.raw or ''}", runner.env.name
            )
            if hint:
                on_line(hint)
                message = f"{message}: {hint}" if message else hint
        summary_data: Any = None
        if ok and step.summary:
            summary: Summary = SUMMARIES[step.summary](data, exec_result.raw or exec_result.text, step.summary_args)
            summary_data = summary.data
            for line in summary.lines:
                on_line(line)
            result.lines = [runner.mask(line) for line in summary.lines]
            if not summary.ok:
                ok = False
                message = "; ".join(summary.notes) or (summary.lines[0] if summary.lines else "summary shows a problem")
        if ok and step.expect is not None:
            expect = self.bound(step.expect, run)
            probe = data
            if expect.path in ("http_status", "exit_code"):
                probe = {"http_status": result.http_status, "exit_code": result.exit_code}
            holds, actual = evaluate(expect, probe)
            if not holds:
                ok = False
                message = f"expected {expect.text}, got {actual!r}"
            else:
                message = f"{expect.text} (is {actual!r})"
        if ok and step.capture:
            for name, spec in step.capture.items():
                path, _, fallback = spec.partition("|")
                if path.startswith("summary."):  # a value the step's summary worked out
                    value = lookup(summary_data, path[len("summary.") :])
                else:
                    path = self.bound_path(path, run)
                    value = lookup(data, path)
                if value is None and fallback:
                    try:  # checked at load: no aliases, finite numbers, at most 4 KiB
                        value = load_literal(fallback)
                    except (YamlLimitError, yaml.YAMLError):
                        value = None
                if value is None:
                    ok = False
                    message = f"could not read {name} from {path} in the output"
                    break
                runner.captures[name] = value
                result.captures[name] = value
            if ok and step.remember:
                remember = True
                if step.remember_if is not None:
                    remember, _ = evaluate(step.remember_if, dict(runner.captures))
                if remember:
                    for name in step.remember:
                        runner.memory.remember(runner.env.name, name, runner.captures[name], flow=runner.flow.id)
                        runner.memory_values[name] = runner.captures[name]
                    on_line(
                        "recorded "
                        + ", ".join(f"{n}={runner.captures[n]!r}" for n in step.remember)
                        + " for the reverse flow"
                    )
                else:
                    on_line(f"not recorded ({step.remember_if.text if step.remember_if else ''} does not hold)")
        if ok and not message:
            if step.http is not None and result.http_status in step.http.accept_status:
                # an accepted 4xx ("there is none yet"): say so, not "FAILED", on a step that passed
                detail = (
                    envelope_text(result.envelope).removeprefix("Cloudflare API: FAILED ")
                    if result.envelope is not None
                    else ""
                )
                message = f"HTTP {result.http_status}, accepted as an answer {detail}".rstrip()
            elif result.envelope is not None:
                message = envelope_text(result.envelope)
            elif result.http_status is not None:
                message = f"HTTP {result.http_status}"
            elif result.exit_code is not None:
                message = f"exit status {result.exit_code}"
        result.state = StepState.PASSED if ok else StepState.FAILED
        result.message = runner.mask(message)

    def bound(self, expr: Expr, run: StepRun) -> Expr:
        """``expr`` with a template comparison value (``{capture.previous_run_id}``) filled in."""
        path = self.bound_path(expr.path, run)
        if path != expr.path:
            expr = Expr(text=expr.text.replace(expr.path, path), path=path, op=expr.op, value=expr.value)
        if not is_template(expr.value):
            return expr
        value = render(expr.value, self.runner.preparer.context(run.item))
        return Expr(text=expr.text.replace(expr.value, value), path=expr.path, op=expr.op, value=value)

    def bound_path(self, path: str, run: StepRun) -> str:
        """A path whose ``[KEY={REF}]`` selectors name a template reference, with its value filled in."""
        for ref in path_refs(path):
            path = path.replace(ref, render(ref, self.runner.preparer.context(run.item)).replace("]", ""), 1)
        return path
