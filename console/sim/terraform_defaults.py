"""The terraform variables the simulated infrastructure declares, with their defaults.

Its own module, importing nothing, because the simulated ``terraform`` (one process per command) needs
them: ``console.sim.scenarios``, which re-exports them, costs more start-up time (``dataclasses``)."""

from __future__ import annotations

#: terraform variables the simulated infrastructure declares, with defaults
TERRAFORM_DEFAULTS: dict[str, object] = {
    "worker_count": 10,
    "api_rate_limit": 100,
    "vau_rate_limit": 1000,
    "enable_strict_waf": False,
    "queue_batch_size": 100,
}
