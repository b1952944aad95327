"""What the app is given, as typed Protocols (structural: the core's classes satisfy them without
importing this module, and the core never imports ``console.app``).

- :class:`PollSource`: the metrics source the app polls every ``refresh_seconds``
  (``console.sources.poller.EdgePoller``, ``console.sources.promql.FleetPoller``, the tests' ``StaticPoller``).
  A recording is replayed without one: ``screens.replay_app`` hands its polls to ``apply_result`` itself.
- :class:`TailFeed`: a log tail source (``console.tail.source.TailSource``,
  ``console.tail.workers.MergedTailSource``): run in a worker, parsed by a pump, re-filtered, stopped.
- :class:`TailPump`: what the tail's controller drains parsed events from
  (``console.tail.pump.ParsePump``, the replay's ``screens.replay_app.ReplayPump``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from console.tail.model import TailEvent
    from console.tail.settings import ServerFilters
    from console.tail.source import TailStatus

__all__ = ["PollSource", "TailFeed", "TailPump"]


@runtime_checkable
class PollSource(Protocol):
    """A poll never raises: failures are in the result's source states. Polls do not overlap."""

    async def poll(self) -> Any: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class TailFeed(Protocol):
    """A log tail source: ``run`` in a worker until ``stop``; ``take`` parses what arrived (on the pump's
    thread); ``on_bytes`` wakes the pump when bytes arrive."""

    status: TailStatus
    on_bytes: Callable[[], Any] | None

    @property
    def filters(self) -> ServerFilters: ...

    async def run(self) -> None: ...

    def take(self, limit: int | None = None, budget_s: float = 0.05) -> list[TailEvent]: ...

    @property
    def has_backlog(self) -> bool: ...

    def rate(self) -> float: ...

    def stop(self) -> None: ...

    def restart(self, filters: ServerFilters | None = None) -> None: ...


@runtime_checkable
class TailPump(Protocol):
    """Parsed events waiting for the UI's tick (``drain``), started and stopped with the source."""

    @property
    def pending(self) -> int: ...

    @property
    def alive(self) -> bool: ...

    def start(self) -> None: ...

    def drain(self) -> Iterable[TailEvent]: ...

    def stop(self, timeout: float = 1.0) -> None: ...
