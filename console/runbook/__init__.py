"""The runbook as data and its execution engine (core: no Textual here).

Loading
-------
``load_for_config(config) -> Runbook`` merges the built-in ``console/runbooks/*.yaml`` with the
config's ``runbooks: [paths]`` (same id overrides). ``load_file(path)`` / ``parse_runbook(text)`` load one
file; problems raise :class:`RunbookError` whose message is ``file:line: where: what``.
``Runbook.flows`` (id -> :class:`Flow`), ``Runbook.sections()``, ``Runbook.by_key()``.
A :class:`Flow` has ``id``, ``title``, ``section``, ``key``, ``description``, ``inputs``
(:class:`InputSpec`: ``name``, ``type``, ``required``, ``default``, ``choices``, ``help``), ``steps``
(:class:`Step`: ``kind`` in check/action/verify/manual/note, ``title``, ``text``), ``reverse`` (the id of
the flow that undoes it), ``responds_to`` (metric keys whose warning/critical state it answers;
``Runbook.responses_for("error_rate")`` lists them, diagnosis first) and ``mutating`` (decided by
:mod:`console.runbook.policy` from the data).

Running a flow from a UI (the modal)
------------------------------------
::

    defaults = FlowRunner.defaults(flow, env)            # prefill the form: name -> str | None
    values, errors = FlowRunner.check(flow, env, typed)  # errors: field -> message (show at the field)
    try:
        runner = FlowRunner(flow, env, typed, config=config, read_only=session.read_only,
                            get_metric=app_metric_getter,      # name -> float | None, fed by the poller
                            tail_events=lambda: recent_tail_events,  # optional: list of tail event dicts
                            listeners=[timeline.on_audit],     # each audit record, after it is on disk
                            on_event=post_message_to_modal,    # RunEvent progress (output lines, samples)
                            clock=..., sleep=...)              # optional: the time the run reads and waits on
                                                               #   (console.runbook.clock; tests: virtual time)
    except InputError as exc: ...      # exc.field, exc.message: nothing ran
    except PreflightError as exc: ...  # a missing config value / secret: nothing ran
    if runner.refusal: ...             # read-only: show it; runner.refuse() records the refusal (nothing runs)

    for run in runner.steps:           # StepRun: index, step, state (StepState), result (StepResult)
        ...
    i = runner.current_index           # next step to run (None when finished)
    p = runner.preview(i)              # Preview: kind, title, text, display (argv or request, masked),
                                       #   command / request dicts, confirmation, refusal, condition
    if p.confirmation:                 # mutating step: ask; production needs the env name typed
        typed = ...                    # p.confirmation.prompt, p.confirmation.accepts(typed)
    result = await runner.run_step(i, confirmation=typed)   # in a Textual worker; a second call for
                                       #   the same step returns the same result (never runs twice).
                                       #   Raises ConfirmationRequired if the text does not match.
    runner.tick(i) / runner.tick(i, done=False)   # manual checklist items, any time (recorded)
                                       #   a note step is acknowledged with run_step(i) (not recorded)
    runner.skip(i)                     # skip a step on purpose (recorded)
    summary = await runner.cancel()    # kills a running child, rest not run; summary.lines()
                                       #   (closing the modal mid-run should cancel: a step keeps
                                       #   running otherwise, it is shielded from its caller)
    summary = runner.finish()          # close (manual items left open stay pending)
    # RunSummary: steps (StepOutcome id/title/state/kind), ran, not_run, pending_manual, failed, ok,
    #   lines() (ends with "to undo: run flow X" when the flow has a reverse and an action ran)

``StepResult``: ``state``, ``message``, ``exit_code``, ``http_status``, ``envelope`` (Cloudflare v4
``success``/``errors``), ``output`` (masked excerpt), ``lines`` (summary lines), ``value`` (verify's last
value), ``captures``. ``RunEvent.type``: ``step_started``, ``output`` (``line``), ``sample`` (``value``,
``elapsed``), ``step_finished`` (``result``), ``flow_finished`` (``summary``). Every step's record is
appended to ``state_dir()/audit.jsonl`` (flushed and fsynced) before ``step_finished`` is emitted. A
step that changes something also gets a ``step_started`` record (same ``step_run`` id, the rendered
argv/request masked, the console's pid) written and fsynced BEFORE it runs; if that write fails the step
is refused (``StepState.REFUSED``, message "cannot write the audit trail ...: step refused, nothing
ran", ``runner.audit_error`` set) and the rest of the flow does not run. ``listeners`` get the finished
records (``step``, ``flow_end``), not the ``started`` ones. A dead console's started-but-unfinished
steps: :mod:`console.runbook.unfinished`. Commands run under :mod:`console.runbook.childguard` (their
process group dies with the console).

Headless
--------
``FlowRunner.run_all(confirm)`` runs every step in order; ``console.runbook.cli`` provides
``flows [--json]``, ``run FLOW [--set k=v] [--dry-run] [--yes]``, ``runbook validate FILE`` and
``audit [--since T]``. ``console.runbook.values.PollerMetrics`` is the headless ``get_metric``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the submodule that defines it. Loaded on first use (PEP 562), so importing
#: ``console.runbook.model`` for the dashboard's keys does not pull in the engine and httpx
#: (start-up time of the TUI).
_EXPORTS = {
    "AuditLog": "audit",
    "format_record": "audit",
    "parse_since": "audit",
    "ConfirmationRequired": "engine",
    "FlowRunner": "engine",
    "PreflightError": "engine",
    "Preview": "engine",
    "RunEvent": "engine",
    "RunnerError": "engine",
    "RunSummary": "engine",
    "StepOutcome": "engine",
    "StepResult": "engine",
    "StepRun": "engine",
    "StepState": "engine",
    "builtin_runbook_files": "loader",
    "load_file": "loader",
    "load_for_config": "loader",
    "load_runbook": "loader",
    "parse_runbook": "loader",
    "Memory": "memory",
    "Flow": "model",
    "InputError": "model",
    "InputSpec": "model",
    "Runbook": "model",
    "RunbookError": "model",
    "Step": "model",
    "Confirmation": "policy",
    "is_production": "policy",
    "read_only_refusal": "policy",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'console.runbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"console.runbook.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AuditLog",
    "Confirmation",
    "ConfirmationRequired",
    "Flow",
    "FlowRunner",
    "InputError",
    "InputSpec",
    "Memory",
    "PreflightError",
    "Preview",
    "RunEvent",
    "RunSummary",
    "Runbook",
    "RunbookError",
    "RunnerError",
    "Step",
    "StepOutcome",
    "StepResult",
    "StepRun",
    "StepState",
    "builtin_runbook_files",
    "format_record",
    "is_production",
    "load_file",
    "load_for_config",
    "load_runbook",
    "parse_runbook",
    "parse_since",
    "read_only_refusal",
]
