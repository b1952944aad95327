"""The audit records of one flow run (``state_dir()/audit.jsonl``, :class:`console.runbook.audit.AuditLog`).

A step that changes something gets a fsynced ``started`` record before it runs (:meth:`RunAudit.started`);
when that cannot be written the step is refused and nothing runs. Every settled step gets its record
(:meth:`RunAudit.record`) before it shows as done, and the run ends with a ``flow_end`` record. Appends that
a step waits on run in a worker thread (:meth:`RunAudit.write_off_loop`): a slow disk never stalls the
event loop. Written records go to the run's listeners."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

from console.runbook.audit import AuditLog, iso, mark_simulated
from console.runbook.executors import PreparedCommand, PreparedHttp, excerpt
from console.runbook.results import RunSummary, StepResult, StepRun, StepState
from console.runbook.template import TemplateError, render
from console.sanitize import clean_line

if TYPE_CHECKING:
    from console.runbook.engine import FlowRunner

AuditListener = Callable[[dict[str, Any]], None]


class RunAudit:
    """Builds and writes the records of ``runner``'s run; :attr:`error` says why the trail cannot be written."""

    def __init__(self, runner: "FlowRunner", log: AuditLog, listeners: list[AuditListener]) -> None:
        self.runner = runner
        self.log = log
        self.listeners = listeners
        #: why the audit trail could not be written (a step that changes something is then refused)
        self.error: str | None = None

    def problem(self, exc: BaseException) -> str:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return f"cannot write the audit trail {self.log.path}: {reason}"

    def write(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Append ``record`` (durable on return) and hand it to the listeners; None when the trail cannot
        be written (the reason is kept in :attr:`error`; never raises)."""
        mark_simulated(record, self.runner.env)
        try:
            written = self.log.append(record, secrets=list(self.runner.secrets.known))
        except (OSError, ValueError) as exc:
            self.error = self.error or self.problem(exc)
            return None
        return self.written(written)

    async def write_off_loop(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """:meth:`write` with the append and its fsync in a worker thread: a slow or blocked audit
        path never stalls the event loop (the TUI's), and the caller still waits until it is on disk."""
        mark_simulated(record, self.runner.env)
        try:
            written = await asyncio.to_thread(self.log.append, record, secrets=list(self.runner.secrets.known))
        except (OSError, ValueError) as exc:
            self.error = self.error or self.problem(exc)
            return None
        return self.written(written)

    def written(self, written: dict[str, Any]) -> dict[str, Any]:
        """Hand a record that is on disk to the listeners (on the caller's thread: the event loop's)."""
        for listener in list(self.listeners):
            try:
                listener(written)
            except Exception:  # noqa: BLE001
                pass
        return written

    def step_run_id(self, run: StepRun) -> str:
        """Pairs a step's ``started`` and ``finished`` records."""
        return f"{self.runner.run_id}.{run.index}"

    async def started(self, run: StepRun, started: float) -> bool:
        """Write and fsync the ``started`` record of a step that changes something, before it runs (in a
        worker thread: the event loop keeps going while the step waits for it). True when it is on disk
        (``run.audit_started`` holds it); False when it could not be written (:attr:`error` says why)."""
        from console.runbook.unfinished import STARTED, process_identity

        record = self.record(run, StepResult(StepState.RUNNING, started=started))
        for key in ("end", "output", "message"):
            record.pop(key, None)
        record.update(
            {"event": STARTED, "phase": "started", "status": "started", "time": iso(started), **process_identity()}
        )
        mark_simulated(record, self.runner.env)
        try:
            run.audit_started = await asyncio.to_thread(
                self.log.append, record, secrets=list(self.runner.secrets.known)
            )
            return True
        except (OSError, ValueError) as exc:
            self.error = self.problem(exc)
        return False

    def record(self, run: StepRun, result: StepResult) -> dict[str, Any]:
        runner = self.runner
        step = run.step
        record: dict[str, Any] = {
            "event": "step",
            "ts": result.started or runner.clock.time(),
            "run_id": runner.run_id,
            "flow": runner.flow.id,
            "step": step.id,
            "step_title": runner.title_of(run.index),
            "kind": step.kind,
            "mutating": step.mutating,
            "status": result.state.value,
            "message": result.message,
            "inputs": {k: (runner.mask(str(v)) if isinstance(v, str) else v) for k, v in runner.inputs.items()},
            "start": iso(result.started) if result.started else None,
            "end": iso(result.ended) if result.ended else None,
            "user": runner.user,
            "environment": runner.env.name,
            "read_only": runner.read_only,
            "step_run": self.step_run_id(run),
        }
        if run.audit_started is not None:
            record["phase"] = "finished"
        try:
            prepared = runner.preparer.prepare(run, masked=True, placeholders=True)
        except TemplateError:
            prepared = None
        if isinstance(prepared, PreparedCommand):
            record["argv"] = runner.preparer.as_run(step, prepared.argv)
            if prepared.stdin_display is not None:
                record["stdin"] = prepared.stdin_display
            if prepared.cwd:
                record["cwd"] = prepared.cwd
        elif isinstance(prepared, PreparedHttp):
            record["request"] = prepared.display()
        if result.exit_code is not None:
            record["exit_code"] = result.exit_code
        if result.http_status is not None:
            record["http_status"] = result.http_status
        if result.envelope is not None:
            record["envelope"] = result.envelope
        if result.value is not None:
            record["value"] = result.value
        if result.captures:
            record["captures"] = result.captures
        record["output"] = runner.mask(excerpt(result.output or "", 1000))
        item = self.declined_item(run, result.state)
        if item:
            record["action_item"] = item
        return record

    def declined_item(self, run: StepRun, state: StepState) -> str | None:
        """The ``if_declined`` text of a step that did not make an earlier change last, or None."""
        step = run.step
        if not step.if_declined or state in (StepState.PASSED, StepState.RUNNING, StepState.PENDING):
            return None
        if not any(r.step.mutating and r.state == StepState.PASSED for r in self.runner.steps[: run.index]):
            return None
        try:
            return clean_line(
                render(step.if_declined, self.runner.preparer.context(run.item, placeholders=True), masked=True)
            )
        except TemplateError:
            return step.if_declined

    def flow_end(self, summary: RunSummary, now: float) -> dict[str, Any]:
        """The run's closing record."""
        runner = self.runner
        return {
            "event": "flow_end",
            "ts": now,
            "time": iso(now),
            "run_id": runner.run_id,
            "flow": runner.flow.id,
            "flow_title": runner.flow.title,
            "environment": runner.env.name,
            "user": runner.user,
            "status": "refused"
            if runner.refusal
            else ("cancelled" if runner.cancelled else ("failed" if summary.failed else "done")),
            "ran": [s.id for s in summary.ran],
            "not_run": [s.id for s in summary.not_run],
            "failed": [s.id for s in summary.failed],
            "pending_manual": [s.id for s in summary.pending_manual],
            "reverse": runner.flow.reverse,
            "read_only": runner.read_only,
        }
