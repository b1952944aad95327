"""``EdgePoller``: one poll = health check + metrics scrape + derivation, never raising.

The TUI awaits :meth:`EdgePoller.poll` every ``config.refresh_seconds`` from a Textual worker
(polls never overlap) and renders the :class:`PollResult`; ``edge-console check`` polls twice.

Failure handling, per source (metrics, health):

* a failed scrape keeps the last good :class:`Derived` (``PollResult.derived``) and marks the
  source ``stale`` (a recent failure, the last good value is shown with its age), or ``down``
  after ``down_after`` consecutive failures, at once when the connection is refused, or when
  there has never been a good answer; ``SourceStatus.error`` says what is wrong;
* after repeated failures the scrape is retried less often (``refresh x (2**(n-1) - 1)``, at most
  ``backoff_max_s``, 5 s by default), and within one poll a quick transient failure (refused, 5xx) is
  retried once with backoff (a timeout is not: it already cost the whole timeout);
* the next good answer makes the source ``live`` again by itself;
* a page with some families missing still derives the rest: those metrics keep their last good
  value marked stale (``MetricValue.stale``/``as_of``) and ``metrics.error`` names the families.

Time: every timestamp (``clock.time()``) and the rate window and backoff (``clock.monotonic()``) come from
``clock`` (:mod:`console.runbook.clock`; the real one by default). Tests give it the clock the flow runner and
the simulated edge share, so a rate taken after a skipped wait is over the virtual window the counters moved in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from console.metrics.caps import series_caps
from console.metrics.derive import Snapshot, carry_forward, derive, families
from console.metrics.model import Derived, Health, SourceStatus
from console.runbook.clock import SYSTEM_CLOCK, RunClock
from console.sources.health import check_health
from console.sources.http import HttpSettings, is_refused, make_client
from console.sources.result import PollResult
from console.sources.scrape import Scraper

__all__ = ["EdgePoller", "PollResult"]

log = logging.getLogger(__name__)

METRICS = "metrics"
HEALTH = "health"


@dataclass
class _SourceTracker:
    name: str
    down_after: int
    state: str = "connecting"
    last_ok: float | None = None
    error: str | None = None
    failures: int = 0
    next_try_mono: float = 0.0

    def ok(self, now: float, note: str | None = None) -> None:
        self.state, self.last_ok, self.error, self.failures, self.next_try_mono = "live", now, note, 0, 0.0

    def fail(self, error: str) -> None:
        self.failures += 1
        self.error = error
        if self.last_ok is None or self.failures >= self.down_after or is_refused(error):
            self.state = "down"
        else:
            self.state = "stale"

    def status(self) -> SourceStatus:
        return SourceStatus(name=self.name, state=self.state, last_ok=self.last_ok, error=self.error)


class EdgePoller:
    """Polls one environment. Reuses one httpx.AsyncClient; call :meth:`aclose` when done."""

    def __init__(
        self,
        config: Any,
        env: Any,
        client: httpx.AsyncClient | None = None,
        *,
        settings: HttpSettings | None = None,
        down_after: int = 3,
        backoff_max_s: float = 5.0,
        max_window_s: float = 120.0,
        clock: RunClock | None = None,
    ) -> None:
        self.config = config
        #: wall time for timestamps, monotonic time for the rate window and backoff
        self.clock: RunClock = clock if clock is not None else SYSTEM_CLOCK
        self.env = env
        self.settings = settings or HttpSettings()
        self._own_client = client is None
        self.client = client or make_client(self.settings)
        self.scraper = Scraper(self.client, self.settings)
        self.families = families(config)
        self.series_caps = series_caps(config)
        self.down_after = max(1, down_after)
        self.backoff_max_s = backoff_max_s
        #: a previous scrape older than this is not used for rates (they restart "warming up")
        self.max_window_s = max_window_s
        self._metrics = _SourceTracker(METRICS, self.down_after)
        self._health = _SourceTracker(HEALTH, self.down_after)
        self._prev: Snapshot | None = None
        self._derived: Derived | None = None
        self._last_health: Health | None = None
        self._lock = asyncio.Lock()
        self.polls = 0

    @property
    def refresh_s(self) -> float:
        return float(getattr(self.config, "refresh_seconds", 2.0) or 2.0)

    def seed(self, snapshot: Snapshot, derived: Derived) -> None:
        """Start from a scrape taken before this poller existed (``console.sources.early``): the next
        poll's rates are over the window since ``snapshot``."""
        if self._prev is None:
            self._prev, self._derived = snapshot, derived
            self._metrics.ok(snapshot.at)

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def __aenter__(self) -> "EdgePoller":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def poll(self) -> PollResult:
        """Health and metrics, concurrently. Never raises (cancellation propagates)."""
        async with self._lock:  # polls never overlap, even if a caller forgets
            self.polls += 1
            now = self.clock.time()
            scrape_ms: float | None = None
            warnings: list[str] = []
            try:
                scrape_ms, warnings = await self._poll_sources(now)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not take the console down; say what happened
                log.exception("poll failed")
                self._metrics.fail(f"internal error: {type(exc).__name__}: {exc}")
            return PollResult(
                derived=self._derived,
                metrics=self._metrics.status(),
                health=self._last_health,
                health_source=self._health.status(),
                at=now,
                environment=getattr(self.env, "name", ""),
                scrape_ms=scrape_ms,
                warnings=warnings,
            )

    async def _poll_sources(self, now: float) -> tuple[float | None, list[str]]:
        health_task = asyncio.ensure_future(self._poll_health())
        try:
            result = await self._poll_metrics(now)
        finally:
            try:
                await health_task
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("health check failed")
                self._health.fail(f"internal error: {type(exc).__name__}: {exc}")
        return result

    async def _poll_health(self) -> None:
        health, answered = await check_health(self.client, self.env.health_url, self.settings)
        if answered:
            self._health.ok(self.clock.time(), None if health.healthy else health.error)
        else:
            self._health.fail(health.error or "no answer")
        self._last_health = health

    async def _poll_metrics(self, now: float) -> tuple[float | None, list[str]]:
        tracker = self._metrics
        clock = self.clock
        if tracker.failures and clock.monotonic() < tracker.next_try_mono:
            return None, []  # backing off: keep the current status and last good values
        started = time.perf_counter()  # the scrape's own latency is real time, whatever the clock
        result = await self.scraper.scrape(self.env.metrics_url, self.families, self.series_caps)
        scrape_ms = (time.perf_counter() - started) * 1000.0
        if not result.ok or result.page is None:
            tracker.fail(result.error or "no page")
            delay = min(self.refresh_s * (2 ** (tracker.failures - 1) - 1), self.backoff_max_s)
            tracker.next_try_mono = clock.monotonic() + max(0.0, delay)
            return scrape_ms, []
        snap = Snapshot(at=clock.time(), mono=clock.monotonic(), page=result.page)
        prev = self._prev
        if prev is not None and snap.mono - prev.mono > self.max_window_s:
            prev = None  # too old for a meaningful rate: start a new window
        derived = await asyncio.to_thread(derive, prev, snap, self.config, self._derived)
        derived = carry_forward(self._derived, derived)
        self._prev = snap
        self._derived = derived
        note = ("missing families: " + ", ".join(result.page.missing)) if result.page.missing else None
        tracker.ok(snap.at, note)
        return scrape_ms, list(derived.warnings)
