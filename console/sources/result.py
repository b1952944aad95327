"""``PollResult``: what one poll found (``console.sources.poller`` makes them; the early scrapes at
start-up too, ``console.sources.early``). Its own module so it can be built without importing httpx."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.metrics.model import Derived, Health, SourceStatus


@dataclass(frozen=True)
class PollResult:
    """What one poll found. ``derived`` is the newest good derivation (possibly from an earlier
    poll: compare ``metrics.last_ok``/``derived.at`` with ``at``), None until the first good scrape."""

    derived: Derived | None
    metrics: SourceStatus  # the metrics endpoint: connecting | live | stale | down, error, last_ok
    health: Health | None  # the latest health verdict (an unreachable endpoint reads healthy=False)
    health_source: SourceStatus  # the health endpoint itself
    at: float  # wall-clock time of this poll
    environment: str = ""
    #: milliseconds the scrape took (HTTP + parse), None when it was skipped by backoff
    scrape_ms: float | None = None
    #: page problems that did not stop derivation (missing families, bad lines)
    warnings: list[str] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        """The derived values come from this poll's scrape."""
        return self.metrics.state == "live"

    def age(self) -> float | None:
        """Seconds since the last good scrape (None when there never was one)."""
        return self.metrics.age(self.at)
