"""One class per kind of step a flow runs; :class:`console.runbook.engine.FlowRunner` picks one
(:func:`kind_for`) and keeps the order, confirmation, audit and settling.

- :class:`~console.runbook.steps.command.CommandStep`: an HTTP request, an argv command or a tail (check or
  action), tried again ``retry_attempts`` times ``retry_interval`` apart; its summary, expect and captures.
- :class:`~console.runbook.steps.queues.QueueStep`: a command step once per queue of the account.
- :class:`~console.runbook.steps.metrics.MetricsStep`: current values (and trends) of live metrics.
- :class:`~console.runbook.steps.verify.VerifyStep`: watch a live value until a condition holds or time is up.
- :class:`~console.runbook.steps.note.NoteStep`: guidance text, done when reached.
- :class:`~console.runbook.steps.manual.ManualStep`: a checklist item the operator ticks or skips.
"""

from __future__ import annotations

from console.runbook.model import Step
from console.runbook.queue_lookup import SOURCE as QUEUE_SOURCE


def kind_for(step: Step) -> str:
    """Which step class runs ``step``: ``note``, ``verify``, ``metrics``, ``queues`` or ``command``
    (``manual`` items are ticked, never run)."""
    if step.kind == "note":
        return "note"
    if step.verify is not None:
        return "verify"
    if step.metrics:
        return "metrics"
    if step.foreach == QUEUE_SOURCE:
        return "queues"
    return "command"
