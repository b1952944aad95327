"""Headless runbook commands: ``flows``, ``run``, ``runbook validate`` and ``audit``.

``run`` uses the same validation, policy and audit as the TUI. Exit codes: 0 every step passed (manual
items may be pending), 1 a step failed, timed out or the flow was cancelled, 2 bad input, config or
runbook (nothing ran), 3 refused by read-only (nothing ran), 4 the audit trail could not be written (a
step that changes something is then refused before it runs: nothing of it ran), 130 interrupted. On start,
``run`` and ``audit`` report on stderr the steps a dead console left half-done ("outcome unknown: check
the edge", :mod:`console.runbook.unfinished`).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

# asyncio, the audit reader and the input parser load with the command that uses them (run, audit): not for
# ``flows`` or ``runbook validate`` (~30 ms of each start; tests/test_cli_deferral.py)
from console.runbook.loader import load_for_config, load_runbook
from console.runbook.model import InputError, Runbook, RunbookError
from console.sanitize import CleanWriter, clean, clean_line, json_dumps

if TYPE_CHECKING:  # pragma: no cover - the engine (HTTP client, executors) loads only when a flow runs
    from console.runbook.engine import Preview, RunEvent

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_AUDIT = 4
EXIT_INTERRUPTED = 130


class PipeSafeOut:
    """Standard output that a closed pipe (``edge-console audit | head``) silences instead of raising:
    the first BrokenPipeError marks it ``broken`` and later writes are dropped, so a running flow still
    finishes and records its steps. :func:`quiet_pipe_exit` then keeps Python's exit flush quiet.
    Every write goes through :func:`console.sanitize.clean`: what these commands print holds outside
    text (child output, API answers, runbook and audit fields), and JSON output is already escaped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(clean(text))
            except BrokenPipeError:
                self.broken = True
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.broken = True

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())


def quiet_pipe_exit(out: PipeSafeOut) -> None:
    """After a broken pipe, point the stdout descriptor at /dev/null so the interpreter's final flush
    of what is still buffered does not print 'Exception ignored ... BrokenPipeError'."""
    out.flush()
    if not out.broken:
        return
    try:
        fd = out.stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _err(message: str) -> None:
    print(f"edge-console: {clean_line(message)}", file=sys.stderr)


def _runbook(config: Any) -> Runbook | None:
    try:
        return load_for_config(config)
    except RunbookError as exc:
        for error in exc.errors:  # every problem of the file, one line each
            _err(str(error))
        return None


# -- flows --------------------------------------------------------------------------------------
def cmd_flows(args: argparse.Namespace) -> int:
    from console.session import open_session_from_args

    session = open_session_from_args(args, start_sim=False)
    out = PipeSafeOut(sys.stdout)
    try:
        runbook = _runbook(session.config)
        if runbook is None:
            return EXIT_USAGE
        if getattr(args, "json", False):
            print(json_dumps([flow.describe() for flow in runbook.flows.values()], indent=2), file=out)
            return 0
        print_flows(runbook, out)
        return 0
    finally:
        session.close()
        quiet_pipe_exit(out)


def print_flows(runbook: Runbook, out: TextIO) -> None:
    for section, flows in runbook.sections().items():
        print(section, file=out)
        for flow in flows:
            key = f"[{flow.key}]" if flow.key else "   "
            mark = (" (changes)" if flow.mutating else "") + (f" ({flow.override_text})" if flow.replaces else "")
            print(f"  {key} {flow.id:<30} {flow.title}{mark}", file=out)


