"""Live values for verify and metrics steps.

The TUI passes a ``get_metric(name) -> float | None`` reading its latest poll (:func:`from_derived`
helps). Headless runs use :class:`PollerMetrics`, which scrapes with ``console.sources.poller.EdgePoller``
(at most once per ``min_interval`` seconds) and reads ``derived.metrics[name].value``.

Sparklines (a ``metrics`` step with ``trend: N``) read ``get_metric.history(name)`` when the source has
one: :class:`PollerMetrics` keeps the values of its own scrapes (and ``collect(N)`` scrapes until it has
N), :class:`MetricSource` gives the TUI's getter the app's history.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, Callable

from console.metrics.catalogue import METRIC_KEYS, METRICS

#: Derived attributes that are not in ``Derived.metrics`` (the catalogue's rates that are not key metrics).
_DERIVED_ATTRS = tuple(m.key for m in METRICS if not m.key_metric)


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


#: Every value a source records for sparklines.
HISTORY_NAMES = METRIC_KEYS
HISTORY_POINTS = 60


class MetricSource:
    """A ``get_metric`` with a ``history(name)`` (the TUI: latest poll + the dashboard's series)."""

    def __init__(self, get: Callable[[str], Any], history: Callable[[str], list[float | None]]) -> None:
        self._get = get
        self._history = history

    def __call__(self, name: str) -> Any:
        return self._get(name)

    def history(self, name: str) -> list[float | None]:
        try:
            return list(self._history(name) or [])
        except Exception:  # noqa: BLE001 - no history is a missing sparkline, never a failure
            return []


class PollerMetrics:
    """An async ``get_metric`` for headless runs. Rates need two scrapes, so the first call polls twice."""

    def __init__(
        self,
        config: Any,
        env: Any,
        *,
        min_interval: float = 1.0,
        poller: Any = None,
        history_window: str = "12h",
        clock: Any = None,
        sleep: Any = None,
    ) -> None:
        """``clock``: whose ``monotonic()`` decides when ``min_interval`` has passed (the flow runner's, so a
        value read after the runner waited is fresh; ``time`` by default). The wait between the two scrapes
        of a rate window stays real: it is what the rates are measured over. ``sleep`` (an async
        ``sleep(seconds)``, given with ``clock``) replaces that real wait: the edge poller then measures its
        rate windows on ``clock`` too (a virtual clock the edge lives on: tests/virtual_time.py)."""
        self.config = config
        self.clock = clock if clock is not None else time
        self._sleep = sleep if sleep is not None else asyncio.sleep
        self._poller_clock = clock if sleep is not None else None
        self.env = env
        self.min_interval = min_interval
        self._poller = poller
        self._last_poll = 0.0
        self._derived: Any = None
        self.error: str | None = None
        self._history: dict[str, deque[float | None]] = {n: deque(maxlen=HISTORY_POINTS) for n in HISTORY_NAMES}
        self._history_at: Any = None
        self._rebase = False
        #: with ``prometheus_url``: trends from Prometheus over this window (the overnight review's 12 h)
        self.history_window = history_window
        self._prom_history: Any = None
        #: lines saying where a trend came from (shown by a metrics step)
        self.history_note: list[str] = []

    def changed(self) -> None:
        """Something on the edge was just changed (an action step): the next values come from a window
        of two scrapes after it, not one that starts before it."""
        self._rebase = True

    async def _ensure(self) -> Any:
        if self._poller is None:
            from console.sources.poller import EdgePoller

            if self._poller_clock is not None:
                self._poller = EdgePoller(self.config, self.env, clock=self._poller_clock)
            else:
                self._poller = EdgePoller(self.config, self.env)
        return self._poller

    async def refresh(self) -> None:
        poller = await self._ensure()
        first = self._last_poll == 0.0
        rebase, self._rebase = self._rebase, False
        result = await poller.poll()
        if rebase or (first and (result.derived is None or not getattr(result.derived, "window_s", 0))):
            await self._sleep(self.min_interval)  # rates need a window between two scrapes
            result = await poller.poll()
        self._last_poll = self.clock.monotonic()
        self._derived = result.derived
        self.error = getattr(result.metrics, "error", None)
        at = getattr(result.derived, "at", None)
        if result.derived is not None and at != self._history_at:  # one point per new scrape window
            self._history_at = at
            for name, series in self._history.items():
                series.append(from_derived(result.derived, name))

    def history(self, name: str) -> list[float | None]:
        if self._prom_history is not None:
            return self._prom_history.history(name)
        return list(self._history.get(name, ()))

    async def collect(self, points: int) -> None:
        """Scrape (``min_interval`` apart) until the history has ``points`` values: a short trend headless.
        With ``prometheus_url`` the trend is Prometheus's history instead (``query_range`` over
        ``history_window``, overnight by default), and :attr:`history_note` says so."""
        if getattr(self.env, "prometheus_url", None):
            from console.runbook.promtrend import prometheus_trend

            self._prom_history, self.history_note = await prometheus_trend(
                self.config, self.env, self.history_window, points
            )
            if self._prom_history is not None:
                return
        for _ in range(points + 2):
            if len(self._history["request_rate"]) >= points:
                return
            if self._last_poll:
                await self._sleep(max(0.0, self.min_interval - (self.clock.monotonic() - self._last_poll)))
            await self.refresh()

    async def __call__(self, name: str) -> float | None:
        if self._rebase or self._last_poll == 0.0 or self.clock.monotonic() - self._last_poll >= self.min_interval:
            await self.refresh()
        return from_derived(self._derived, name)

    async def aclose(self) -> None:
        if self._poller is not None and hasattr(self._poller, "aclose"):
            await self._poller.aclose()
