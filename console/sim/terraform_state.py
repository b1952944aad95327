"""The simulated edge's Terraform-managed variables (worker count, rate limits, strict WAF, batch size) and
the applies that changed them.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock.
"""

from __future__ import annotations

from typing import Any

from console.sim.errors import SimError
from console.sim.scenarios import TERRAFORM_DEFAULTS
from console.sim.tfvars import TfVarError, coerce_tf_var


def checked_vars(changes: Any) -> dict[str, Any]:
    """``changes`` as declared variables with values of their types; SimError naming the first problem."""
    if not isinstance(changes, dict):
        raise SimError("vars: expected an object of variable -> value")
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in TERRAFORM_DEFAULTS:
            raise SimError(f"undeclared variable {key!r} (declared: {', '.join(TERRAFORM_DEFAULTS)})")
        try:
            clean[key] = coerce_tf_var(key, value)
        except TfVarError as exc:
            raise SimError(str(exc)) from None
    return clean


class TerraformState:
    def __init__(self) -> None:
        self.vars: dict[str, Any] = dict(TERRAFORM_DEFAULTS)
        self.applies: list[dict[str, Any]] = []

    def apply(self, clean: dict[str, Any], stamp: str) -> dict[str, Any]:
        """Set checked variables (:func:`checked_vars`); returns every variable's value."""
        before = {k: self.vars[k] for k in clean}
        self.vars.update(clean)
        self.applies.append({"at": stamp, "vars": clean, "previous": before})
        return dict(self.vars)

    def snapshot(self) -> dict[str, Any]:
        return {"vars": dict(self.vars), "applies": list(self.applies)}