# -- validate -----------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    """Every file checked on its own (every problem of every file printed), then all of them together
    with the built-in runbook (keys, ids and overrides across files)."""
    from console.runbook.loader import load_file

    problems: list[str] = []
    per_file: dict[str, list] = {}
    for file in args.files:
        try:
            per_file[file] = load_file(file)
        except RunbookError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            runbook = load_runbook(args.files)
        except RunbookError as exc:
            problems.append(str(exc))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_USAGE
    out = PipeSafeOut(sys.stdout)
    for file, flows in per_file.items():
        print(
            f"{file}: OK, {len(flows)} flow{'s' if len(flows) != 1 else ''} "
            f"({', '.join(f.id + (f' ({f.override_text})' if f.replaces else '') for f in flows)})",
            file=out,
        )
    print(f"{len(runbook.flows)} flows with the built-in runbook", file=out)
    quiet_pipe_exit(out)
    return 0


# -- audit --------------------------------------------------------------------------------------
def cmd_audit(args: argparse.Namespace) -> int:
    from console.runbook.audit import AuditLog, format_record, parse_since

    since = None
    if args.since:
        try:
            since = parse_since(args.since)
        except ValueError as exc:
            _err(str(exc))
            return EXIT_USAGE
    from console.runbook.unfinished import STARTED, describe, listing_record, scan

    count = 0
    log = AuditLog()
    # the trail is the state dir's, one for every config and environment: --env picks its records (a drill's
    # too: they name the environment they stood for); --config does not change which file is read, so an
    # explicit one is not read at all (the trail stays readable while the config is broken) and says so
    environment = getattr(args, "env", None)
    if getattr(args, "config", None):
        _err(f"the audit trail is {log.path}, whatever the config: --config is not used")
    out = PipeSafeOut(sys.stdout)
    try:
        found = scan(log)  # which steps finished: a started one without its finished record is unknown
        for record in log.read(since):
            if args.flow and record.get("flow") != args.flow:
                continue
            if environment and record.get("environment") != environment:
                continue
            if args.json:
                shown: dict[str, Any] | None = record
                key = record.get("step_run")
                if record.get("event") == STARTED and isinstance(key, str) and key not in found.finished:
                    shown = {**record, "outcome": listing_record(record, found)["status"]}  # type: ignore[index]
            else:
                shown = listing_record(record, found)
            if shown is None:
                continue
            count += 1
            print(json_dumps(shown) if args.json else format_record(shown), file=out)
            if out.broken:  # the reader went away (| head): stop quietly
                return 0
    except OSError as exc:
        _err(f"cannot read the audit trail {log.path}: {exc.strerror or exc}")
        return EXIT_FAILED
    finally:
        quiet_pipe_exit(out)
    if log.skipped:
        _err(
            f"skipped {log.skipped} bad line{'s' if log.skipped != 1 else ''} in {log.path} "
            "(not UTF-8, not a JSON object, or a bad ts)"
        )
    for record in found.unknown(unreported_only=True):
        if (args.flow and record.get("flow") != args.flow) or (
            environment and record.get("environment") != environment
        ):
            continue  # another flow's or environment's: not what was asked for (the listing leaves them out too)
        _err(describe(record))
    if count == 0 and not args.json:
        print("no audit records" + (f" since {args.since}" if args.since else ""), file=sys.stderr)
    return 0


# -- run ----------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from console.session import open_session_from_args

    session = open_session_from_args(args)
    out = PipeSafeOut(sys.stdout)
    try:
        return run_flow(
            session,
            args.flow,
            args.assignments,
            dry_run=args.dry_run,
            yes=args.yes,
            out=out,
            err=sys.stderr,
            stdin=sys.stdin,
        )  # type: ignore[arg-type]
    finally:
        session.close()
        quiet_pipe_exit(out)


def run_flow(
    session: Any,
    flow_id: str,
    assignments: list[str],
    *,
    dry_run: bool,
    yes: bool,
    out: TextIO,
    err: TextIO,
    stdin: TextIO,
) -> int:
    out, err = CleanWriter(out), CleanWriter(err)  # child output and API answers reach a terminal
    from console.runbook.engine import FlowRunner, PreflightError, StepState
    from console.runbook.inputs import parse_assignments
    from console.runbook.policy import confirmation_for
    from console.runbook.unfinished import report_unfinished

    for line in report_unfinished():  # a dead console's half-done steps, once
        print(f"edge-console: {line}", file=err)
    runbook = _runbook(session.config)
    if runbook is None:
        return EXIT_USAGE
    flow = runbook.get(flow_id)
    if flow is None:
        close = difflib.get_close_matches(flow_id, list(runbook.flows), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see `edge-console flows`)"
        print(f"edge-console run: unknown flow {flow_id!r}{hint}", file=err)
        return EXIT_USAGE
    try:
        raw = parse_assignments(assignments)
    except InputError as exc:
        print(f"edge-console run: {exc.message}", file=err)
        return EXIT_USAGE

    from console.runbook.values import PollerMetrics

    metrics = PollerMetrics(session.config, session.env)

    def on_event(event: RunEvent) -> None:
        if event.type == "step_started" and event.index is not None:
            print(f"==> [{event.index + 1}/{len(runner.steps)}] {runner.title_of(event.index)}", file=out)
        elif event.type == "output" and event.line is not None:
            print(f"    {event.line}", file=out)
        elif event.type == "step_finished" and event.index is not None and event.result is not None:
            state = event.result.state
            if state in (StepState.SKIPPED, StepState.NOT_RUN) and runner.steps[event.index].pre_state:
                return
            print(f"    {state.value.upper()}: {event.result.message}".rstrip(), file=out)
        out.flush()

    try:
        runner = FlowRunner(
            flow,
            session.env,
            raw,
            config=session.config,
            read_only=session.read_only,
            dry_run=dry_run,
            get_metric=metrics,
            on_event=on_event,
        )
    except InputError as exc:
        print(f"edge-console run: {flow.id}: input {exc.field}: {exc.message}", file=err)
        return EXIT_USAGE
    except PreflightError as exc:
        print(f"edge-console run: {flow.id}: {exc}", file=err)
        return EXIT_USAGE

    if session.notice:
        print(f"edge-console: {session.notice}", file=err)
    print(
        f"{flow.title} ({flow.id}) on {session.env.name}"
        + (" [read-only]" if runner.read_only else "")
        + (" [dry run]" if dry_run else ""),
        file=out,
    )
    if runner.refusal:
        runner.refuse()
        print(f"edge-console run: {runner.refusal}", file=err)
        return EXIT_REFUSED

    mutating_pending = [r for r in runner.steps if r.step.mutating and r.state == StepState.PENDING]
    interactive = bool(getattr(stdin, "isatty", lambda: False)())
    if mutating_pending and not dry_run and not yes and not interactive:
        titles = "; ".join(runner.title_of(r.index) for r in mutating_pending)
        print(
            f"edge-console run: {flow.id} changes {session.env.name} ({titles}): pass --yes to confirm "
            "when stdin is not a terminal; nothing ran",
            file=err,
        )
        return EXIT_USAGE

    if dry_run:
        for run in runner.steps:
            print_preview(runner.preview(run.index), run, out)
        for problem in runner.problems:
            print(f"edge-console run: a real run would stop here: {problem}", file=err)
        return EXIT_USAGE if runner.problems else 0

    def confirm(preview: Preview) -> str | None:
        needed = confirmation_for(runner.steps[preview.index].step, session.env.name)
        if needed is None:
            return None
        if yes:
            return needed.expected
        print(f"    will run: {preview.display}", file=out)
        out.write(f"    {needed.prompt}\n    > ")
        out.flush()
        line = stdin.readline()
        return line.strip() if line else None

    import asyncio

    async def main() -> Any:
        try:
            return await runner.run_all(confirm)
        except asyncio.CancelledError:
            return await runner.cancel("interrupted")
        finally:
            await metrics.aclose()

    try:
        summary = asyncio.run(main())
    except KeyboardInterrupt:
        summary = runner.summary()
        for line in summary.lines():
            print(line, file=out)
        return EXIT_INTERRUPTED
    print("", file=out)
    for line in summary.lines():
        print(line, file=out)
    pending = [r for r in runner.steps if r.step.kind == "manual" and r.state == StepState.PENDING]
    if pending:
        print("pending checklist items (tick them in the console):", file=out)
        for run in pending:
            print(f"  [ ] {runner.title_of(run.index)}", file=out)
    if runner.audit_error:
        refused = [r for r in runner.steps if r.state == StepState.REFUSED and r.step.mutating]
        what = (
            f"{runner.title_of(refused[0].index)!r} was refused, nothing ran"
            if refused
            else "a step's outcome is not recorded"
        )
        print(f"edge-console run: {runner.audit_error}: {what}", file=err)
        return EXIT_AUDIT
    if summary.cancelled:
        return EXIT_FAILED
    return EXIT_FAILED if summary.failed else 0


def print_preview(preview: Preview, run: Any, out: TextIO) -> None:
    state = ""
    if run.pre_state is not None:
        state = f"  ({run.pre_message})"
    mark = "CHANGES" if preview.mutating else preview.kind
    print(f"[{preview.index + 1}] {mark}: {preview.title}{state}", file=out)
    if preview.display:
        for line in preview.display.splitlines():
            print(f"      {line}", file=out)
    if preview.text:
        print(f"      {preview.text}", file=out)
