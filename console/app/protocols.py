"""What the app is given, as typed Protocols (structural: the core's classes satisfy them without
importing this module, and the core never imports ``console.app``).

- :class:`PollSource`: the metrics source the app polls every ``refresh_seconds``
  (``console.sources.poller.EdgePoller``, ``console.sources.promql.FleetPoller``, the tests' ``StaticPoller``).
  A recording is replayed without one: ``screens.replay_app`` hands its polls to ``apply_result`` itself.
- :class:`TailFeed`: a log tail source (``console.tail.source.TailSource``,
  ``console.tail.workers.MergedTailSource``): run in a worker, parsed by a pump, re-filtered, stopped.
- :class:`TailPump`: what the tail's controller drains parsed events from
  (``console.tail.pump.ParsePump``, the replay's ``screens.replay_app.ReplayPump``).
- :class:`ConsoleApp`: what screens and widgets read from the app (``screens.app.EdgeConsoleApp``
  declares every one of these in ``__init__`` or on a base class: screens read them as plain attributes,
  never through ``getattr`` with a default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections import deque

    from console.actions import Catalogue
    from console.app.events import EventBus
    from console.metrics.window import StartupWindowMark
    from console.runbook.model import Runbook
    from console.session import Session
    from console.tail.model import TailEvent
    from console.tail.settings import ServerFilters
    from console.tail.source import TailStatus

__all__ = ["ConsoleApp", "PollSource", "TailFeed", "TailPump"]


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


class ConsoleApp(Protocol):
    """The app as screens and widgets see it (attributes and the calls they make)."""

    #: ``edge-console replay``: the app plays a recording (``screens.replay_app.ReplayApp``)
    REPLAY: bool
    session: Session
    config: Any
    refresh_seconds: float
    #: wall clock for every age on screen (the replay's virtual clock; tests pin it)
    clock: Callable[[], float]
    #: typed events: polls, audit records, scenario switches, Alertmanager's alerts
    events: EventBus
    #: the action catalogue as configured (keymap, read-only)
    actions: Catalogue
    last_result: Any
    poll_count: int
    history: dict[str, deque[float | None]]
    fleet_result: Any
    fleet_history: dict[str, deque[float | None]]
    window_mark: StartupWindowMark
    #: the log tail's controller (``screens.log_view.TailController``) once the log pane is mounted
    tail: Any
    #: the drill being played (``screens.drill_app.DrillController``), or None
    drill: Any
    am_alerts: list[Any]
    am_error: str | None
    prom_history: Any
    prom_window: str | None
    flow_key_problems: list[str]
    flow_keys_bound: bool
    unfinished_steps: list[str]
    #: the incident session's glue once made (``incident_response`` makes it on first use)
    _incident_response: Any
    _flow_runbook: Runbook | None

    @property
    def incident_response(self) -> Any: ...

    def keys_text(self, action_id: str, words: str = "") -> str: ...

    def hint(self, action_id: str, words: str) -> str: ...

    def flow_runbook(self) -> Runbook: ...

    def rebuild_actions(self, runbook: Any) -> Catalogue: ...

    def open_flow(self, target: str, inputs: dict[str, str] | None = None, why: str = "") -> None: ...

    def after_first_frame(self, callback: Callable[[], Any]) -> None: ...

    def visible_screens(self) -> list[Any]: ...
