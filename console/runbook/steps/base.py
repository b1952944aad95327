"""What every step class shares: the run it belongs to, and reading a live metric."""

from __future__ import annotations

import inspect
import math
from typing import TYPE_CHECKING, Callable

from console.runbook.results import StepResult, StepRun

if TYPE_CHECKING:
    from console.runbook.engine import FlowRunner

#: receives each output line of a running step (masked and cleaned by the runner)
OnLine = Callable[[str], None]


class StepKind:
    """Runs one kind of step for ``runner``: :meth:`run` fills in ``result`` (state, message, output)."""

    def __init__(self, runner: "FlowRunner") -> None:
        self.runner = runner

    async def run(self, run: StepRun, result: StepResult, on_line: OnLine) -> None:  # pragma: no cover
        raise NotImplementedError


async def read_metric(get_metric: object, name: str) -> float | None:
    """The live value of ``name`` from ``get_metric`` (sync or async); None when missing or it fails, and
    for NaN or an infinity: no value, as every screen shows them (``console.format.MISSING``). (NaN made
    ``error_rate != 0`` hold on a value that is not there; an infinity stopped the step with an
    OverflowError.) A negative value is none either."""
    if get_metric is None or not callable(get_metric):
        return None
    try:
        value = get_metric(name)
        if inspect.isawaitable(value):
            value = await value
    except Exception:  # noqa: BLE001 - a value source failure is a missing value
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:  # an int past a float's range
        return None
    # every live metric is a rate, a share, a time, a size or a count: a negative reading is no value (an
    # error rate of -1 % held 'error_rate < 1', and a recovery could be verified on it)
    return value if math.isfinite(value) and value >= 0 else None
