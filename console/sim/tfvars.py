"""Terraform variables of the simulated infrastructure: parsing and validation (pure, light to import)."""

from __future__ import annotations

import math

from console.sim.terraform_defaults import TERRAFORM_DEFAULTS

TYPE_CHECKING = False  # ``typing`` costs the simulated terraform start-up time; annotations are not evaluated
if TYPE_CHECKING:
    from typing import Any


class TfVarError(ValueError):
    """A value that does not suit the variable; the message says which and why."""


def coerce_tf_var(key: str, value: Any) -> Any:
    """A terraform variable value from a string or JSON value; TfVarError with the reason when invalid."""
    default = TERRAFORM_DEFAULTS[key]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise TfVarError(f"{key}: a bool is required, got {value!r}")
    if isinstance(value, bool):
        raise TfVarError(f"{key}: a number is required, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TfVarError(f"{key}: a number is required, got {value!r}") from None
    if not math.isfinite(number) or number < 1 or number != int(number):
        raise TfVarError(f"{key}: must be a whole number of at least 1, got {value!r}")
    return int(number)
