"""Live values for verify and metrics steps.

The TUI passes a ``get_metric(name) -> float | None`` reading its latest poll (:func:`from_derived`
helps). Headless runs use :class:`PollerMetrics`, which scrapes with ``console.sources.poller.EdgePoller``
(at most once per ``min_interval`` seconds) and reads ``derived.metrics[name].value``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

#: Derived attributes that are not in ``Derived.metrics``.
_DERIVED_ATTRS = ("security_per_s", "rate_limit_violations_per_s")


def from_derived(derived: Any, name: str) -> float | None:
    """The value of ``name`` in a ``console.metrics.model.Derived`` (None when absent)."""
    if derived is None:
        return None
    if name in _DERIVED_ATTRS:
        value = getattr(derived, name, None)
    else:
        metric = (getattr(derived, "metrics", None) or {}).get(name)
        value = getattr(metric, "value", None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


class PollerMetrics:
    """An async ``get_metric`` for headless runs. Rates need two scrapes, so the first call polls twice."""

    def __init__(self, config: Any, env: Any, *, min_interval: float = 1.0, poller: Any = None) -> None:
        self.config = config
        self.env = env
        self.min_interval = min_interval
        self._poller = poller
        self._last_poll = 0.0
        self._derived: Any = None
        self.error: str | None = None

    async def _ensure(self) -> Any:
        if self._poller is None:
            from console.sources.poller import EdgePoller

            self._poller = EdgePoller(self.config, self.env)
        return self._poller

    async def refresh(self) -> None:
        poller = await self._ensure()
        first = self._last_poll == 0.0
        result = await poller.poll()
        if first and (result.derived is None or not getattr(result.derived, "window_s", 0)):
            await asyncio.sleep(self.min_interval)  # rates need a window between two scrapes
            result = await poller.poll()
        self._last_poll = time.monotonic()
        self._derived = result.derived
        self.error = getattr(result.metrics, "error", None)

    async def __call__(self, name: str) -> float | None:
        if self._last_poll == 0.0 or time.monotonic() - self._last_poll >= self.min_interval:
            await self.refresh()
        return from_derived(self._derived, name)

    async def aclose(self) -> None:
        if self._poller is not None and hasattr(self._poller, "aclose"):
            await self._poller.aclose()
